"""Accountability records (责任追究) and the monthly appraisal (绩效考核).

A manager records a decision (提醒 / 通报 / 扣分) against the clerk responsible for an overdue case
or a flagged repeat trip; the clerk sees their records and answers each once. The hall's
appraisal rules are versioned; a month is scored by the version in force on its first day, from
the stored ratings, follow-ups, cases, trips, attendance, leave, tickets and records — the rules
and the arithmetic are domain.appraisal's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import event_names as names
from ..domain import accountability
from ..domain import appraisal as rules
from ..domain.errors import RuleViolation
from ..domain.overdue import held_days
from ..domain.workdays import CalendarMissing
from ..storage.archive import scalars_both
from ..storage.models import (
    AppraisalRecord,
    AppraisalRules,
    Attendance,
    Case,
    Complaint,
    Hall,
    Leave,
    Notice,
    Rating,
    Ticket,
    User,
    Window,
)
from .core.casework import local_day
from .core.context import Context
from .core.errors import bad_field, not_found
from .core.events import record
from .core.lateness import case_histories, presence
from .core.principal import Forbidden, Principal, require_hall, require_role, user_of
from .core.rows import load_hall
from .core.views import clerk_view, window_ref
from .core.workcal import hall_calendar

MANAGERS = ("manager", "admin")
STAFF = ("manager", "admin", "clerk")
MAX_ANSWER = 1000
#: the longest range one list of records covers
MAX_RANGE_DAYS = 366


# ── records ────────────────────────────────────────────────────────────────────────────


def _person(s: Session, user_id: int | None) -> dict[str, Any] | None:
    return clerk_view(s.get(User, user_id)) if user_id is not None else None


def _subject(s: Session, r: AppraisalRecord) -> str | None:
    """What the record is about, as staff name it: a case or complaint number, a notice code."""
    if r.case_id is not None:
        c = s.get(Case, r.case_id)
        return c.number if c else None
    if r.complaint_id is not None:
        cp = s.get(Complaint, r.complaint_id)
        return cp.number if cp else None
    if r.notice_id is not None:
        n = s.get(Notice, r.notice_id)
        return n.code if n else None
    if r.ticket_id is not None:
        t = s.get(Ticket, r.ticket_id)
        return f"{t.number}@{t.business_day.isoformat()}" if t else None
    return None


def record_view(s: Session, r: AppraisalRecord) -> dict[str, Any]:
    trip = s.get(Ticket, r.ticket_id) if r.kind == accountability.REPEAT_TRIP and r.ticket_id else None
    return {
        "id": r.id,
        "kind": r.kind,
        "subject": _subject(s, r),
        "trip": f"{trip.number}@{trip.business_day.isoformat()}" if trip else None,
        "clerk": _person(s, r.user_id),
        "day": r.day.isoformat(),
        "decision": r.decision,
        "decision_zh": accountability.DECISION_NAMES_ZH.get(r.decision, r.decision),
        "points": r.points,
        "note": r.note,
        "decided_by": _person(s, r.decided_by_id),
        "decided_at": r.decided_at.isoformat(),
        "answer": r.clerk_answer,
        "answered_at": r.answered_at.isoformat() if r.answered_at else None,
    }


def _hall_user(s: Session, hall: Hall, username: str, field: str) -> User:
    u = s.scalar(select(User).where(User.username == username, User.hall_id == hall.id))
    if u is None:
        raise bad_field(field, "本大厅没有该工作人员", "no such member of staff in this hall")
    return u


def _earlier_visit(s: Session, t: Ticket) -> Ticket | None:
    if t.citizen_key is None:
        return None
    return s.scalar(
        select(Ticket)
        .where(
            Ticket.hall_id == t.hall_id,
            Ticket.citizen_key == t.citizen_key,
            Ticket.service_id == t.service_id,
            Ticket.queued_at < t.queued_at,
        )
        .order_by(Ticket.queued_at.desc())
        .limit(1)
    )


def _last_notice(s: Session, t: Ticket) -> Notice | None:
    """The citizen's last notice for the matter before the flagged trip."""
    if t.notice_id is not None:
        return s.get(Notice, t.notice_id)
    if t.citizen_key is None:
        return None
    return s.scalar(
        select(Notice)
        .where(
            Notice.hall_id == t.hall_id,
            Notice.citizen_key == t.citizen_key,
            Notice.service_id == t.service_id,
            Notice.created_at < t.queued_at,
        )
        .order_by(Notice.created_at.desc())
        .limit(1)
    )


