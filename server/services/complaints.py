"""Follow-ups (差评, 投诉/举报): filed by a citizen (phone, kiosk) or entered by a manager (12345
hotline, letter), listed by urgency, verified (核实) with evidence and the manager's decision on
the clerk concerned (an appraisal record), and answered to the citizen (回访).

廉政 (integrity) follow-ups reach the supervisor role only: lists, single views, events and
exports of everyone else leave them out (a single one is not found). Nobody verifies or answers a
follow-up that names themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import event_names as names
from ..domain import accountability
from ..domain import complaints as rules
from ..domain.workdays import GREEN, RED, YELLOW
from ..storage.models import AppraisalRecord, Complaint, Hall, Ticket
from .core.casework import local_day
from .core.context import Context, Envelope
from .core.errors import bad_field, not_found
from .core.followups import (
    citizen_view,
    complaint_urgency,
    complaint_view,
    evidence_ids,
    evidence_of,
    open_complaint,
    record_event,
)
from .core.principal import Forbidden, Principal, require_hall, require_role
from .core.rows import load_hall
from .core.workcal import hall_calendar

URGENCIES = (GREEN, YELLOW, RED)
STATUS_FILTERS = (*rules.STATUSES, "pending")
#: how far back a ticket number a citizen types is looked for
TICKET_LOOKBACK = timedelta(days=90)


def _hall_of(s: Session, actor: Principal, hall_code: str) -> Hall:
    hall = load_hall(s, hall_code)
    require_hall(actor, hall.id)
    return hall


def _load(s: Session, actor: Principal, code: str, lock: bool = False) -> tuple[Complaint, Hall]:
    """A follow-up by its code; another hall's, or one the actor may not see, is not found."""
    require_role(actor, rules.HANDLER_ROLES)
    q = select(Complaint).where(Complaint.code == code)
    c = s.scalar(q.with_for_update() if lock else q)
    if (
        c is None
        or (actor.hall_id is not None and actor.hall_id != c.hall_id)
        or not rules.may_see(actor.role, c.category)
    ):
        raise not_found("投诉", "complaint")
    hall = s.get(Hall, c.hall_id)
    assert hall is not None
    return c, hall


def list_complaints(
    ctx: Context, actor: Principal, hall_code: str, status: str | None = None, urgency: str | None = None
) -> dict[str, Any]:
    """The hall's follow-ups the actor may see (integrity ones: supervisors only): unanswered
    first, red, yellow, green, the earliest due first. `status` is open, verified, answered or
    `pending` (not yet answered)."""
    require_role(actor, rules.HANDLER_ROLES)
    if status is not None and status not in STATUS_FILTERS:
        raise bad_field(
            "status", f"状态须为 {'/'.join(STATUS_FILTERS)}", f"status is one of {', '.join(STATUS_FILTERS)}"
        )
    if urgency is not None and urgency not in URGENCIES:
        raise bad_field(
            "urgency", f"紧急程度须为 {'/'.join(URGENCIES)}", f"urgency is one of {', '.join(URGENCIES)}"
        )
    with ctx.db.read() as s:
        hall = _hall_of(s, actor, hall_code)
        q = select(Complaint).where(
            Complaint.hall_id == hall.id, Complaint.category.in_(rules.visible_categories(actor.role))
        )
        if status == "pending":
            q = q.where(Complaint.status != rules.Status.ANSWERED.value)
        elif status is not None:
            q = q.where(Complaint.status == status)
        today = local_day(hall, ctx.clock())
        calendar = hall_calendar(s, hall)
        rows = []
        for c in s.scalars(q).all():
            level = complaint_urgency(c, today, calendar)
            if urgency is None or level == urgency:
                rows.append((rules.list_order(c.status, level, c.due_day, c.number), c))
        rows.sort(key=lambda r: r[0])
        return {
            "hall": hall.code,
            "today": today.isoformat(),
            "complaints": [complaint_view(s, c, hall, today, calendar) for _, c in rows],
        }


def get_complaint(ctx: Context, actor: Principal, code: str) -> dict[str, Any]:
    """One follow-up with the evidence its verifier is shown (the ticket's history, transfers,
    notices and its window's audit rows)."""
    with ctx.db.read() as s:
        c, hall = _load(s, actor, code)
        view = complaint_view(s, c, hall, local_day(hall, ctx.clock()), hall_calendar(s, hall))
        view["available_evidence"] = evidence_of(s, c)
        return view


