"""Taking a number, calling the next one, and moving a ticket through its lifecycle."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, Select, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from .. import event_names as names
from ..domain import ticket as lifecycle
from ..domain import window as window_rules
from ..domain.choose_next import Candidate, call_order
from ..domain.errors import RuleViolation
from ..domain.estimate import estimated_wait_s
from ..domain.notice import is_repeat_trip, normalise_code
from ..domain.numbering import format_number
from ..domain.ticket import Status, TicketState
from ..domain.transfer import first_contact_owner
from ..domain.window import WindowState, WindowStatus
from ..storage.models import Hall, Notice, Service, Ticket, Window
from . import print_jobs, staff
from .core.context import Context, Envelope
from .core.errors import bad_field, not_found
from .core.events import record
from .halls import (
    average_service_s,
    current_ticket,
    hall_day,
    load_hall,
    open_windows_cached,
    people_ahead,
    ticket_with_position,
    waiting_count,
)
from .core.principal import Principal, require_hall, require_role
from .core.views import ticket_view

log = logging.getLogger(__name__)

ISSUERS = ("kiosk", "manager", "admin")
_PHONE = re.compile(r"^\+?[0-9]{5,20}$")
#: candidates fetched per attempt of call-next; directed tickets are fetched on top of these
_CANDIDATES = 50


def citizen_key(secret: bytes, phone: str) -> str:
    """Keyed hash of a phone number: lets us recognise a returning citizen, never reveals them."""
    return hmac.new(secret, phone.encode(), hashlib.sha256).hexdigest()


# One statement for both databases (SQLite ≥ 3.35 and PostgreSQL speak the same upsert).
# Written as text so SQLAlchemy caches it: the dialect upsert constructs are compiled anew
# for every ticket (measured: the issue path's largest single cost, docs/performance.md).
_COUNTER_UPSERT = text(
    "INSERT INTO counters (service_id, day, last) VALUES (:service_id, :day, 1) "
    "ON CONFLICT (service_id, day) DO UPDATE SET last = counters.last + 1 "
    "RETURNING last"
).bindparams(bindparam("service_id", type_=Integer), bindparam("day", type_=Date))


def next_counter(session: Session, service_id: int, day: date) -> int:
    """Bump the (service, day) counter in the caller's transaction: no duplicates, no gaps."""
    return int(
        session.connection().execute(_COUNTER_UPSERT, {"service_id": service_id, "day": day}).scalar_one()
    )