def trip_responsible(s: Session, t: Ticket) -> tuple[int | None, int | None, Notice | None]:
    """(clerk, window, notice) answering for the flagged trip of ticket `t`
    (domain.appraisal.repeat_trip_responsible)."""
    notice = _last_notice(s, t)
    before = _earlier_visit(s, t)
    clerk = rules.repeat_trip_responsible(
        notice.by_user_id if notice else None, before.served_by_id if before else None
    )
    if notice is not None and notice.by_user_id is not None:
        return clerk, notice.window_id, notice
    return clerk, before.window_id if before else None, notice


def _flagged(s: Session, hall: Hall, ticket_id: int) -> bool:
    return any(
        scalars_both(
            s,
            lambda E: (
                select(E.id)
                .where(E.hall_id == hall.id, E.type == names.TRIP_REPEATED, E.ticket_id == ticket_id)
                .limit(1)
            ),
        )
    )


def _trip_of_notice(s: Session, hall: Hall, n: Notice) -> Ticket:
    """The first flagged repeat trip that followed notice `n` (same citizen, same matter)."""
    if n.citizen_key is not None:
        for t in s.scalars(
            select(Ticket)
            .where(
                Ticket.hall_id == hall.id,
                Ticket.citizen_key == n.citizen_key,
                Ticket.service_id == n.service_id,
                Ticket.queued_at > n.created_at,
            )
            .order_by(Ticket.queued_at)
        ):
            if _flagged(s, hall, t.id):
                return t
    raise RuleViolation(
        "not_a_repeat_trip",
        "这张告知单之后没有被标记的多次跑腿",
        "no flagged repeat trip followed this notice",
    )


