"""The monthly appraisal (绩效考核): a score per clerk and per window from the hall's rules.

A score is the rules' base plus or minus the points of each factor; every point is traced to the
records it comes from (a line: factor, record refs, points), so a score explains itself and the
lines add up to the total. Each factor has a weight (points per unit) and a cap (the most points
the factor may give or take in a month); once a factor's cap is reached its further records are
still listed, with 0 points and marked capped.

The factors, in the order a score lists them:

* ``satisfaction`` (+): weight × satisfied / rated — satisfied is 基本满意 and above (levels 3–5);
  an unrated ticket is never counted, neither as satisfied nor as rated; no ratings: no points;
* ``bad_rating_late`` (−): per bad rating whose follow-up was not answered by its due day
  (answered later, or still unanswered when its due day has passed);
* ``complaints`` (−): per complaint verified as upheld;
* ``overdue`` (−): per overdue case the clerk held on one of its late days in the month (the
  overdue report's attribution, domain.overdue);
* ``repeat_trips`` (−): per flagged repeat trip (多次往返) the clerk is responsible for
  (`repeat_trip_responsible`);
* ``hours`` (+): per hour signed in at a window (sign-in to sign-out, within the local day);
* ``late`` (−): per working day whose first sign-in came after the hall opened plus the grace;
* ``absence`` (−): per working day with no sign-in and no registered leave (unannounced absence);
* ``short_leave`` (−): per leave registered at short notice (AB岗: 提前一天移交);
* ``served`` (+): per ticket served (completed);
* ``service_time`` (−): per ticket whose service took longer than the rules' limit;
* ``deductions`` (−): weight × the points of the manager's 扣分 decisions (appraisal records).

Window scores use the factors that belong to a window (its ratings, complaints, cases, trips,
hours, tickets, records); late sign-in, absence and leave are a person's and count only for
clerks.

Versions: a month is scored by the rules in force on its first day (`rules_in_force`); a version
takes effect on a month's first day, never in a month already begun (`check_effective`), so a
past month is never rescored by a later version.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from .errors import RuleViolation
from .ratings import SATISFIED_LEVELS

FACTORS = (
    "satisfaction",
    "bad_rating_late",
    "complaints",
    "overdue",
    "repeat_trips",
    "hours",
    "late",
    "absence",
    "short_leave",
    "served",
    "service_time",
    "deductions",
)
#: factors that add points; every other one takes points away
POSITIVE = frozenset({"satisfaction", "hours", "served"})
#: a person's factors: not part of a window's score
CLERK_ONLY = frozenset({"late", "absence", "short_leave"})

FACTOR_NAMES_ZH = {
    "satisfaction": "满意率",
    "bad_rating_late": "差评未按期回复",
    "complaints": "投诉属实",
    "overdue": "超期办件",
    "repeat_trips": "多次跑腿",
    "hours": "在岗时长",
    "late": "迟到",
    "absence": "无故缺勤",
    "short_leave": "临时请假",
    "served": "办件量",
    "service_time": "办理超时",
    "deductions": "扣分",
}

MAX_WEIGHT = 1000
MAX_CAP = 1000
MAX_BASE = 10000
MAX_MINUTES = 24 * 60
#: the years a month may be asked for (a hall's records live well inside them)
MIN_YEAR, MAX_YEAR = 2000, 2999

DEFAULT_RULES: dict[str, Any] = {
    "base": 100,
    #: minutes after opening before a sign-in counts as late
    "late_grace_minutes": 5,
    #: a ticket served for longer than this counts against service_time
    "service_limit_minutes": 30,
    "factors": {
        "satisfaction": {"weight": 10, "cap": 10},
        "bad_rating_late": {"weight": 2, "cap": 10},
        "complaints": {"weight": 5, "cap": 20},
        "overdue": {"weight": 1, "cap": 10},
        "repeat_trips": {"weight": 2, "cap": 10},
        "hours": {"weight": 0.05, "cap": 8},
        "late": {"weight": 1, "cap": 5},
        "absence": {"weight": 3, "cap": 15},
        "short_leave": {"weight": 1, "cap": 5},
        "served": {"weight": 0.02, "cap": 5},
        "service_time": {"weight": 0.1, "cap": 5},
        "deductions": {"weight": 1, "cap": 30},
    },
}


def _bad(field_: str, zh: str, en: str) -> RuleViolation:
    err = RuleViolation("invalid_field", zh, en)
    err.field = field_
    return err


def _number(value: object, where: str, top: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(where, f"{where} 须为数字", f"{where} must be a number")
    if not 0 <= value <= top:
        raise _bad(where, f"{where} 须在 0–{top:g} 之间", f"{where} must be within 0–{top:g}")
    return float(value) if isinstance(value, float) else value


def check_rules(doc: object) -> dict[str, Any]:
    """A rules document checked and completed: what it leaves out keeps the default.

    {"base": n, "late_grace_minutes": n, "service_limit_minutes": n,
     "factors": {factor: {"weight": n, "cap": n}}} — every number ≥ 0; unknown keys refused.
    """
    if not isinstance(doc, Mapping):
        raise _bad("rules", "规则须为对象", "rules must be an object")
    out = copy.deepcopy(DEFAULT_RULES)
    for key, value in doc.items():
        if key == "base":
            out["base"] = _number(value, "base", MAX_BASE)
        elif key in ("late_grace_minutes", "service_limit_minutes"):
            out[key] = _number(value, key, MAX_MINUTES)
        elif key == "factors":
            if not isinstance(value, Mapping):
                raise _bad("factors", "factors 须为对象", "factors must be an object")
            for name, spec in value.items():
                where = f"factors.{name}"
                if name not in FACTORS:
                    raise _bad(where, f"未知的考核项 {name}", f"unknown factor {name}")
                if not isinstance(spec, Mapping):
                    raise _bad(where, f"{where} 须为对象", f"{where} must be an object")
                for k, v in spec.items():
                    if k == "weight":
                        out["factors"][name]["weight"] = _number(v, f"{where}.weight", MAX_WEIGHT)
                    elif k == "cap":
                        out["factors"][name]["cap"] = _number(v, f"{where}.cap", MAX_CAP)
                    else:
                        raise _bad(f"{where}.{k}", f"未知字段 {where}.{k}", f"unknown field {where}.{k}")
        else:
            raise _bad(str(key), f"未知字段 {key}", f"unknown field {key}")
    return out


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def parse_month(text: object) -> date:
    """`YYYY-MM` as the month's first day."""
    if not isinstance(text, str) or len(text) != 7 or text[4] != "-":
        raise _bad("month", "月份格式应为 YYYY-MM", "month is YYYY-MM")
    try:
        month = date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        raise _bad("month", "月份格式应为 YYYY-MM", "month is YYYY-MM") from None
    if not MIN_YEAR <= month.year <= MAX_YEAR:
        raise _bad(
            "month", f"月份须在 {MIN_YEAR}–{MAX_YEAR} 年之间", f"the year is within {MIN_YEAR}–{MAX_YEAR}"
        )
    return month


