"""Taking a number, calling the next one, and moving a ticket through its lifecycle."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import event_names as names
from ..domain import bookings as booking_rules
from ..domain import cases as case_rules
from ..domain import routing
from ..domain import ticket as lifecycle
from ..domain import window as window_rules
from ..domain.choose_next import call_order
from ..domain.disclosure import holder_view
from ..domain.errors import RuleViolation
from ..domain.estimate import Estimate
from ..domain.notice import check_fast_lane, normalise_code, starts_repeat_trip, unknown_code
from ..domain.numbering import format_number
from ..domain.ticket import Status, TicketState
from ..domain.transfer import first_contact_owner
from ..storage.models import Booking, Event, Hall, Notice, Service, Ticket, Window
from .core.casework import case_view, local_day, open_case
from .core.context import Context, Envelope
from .core.credentials import citizen_key
from .core.duty import covered_windows, hall_routes
from .core.errors import bad_field, not_found
from .core.estimates import hall_plan_cached, service_estimate, ticket_estimate
from .core.events import record
from .core.principal import Principal, require_hall, require_role
from .core.print_queue import enqueue_at_window, enqueue_ticket, ticket_print_state
from .core.queue import (
    current_ticket,
    next_counter,
    services_of,
    waiting_candidates,
    waiting_count,
)
from .core.readmodels import ticket_with_position, transfer_chain
from .core.rows import hall_day, load_hall, load_ticket, load_window, rows_changed
from .core.states import apply_ticket_state, state_columns, ticket_state, window_state
from .core.views import ticket_view
from .core.voice import announcement_data
from .core.workcal import hall_calendar

log = logging.getLogger(__name__)

ISSUERS = ("kiosk", "manager", "admin")
_PHONE = re.compile(r"^\+?[0-9]{5,20}$")


def issue_ticket(
    ctx: Context,
    actor: Principal,
    service_code: str | None,
    hall_code: str | None = None,
    priority: bool = False,
    phone: str | None = None,
    notice_code: str | None = None,
    booking_code: str | None = None,
) -> dict[str, Any]:
    """Take a number for `service_code` at the actor's hall (kiosk, manager, admin).

    With `booking_code` (a citizen checking in for an appointment, domain/bookings.py) the
    ticket is for the booking's service: on time it is an appointment ticket (called first once
    its slot begins, domain/choose_next.py), late beyond the grace an ordinary walk-in; early,
    double and other days' check-ins are refused and nothing changes.

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
        booking: Booking | None = None
        booked_as: str | None = None
        if booking_code:
            booking = s.scalar(
                select(Booking).where(
                    # the typed code, or the page token of a scanned QR (/b/<hall>/<token>)
                    (Booking.code == booking_rules.normalise_code(booking_code))
                    | (Booking.token == booking_code.strip()),
                    Booking.hall_id == hall.id,
                )
            )
            if booking is None:
                raise booking_rules.unknown_code()
            booked_as = booking_rules.check_in(
                booking.status,
                booking.day,
                booking.starts_at,
                booking.ends_at,
                hall_day(hall, now),
                now,
                booking_rules.DEFAULT_GRACE_MINUTES
                if hall.booking_grace_minutes is None
                else hall.booking_grace_minutes,
                hall.timezone,
            )
            service = s.get(Service, booking.service_id)
            priority = False
        elif notice_code:
            notice = s.scalar(
                select(Notice).where(
                    # the typed code, or the page token of a scanned QR (/n/<token>)
                    (Notice.code == normalise_code(notice_code)) | (Notice.token == notice_code.strip()),
                    Notice.hall_id == hall.id,
                )
            )
            if notice is None:
                raise unknown_code()
            check_fast_lane(
                (str(number), str(status))
                for number, status in s.execute(
                    select(Ticket.number, Ticket.status).where(Ticket.notice_id == notice.id)
                )
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
        if hall.queue_when_unserved is False:
            # only a hall that refuses numbers nobody serves pays for the exact check
            routes = hall_routes(s, hall, now)[2]
            routing.check_can_queue(bool(routing.servers(routes, service.code)), False)
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
            else booking.citizen_key
            if booking is not None
            else (citizen_key(ctx.citizen_key_secret, phone) if phone else None),
            notice_id=notice.id if notice is not None else None,
        )
        t.service = service
        t.notice = notice
        s.add(t)
        s.flush()
        if booking is not None:
            # conditional: of two check-ins racing with one code, exactly one takes the booking
            taken = rows_changed(
                s.execute(
                    update(Booking)
                    .where(Booking.id == booking.id, Booking.status == booking.status)
                    .values(status=booked_as, checked_in_at=now, ticket_id=t.id)
                    .execution_options(synchronize_session=False)
                )
            )
            if taken != 1:
                raise booking_rules.double_check_in()
            if booked_as == booking_rules.CHECKED_IN:
                t.booking_id = booking.id  # ranked by its slot (a walk-in is an ordinary ticket)
                s.flush()
        waiting = waiting_count(s, service.id, day)
        estimate = _new_ticket_estimate(ctx, s, hall, t, waiting)
        public = ticket_view(t, hall.code)
        view = {
            **public,
            "position": estimate.ahead,
            "estimated_wait_s": estimate.wait_s,
            # whether a window serves the service now (domain.routing): the slip says so
            "served": estimate.served,
        }
        if booking is not None:
            view["booking"] = {
                "status": booked_as,
                "starts_at": booking.starts_at.isoformat(),
                "ends_at": booking.ends_at.isoformat(),
            }
        repeat = _repeat_trip(s, t, hall, now, actor)
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