def issue_ticket(
    ctx: Context,
    actor: Principal,
    service_code: str,
    hall_code: str | None = None,
    priority: bool = False,
    phone: str | None = None,
    base_url: str = "",
    notice_code: str | None = None,
) -> dict[str, Any]:
    """Take a number for `service_code` at the actor's hall (kiosk, manager, admin).

    With `notice_code` (a citizen back with their one-time notice) the ticket is a priority
    ticket for the notice's service, and the next clerk sees the notice. A citizen key (phone
    or notice) that comes a third time for one matter is flagged (多次往返).
    Returns the ticket with the people ahead and the estimated wait.
    """
    require_role(actor, ISSUERS)
    code = hall_code or actor.hall_code
    if not code:
        raise bad_field("hall", "请指定大厅", "name the hall")
    if phone is not None and not _PHONE.match(phone):
        raise bad_field("phone", "手机号格式不正确", "the phone number is not valid")
    now = ctx.clock()
    with ctx.db.transaction() as s:
        hall = load_hall(s, code)
        require_hall(actor, hall.id)
        notice = None
        if notice_code:
            notice = s.scalar(
                select(Notice).where(Notice.code == normalise_code(notice_code), Notice.hall_id == hall.id)
            )
            if notice is None:
                raise RuleViolation(
                    "notice_not_found", "一次告知单编号无效", "no notice with that code in this hall"
                )
            service = s.get(Service, notice.service_id)
            priority = True  # the fast lane promised on the notice
        elif service_code:
            service = s.scalar(
                select(Service).where(Service.hall_id == hall.id, Service.code == service_code)
            )
        else:
            raise bad_field("service", "请选择办理事项", "choose a service")
        if service is None or not service.active:
            raise not_found("事项", "service")
        day = hall_day(hall, now)
        counter = next_counter(s, service.id, day)
        t = Ticket(
            public_id=secrets.token_urlsafe(9),
            hall_id=hall.id,
            service_id=service.id,
            counter_service_id=service.id,
            business_day=day,
            counter=counter,
            number=format_number(service.prefix, counter),
            priority=bool(priority),
            status=Status.WAITING.value,
            queued_at=now,
            citizen_key=notice.citizen_key
            if notice is not None
            else (citizen_key(ctx.citizen_key_secret, phone) if phone else None),
            notice_id=notice.id if notice is not None else None,
        )
        t.service = service
        t.notice = notice
        s.add(t)
        s.flush()
        waiting = waiting_count(s, service.id, day)
        # the newest ticket: every other waiting one is ahead of it, unless it is a priority one
        position = people_ahead(s, t) if t.priority else waiting - 1
        public = ticket_view(t, hall.code, base_url)
        view = {
            **public,
            "position": position,
            "estimated_wait_s": estimated_wait_s(
                position, average_service_s(ctx, s, service.id, day), open_windows_cached(ctx, s, service.id)
            ),
        }
        repeat = _repeat_trip(s, t, hall, now, actor, base_url)
        if repeat is not None:
            view["repeat_trip"] = repeat["data"]["visits"]
        event = record(
            s,
            hall,
            names.TICKET_ISSUED,
            {"ticket": public, "waiting": {service.code: waiting}},
            now,
            actor,
            ticket_id=t.id,
        )
    ctx.publish([event] if repeat is None else [repeat, event])
    view["print"] = _print_slip(ctx, actor, view)
    return view


def _repeat_trip(
    s: Session, t: Ticket, hall: Hall, now: datetime, actor: Principal, base_url: str
) -> Envelope | None:
    """Flag the third visit of one citizen key for one matter not yet done (多次往返)."""
    if t.citizen_key is None:
        return None
    same = (
        (Ticket.citizen_key == t.citizen_key)
        & (Ticket.service_id == t.service_id)
        & (Ticket.hall_id == hall.id)
    )
    noticed = select(Notice.id).where(Notice.ticket_id == Ticket.id).exists()
    last_done = s.scalar(
        select(func.max(Ticket.queued_at)).where(same, Ticket.status == Status.DONE.value, ~noticed)
    )
    visits_q = select(Ticket).where(same).order_by(Ticket.queued_at)
    if last_done is not None:
        visits_q = visits_q.where(Ticket.queued_at > last_done)
    visits = s.scalars(visits_q).all()
    if not is_repeat_trip(len(visits)):
        return None
    history = []
    for v in visits:
        # how many notices that visit got, not their codes: events reach public boards
        noticed = s.scalar(select(func.count(Notice.id)).where(Notice.ticket_id == v.id)) or 0
        history.append(
            {
                "number": v.number,
                "business_day": v.business_day.isoformat(),
                "status": v.status,
                "notices": int(noticed),
            }
        )
    data = {
        "ticket": ticket_view(t, hall.code, base_url),
        "service": t.service.code,
        "service_name": t.service.name,
        "visits": len(visits),
        "history": history,
    }
    return record(s, hall, names.TRIP_REPEATED, data, now, actor, ticket_id=t.id)


def _print_slip(ctx: Context, actor: Principal, view: dict[str, Any]) -> dict[str, Any] | None:
    """Queue the slip after the ticket committed; a printing problem never undoes the ticket."""
    try:
        return print_jobs.enqueue_ticket(ctx, actor, view)
    except Exception:  # the ticket stands whatever happens to its slip
        log.exception("could not queue the slip of ticket %s", view["number"])
        return {"id": None, "status": "failed", "error_kind": "error", "error": "could not queue the slip"}