def _ticket_of(s: Session, hall: Hall, ref: str | None, now: Any) -> Ticket | None:
    """The ticket a complaint names: its id (the phone page's link), else its number — the most
    recent of that number in the hall within TICKET_LOOKBACK."""
    if not ref:
        return None
    t = s.scalar(select(Ticket).where(Ticket.public_id == ref, Ticket.hall_id == hall.id))
    if t is not None:
        return t
    since = local_day(hall, now - TICKET_LOOKBACK)
    t = s.scalar(
        select(Ticket)
        .where(Ticket.hall_id == hall.id, Ticket.number == ref.strip().upper(), Ticket.business_day >= since)
        .order_by(Ticket.business_day.desc(), Ticket.id.desc())
        .limit(1)
    )
    if t is None:
        raise bad_field("ticket", f"未找到号码 {ref}", f"no ticket {ref!r} in this hall")
    return t


def _file(
    ctx: Context,
    actor: Principal | None,
    hall_code: str,
    source: str,
    body: dict[str, Any],
    entered_by: int | None,
) -> tuple[Complaint, Hall, dict[str, Any], dict[str, Any] | None]:
    filing = rules.check_filing(source, body.get("category"), body.get("text"), body.get("contact"))
    now = ctx.clock()
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        if actor is not None:
            require_hall(actor, hall.id)
        ticket = _ticket_of(s, hall, body.get("ticket"), now)
        calendar = hall_calendar(s, hall)
        c = open_complaint(s, hall, now, filing, calendar, ticket=ticket, entered_by_id=entered_by)
        env = record_event(s, hall, names.COMPLAINT_FILED, c, now, actor, calendar)
        staff = complaint_view(s, c, hall, local_day(hall, now), calendar)
        public = citizen_view(c, hall)
    return c, hall, {"staff": staff, "public": public}, env