def _new_ticket_estimate(ctx: Context, s: Session, hall: Hall, t: Ticket, waiting: int) -> Estimate:
    """The new ticket's people ahead and wait. A plain walk-in is last in the call order: its
    service's walk-in estimate from the hall's recent plan, plus whoever took a number since
    (cheap: no play-forward per issue). A priority or appointment ticket is placed by a plan
    that includes it."""
    if t.priority or t.booking_id is not None:
        return ticket_estimate(ctx, s, hall, t.id)
    plan = hall_plan_cached(ctx, s, hall, stale_ok=True)
    if t.id in plan.tickets:
        return plan.tickets[t.id]
    return service_estimate(plan, t.service.code, waiting - 1)


def _repeat_trip(s: Session, t: Ticket, hall: Hall, now: datetime, actor: Principal) -> Envelope | None:
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
    n_trips = starts_repeat_trip([v.business_day for v in visits if v.id != t.id], t.business_day)
    if n_trips is None:
        return None
    history = []
    for v in visits:
        # how many notices that visit got, not their codes: events reach public boards
        notices = s.scalar(select(func.count(Notice.id)).where(Notice.ticket_id == v.id)) or 0
        history.append(
            {
                "number": v.number,
                "business_day": v.business_day.isoformat(),
                "status": v.status,
                "notices": int(notices),
            }
        )
    data = {
        "ticket": ticket_view(t, hall.code),
        "service": t.service.code,
        "service_name": t.service.name,
        "visits": n_trips,
        "history": history,
    }
    return record(s, hall, names.TRIP_REPEATED, data, now, actor, ticket_id=t.id)


def _print_slip(ctx: Context, actor: Principal, view: dict[str, Any]) -> dict[str, Any] | None:
    """Queue the slip after the ticket committed; a printing problem never undoes the ticket."""
    try:
        return enqueue_ticket(ctx, actor, view)
    except Exception:  # the ticket stands whatever happens to its slip
        log.exception("could not queue the slip of ticket %s", view["number"])
        return {"id": None, "status": "failed", "error_kind": "error", "error": "could not queue the slip"}


def get_ticket(ctx: Context, public_id: str) -> dict[str, Any]:
    """A ticket as its holder sees it (the id is the secret: it is only on their slip), with the
    state of its printed slip."""
    with ctx.db.read() as s:
        t = load_ticket(s, public_id)
        view = ticket_with_position(ctx, s, t)
        view["print"] = ticket_print_state(s, t.id)
        view["transfers"] = transfer_chain(s, t.id)
        return holder_view(view)