def check_effective(effective_from: date, today: date) -> None:
    """A version takes effect on a month's first day, and never in a month already begun before
    this one: past months keep the version they were scored by."""
    if effective_from.day != 1:
        raise _bad("effective_from", "生效日期须为某月 1 日", "a version takes effect on a month's first day")
    if effective_from < month_start(today):
        raise _bad(
            "effective_from",
            "不能对已过去的月份生效：过去月份的考核不因新版本改变",
            "a version cannot take effect in a past month: past months keep their scores",
        )


def rules_in_force(
    versions: Iterable[tuple[date, Mapping[str, Any]]], month: date
) -> tuple[date | None, dict[str, Any]]:
    """The version in force on the month's first day: the latest taking effect on or before it
    (None and the defaults when there is none)."""
    first = month_start(month)
    best: tuple[date, Mapping[str, Any]] | None = None
    for effective, rules in versions:
        if effective <= first and (best is None or effective > best[0]):
            best = (effective, rules)
    if best is None:
        return None, copy.deepcopy(DEFAULT_RULES)
    return best[0], check_rules(best[1])


# ── the facts of a month (each with the ref of the record it comes from) ─────────────────


@dataclass(frozen=True)
class RatingFact:
    ref: str
    clerk: int | None
    window: int | None
    level: int