def get_ticket(ctx: Context, public_id: str, base_url: str = "") -> dict[str, Any]:
    """A ticket as its holder sees it (the id is the secret: it is only on their slip), with the
    state of its printed slip."""
    with ctx.db.read() as s:
        t = _load(s, public_id)
        view = ticket_with_position(ctx, s, t, base_url)
        view["print"] = print_jobs.ticket_print_state(s, t.id)
        from .transfers import transfer_chain  # transfers builds on this module

        view["transfers"] = transfer_chain(s, t.id)
        return view


def _load(s: Session, public_id: str, lock: bool = False) -> Ticket:
    q: Select[tuple[Ticket]] = select(Ticket).where(Ticket.public_id == public_id)
    if lock:
        q = q.with_for_update()
    t = s.scalar(q)
    if t is None:
        raise not_found("票号", "ticket")
    return t


def _window_state(w: Window) -> WindowState:
    return WindowState(WindowStatus(w.status), w.clerk_id, w.pause_reason)


def _state(t: Ticket) -> TicketState:
    return TicketState(
        status=Status(t.status),
        window_id=t.window_id,
        recalls=t.recalls,
        reactivations=t.reactivations,
        called_at=t.called_at,
        started_at=t.started_at,
        finished_at=t.finished_at,
    )


def _apply(t: Ticket, new: TicketState) -> None:
    t.status = new.status.value
    t.window_id = new.window_id
    t.recalls = new.recalls
    t.reactivations = new.reactivations
    t.called_at = new.called_at
    t.started_at = new.started_at
    t.finished_at = new.finished_at


def waiting_candidates(
    s: Session, hall: Hall, day: date, window: Window, service_ids: list[int], covering: Sequence[int] = ()
) -> list[Candidate]:
    base = (
        select(Ticket.id, Service.code, Ticket.queued_at, Ticket.priority, Ticket.directed_window_id)
        .join(Service, Service.id == Ticket.service_id)
        .where(
            Ticket.hall_id == hall.id,
            Ticket.business_day == day,
            Ticket.status == Status.WAITING.value,
            Ticket.service_id.in_(service_ids),
        )
    )
    directed = s.execute(base.where(Ticket.directed_window_id.in_([window.id, *covering]))).all()
    general = s.execute(
        base.where(Ticket.directed_window_id.is_(None))
        .order_by(Ticket.priority.desc(), Ticket.queued_at, Ticket.id)
        .limit(_CANDIDATES)
    ).all()
    return [Candidate(r[0], r[1], r[2], bool(r[3]), r[4]) for r in [*directed, *general]]


def _services_of(s: Session, w: Window, covering: Sequence[int]) -> list[Service]:
    """The window's own services, then those of the windows it covers (in their order)."""
    out = [link.service for link in w.service_links if link.service.active]
    for cw in s.scalars(select(Window).where(Window.id.in_(covering)).order_by(Window.number)):
        out += [link.service for link in cw.service_links if link.service.active and link.service not in out]
    return out


