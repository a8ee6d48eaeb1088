"""The evaluation figures (评估指标): one module computes every figure the dashboard, its exports,
the `/figures` endpoint, the monthly report and the hall board's satisfaction rate show.

Visits come from the event log, not from a ticket row's last timestamps:

* a ticket's first visit starts when it is issued, in the service it was issued for;
* a transfer ends the visit (outcome ``transferred``) and starts a new one in the target service
  that keeps the citizen's original queued time (the citizen has been waiting since then);
* the wait of a visit runs from the ticket's queued time to the visit's FIRST call — a recall
  does not restart it, nor does a call after a reactivated no-show (the reactivation resumes the
  visit the no-show ended);
* the service time of a served visit runs from its start (开始办理) to its completion.

Rows are attributed to a service (code), a window (id) and a clerk (user id) — a visit to where
it was last called and who called or served it, a rating, follow-up, case or notice to the
columns it carries — and belong to the range by a day of the hall: a visit by its ticket's
business day, a rating by the day it was given, a follow-up by the day it was filed, a case by
the day it was accepted, a notice by the day it was written, a repeat trip by the day it was
flagged.

Rules stated once here:

* 满意率 (satisfaction rate) = ratings of level 3–5 over ratings given; a visit nobody rated is
  never counted as satisfied (it is not in the denominator either); no ratings → None.
* rating rate = ratings given over visits served.
* percentiles are nearest-rank: p50 and p90 of n values are the values at rank ⌈p·n/100⌉.
* the share within target counts called visits whose wait is at most the hall's target.
* a follow-up (差评/投诉) is answered on time when answered on or before its due day; the on-time
  rate is on-time answers over the follow-ups already judged (answered with a due day, or still
  unanswered after their due day).
* 廉政 (integrity) follow-ups are left out of every figure: they belong to the supervisor alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from . import complaints, ratings
from .ratings import SATISFIED_LEVELS as SATISFIED

#: the hall's wait target when its administrator set none (minutes)
DEFAULT_WAIT_TARGET_MINUTES = 15

#: rating levels, best first (domain.ratings decides what they mean: which are satisfied for
#: 满意率, which are bad ratings that open a follow-up)
LEVELS = ratings.LEVELS
BAD = frozenset(ratings.LOW_LEVELS)
#: the follow-up category only the supervisor role sees
INTEGRITY = complaints.INTEGRITY

# the kinds of ticket event a visit is built from (the service maps event names to them)
ISSUED, CALLED, RECALLED, STARTED = "issued", "called", "recalled", "started"
DONE, NO_SHOW, CANCELLED, REACTIVATED, TRANSFERRED = (
    "done",
    "no_show",
    "cancelled",
    "reactivated",
    "transferred",
)
#: a visit's outcome while it is not over
OPEN = "open"

BY = ("service", "window", "clerk")


# ------------------------------------------------------------------ the input, as plain data


@dataclass(frozen=True)
class TicketEvent:
    """One ticket event from the log."""

    ticket: int
    seq: int  #: the hall's sequence number: the order events happened in
    kind: str  #: ISSUED … TRANSFERRED
    at: datetime
    day: date  #: the ticket's business day
    service: str | None  #: the ticket's service at the event
    window: int | None = None
    clerk: int | None = None  #: who acted (the user id)
    to_service: str | None = None  #: a transfer's target service


@dataclass(frozen=True)
class Visit:
    """One stay of a citizen in one queue, from queuing (or a transfer) to its outcome."""

    ticket: int
    day: date
    service: str
    queued_at: datetime
    window: int | None = None
    clerk: int | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str = OPEN
    to_service: str | None = None
    first: bool = True  #: the ticket's first visit (the one its issue counts for)

    @property
    def wait_s(self) -> float | None:
        if self.called_at is None:
            return None
        return (self.called_at - self.queued_at).total_seconds()

    @property
    def service_s(self) -> float | None:
        if self.outcome != DONE or self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class RatingRow:
    ticket: int
    level: int
    day: date
    service: str | None
    window: int | None
    clerk: int | None


@dataclass(frozen=True)
class FollowUpRow:
    """A complaint row (差评跟进 or 投诉/举报)."""

    source: str  #: rating | phone | kiosk | hotline | letter
    category: str
    filed_day: date
    due_day: date | None
    answered_day: date | None
    verdict: str | None  #: upheld | not_upheld
    service: str | None
    window: int | None
    clerk: int | None


@dataclass(frozen=True)
class CaseRow:
    accepted_day: date
    due_day: date | None
    completed_day: date | None
    service: str | None
    window: int | None
    clerk: int | None  #: the case's owner


@dataclass(frozen=True)
class NoticeRow:
    day: date
    service: str | None
    window: int | None
    clerk: int | None


@dataclass(frozen=True)
class TripRow:
    """A flagged repeat trip (多次往返): attributed to its service only."""

    day: date
    service: str | None


@dataclass(frozen=True)
class Rows:
    """Everything the figures of one hall are computed from."""

    events: Sequence[TicketEvent] = ()
    ratings: Sequence[RatingRow] = ()
    follow_ups: Sequence[FollowUpRow] = ()
    cases: Sequence[CaseRow] = ()
    notices: Sequence[NoticeRow] = ()
    trips: Sequence[TripRow] = ()


@dataclass(frozen=True)
class Scope:
    """Which rows a figure counts: a range of days and, for the drill-down, a service, window or
    clerk (None: all)."""

    start: date
    end: date
    service: str | None = None
    window: int | None = None
    clerk: int | None = None

    def holds(self, day: date, service: str | None, window: int | None, clerk: int | None) -> bool:
        return (
            self.start <= day <= self.end
            and (self.service is None or service == self.service)
            and (self.window is None or window == self.window)
            and (self.clerk is None or clerk == self.clerk)
        )

    @property
    def per_person(self) -> bool:
        """A window or clerk scope: tickets issued and repeat trips belong to no window or clerk."""
        return self.window is not None or self.clerk is not None


# ------------------------------------------------------------------ visits from the event log


def visits_from_events(events: Iterable[TicketEvent]) -> list[Visit]:
    """Every visit of every ticket whose issue is in `events`, in the order they began."""
    by_ticket: dict[int, list[TicketEvent]] = {}
    for e in events:
        by_ticket.setdefault(e.ticket, []).append(e)
    out: list[Visit] = []
    for evs in by_ticket.values():
        out.extend(_ticket_visits(sorted(evs, key=lambda e: e.seq)))
    out.sort(key=lambda v: (v.queued_at, v.ticket, v.called_at or v.queued_at))
    return out


def _changed(v: Visit, **changes: Any) -> Visit:
    """`dataclasses.replace` for a Visit without its per-call look at the fields (a month of a
    busy hall makes ~170,000 of them): a copy of the fields with `changes` applied."""
    new = object.__new__(Visit)
    new.__dict__.update(v.__dict__, **changes)
    return new


def _ticket_visits(events: Sequence[TicketEvent]) -> list[Visit]:
    visits: list[Visit] = []
    cur: Visit | None = None
    for e in events:
        if e.kind == ISSUED:
            if visits or cur is not None:
                continue  # one issue per ticket
            cur = Visit(ticket=e.ticket, day=e.day, service=e.service or "", queued_at=e.at)
            continue
        if cur is None:
            if e.kind == REACTIVATED and visits and visits[-1].outcome == NO_SHOW:
                # the citizen came back: the visit the no-show ended goes on, its wait unchanged
                cur = _changed(visits.pop(), outcome=OPEN, ended_at=None)
            continue  # events of a ticket issued outside the rows, or after its end
        if e.kind == CALLED:
            cur = _changed(
                cur,
                called_at=cur.called_at or e.at,
                window=e.window,
                clerk=e.clerk,
                service=e.service or cur.service,
            )
        elif e.kind == STARTED:
            cur = _changed(
                cur,
                started_at=cur.started_at or e.at,
                window=e.window or cur.window,
                clerk=e.clerk or cur.clerk,
            )
        elif e.kind in (DONE, NO_SHOW, CANCELLED):
            ended = _changed(cur, outcome=e.kind, ended_at=e.at)
            if e.kind != CANCELLED:
                ended = _changed(ended, window=e.window or cur.window, clerk=e.clerk or cur.clerk)
            visits.append(ended)
            cur = None
        elif e.kind == TRANSFERRED:
            visits.append(
                _changed(
                    cur,
                    outcome=TRANSFERRED,
                    ended_at=e.at,
                    to_service=e.to_service,
                    window=e.window or cur.window,
                    clerk=e.clerk or cur.clerk,
                )
            )
            # a new visit in the target queue that keeps the original queued time
            cur = Visit(
                ticket=e.ticket,
                day=e.day,
                service=e.to_service or cur.service,
                queued_at=cur.queued_at,
                first=False,
            )
        # RECALLED: the wait is not restarted; nothing else changes
    if cur is not None:
        visits.append(cur)
    return visits


# ------------------------------------------------------------------ statistics


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the value at rank ⌈p·n/100⌉ of the sorted values (None for none)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p * len(ordered) / 100))
    return ordered[rank - 1]


def ratio(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 places; None when there is no whole (never a made-up 100 %)."""
    return round(part / whole, 4) if whole else None


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def duration_stats(values: Sequence[float]) -> dict[str, Any]:
    """count, mean, p50 and p90 in seconds."""
    return {
        "count": len(values),
        "mean_s": _seconds(sum(values) / len(values)) if values else None,
        "p50_s": _seconds(percentile(values, 50)),
        "p90_s": _seconds(percentile(values, 90)),
    }