def call_next(ctx: Context, actor: Principal, window_id: int) -> dict[str, Any] | None:
    """The clerk signed in at `window_id` calls the next ticket; None when nobody waits.

    Two windows never get the same ticket: the ticket is taken with a conditional update
    (`status = 'waiting'`), and a window that loses the race takes the next candidate.
    """
    require_role(actor, ("clerk",))
    now = ctx.clock()
    with ctx.db.transaction() as s:
        view, events = _call_next_in(s, actor, window_id, now)
    ctx.publish(events)
    return view


def _call_next_in(
    s: Session, actor: Principal, window_id: int, now: datetime
) -> tuple[dict[str, Any] | None, list[Envelope]]:
    """call_next inside the caller's transaction: the called ticket (None) and its event."""
    w = load_window(s, window_id, actor, lock=True)
    hall = w.hall
    assert actor.user_id is not None
    window_rules.ensure_can_call(window_state(w), actor.user_id, current_ticket(s, w.id) is not None)
    day = hall_day(hall, now)
    covering = covered_windows(s, hall, actor.user_id, now)
    services = services_of(s, w, covering)
    codes = [svc.code for svc in services]
    chosen: Ticket | None = None
    while chosen is None:
        candidates = waiting_candidates(s, hall, day, w.id, [svc.id for svc in services], covering)
        order = call_order(w.id, codes, candidates, covering, now)
        if not order:
            return None, []
        for c in order:
            row = s.get(Ticket, c.ticket_id)
            assert row is not None
            try:
                new = lifecycle.call(ticket_state(row), w.id, now)
            except RuleViolation:
                continue  # another window called it since the candidates were read
            # conditional: of two windows racing for one ticket, exactly one update matches
            taken = rows_changed(
                s.execute(
                    update(Ticket)
                    .where(Ticket.id == c.ticket_id, Ticket.status == Status.WAITING.value)
                    .values(**state_columns(new), served_by_id=actor.user_id)
                    .execution_options(synchronize_session=False)
                )
            )
            if taken == 1:
                chosen = s.get(Ticket, c.ticket_id, populate_existing=True)
                break
    assert chosen is not None
    view = ticket_view(chosen, hall.code, staff=True)
    # who was on post: the audit log answers "who was responsible" for every call
    view["on_post"] = {
        "by": actor.username,
        "window": w.number,
        "covering": [cw.number for cw in s.scalars(select(Window).where(Window.id.in_(covering)))],
    }
    event = record(
        s,
        hall,
        names.TICKET_CALLED,
        {
            "ticket": {**ticket_view(chosen, hall.code), "on_post": view["on_post"]},
            "waiting": {chosen.service.code: waiting_count(s, chosen.service_id, day)},
            # what the boards speak and its audio URL (rendered on first GET, not here)
            "announcement": announcement_data(s, hall, chosen.number, w.number),
        },
        now,
        actor,
        window_id=w.id,
        ticket_id=chosen.id,
    )
    return view, [event]


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
    ctx: Context,
    actor: Principal,
    public_id: str,
    action: str,
    outcome: str | None = None,
    reason: str | None = None,
    reason_code: str | None = None,
    materials: list[Any] | None = None,
) -> dict[str, Any]:
    """Recall, start, no-show, complete (the clerk at the ticket's window), cancel, reactivate.

    Completing records the outcome (domain/cases.py: done by default, notice when a one-time
    notice was given, accepted, refused with its reason); an accepted ticket opens its case in
    the same transaction and the answer carries it as `case`.
    """
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
        view, events, receipt = _act_in(
            ctx,
            s,
            actor,
            public_id,
            action,
            transition,
            event_type,
            now,
            outcome,
            reason,
            reason_code,
            materials,
        )
    ctx.publish(events)
    _print_receipt(ctx, actor, view, receipt)
    return view