def call_next(ctx: Context, actor: Principal, window_id: int, base_url: str = "") -> dict[str, Any] | None:
    """The clerk signed in at `window_id` calls the next ticket; None when nobody waits.

    Two windows never get the same ticket: the ticket is taken with a conditional update
    (`status = 'waiting'`), and a window that loses the race takes the next candidate.
    """
    require_role(actor, ("clerk",))
    now = ctx.clock()
    events: list[Envelope] = []
    with ctx.db.transaction() as s:
        w = s.get(Window, window_id, with_for_update=True)
        if w is None:
            raise not_found("窗口", "window")
        require_hall(actor, w.hall_id)
        hall = w.hall
        assert actor.user_id is not None
        window_rules.ensure_can_call(_window_state(w), actor.user_id, current_ticket(s, w.id) is not None)
        day = hall_day(hall, now)
        covering = staff.covered_windows(s, hall, actor.user_id, now)
        services = _services_of(s, w, covering)
        codes = [svc.code for svc in services]
        chosen: Ticket | None = None
        while chosen is None:
            candidates = waiting_candidates(s, hall, day, w, [svc.id for svc in services], covering)
            order = call_order(w.id, codes, candidates, covering)
            if not order:
                return None
            for c in order:
                new = lifecycle.call(TicketState(Status.WAITING), w.id, now)
                taken = s.execute(
                    update(Ticket)
                    .where(Ticket.id == c.ticket_id, Ticket.status == Status.WAITING.value)
                    .values(
                        status=new.status.value,
                        window_id=w.id,
                        called_at=now,
                        recalls=0,
                        served_by_id=actor.user_id,
                    )
                    .execution_options(synchronize_session=False)
                ).rowcount
                if taken == 1:
                    chosen = s.get(Ticket, c.ticket_id, populate_existing=True)
                    break
        assert chosen is not None
        view = ticket_view(chosen, hall.code, base_url, staff=True)
        # who was on post: the audit log answers "who was responsible" for every call
        view["on_post"] = {
            "by": actor.username,
            "window": w.number,
            "covering": [cw.number for cw in s.scalars(select(Window).where(Window.id.in_(covering)))],
        }
        events.append(
            record(
                s,
                hall,
                names.TICKET_CALLED,
                {
                    "ticket": {**ticket_view(chosen, hall.code, base_url), "on_post": view["on_post"]},
                    "waiting": {chosen.service.code: waiting_count(s, chosen.service_id, day)},
                },
                now,
                actor,
                window_id=w.id,
                ticket_id=chosen.id,
            )
        )
    ctx.publish(events)
    return view


Transition = Callable[[TicketState, datetime], TicketState]

#: clerk actions at the window: (transition, event type)
WINDOW_ACTIONS: dict[str, tuple[Transition, str]] = {
    "recall": (lifecycle.recall, names.TICKET_RECALLED),
    "start": (lifecycle.start, names.TICKET_STARTED),
    "no-show": (lifecycle.no_show, names.TICKET_NO_SHOW),
    "complete": (lifecycle.complete, names.TICKET_DONE),
}

#: actions on a ticket that is not at a window: (roles, transition, event type)
QUEUE_ACTIONS: dict[str, tuple[tuple[str, ...], Transition, str]] = {
    "cancel": (("kiosk", "clerk", "manager", "admin"), lifecycle.cancel, names.TICKET_CANCELLED),
    "reactivate": (("kiosk", "clerk", "manager", "admin"), lifecycle.reactivate, names.TICKET_REACTIVATED),
}

ACTIONS = (*WINDOW_ACTIONS, *QUEUE_ACTIONS)


def act_on_ticket(
    ctx: Context, actor: Principal, public_id: str, action: str, base_url: str = ""
) -> dict[str, Any]:
    """Recall, start, no-show, complete (the clerk at the ticket's window), cancel, reactivate."""
    if action in WINDOW_ACTIONS:
        roles: tuple[str, ...] = ("clerk",)
        transition, event_type = WINDOW_ACTIONS[action]
    elif action in QUEUE_ACTIONS:
        roles, transition, event_type = QUEUE_ACTIONS[action]
    else:
        raise not_found("操作", "action")
    require_role(actor, roles)
    now = ctx.clock()
    with ctx.db.transaction() as s:
        t = _load(s, public_id, lock=True)
        require_hall(actor, t.hall_id)
        hall = s.get(Hall, t.hall_id)
        assert hall is not None
        if action in WINDOW_ACTIONS:
            if t.window is None or t.window.clerk_id != actor.user_id:
                raise RuleViolation(
                    "window_not_signed_in",
                    "该号码不在你签到的窗口",
                    "this ticket is not at the window you are signed in at",
                )
        window_id = t.window_id
        _apply(t, transition(_state(t), now))
        if action == "start" and actor.user_id is not None:
            t.owner_id = first_contact_owner(t.owner_id, actor.user_id)
        s.flush()
        data: dict[str, Any] = {"ticket": ticket_view(t, hall.code, base_url)}
        if action in QUEUE_ACTIONS:
            data["waiting"] = {t.service.code: waiting_count(s, t.service_id, t.business_day)}
        event = record(s, hall, event_type, data, now, actor, window_id=window_id, ticket_id=t.id)
        view = ticket_with_position(ctx, s, t, base_url)
    ctx.publish([event])
    return view