def record_decision(ctx: Context, actor: Principal, hall_code: str, body: dict[str, Any]) -> dict[str, Any]:
    """A manager's decision against the clerk responsible for an overdue case (`case`: its
    number) or a flagged repeat trip (`notice`: the code of the notice before it, or `ticket`:
    the flagged ticket's id from the repeat-trip list). `clerk` (a username) names one of
    several holders of an overdue case. One record per (kind, subject, clerk): 409 on a second."""
    require_role(actor, MANAGERS)
    decision, points, note = accountability.decide(body.get("decision"), body.get("points"), body.get("note"))
    kind = body.get("kind")
    now = ctx.clock()
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        # one record per subject and clerk, checked under the hall's lock
        s.execute(select(Hall.id).where(Hall.id == hall.id).with_for_update())
        named = _hall_user(s, hall, body["clerk"], "clerk").id if body.get("clerk") else None
        rec = AppraisalRecord(
            hall_id=hall.id, kind=kind, decision=decision, points=points, note=note, decided_at=now
        )
        rec.decided_by_id = actor.user_id
        if kind == accountability.OVERDUE:
            if not body.get("case"):
                raise bad_field("case", "请填写办件编号", "name the case (its number)")
            case = s.scalar(select(Case).where(Case.hall_id == hall.id, Case.number == body["case"]))
            if case is None:
                raise not_found("办件", "case")
            today = local_day(hall, now)
            history = case_histories(s, hall.id, today + timedelta(days=1), [case.id])
            late = []
            if history and history[0].due is not None:
                # the overdue report's attribution: the holder, or the B post who covered them
                first = history[0].due + timedelta(days=1)
                late = [
                    (d.day, d.clerk)
                    for d in held_days(history[0], first, today, presence(s, hall, first, today))
                ]
            who, day = rules.overdue_responsible(late, named)
            rec.case_id, rec.user_id, rec.day = case.id, who, day
            same = AppraisalRecord.case_id == case.id
        elif kind == accountability.REPEAT_TRIP:
            if body.get("notice"):
                n = s.scalar(
                    select(Notice).where(
                        Notice.hall_id == hall.id, Notice.code == str(body["notice"]).upper()
                    )
                )
                if n is None:
                    raise not_found("一次告知单", "notice")
                t = _trip_of_notice(s, hall, n)
            elif body.get("ticket"):
                found = s.scalar(
                    select(Ticket).where(Ticket.hall_id == hall.id, Ticket.public_id == body["ticket"])
                )
                if found is None:
                    raise not_found("号码", "ticket")
                if not _flagged(s, hall, found.id):
                    raise RuleViolation(
                        "not_a_repeat_trip",
                        "该号码未被标记为多次跑腿",
                        "that ticket was not flagged as a repeat trip",
                    )
                t = found
            else:
                raise bad_field(
                    "notice", "请填写告知单编号或号码", "name the notice (its code) or the flagged ticket"
                )
            who_, _, notice = trip_responsible(s, t)
            if named is not None:
                who_ = named  # the manager names who was on post (attendance, A/B logs)
            if who_ is None:
                raise bad_field(
                    "clerk", "无法确定责任人，请指定", "nobody to hold responsible: name the clerk"
                )
            rec.ticket_id, rec.notice_id, rec.user_id, rec.day = (
                t.id,
                notice.id if notice else None,
                who_,
                t.business_day,
            )
            same = AppraisalRecord.ticket_id == t.id
        else:
            raise bad_field(
                "kind",
                "kind 须为 overdue 或 repeat_trip（投诉、差评由核实时记录）",
                "kind is overdue or repeat_trip (complaints and ratings are recorded when verified)",
            )
        dup = s.scalar(
            select(AppraisalRecord.id).where(
                AppraisalRecord.hall_id == hall.id,
                AppraisalRecord.kind == kind,
                AppraisalRecord.user_id == rec.user_id,
                same,
            )
        )
        if dup is not None:
            raise RuleViolation(
                "record_exists",
                f"已对该工作人员就此事项作出处理（记录 {dup}）",
                f"a record against this clerk for this already exists (record {dup})",
            )
        s.add(rec)
        s.flush()
        view = record_view(s, rec)
        event = record(s, hall, names.APPRAISAL_RECORDED, {"record": view}, now, actor)
    ctx.publish([event])
    return view


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_field(field, "日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD") from None