@dataclass(frozen=True)
class BadRatingFact:
    """The follow-up of a bad rating: its due day and the day it was answered (回访)."""

    ref: str
    clerk: int | None
    window: int | None
    due: date | None
    answered: date | None


@dataclass(frozen=True)
class ComplaintFact:
    ref: str
    clerk: int | None
    window: int | None
    upheld: bool


@dataclass(frozen=True)
class Fault:
    """One overdue case held, or one repeat trip, attributed to a clerk."""

    ref: str
    clerk: int | None
    window: int | None


@dataclass(frozen=True)
class AttendanceFact:
    """A sign-in, sign-out, pause or resume, at the hall's local time (naive)."""

    ref: str
    clerk: int
    window: int
    kind: str
    at: datetime


@dataclass(frozen=True)
class LeaveFact:
    ref: str
    clerk: int
    start: date
    end: date
    short_notice: bool


@dataclass(frozen=True)
class ServedFact:
    ref: str
    clerk: int | None
    window: int | None
    seconds: float | None


@dataclass(frozen=True)
class DeductionFact:
    ref: str
    clerk: int
    window: int | None
    points: int


@dataclass
class Month:
    """Everything a month is scored from. `working_days`: the hall's working days of the month
    up to the day scored (never the future); `clerks`: who is expected at work."""

    month: date
    rules: Mapping[str, Any]
    working_days: Sequence[date] = ()
    opening_hours: Mapping[str, Any] | None = None
    clerks: Sequence[int] = ()
    windows: Sequence[int] = ()
    as_of: date | None = None
    ratings: Sequence[RatingFact] = ()
    bad_ratings: Sequence[BadRatingFact] = ()
    complaints: Sequence[ComplaintFact] = ()
    overdue: Sequence[Fault] = ()
    repeat_trips: Sequence[Fault] = ()
    attendance: Sequence[AttendanceFact] = ()
    leaves: Sequence[LeaveFact] = ()
    served: Sequence[ServedFact] = ()
    deductions: Sequence[DeductionFact] = ()


@dataclass(frozen=True)
class Line:
    """Points of one factor traced to their records."""

    factor: str
    refs: tuple[str, ...]
    points: float
    capped: bool = False
    detail: str | None = None


@dataclass
class Score:
    subject: int
    base: float
    total: float
    lines: list[Line] = field(default_factory=list)


def _r(x: float) -> float:
    return round(x + 0.0, 2)


class _Factor:
    """Points of one factor for one subject, item by item up to the cap."""

    def __init__(self, name: str, rules: Mapping[str, Any]) -> None:
        spec = rules["factors"][name]
        self.name, self.weight, self.cap = name, float(spec["weight"]), float(spec["cap"])
        self.sign = 1 if name in POSITIVE else -1
        self.used = 0.0
        self.lines: list[Line] = []

    def add(self, refs: Sequence[str], units: float = 1.0, detail: str | None = None) -> None:
        want = _r(self.weight * units)
        room = _r(max(0.0, self.cap - self.used))
        got = min(want, room)
        self.used = _r(self.used + got)
        self.lines.append(Line(self.name, tuple(refs), _r(self.sign * got) + 0.0, got < want, detail))


def _hm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _local_spans(hours: Mapping[str, Any] | None, day: date) -> list[tuple[time, time]]:
    if hours is None:
        return []
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    out = []
    for a, b in hours.get(days[day.weekday()], []):
        out.append((_hm(a), _hm(b)))
    return sorted(out)


