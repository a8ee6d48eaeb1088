"""Halls as the public sees them: services with waiting counts, the snapshot boards render."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..domain import routing
from ..domain.disclosure import audience_of, public_pause_phrases, shape_envelope, shape_snapshot
from ..domain.guide import commitment_lines, commitment_lines_en, guide_from_stored
from ..domain.posts import is_open
from ..storage.models import Hall, Ticket, Window
from .core.context import Context
from .core.errors import not_found
from .core.estimates import kiosk_plan, service_rows
from .core.events import events_since
from .core.principal import Principal, require_hall, require_role
from .core.queue import waiting_counts
from .core.readmodels import build_snapshot
from .core.rows import hall_day, load_hall

#: a board that missed more events than this gets a snapshot instead of the events
MAX_REPLAY = 500


def hall_info(ctx: Context, code: str) -> dict[str, Any]:
    """The hall for kiosks: services by category with waiting counts and estimated waits, and
    whether a window serves each now (domain.routing) — the kiosk warns before issuing a number
    nobody serves now, says when the hall opens next and offers an appointment where there is one."""
    with ctx.db.read() as s:
        hall = load_hall(s, code)
        now = ctx.clock()
        day = hall_day(hall, now)
        counts = waiting_counts(s, hall, day)
        plan = kiosk_plan(ctx, s, hall)
        waits = service_rows(plan, counts)
        local = now.astimezone(ZoneInfo(hall.timezone))
        # when the hall is closed now: when it opens next (the kiosk says so for unserved services)
        opens = (
            None if is_open(hall.opening_hours, local) else routing.next_opening(hall.opening_hours, local)
        )
        services = []
        for svc in hall.services:
            if not svc.active:
                continue
            n = counts.get(svc.code, 0)
            guide = guide_from_stored(svc.guide)
            services.append(
                {
                    "code": svc.code,
                    "prefix": svc.prefix,
                    "name": svc.name,
                    "name_en": svc.name_en,
                    "category": svc.category,
                    "category_en": svc.category_en,
                    "waiting": n,
                    "estimated_wait_s": waits[svc.code]["estimated_wait_s"],
                    "served": waits[svc.code]["served"],
                    "bookable": svc.booking is not None,
                    "commitment": commitment_lines(guide),
                    "commitment_en": commitment_lines_en(guide),
                }
            )
        categories = list(dict.fromkeys(svc["category"] for svc in services))
        return {
            "code": hall.code,
            "name": hall.name,
            "name_en": hall.name_en,
            "timezone": hall.timezone,
            "business_day": day.isoformat(),
            "categories": categories,
            "services": services,
            # a hall may refuse numbers for a service no window serves now (its setting)
            "queue_when_unserved": hall.queue_when_unserved is not False,
            "opens_at": opens.isoformat() if opens is not None else None,
        }


def list_halls(ctx: Context) -> list[dict[str, str]]:
    with ctx.db.read() as s:
        return [{"code": h.code, "name": h.name} for h in s.scalars(select(Hall).order_by(Hall.code))]


def snapshot(ctx: Context, actor: Principal, code: str) -> dict[str, Any]:
    """What a board shows right now, with the seq it is consistent with, as the caller may see
    it (domain.disclosure)."""
    with ctx.db.read() as s:
        hall = load_hall(s, code)
        authorize_read(actor, hall)
        return shape_snapshot(build_snapshot(ctx, s, hall), audience_of(actor.role))


def resync(
    ctx: Context,
    actor: Principal,
    code: str,
    since: int | None,
    window: int | None = None,
    ticket: str | None = None,
) -> dict[str, Any]:
    """A (re)connecting screen's catch-up: the events it missed, or a snapshot, shaped for the
    caller's audience. A window board names a window of this hall, a phone page its own ticket
    (the id only its holder has): anything else is refused, so a subscription is what it asked
    for."""
    audience = audience_of(actor.role)
    # asks that differ only in who asks share a read when nothing below tells them apart: the
    # audience shapes the answer, the role and hall decide authorize_read (a reconnect storm)
    key = ("resync", code, since, window, ticket, audience, actor.role, actor.hall_id, actor.is_anonymous)
    return ctx.reads.read(key, lambda: _resync(ctx, actor, audience, code, since, window, ticket))


def _resync(
    ctx: Context,
    actor: Principal,
    audience: str,
    code: str,
    since: int | None,
    window: int | None,
    ticket: str | None,
) -> dict[str, Any]:
    with ctx.db.read() as s:
        hall = load_hall(s, code)
        authorize_read(actor, hall)
        if window is not None:
            w = s.get(Window, window)
            if w is None or w.hall_id != hall.id:
                raise not_found("窗口", "window")
        if ticket is not None:
            held = s.scalar(select(Ticket.hall_id).where(Ticket.public_id == ticket))
            if held != hall.id:
                raise not_found("号码", "ticket")
        if since is not None and 0 <= since <= hall.seq:
            missed = events_since(s, hall, since, MAX_REPLAY)
            if missed is not None:
                return {"seq": hall.seq, "events": [shape_envelope(e, audience) for e in missed]}
        return {"seq": hall.seq, "snapshot": shape_snapshot(_snapshot(ctx, s, hall), audience)}


def _snapshot(ctx: Context, s: Any, hall: Hall) -> dict[str, Any]:
    """The hall's snapshot, built at most once per seq and second: a burst of subscribes (a
    reconnect storm, a flooding socket) costs one build, not one each (~9 ms with 200 waiting)."""
    key = (hall.seq, int(ctx.clock().timestamp()))
    cached = ctx.cache.get(f"snapshot:{hall.id}")
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    snapshot = build_snapshot(ctx, s, hall)
    ctx.cache[f"snapshot:{hall.id}"] = (key, snapshot)
    return snapshot


def authorize_read(actor: Principal, hall: Hall) -> None:
    if actor.is_anonymous:
        return  # callers decide whether anonymous readers are allowed at all
    require_role(actor, ("admin", "manager", "clerk", "supervisor", "kiosk", "board", "pad"))
    require_hall(actor, hall.id)


def public_pause_reasons(ctx: Context, code: str) -> list[str]:
    """The pause reasons the hall's boards show (a clerk picks one; any other text stays with
    staff)."""
    with ctx.db.read() as s:
        return list(public_pause_phrases(load_hall(s, code).public_pause_reasons))


def hall_name(ctx: Context, code: str, english: bool = False) -> str:
    """The hall's display name, its English one for an English page where the hall set one
    (404 for a hall that does not exist)."""
    with ctx.db.read() as s:
        hall = load_hall(s, code)
        return str(hall.name_en if english and hall.name_en else hall.name)


def hall_timezone(ctx: Context, code: str, english: bool = False) -> tuple[str, str]:
    """The hall's name (as hall_name) and timezone (for pages that print its local time)."""
    with ctx.db.read() as s:
        hall = load_hall(s, code)
        return str(hall.name_en if english and hall.name_en else hall.name), str(hall.timezone)


def window_number(ctx: Context, hall_code: str, window_id: int) -> int:
    """The number of one of the hall's windows (404 when the window is not the hall's)."""
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        w = s.get(Window, window_id)
        if w is None or w.hall_id != hall.id:
            raise not_found("窗口", "window")
        return int(w.number)


def hall_services(ctx: Context, code: str) -> list[dict[str, Any]]:
    """Every service of the hall, inactive ones too, in kiosk order (for the admin pages)."""
    with ctx.db.read() as s:
        h = load_hall(s, code)
        return [
            {
                "code": svc.code,
                "prefix": svc.prefix,
                "name": svc.name,
                "name_en": svc.name_en or "",
                "category": svc.category,
                "category_en": svc.category_en or "",
                "sort": svc.sort,
                "active": svc.active,
            }
            for svc in sorted(h.services, key=lambda x: (x.sort, x.code))
        ]