def _act_in(
    ctx: Context,
    s: Session,
    actor: Principal,
    public_id: str,
    action: str,
    transition: Transition,
    event_type: str,
    now: datetime,
    outcome: str | None = None,
    reason: str | None = None,
    reason_code: str | None = None,
    materials: list[Any] | None = None,
) -> tuple[dict[str, Any], list[Envelope], dict[str, Any] | None]:
    """act_on_ticket inside the caller's transaction: the ticket's view, its events, and the
    acceptance receipt to print after commit (None unless a case was accepted)."""
    t = load_ticket(s, public_id, actor, lock=True)
    hall = s.get(Hall, t.hall_id)
    assert hall is not None
    if action in WINDOW_ACTIONS:
        _require_at_my_window(t, actor)
    window_id = t.window_id
    decided, received = None, None
    receipt: dict[str, Any] | None = None
    if action == "complete":
        noticed = bool(s.scalar(select(func.count(Notice.id)).where(Notice.ticket_id == t.id)))
        decided = case_rules.decide_outcome(
            outcome,
            reason,
            reason_code,
            notice_given=noticed,
            promised_limit_days=case_rules.promised_limit(t.service.guide),
        )
        received = case_rules.received_materials(materials, decided.kind)
    apply_ticket_state(t, transition(ticket_state(t), now))
    if action == "start" and actor.user_id is not None:
        t.owner_id = first_contact_owner(t.owner_id, actor.user_id)
    if decided is not None:
        t.outcome, t.outcome_reason = decided.kind, decided.stored_reason
    s.flush()
    data: dict[str, Any] = {"ticket": ticket_view(t, hall.code)}
    if action in QUEUE_ACTIONS:
        data["waiting"] = {t.service.code: waiting_count(s, t.service_id, t.business_day)}
    if decided is not None:
        data["outcome"] = decided.kind
    if action == "recall" and t.window is not None:  # a recall is announced again
        data["announcement"] = announcement_data(s, hall, t.number, t.window.number)
    events = [record(s, hall, event_type, data, now, actor, window_id=window_id, ticket_id=t.id)]
    view = ticket_with_position(ctx, s, t)
    if decided is not None:
        view["outcome"] = decided.kind
        view["outcome_reason"] = t.outcome_reason
    if decided is not None and decided.kind == case_rules.ACCEPTED:
        case = open_case(s, hall, t, actor.user_id, now, decided.reason, received)
        calendar = hall_calendar(s, hall)
        view["case"] = case_view(s, case, hall, local_day(hall, now), calendar)
        events.append(
            record(
                s,
                hall,
                names.CASE_ACCEPTED,
                {"case": view["case"]},
                now,
                actor,
                window_id=window_id,
                ticket_id=t.id,
            )
        )
        receipt = {
            "window_id": window_id,
            "ticket_id": t.id,
            "slip": _receipt_slip(ctx, hall, view["case"], now),
        }
    return view, events, receipt


def _require_at_my_window(t: Ticket, actor: Principal) -> None:
    if t.window is None or t.window.clerk_id != actor.user_id:
        raise RuleViolation(
            "window_not_signed_in",
            "该号码不在你签到的窗口",
            "this ticket is not at the window you are signed in at",
        )


def _print_receipt(
    ctx: Context, actor: Principal, view: dict[str, Any], receipt: dict[str, Any] | None
) -> None:
    """The acceptance receipt (受理回执) on the window's printer, after commit; a printing
    problem never undoes the case (the A4 receipt is at /c/<code>/receipt)."""
    if receipt is None:
        return
    try:
        view["case"]["print"] = enqueue_at_window(
            ctx, receipt["window_id"], receipt["ticket_id"], receipt["slip"], actor.role, "receipt"
        )
    except Exception:
        log.exception("could not queue the receipt of case %s", view["case"]["number"])
        view["case"]["print"] = None