def file_complaint(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    """A citizen files a complaint without an account (phone or kiosk): `hall`, `category`,
    `text`, optional `ticket` (its id or number) and `contact`. Answers the citizen's view with
    the code of their follow-up page."""
    source = body.get("source") or rules.PHONE
    if source not in rules.CITIZEN_SOURCES:
        raise bad_field("source", "来源须为 phone 或 kiosk", "source is phone or kiosk")
    hall = body.get("hall")
    if not isinstance(hall, str) or not hall:
        raise bad_field("hall", "请指定大厅", "name the hall")
    _, _, views, env = _file(ctx, None, hall, source, body, None)
    if env is not None:
        ctx.publish([env])
    public: dict[str, Any] = views["public"]
    return public


def enter_complaint(ctx: Context, actor: Principal, hall_code: str, body: dict[str, Any]) -> dict[str, Any]:
    """A manager enters a complaint from the 12345 hotline or a letter (`source` hotline|letter);
    an integrity one only a supervisor will see."""
    require_role(actor, rules.HANDLER_ROLES)
    source = body.get("source")
    if source not in rules.ENTERED_SOURCES:
        raise bad_field("source", "来源须为 hotline（12345）或 letter（来信）", "source is hotline or letter")
    _, _, views, env = _file(ctx, actor, hall_code, str(source), body, actor.user_id)
    if env is not None:
        ctx.publish([env])
    staff: dict[str, Any] = views["staff"]
    return staff


def citizen_complaint(ctx: Context, code: str) -> dict[str, Any]:
    """The citizen's follow-up page by its unguessable code: status, deadline, the answer."""
    with ctx.db.read() as s:
        c = s.scalar(select(Complaint).where(Complaint.code == code))
        if c is None:
            raise not_found("投诉", "complaint")
        hall = s.get(Hall, c.hall_id)
        assert hall is not None
        return citizen_view(c, hall)


def verify_complaint(ctx: Context, actor: Principal, code: str, body: dict[str, Any]) -> dict[str, Any]:
    """核实: `verdict` upheld|not_upheld, `note`, `corrective_action` (整改, upheld), `evidence`
    (ids of the ticket's events, transfers, notices, audit rows it rests on) and, upheld with a
    clerk concerned, the manager's `decision` ({decision: reminder|circular|deduct, points, note}),
    which leaves an appraisal record against the clerk in the same transaction."""
    now = ctx.clock()
    with ctx.db.transaction() as s:
        c, hall = _load_to_follow_up(s, actor, code)
        if actor.user_id is None:
            raise Forbidden("forbidden", "核实需要工作人员身份", "verifying needs a member of staff")
        evidence = rules.check_evidence(body.get("evidence"), evidence_ids(evidence_of(s, c)))
        v = rules.verify(
            c.status, body.get("verdict"), body.get("note"), body.get("corrective_action"), evidence
        )
        decision = body.get("decision")
        record: tuple[str, int, str | None] | None = None
        if v.verdict == rules.UPHELD and c.clerk_id is not None:
            if not isinstance(decision, dict):
                raise bad_field(
                    "decision",
                    "投诉属实须记录处理决定（提醒/通报/扣分）",
                    "an upheld follow-up records the decision",
                )
            record = accountability.decide(
                decision.get("decision"), decision.get("points"), decision.get("note")
            )
        elif decision is not None:
            raise bad_field(
                "decision",
                "只有属实且涉及工作人员的投诉记录处理决定",
                "only an upheld follow-up naming a clerk takes a decision",
            )
        c.status, c.verdict = rules.Status.VERIFIED.value, v.verdict
        c.evidence, c.corrective_action = v.evidence, v.corrective_action
        c.verified_by_id, c.verified_at = actor.user_id, now
        if record is not None:
            assert c.clerk_id is not None
            kind, points, note = record
            s.add(
                AppraisalRecord(
                    hall_id=hall.id,
                    user_id=c.clerk_id,
                    kind=accountability.RATING if c.source == rules.RATING else accountability.COMPLAINT,
                    complaint_id=c.id,
                    ticket_id=c.ticket_id,
                    day=c.filed_day,
                    decision=kind,
                    points=points,
                    note=note,
                    decided_by_id=actor.user_id,
                    decided_at=now,
                )
            )
        env, view = _recorded(s, hall, c, names.COMPLAINT_VERIFIED, now, actor)
    if env is not None:
        ctx.publish([env])
    return view


def _load_to_follow_up(s: Session, actor: Principal, code: str) -> tuple[Complaint, Hall]:
    """The complaint, locked, for a step of its follow-up — never by the clerk it is about."""
    c, hall = _load(s, actor, code, lock=True)
    try:
        rules.check_not_self(actor.user_id, c.clerk_id)
    except rules.SelfVerification as err:
        raise Forbidden(err.code, err.message_zh, err.message_en) from err
    return c, hall


def _recorded(
    s: Session, hall: Hall, c: Complaint, event: str, now: datetime, actor: Principal
) -> tuple[Envelope | None, dict[str, Any]]:
    """A follow-up step written: its event recorded, and the complaint as the manager sees it."""
    s.flush()
    calendar = hall_calendar(s, hall)
    env = record_event(s, hall, event, c, now, actor, calendar)
    view = complaint_view(s, c, hall, local_day(hall, now), calendar)
    view["available_evidence"] = evidence_of(s, c)
    return env, view


def answer_complaint(ctx: Context, actor: Principal, code: str, body: dict[str, Any]) -> dict[str, Any]:
    """回访: the answer to the citizen (shown on their page) and its date, after verification."""
    now = ctx.clock()
    with ctx.db.transaction() as s:
        c, hall = _load_to_follow_up(s, actor, code)
        reply = rules.answer(c.status, body.get("answer"))
        c.status, c.answer = rules.Status.ANSWERED.value, reply
        c.answered_by_id, c.answered_at, c.answered_day = actor.user_id, now, local_day(hall, now)
        env, view = _recorded(s, hall, c, names.COMPLAINT_ANSWERED, now, actor)
    if env is not None:
        ctx.publish([env])
    return view


def hall_complaint_info(ctx: Context, hall_code: str | None) -> dict[str, Any]:
    """The hall a citizen complains to (its code, name and public complaint channel); without a
    code, the first hall."""
    with ctx.db.read() as s:
        if hall_code:
            hall = load_hall(s, hall_code)
        else:
            first = s.scalar(select(Hall).order_by(Hall.code).limit(1))
            if first is None:
                raise not_found("大厅", "hall")
            hall = first
        return {"code": hall.code, "name": hall.name, "complaint_channel": hall.complaint_channel}