def is_open_day(hours: Mapping[str, Any] | None, day: date) -> bool:
    """Whether the hall opens that day by its opening hours (None: open every day)."""
    return hours is None or bool(_local_spans(hours, day))


def shifts(
    events: Iterable[AttendanceFact], hours: Mapping[str, Any] | None = None
) -> list[tuple[AttendanceFact, datetime]]:
    """Each sign-in with when it ended: the next sign-out of that clerk, else the hall's closing
    time that day (the end of the day when it closes earlier or is open around the clock); a
    sign-in is never counted into the next day."""

    def _day_end(at: datetime) -> datetime:
        spans = _local_spans(hours, at.date())
        if spans and spans[-1][1] > at.time():
            return datetime.combine(at.date(), spans[-1][1])
        return datetime.combine(at.date() + timedelta(days=1), time(0))

    out = []
    open_: dict[int, AttendanceFact] = {}
    for e in sorted(events, key=lambda e: (e.at, e.ref)):
        if e.kind == "sign_in":
            prev = open_.pop(e.clerk, None)
            if prev is not None:
                out.append((prev, min(e.at, _day_end(prev.at))))
            open_[e.clerk] = e
        elif e.kind == "sign_out":
            prev = open_.pop(e.clerk, None)
            if prev is not None:
                out.append((prev, min(e.at, _day_end(prev.at))))
    for prev in open_.values():
        out.append((prev, _day_end(prev.at)))
    return sorted(out, key=lambda p: (p[0].at, p[0].ref))


def late_sign_ins(
    events: Iterable[AttendanceFact], hours: Mapping[str, Any] | None, grace_minutes: float
) -> list[AttendanceFact]:
    """The first sign-in of each clerk's day when it came after the hall opened plus the grace
    (a hall open around the clock has no late sign-in)."""
    first: dict[tuple[int, date], AttendanceFact] = {}
    for e in sorted(events, key=lambda e: (e.at, e.ref)):
        if e.kind == "sign_in":
            first.setdefault((e.clerk, e.at.date()), e)
    out = []
    for (_, day), e in first.items():
        spans = _local_spans(hours, day)
        if not spans:
            continue
        opens = datetime.combine(day, spans[0][0]) + timedelta(minutes=grace_minutes)
        if e.at > opens:
            out.append(e)
    return sorted(out, key=lambda e: (e.at, e.ref))


def absences(
    clerk: int,
    working_days: Iterable[date],
    events: Iterable[AttendanceFact],
    leaves: Iterable[LeaveFact],
    hours: Mapping[str, Any] | None,
) -> list[date]:
    """Working days (the hall open) on which the clerk neither signed in nor was on leave."""
    present = {e.at.date() for e in events if e.clerk == clerk and e.kind == "sign_in"}
    away = [lv for lv in leaves if lv.clerk == clerk]
    out = []
    for d in working_days:
        if not is_open_day(hours, d) or d in present:
            continue
        if any(lv.start <= d <= lv.end for lv in away):
            continue
        out.append(d)
    return out


def repeat_trip_responsible(notice_clerk: int | None, last_server: int | None) -> int | None:
    """Who answers for a flagged repeat trip: the clerk who gave the citizen's last notice before
    it (what was not told at once sent them back); without a notice, the clerk who served their
    previous visit (who was on post at it)."""
    return notice_clerk if notice_clerk is not None else last_server


def _key(obj: Any, by: str) -> int | None:
    value = getattr(obj, by)
    return int(value) if value is not None else None