def list_records(
    ctx: Context,
    actor: Principal,
    hall_code: str,
    user: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[dict[str, Any]]:
    """Records of the hall by day, newest first (managers, admins, the supervisor); a clerk gets
    only their own."""
    require_role(actor, (*STAFF, "supervisor"))
    first, last = _day(start, "from"), _day(end, "to")
    if first and last and last < first:
        raise bad_field("to", "结束日期早于开始日期", "to is before from")
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        q = select(AppraisalRecord).where(AppraisalRecord.hall_id == hall.id)
        if actor.role == "clerk":
            me = s.get(User, user_of(actor))
            if user and (me is None or user != me.username):
                raise Forbidden("forbidden", "只能查看本人的考核记录", "a clerk sees only their own records")
            q = q.where(AppraisalRecord.user_id == user_of(actor))
        elif user:
            q = q.where(AppraisalRecord.user_id == _hall_user(s, hall, user, "user").id)
        if first:
            q = q.where(AppraisalRecord.day >= first)
        if last:
            q = q.where(AppraisalRecord.day <= last)
        rows = s.scalars(q.order_by(AppraisalRecord.day.desc(), AppraisalRecord.id.desc())).all()
        if actor.role != "supervisor":
            # a record of a 廉政 follow-up is the supervisor's and the clerk's concerned alone
            hidden = _integrity_records(s, [r for r in rows if r.complaint_id is not None])
            rows = [r for r in rows if r.id not in hidden or r.user_id == actor.user_id]
        return [record_view(s, r) for r in rows]


def _integrity_records(s: Session, rows: list[AppraisalRecord]) -> set[int]:
    ids = {r.complaint_id for r in rows}
    if not ids:
        return set()
    integrity = set(
        s.scalars(select(Complaint.id).where(Complaint.id.in_(ids), Complaint.category == "integrity"))
    )
    return {r.id for r in rows if r.complaint_id in integrity}


def answer_record(ctx: Context, actor: Principal, record_id: int, answer: str) -> dict[str, Any]:
    """The clerk concerned answers a record (申辩/说明), once."""
    require_role(actor, ("clerk", "manager", "admin"))
    text = answer.strip() if isinstance(answer, str) else ""
    if not text:
        raise bad_field("answer", "请填写答复", "write an answer")
    if len(text) > MAX_ANSWER:
        raise bad_field(
            "answer", f"答复最多 {MAX_ANSWER} 字", f"an answer is at most {MAX_ANSWER} characters"
        )
    now = ctx.clock()
    with ctx.db.transaction() as s:
        rec = s.get(AppraisalRecord, record_id, with_for_update=True)
        if rec is None or (actor.hall_id is not None and rec.hall_id != actor.hall_id):
            raise not_found("考核记录", "record")
        if rec.user_id != actor.user_id:
            raise Forbidden(
                "forbidden", "只有被记录的工作人员本人可以答复", "only the clerk concerned answers"
            )
        if rec.clerk_answer is not None:
            raise RuleViolation("already_answered", "该记录已答复", "this record was already answered")
        rec.clerk_answer, rec.answered_at = text, now
        hall = s.get(Hall, rec.hall_id)
        assert hall is not None
        view = record_view(s, rec)
        event = record(s, hall, names.APPRAISAL_ANSWERED, {"record": view}, now, actor)
    ctx.publish([event])
    return view


# ── rules ──────────────────────────────────────────────────────────────────────────────


def _factors() -> list[dict[str, Any]]:
    return [
        {
            "key": f,
            "name_zh": rules.FACTOR_NAMES_ZH[f],
            "positive": f in rules.POSITIVE,
            "clerk_only": f in rules.CLERK_ONLY,
        }
        for f in rules.FACTORS
    ]


def _versions(s: Session, hall_id: int) -> list[AppraisalRules]:
    return list(
        s.scalars(
            select(AppraisalRules)
            .where(AppraisalRules.hall_id == hall_id)
            .order_by(AppraisalRules.effective_from.desc())
        )
    )


def get_rules(ctx: Context, actor: Principal, hall_code: str) -> dict[str, Any]:
    """The version in force this month, every version (newest first) and the factors (staff)."""
    require_role(actor, STAFF)
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        today = local_day(hall, ctx.clock())
        versions = _versions(s, hall.id)
        effective, in_force = rules.rules_in_force(
            [(v.effective_from, v.rules) for v in versions], rules.month_start(today)
        )
        return {
            "in_force": {"effective_from": effective.isoformat() if effective else None, "rules": in_force},
            "defaults": rules.DEFAULT_RULES,
            "factors": _factors(),
            "versions": [
                {
                    "effective_from": v.effective_from.isoformat(),
                    "rules": rules.check_rules(v.rules),
                    "created_by": _person(s, v.created_by_id),
                    "created_at": v.created_at.isoformat(),
                }
                for v in versions
            ],
        }


def save_rules(
    ctx: Context, actor: Principal, hall_code: str, effective_from: str, doc: dict[str, Any]
) -> dict[str, Any]:
    """A new version of the hall's rules from a month's first day (managers, admins): this month
    or a later one, never a past one. A month not yet begun may be revised; once a month has
    begun, the version saved for it stands (409)."""
    require_role(actor, MANAGERS)
    checked = rules.check_rules(doc)
    start = _day(effective_from, "effective_from")
    assert start is not None
    now = ctx.clock()
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        today = local_day(hall, now)
        rules.check_effective(start, today)
        row = s.scalar(
            select(AppraisalRules).where(
                AppraisalRules.hall_id == hall.id, AppraisalRules.effective_from == start
            )
        )
        if row is not None and start <= today:
            raise RuleViolation(
                "version_exists",
                f"{start.isoformat()} 起生效的版本已在执行，请另选以后的月份",
                f"the version from {start.isoformat()} is already in force: pick a later month",
            )
        if row is None:
            row = AppraisalRules(hall_id=hall.id, effective_from=start)
            s.add(row)
        row.rules, row.created_by_id, row.created_at = checked, actor.user_id, now
        s.flush()
        event = record(
            s,
            hall,
            names.APPRAISAL_RULES_SAVED,
            {"effective_from": start.isoformat(), "rules": checked},
            now,
            actor,
        )
    ctx.publish([event])
    return get_rules(ctx, actor, hall_code)


# ── scores ─────────────────────────────────────────────────────────────────────────────


def _utc(hall: Hall, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(hall.timezone)).astimezone(UTC)


def _month_data(s: Session, hall: Hall, month: date, today: date) -> tuple[rules.Month, date | None]:
    end = rules.next_month(month)
    lo, hi = _utc(hall, month), _utc(hall, end)
    tz = ZoneInfo(hall.timezone)
    effective, in_force = rules.rules_in_force(
        [(v.effective_from, v.rules) for v in _versions(s, hall.id)], month
    )
    as_of = min(today, end - timedelta(days=1))
    calendar = hall_calendar(s, hall)
    working = []
    d = month
    while d <= as_of:
        try:
            ok = calendar.is_working_day(d)
        except CalendarMissing:
            ok = d.weekday() < 5
        if ok:
            working.append(d)
        d += timedelta(days=1)
    windows = {w.id: w for w in s.scalars(select(Window).where(Window.hall_id == hall.id))}
    by_number = {w.number: w.id for w in windows.values()}
    clerks = [
        u.id
        for u in s.scalars(
            select(User).where(User.hall_id == hall.id, User.role == "clerk", User.active.is_(True))
        )
    ]

    ratings = [
        rules.RatingFact(f"rating:{r.id}", r.clerk_id, r.window_id, r.level)
        for r in s.scalars(
            select(Rating).where(Rating.hall_id == hall.id, Rating.day >= month, Rating.day < end)
        )
    ]
    complaints = s.scalars(
        select(Complaint).where(
            Complaint.hall_id == hall.id,
            Complaint.filed_day >= month,
            Complaint.filed_day < end,
            # 廉政 follow-ups are the supervisor's alone: never part of a score managers read
            Complaint.category != "integrity",
        )
    ).all()
    bad = [
        rules.BadRatingFact(f"complaint:{c.number}", c.clerk_id, c.window_id, c.due_day, c.answered_day)
        for c in complaints
        if c.source == "rating"
    ]
    upheld = [
        rules.ComplaintFact(f"complaint:{c.number}", c.clerk_id, c.window_id, c.verdict == "upheld")
        for c in complaints
    ]
    overdue: list[rules.Fault] = []
    on_post = presence(s, hall, month, end - timedelta(days=1))
    for h in case_histories(s, hall.id, end):
        holders = {
            d.clerk for d in held_days(h, month, end - timedelta(days=1), on_post) if d.clerk is not None
        }
        win = by_number.get(h.window) if h.window is not None else None
        overdue += [rules.Fault(f"case:{h.case}", owner, win) for owner in sorted(holders)]
    trips = []
    for e in scalars_both(
        s,
        lambda E: select(E).where(E.hall_id == hall.id, E.type == names.TRIP_REPEATED, E.at >= lo, E.at < hi),
    ):
        t = s.get(Ticket, e.ticket_id) if e.ticket_id else None
        if t is None:
            continue
        clerk, win, _ = trip_responsible(s, t)
        trips.append(rules.Fault(f"trip:{t.number}@{t.business_day.isoformat()}", clerk, win))
    attendance = [
        rules.AttendanceFact(
            f"attendance:{a.id}", a.user_id, a.window_id, a.kind, a.at.astimezone(tz).replace(tzinfo=None)
        )
        for a in s.scalars(
            select(Attendance).where(Attendance.hall_id == hall.id, Attendance.at >= lo, Attendance.at < hi)
        )
    ]
    leaves = [
        rules.LeaveFact(f"leave:{lv.id}", lv.user_id, lv.start_day, lv.end_day, lv.short_notice)
        for lv in s.scalars(
            select(Leave).where(
                Leave.hall_id == hall.id,
                Leave.cancelled_at.is_(None),
                Leave.start_day < end,
                Leave.end_day >= month,
            )
        )
    ]
    served = [
        rules.ServedFact(
            f"ticket:{t.number}@{t.business_day.isoformat()}",
            t.served_by_id,
            t.window_id,
            (t.finished_at - t.started_at).total_seconds() if t.finished_at and t.started_at else None,
        )
        for t in s.scalars(
            select(Ticket).where(
                Ticket.hall_id == hall.id,
                Ticket.status == "done",
                Ticket.business_day >= month,
                Ticket.business_day < end,
            )
        )
    ]
    deductions = []
    for r in s.scalars(
        select(AppraisalRecord).where(
            AppraisalRecord.hall_id == hall.id,
            AppraisalRecord.day >= month,
            AppraisalRecord.day < end,
            AppraisalRecord.points > 0,
        )
    ):
        deductions.append(rules.DeductionFact(f"record:{r.id}", r.user_id, _record_window(s, r), r.points))
    data = rules.Month(
        month=month,
        rules=in_force,
        working_days=working,
        opening_hours=hall.opening_hours,
        clerks=clerks,
        windows=sorted(windows),
        as_of=as_of,
        ratings=ratings,
        bad_ratings=bad,
        complaints=upheld,
        overdue=overdue,
        repeat_trips=trips,
        attendance=attendance,
        leaves=leaves,
        served=served,
        deductions=deductions,
    )
    return data, effective


def _record_window(s: Session, r: AppraisalRecord) -> int | None:
    """The window a record belongs to: its case's, notice's, complaint's or ticket's."""
    for model, key in (
        (Case, r.case_id),
        (Notice, r.notice_id),
        (Complaint, r.complaint_id),
        (Ticket, r.ticket_id),
    ):
        if key is not None:
            row = s.get(model, key)
            win = getattr(row, "window_id", None)
            if win is not None:
                return int(win)
    return None


def month_scores(
    ctx: Context, actor: Principal, hall_code: str, month: str | None = None, by: str = "clerk"
) -> dict[str, Any]:
    """The month's scores per clerk or per window, each line traced to its records (managers,
    admins); a clerk gets their own score only. The month is scored by the rules in force on its
    first day; by default the current month."""
    require_role(actor, STAFF)
    if by not in ("clerk", "window"):
        raise bad_field("by", "by 只能是 clerk 或 window", "by is clerk or window")
    if actor.role == "clerk" and by != "clerk":
        raise Forbidden("forbidden", "工作人员只能查看本人的考核", "a clerk sees only their own score")
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        today = local_day(hall, ctx.clock())
        first = rules.parse_month(month) if month else rules.month_start(today)
        if first > today:
            raise bad_field("month", "不能考核尚未开始的月份", "that month has not begun")
        data, effective = _month_data(s, hall, first, today)
        scores = rules.score_month(data, by)
        if actor.role == "clerk":
            scores = [sc for sc in scores if sc.subject == actor.user_id]
        people = {u.id: u for u in s.scalars(select(User).where(User.hall_id == hall.id))}
        windows = {w.id: w for w in s.scalars(select(Window).where(Window.hall_id == hall.id))}
        out = []
        for sc in scores:
            row: dict[str, Any] = {"base": sc.base, "total": sc.total}
            if by == "clerk":
                row["clerk"] = clerk_view(people.get(sc.subject) or s.get(User, sc.subject))
            else:
                row["window"] = window_ref(windows.get(sc.subject))
            row["factors"] = {
                f: round(sum(line.points for line in sc.lines if line.factor == f), 2)
                for f in rules.FACTORS
                if any(line.factor == f for line in sc.lines)
            }
            row["lines"] = [
                {
                    "factor": line.factor,
                    "refs": list(line.refs),
                    "points": line.points,
                    "capped": line.capped,
                    "detail": line.detail,
                }
                for line in sc.lines
            ]
            out.append(row)
        out.sort(key=lambda r: -r["total"])
        return {
            "month": first.strftime("%Y-%m"),
            "by": by,
            "as_of": data.as_of.isoformat() if data.as_of else None,
            "rules": {
                "effective_from": effective.isoformat() if effective else None,
                "rules": dict(data.rules),
            },
            "factors": _factors(),
            "scores": out,
        }