def satisfaction_rate(levels: Iterable[int]) -> float | None:
    """满意率: levels 3–5 over ratings given (an unrated visit is not a rating); None for none."""
    given = list(levels)
    return ratio(sum(1 for lv in given if lv in SATISFIED), len(given))


# ------------------------------------------------------------------ the figures


def figures(
    rows: Rows,
    scope: Scope,
    today: date,
    wait_target_minutes: int | None,
    visits: Sequence[Visit] | None = None,
) -> dict[str, Any]:
    """Every figure of one scope (a hall, or a service, window or clerk of it, over a range)."""
    target = wait_target_minutes or DEFAULT_WAIT_TARGET_MINUTES
    all_visits = visits if visits is not None else visits_from_events(rows.events)
    vs = [v for v in all_visits if scope.holds(v.day, v.service, v.window, v.clerk)]
    waits = [w for v in vs if (w := v.wait_s) is not None]
    service_times = [t for v in vs if (t := v.service_s) is not None]
    served = sum(1 for v in vs if v.outcome == DONE)
    if scope.per_person:
        issued = None
    else:
        issued = sum(
            1
            for v in all_visits
            # a first visit is in the service the ticket was issued for
            if v.first and scope.start <= v.day <= scope.end and scope.service in (None, v.service)
        )

    ratings = [r for r in rows.ratings if scope.holds(r.day, r.service, r.window, r.clerk)]
    levels = {str(lv): sum(1 for r in ratings if r.level == lv) for lv in LEVELS}
    satisfied = sum(1 for r in ratings if r.level in SATISFIED)

    fus = [
        f
        for f in rows.follow_ups
        if f.category != INTEGRITY and scope.holds(f.filed_day, f.service, f.window, f.clerk)
    ]
    answered = [f for f in fus if f.answered_day is not None]
    on_time = sum(1 for f in answered if _on_or_before(f.answered_day, f.due_day))
    judged_answered = sum(1 for f in answered if f.due_day is not None)
    overdue_open = sum(
        1 for f in fus if f.answered_day is None and f.due_day is not None and f.due_day < today
    )

    cases = [c for c in rows.cases if scope.holds(c.accepted_day, c.service, c.window, c.clerk)]
    done_cases = [c for c in cases if c.completed_day is not None]
    late = sum(
        1 for c in done_cases if c.due_day is not None and not _on_or_before(c.completed_day, c.due_day)
    )
    open_cases = [c for c in cases if c.completed_day is None]
    open_overdue = sum(1 for c in open_cases if c.due_day is not None and c.due_day < today)

    notices = sum(1 for n in rows.notices if scope.holds(n.day, n.service, n.window, n.clerk))
    trips = (
        None if scope.per_person else sum(1 for t in rows.trips if scope.holds(t.day, t.service, None, None))
    )
    return {
        "visits": len(vs),
        "issued": issued,
        "served": served,
        "no_shows": sum(1 for v in vs if v.outcome == NO_SHOW),
        "transfers": sum(1 for v in vs if v.outcome == TRANSFERRED),
        "cancelled": sum(1 for v in vs if v.outcome == CANCELLED),
        "wait": {
            **duration_stats(waits),
            "within_target": ratio(sum(1 for w in waits if w <= target * 60), len(waits)),
        },
        "service_time": duration_stats(service_times),
        "ratings": {
            "levels": levels,
            "rated": len(ratings),
            "satisfied": satisfied,
            "satisfaction_rate": ratio(satisfied, len(ratings)),
            "rating_rate": ratio(len(ratings), served),
            "bad": sum(1 for r in ratings if r.level in BAD),
        },
        "follow_ups": {
            "filed": len(fus),
            "from_ratings": sum(1 for f in fus if f.source == "rating"),
            "complaints": sum(1 for f in fus if f.source != "rating"),
            "upheld": sum(1 for f in fus if f.verdict == "upheld"),
            "answered": len(answered),
            "answered_on_time": on_time,
            "overdue_open": overdue_open,
            "on_time_rate": ratio(on_time, judged_answered + overdue_open),
        },
        "cases": {
            "accepted": len(cases),
            "completed_on_time": len(done_cases) - late,
            "completed_late": late,
            "open": len(open_cases),
            "open_overdue": open_overdue,
        },
        "notices": notices,
        "repeat_trips": trips,
    }