def score_month(data: Month, by: str = "clerk") -> list[Score]:
    """The month's scores per clerk (`by="clerk"`) or per window (`by="window"`), each with its
    lines; the total is the base plus the lines' points."""
    if by not in ("clerk", "window"):
        raise _bad("by", "by 只能是 clerk 或 window", "by is clerk or window")
    rules = data.rules
    subjects: set[int] = set(data.clerks if by == "clerk" else data.windows)
    facts: list[Any] = [
        *data.ratings,
        *data.bad_ratings,
        *data.complaints,
        *data.overdue,
        *data.repeat_trips,
        *data.attendance,
        *data.served,
        *data.deductions,
    ]
    subjects |= {k for f in facts if (k := _key(f, by)) is not None}
    as_of = data.as_of or next_month(data.month) - timedelta(days=1)
    limit_s = float(rules["service_limit_minutes"]) * 60
    grace = float(rules["late_grace_minutes"])
    out = []
    for subj in sorted(subjects):
        mine = {name: _Factor(name, rules) for name in FACTORS}

        def of(items: Iterable[Any], s: int = subj) -> list[Any]:
            return sorted((i for i in items if _key(i, by) == s), key=lambda i: i.ref)

        rated = of(data.ratings)
        if rated:
            happy = [r for r in rated if r.level in SATISFIED_LEVELS]
            mine["satisfaction"].add(
                [r.ref for r in rated], len(happy) / len(rated), f"{len(happy)}/{len(rated)}"
            )
        for b in of(data.bad_ratings):
            if b.due is None:
                continue
            if (b.answered is not None and b.answered > b.due) or (b.answered is None and b.due < as_of):
                mine["bad_rating_late"].add([b.ref])
        for c in of(data.complaints):
            if c.upheld:
                mine["complaints"].add([c.ref])
        for f in of(data.overdue):
            mine["overdue"].add([f.ref])
        for f in of(data.repeat_trips):
            mine["repeat_trips"].add([f.ref])
        att = [e for e in data.attendance if _key(e, by) == subj]
        for start, end in shifts(att, data.opening_hours):
            h = max(0.0, (end - start.at).total_seconds() / 3600)
            mine["hours"].add([start.ref], h, f"{h:.2f}h")
        if by == "clerk":
            for e in late_sign_ins(att, data.opening_hours, grace):
                mine["late"].add([e.ref], 1, e.at.strftime("%Y-%m-%d %H:%M"))
            for d in absences(subj, data.working_days, att, data.leaves, data.opening_hours):
                mine["absence"].add([f"day:{d.isoformat()}"], 1, d.isoformat())
            for lv in sorted((lv for lv in data.leaves if lv.clerk == subj), key=lambda lv: lv.ref):
                # a leave counts in the month it starts in (one spanning two months counts once)
                if lv.short_notice and data.month <= lv.start < next_month(data.month):
                    mine["short_leave"].add([lv.ref])
        for t in of(data.served):
            mine["served"].add([t.ref])
            if t.seconds is not None and t.seconds > limit_s:
                mine["service_time"].add([t.ref], 1, f"{t.seconds / 60:.0f}min")
        for d in of(data.deductions):
            if d.points:
                mine["deductions"].add([d.ref], d.points, f"{d.points}")
        lines = [line for name in FACTORS for line in mine[name].lines]
        base = float(rules["base"])
        total = _r(base + sum(line.points for line in lines))
        out.append(Score(subj, base, total, lines))
    return out


def overdue_responsible(late_days: Sequence[tuple[date, int | None]], named: int | None) -> tuple[int, date]:
    """Who answers for an overdue case and the day the record belongs to: a clerk who held it on
    one of its late days (the overdue report's attribution), with the first such day. With
    several holders the manager names one (`named`); a clerk who never held it late is refused."""
    holders: dict[int, date] = {}
    for day, owner in late_days:
        if owner is not None:
            holders.setdefault(owner, day)
    if not late_days:
        raise RuleViolation("not_overdue", "该办件没有超期", "this case was not overdue")
    if named is not None:
        if named not in holders:
            raise _bad(
                "clerk",
                "该工作人员未在超期期间承办此件",
                "that clerk did not hold the case while it was late",
            )
        return named, holders[named]
    if len(holders) != 1:
        raise _bad(
            "clerk", "超期期间有多位承办人，请指定责任人", "several clerks held it while late: name one"
        )
    ((who, day),) = holders.items()
    return who, day
