"""One-time notices (一次告知单): made at the window, printed, and honoured when the citizen returns."""

from __future__ import annotations

import secrets
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from .. import event_names as names
from ..domain import notice as rules
from ..domain.errors import RuleViolation
from ..domain.ticket import ACTIVE
from ..storage.models import Hall, Notice, Service, Ticket, User, Window
from .core.context import Context
from .core.credentials import citizen_key
from .core.errors import bad_field
from .core.events import record
from .core.principal import Principal, require_hall, require_role
from .core.print_queue import enqueue_notice
from .core.rows import load_notice_page, load_ticket
from .core.views import notice_view

_CODE_ATTEMPTS = 10


def _guide_materials(service: Service) -> dict[str, str]:
    materials = (service.guide or {}).get("materials") or []
    return {
        str(m["id"]): str(m["name"]) for m in materials if isinstance(m, dict) and "id" in m and "name" in m
    }


def parse_items(service: Service, missing: Any) -> list[rules.Item]:
    """`missing` is a list of material ids of the service's guide, or {"name": free text} items."""
    if not isinstance(missing, list):
        raise bad_field("missing", "missing 必须是列表", "missing must be a list")
    materials = _guide_materials(service)
    items = []
    for i, entry in enumerate(missing):
        if isinstance(entry, str):
            if entry not in materials:
                raise bad_field(
                    f"missing[{i}]", f"办事指南里没有材料 {entry}", f"the guide has no material {entry}"
                )
            items.append(rules.Item(materials[entry], entry))
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"].strip():
            mid = entry.get("id")
            if mid is not None and mid not in materials:
                raise bad_field(
                    f"missing[{i}]", f"办事指南里没有材料 {mid}", f"the guide has no material {mid}"
                )
            items.append(rules.Item(materials[mid] if mid else entry["name"].strip()[:200], mid))
        else:
            raise bad_field(
                f"missing[{i}]", "每项是材料编号或 {name: 文本}", "each item is a material id or {name: text}"
            )
    return items


def create_notice(
    ctx: Context,
    actor: Principal,
    ticket_public_id: str,
    missing: Any,
    note: str | None = None,
    reasons: Any = None,
) -> dict[str, Any]:
    """The clerk at the ticket's window tells every missing item at once; stored, printed, coded.

    If the citizen came back with an earlier notice, anything asked for that it did not list
    needs a reason (`reasons`: {material id or item name: why}).
    """
    require_role(actor, ("clerk",))
    if reasons is not None and not (
        isinstance(reasons, dict) and all(isinstance(v, str) for v in reasons.values())
    ):
        raise bad_field("reasons", "reasons 必须是 {材料: 原因}", "reasons must map items to text")
    if note is not None and not isinstance(note, str):
        raise bad_field("note", "note 必须是文本", "note must be text")
    now = ctx.clock()
    with ctx.db.transaction() as s:
        t = load_ticket(s, ticket_public_id, lock=True)
        require_hall(actor, t.hall_id)
        if (
            t.window is None
            or t.window.clerk_id != actor.user_id
            or t.status not in [a.value for a in ACTIVE]
        ):
            raise RuleViolation(
                "window_not_signed_in",
                "该号码不在你签到的窗口",
                "this ticket is not at the window you are signed in at",
            )
        hall = s.get(Hall, t.hall_id)
        assert hall is not None
        items = parse_items(t.service, missing)
        rules.check_items(items, note)
        previous = t.notice
        prev_items = [rules.Item(m["name"], m.get("id")) for m in previous.missing] if previous else None
        items = rules.check_reasons(items, prev_items, reasons or {})
        code = _unique_code(s)
        key = t.citizen_key or citizen_key(ctx.citizen_key_secret, f"notice:{code}")
        t.citizen_key = key  # this visit counts toward repeated trips for the matter
        n = Notice(
            code=code,
            # the page's key (96 bits, on the QR): the short code is only for typing at a kiosk
            token=secrets.token_urlsafe(12),
            hall_id=hall.id,
            service_id=t.service_id,
            ticket_id=t.id,
            missing=[{"id": i.id, "name": i.name, "reason": i.reason} for i in items],
            note=(note or "").strip() or None,
            by_user_id=actor.user_id,
            window_id=t.window_id,
            citizen_key=key,
            previous_id=previous.id if previous else None,
            created_at=now,
        )
        s.add(n)
        s.flush()
        view = notice_view(n)
        view["service"] = t.service.code
        view["ticket"] = t.public_id
        view["previous"] = previous.code if previous else None
        event = record(
            s,
            hall,
            names.NOTICE_CREATED,
            # no code and no items in the hall's public stream: the code is the citizen's fast lane
            {"notice": {"service": view["service"], "ticket": view["ticket"], "items": len(items)}},
            now,
            actor,
            window_id=t.window_id,
            ticket_id=t.id,
        )
        slip = {
            "kind": "notice",
            "hall_name": hall.name,
            "service_name": t.service.name,
            "code": code,
            "number": t.number,
            "items": [i.name for i in items],
            "note": n.note,
            "window": t.window.name,
            "clerk": t.window.clerk.name if t.window.clerk else None,
            "issued_at": now.astimezone(ZoneInfo(hall.timezone)).isoformat(),
            "notice_url": ctx.links.notice(n.token or ""),
        }
        window_id, ticket_id = t.window_id, t.id
    ctx.publish([event])
    view["print"] = enqueue_notice(ctx, window_id, ticket_id, slip, actor.role)
    return view


def _unique_code(s: Any) -> str:
    for _ in range(_CODE_ATTEMPTS):
        code = rules.new_code()
        if s.scalar(select(func.count(Notice.id)).where(Notice.code == code)) == 0:
            return code
    raise RuntimeError("could not find a free notice code")  # 31^6 codes: practically unreachable


def short_code(key: str) -> str | None:
    """`key` as a short notice code if it has the form of one (whether or not it exists), else None."""
    code = rules.normalise_code(key)
    ok = len(code) == rules.CODE_LENGTH and all(c in rules.CODE_ALPHABET for c in code)
    return code if ok else None


def get_notice(ctx: Context, token: str) -> dict[str, Any]:
    """A notice as its holder sees it (phone page, printable A4 page), by its page token: the
    secret its QR carries. The short code opens nothing here (it is typed at a kiosk, throttled)."""
    with ctx.db.read() as s:
        n = load_notice_page(s, token)
        svc = s.get(Service, n.service_id)
        hall = s.get(Hall, n.hall_id)
        t = s.get(Ticket, n.ticket_id)
        assert svc is not None and hall is not None and t is not None
        view = notice_view(n)
        view.update(
            service=svc.code,
            service_name=svc.name,
            hall={"code": hall.code, "name": hall.name},
            number=t.number,
            guide=svc.guide,
            previous=s.get(Notice, n.previous_id).code if n.previous_id else None,  # type: ignore[union-attr]
        )
        return view


def notice_issued(ctx: Context, token: str) -> dict[str, Any]:
    """Who made the notice, where and when (in the hall's time): the A4 page names them."""
    with ctx.db.read() as s:
        n = load_notice_page(s, token)
        hall = s.get(Hall, n.hall_id)
        window = s.get(Window, n.window_id) if n.window_id else None
        clerk = s.get(User, n.by_user_id) if n.by_user_id else None
        tz = ZoneInfo(hall.timezone if hall else "Asia/Shanghai")
        return {
            "at": n.created_at.astimezone(tz),
            "window": {"number": window.number, "name": window.name} if window else None,
            "clerk": {"name": clerk.name, "badge": clerk.badge} if clerk else None,
        }