def _on_or_before(day: date | None, due: date | None) -> bool:
    return day is not None and due is not None and day <= due


def keys_of(rows: Rows, visits: Sequence[Visit], scope: Scope, by: str) -> list[Any]:
    """The services, windows or clerks that have any row in the scope, in a stable order."""
    if by not in BY:
        raise ValueError(by)
    pick: Callable[[Any], Any] = {
        "service": lambda r: r.service,
        "window": lambda r: r.window,
        "clerk": lambda r: r.clerk,
    }[by]
    seen: set[Any] = set()
    candidates: list[tuple[Any, date]] = [(v, v.day) for v in visits]
    candidates += [(r, r.day) for r in rows.ratings]
    candidates += [(f, f.filed_day) for f in rows.follow_ups if f.category != INTEGRITY]
    candidates += [(c, c.accepted_day) for c in rows.cases]
    candidates += [(n, n.day) for n in rows.notices]
    for row, day in candidates:
        if scope.holds(day, row.service, row.window, row.clerk):
            key = pick(row)
            if key is not None:
                seen.add(key)
    return sorted(seen, key=lambda k: (str(type(k)), k))


def evaluation(
    rows: Rows, scope: Scope, today: date, wait_target_minutes: int | None, by: str
) -> dict[str, Any]:
    """The figures of the scope and of each service, window or clerk in it (`by`)."""
    visits = visits_from_events(rows.events)
    summary = figures(rows, scope, today, wait_target_minutes, visits)
    breakdown = []
    for key in keys_of(rows, visits, scope, by):
        sub = replace(scope, **{by: key})
        breakdown.append({"key": key, "figures": figures(rows, sub, today, wait_target_minutes, visits)})
    return {
        "wait_target_minutes": wait_target_minutes or DEFAULT_WAIT_TARGET_MINUTES,
        "wait_target_default": wait_target_minutes is None,
        "summary": summary,
        "by": by,
        "rows": breakdown,
    }