def complete_and_call_next(
    ctx: Context,
    actor: Principal,
    public_id: str,
    outcome: str | None = None,
    reason: str | None = None,
    reason_code: str | None = None,
    materials: list[Any] | None = None,
) -> dict[str, Any]:
    """办结并叫号: complete the ticket being served and call the next one at the same window, in
    one transaction (events after commit). If the call is refused (the window was paused
    meanwhile), nothing changes; when nobody waits the ticket is completed and `called` is None.
    """
    require_role(actor, ("clerk",))
    transition, event_type = WINDOW_ACTIONS["complete"]
    now = ctx.clock()
    with ctx.db.transaction() as s:
        t = load_ticket(s, public_id, actor)
        _require_at_my_window(t, actor)
        assert t.window_id is not None
        # the window first, then the ticket: the lock order of call-next
        load_window(s, t.window_id, actor, lock=True)
        completed, events, receipt = _act_in(
            ctx,
            s,
            actor,
            public_id,
            "complete",
            transition,
            event_type,
            now,
            outcome,
            reason,
            reason_code,
            materials,
        )
        called, call_events = _call_next_in(s, actor, t.window_id, now)
    ctx.publish(events + call_events)
    _print_receipt(ctx, actor, completed, receipt)
    return {"completed": completed, "called": called}


def undo_no_show(ctx: Context, actor: Principal, public_id: str) -> dict[str, Any]:
    """撤销过号: the clerk who marked the no-show takes it back within a few seconds
    (domain/ticket.py NO_SHOW_UNDO_WINDOW): the number is at their window again, called."""
    require_role(actor, ("clerk",))
    assert actor.user_id is not None
    now = ctx.clock()
    with ctx.db.transaction() as s:
        t = load_ticket(s, public_id, actor)
        lifecycle.undo_no_show(ticket_state(t), _no_show_by(s, t), actor.user_id, now)  # refuses early
        assert t.window_id is not None  # a no-show keeps the window it was called to
        # the window first, then the ticket: the lock order of call-next
        w = load_window(s, t.window_id, actor, lock=True)
        t = load_ticket(s, public_id, actor, lock=True)
        hall = w.hall
        new = lifecycle.undo_no_show(ticket_state(t), _no_show_by(s, t), actor.user_id, now)
        window_rules.ensure_can_take_back(window_state(w), actor.user_id, current_ticket(s, w.id) is not None)
        apply_ticket_state(t, new)
        s.flush()
        event = record(
            s,
            hall,
            names.TICKET_NO_SHOW_UNDONE,
            {"ticket": ticket_view(t, hall.code)},
            now,
            actor,
            window_id=w.id,
            ticket_id=t.id,
        )
        view = ticket_with_position(ctx, s, t)
    ctx.publish([event])
    return view


def _no_show_by(s: Session, t: Ticket) -> int | None:
    """Who marked the ticket's latest no-show (the audit log records every actor)."""
    return s.scalar(
        select(Event.actor_user_id)
        .where(Event.ticket_id == t.id, Event.type == names.TICKET_NO_SHOW)
        .order_by(Event.seq.desc())
        .limit(1)
    )


def _receipt_slip(ctx: Context, hall: Hall, case: dict[str, Any], now: datetime) -> dict[str, Any]:
    """What the acceptance receipt prints (stored with its print job)."""
    owner = case.get("owner") or {}
    due_note = None
    if case.get("due") is None and case.get("calendar_missing"):
        due_note = f"待定（{case['calendar_missing']} 年放假安排公布后确定）"
    return {
        "kind": "receipt",
        "hall_name": hall.name,
        "service_name": case["service_name"],
        "case_number": case["number"],
        "accepted_at": now.astimezone(ZoneInfo(hall.timezone)).isoformat(),
        "materials": [m.get("name") for m in case.get("materials") or [] if isinstance(m, dict)],
        "due": case.get("due"),
        "due_note": due_note,
        "limit_days": case.get("limit_days"),
        "owner": f"{owner['name']}（工号 {owner['badge']}）" if owner.get("badge") else owner.get("name"),
        "case_url": ctx.links.case(case["code"]),
    }