def transfer_pairs(visits: Iterable[Visit], start: date, end: date) -> list[dict[str, Any]]:
    """Transfers per (from, to) service: where citizens get lost; most first."""
    counts: dict[tuple[str, str], int] = {}
    for v in visits:
        if v.outcome == TRANSFERRED and start <= v.day <= end:
            pair = (v.service, v.to_service or "")
            counts[pair] = counts.get(pair, 0) + 1
    return [
        {"from": a, "to": b, "count": n}
        for (a, b), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def notices_per_service(notices: Iterable[NoticeRow], start: date, end: date) -> dict[str, int]:
    """One-time notices per service over the range."""
    counts: dict[str, int] = {}
    for n in notices:
        if start <= n.day <= end and n.service is not None:
            counts[n.service] = counts.get(n.service, 0) + 1
    return counts


def satisfaction_by_window(ratings: Iterable[RatingRow], start: date, end: date) -> dict[int, dict[str, Any]]:
    """Each window's ratings and 满意率 over the range (the hall board's public figure)."""
    levels: dict[int, list[int]] = {}
    for r in ratings:
        if r.window is not None and start <= r.day <= end:
            levels.setdefault(r.window, []).append(r.level)
    return {w: {"rated": len(lv), "satisfaction_rate": satisfaction_rate(lv)} for w, lv in levels.items()}


# ------------------------------------------------------------------ the columns of the exports

#: (path in a figures dict, zh, en, format): the exports carry exactly these, in this order
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("visits", "接待人次", "visits", "int"),
    ("issued", "取号数", "issued", "int"),
    ("served", "办结人次", "served", "int"),
    ("no_shows", "过号", "no-shows", "int"),
    ("transfers", "转办", "transfers", "int"),
    ("cancelled", "取消", "cancelled", "int"),
    ("wait.count", "已叫号人次", "called visits", "int"),
    ("wait.mean_s", "平均等候(秒)", "mean wait (s)", "sec"),
    ("wait.p50_s", "等候中位数(秒)", "wait p50 (s)", "sec"),
    ("wait.p90_s", "等候90分位(秒)", "wait p90 (s)", "sec"),
    ("wait.within_target", "目标内叫号率", "called within target", "ratio"),
    ("service_time.count", "计时办结人次", "timed services", "int"),
    ("service_time.mean_s", "平均办理(秒)", "mean service (s)", "sec"),
    ("service_time.p50_s", "办理中位数(秒)", "service p50 (s)", "sec"),
    ("service_time.p90_s", "办理90分位(秒)", "service p90 (s)", "sec"),
    ("ratings.levels.5", "非常满意", "very satisfied", "int"),
    ("ratings.levels.4", "满意", "satisfied", "int"),
    ("ratings.levels.3", "基本满意", "fairly satisfied", "int"),
    ("ratings.levels.2", "不满意", "dissatisfied", "int"),
    ("ratings.levels.1", "非常不满意", "very dissatisfied", "int"),
    ("ratings.rated", "评价数", "ratings", "int"),
    ("ratings.satisfied", "满意数(3-5级)", "satisfied (levels 3-5)", "int"),
    ("ratings.satisfaction_rate", "满意率", "satisfaction rate", "ratio"),
    ("ratings.rating_rate", "参评率", "rating rate", "ratio"),
    ("ratings.bad", "差评", "bad ratings", "int"),
    ("follow_ups.filed", "差评及投诉", "follow-ups", "int"),
    ("follow_ups.from_ratings", "差评跟进", "from bad ratings", "int"),
    ("follow_ups.complaints", "投诉举报", "complaints", "int"),
    ("follow_ups.upheld", "核实属实", "upheld", "int"),
    ("follow_ups.answered", "已回访", "answered", "int"),
    ("follow_ups.answered_on_time", "按期回访", "answered on time", "int"),
    ("follow_ups.overdue_open", "超期未回访", "overdue unanswered", "int"),
    ("follow_ups.on_time_rate", "按期回访率", "on-time answer rate", "ratio"),
    ("cases.accepted", "受理办件", "cases accepted", "int"),
    ("cases.completed_on_time", "按期办结", "completed on time", "int"),
    ("cases.completed_late", "超期办结", "completed late", "int"),
    ("cases.open", "在办", "open cases", "int"),
    ("cases.open_overdue", "在办超期", "open overdue", "int"),
    ("notices", "一次告知单", "one-time notices", "int"),
    ("repeat_trips", "多次往返", "repeat trips", "int"),
)


def column_value(figs: dict[str, Any], path: str) -> Any:
    """The value at a dotted path of a figures dict."""
    value: Any = figs
    for part in path.split("."):
        value = value[part]
    return value
