"""A month of the demo hall's past, made the way a real month is made: through the service layer.

`hallq demo` runs it once (never the tests' template database): for each working day of the last
`days` days it signs the clerks in at their windows (now and then late, now and then one absent),
lets citizens arrive through the morning and the afternoon (a peak at opening), and plays the
hall forward on a virtual clock — windows call the next number, start, serve for a while and
complete with an outcome (办结, 受理 opening a case, 一次告知, 不予受理), some citizens do not come
(过号), some are transferred; citizens rate some visits on their phones (好差评, never the
unrated ones), and the manager verifies and answers the follow-ups of bad ratings. Nothing is
written into tables directly, so every figure the dashboard, the appraisal and the reports show
comes from the same events a real day leaves.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from .domain.errors import RuleViolation
from .services import complaints as complaint_service
from .services import notices as notice_service
from .services import ratings as rating_service
from .services import tickets as ticket_service
from .services import transfers as transfer_service
from .services import windows as window_service
from .services.core.context import Context
from .services.core.principal import ANONYMOUS, Principal
from .services.core.workcal import hall_calendar
from .storage.models import Complaint, Hall, Ticket, User, Window

#: citizens per hour of the day (local), before the per-day scale: a peak when the hall opens
ARRIVALS_PER_HOUR = {8: 6, 9: 14, 10: 11, 11: 6, 13: 5, 14: 9, 15: 8, 16: 5}
#: which service a citizen comes for (codes of server/demo.py SERVICES), by weight
SERVICE_WEIGHTS = {"A": 5, "B": 4, "C": 5, "D": 2, "E": 2, "F": 3, "G": 4, "H": 2}
#: mean minutes of a service (lognormal around it)
SERVICE_MINUTES = {"A": 7, "B": 12, "C": 6, "D": 9, "E": 8, "F": 7, "G": 4, "H": 10}
#: what a completed visit was, by weight
OUTCOME_WEIGHTS = {"done": 70, "accepted": 12, "notice": 8, "refused": 4}
#: how citizens rate (一次一评, on the phone page) the visits they rate: level → weight
RATING_WEIGHTS = {"5": 58, "4": 24, "3": 9, "2": 5, "1": 4}
RATED = 0.6
LOW_REASONS = ("long_wait", "attitude", "unclear_notice", "repeat_trips")
NO_SHOW = 0.04
TRANSFER = 0.03
MORNING = (time(8, 30), time(12, 0))
AFTERNOON = (time(13, 30), time(17, 0))


@dataclass
class VirtualClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


#: called after a visit is completed: (ctx, ticket id, rng) — the rating use case plugs in here
AfterVisit = Callable[[Context, str, random.Random], None]


def _local(day: date, t: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, t, tzinfo=tz).astimezone(UTC)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def rate_visit(ctx: Context, ticket_id: str, rng: random.Random) -> None:
    """The citizen rates the visit on their phone, now and then (never on their behalf when they
    do not: an unrated visit stays unrated)."""
    if rng.random() >= RATED:
        return
    level = int(_pick(rng, RATING_WEIGHTS))
    body: dict[str, Any] = {"level": level}
    if level <= 2:
        body["reasons"] = [rng.choice(LOW_REASONS)]
        body["comment"] = "等了很久，窗口解释不清楚" if level == 1 else "希望一次说清楚要带的材料"
    rating_service.rate_ticket(ctx, ANONYMOUS, ticket_id, body)


def _answer_follow_ups(
    sim: Context, clock: VirtualClock, day: date, tz: ZoneInfo, manager: Principal
) -> None:
    """The manager verifies and answers the follow-ups filed two working days ago or earlier."""
    with sim.db.read() as s:
        codes = list(
            s.scalars(
                select(Complaint.code).where(
                    Complaint.hall_id == manager.hall_id,
                    Complaint.status == "open",
                    Complaint.filed_day < day,
                )
            )
        )
    clock.now = _local(day, time(16, 30), tz)
    for i, code in enumerate(codes):
        upheld = i % 3 == 0
        body: dict[str, Any] = {
            "verdict": "upheld" if upheld else "not_upheld",
            "note": "调取叫号记录和监控核实" if upheld else "经核实，办理过程符合规定",
        }
        if upheld:
            body["corrective_action"] = "已对窗口人员进行提醒，改进一次性告知"
            body["decision"] = {"decision": "reminder"}
        try:
            complaint_service.verify_complaint(sim, manager, code, body)
            complaint_service.answer_complaint(
                sim, manager, code, {"answer": "已核实并电话回访群众，感谢您的监督"}
            )
        except RuleViolation:
            continue


def has_history(ctx: Context, code: str) -> bool:
    with ctx.db.read() as s:
        hall = s.scalar(select(Hall).where(Hall.code == code))
        if hall is None:
            return True
        return bool(s.scalar(select(func.count(Ticket.id)).where(Ticket.hall_id == hall.id)))


def seed_demo_month(
    ctx: Context,
    code: str = "demo",
    days: int = 30,
    scale: float = 1.0,
    seed: int = 2026,
    after_visit: AfterVisit | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Play the last `days` days of the hall through the services; returns the tickets issued
    (0 when the hall has tickets already: it runs once, before anyone uses the hall)."""
    if has_history(ctx, code):
        return 0
    rng = random.Random(seed)
    real_now = ctx.clock()
    clock = VirtualClock(real_now)
    sim = replace(ctx, clock=clock, publish=lambda _events: None, cache={})
    with ctx.db.read() as s:
        hall = s.scalar(select(Hall).where(Hall.code == code))
        assert hall is not None
        tz = ZoneInfo(hall.timezone)
        calendar = hall_calendar(s, hall)
        windows = {
            w.number: (w.id, w.a_user_id, [link.service.code for link in w.service_links])
            for w in s.scalars(select(Window).where(Window.hall_id == hall.id))
        }
        people = {u.id: u for u in s.scalars(select(User).where(User.hall_id == hall.id))}
        hall_id = hall.id
    kiosk = Principal(role="kiosk", hall_id=hall_id, hall_code=code)
    boss = next((u for u in people.values() if u.role == "manager"), None)
    manager = (
        Principal(role="manager", hall_id=hall_id, hall_code=code, user_id=boss.id, username=boss.username)
        if boss is not None
        else None
    )
    after = after_visit if after_visit is not None else rate_visit
    today = real_now.astimezone(tz).date()
    past = [today - timedelta(days=n) for n in range(days, 0, -1)]
    working = [d for d in past if calendar.covers(d) and calendar.is_working_day(d)]
    issued = 0
    for i, day in enumerate(working):
        issued += _play_day(sim, clock, rng, day, tz, windows, people, kiosk, scale, after)
        if manager is not None:
            _answer_follow_ups(sim, clock, day, tz, manager)
        if progress is not None:
            progress(i + 1, len(working))
    return issued


def _clerk(u: User, hall_id: int, code: str) -> Principal:
    return Principal(role="clerk", hall_id=hall_id, hall_code=code, user_id=u.id, username=u.username)


def _play_day(
    sim: Context,
    clock: VirtualClock,
    rng: random.Random,
    day: date,
    tz: ZoneInfo,
    windows: dict[int, tuple[int, int | None, list[str]]],
    people: dict[int, User],
    kiosk: Principal,
    scale: float,
    after_visit: AfterVisit | None,
) -> int:
    """One working day: returns the tickets issued."""
    events: list[tuple[datetime, int, str, Any]] = []
    seq = 0

    def at(when: datetime, kind: str, data: Any) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (when, seq, kind, data))

    # who works today: everyone at their A window, one absent now and then, some late
    absent = rng.choice(list(windows)) if rng.random() < 0.4 else None
    staffed: dict[int, Principal] = {}
    for number, (_wid, a_user, _codes) in windows.items():
        if a_user is None or number == absent:
            continue
        clerk = _clerk(people[a_user], kiosk.hall_id or 0, kiosk.hall_code or "")
        late = rng.random() < 0.08
        start = _local(day, MORNING[0], tz) + timedelta(
            minutes=rng.randint(6, 25) if late else rng.randint(-10, 0)
        )
        at(start, "sign_in", number)
        staffed[number] = clerk
    # citizens arrive
    for hour, rate in ARRIVALS_PER_HOUR.items():
        n = max(0, round(rng.gauss(rate * scale, (rate * scale) ** 0.5)))
        for _ in range(n):
            minute = rng.uniform(0, 60)
            when = _local(day, time(hour), tz) + timedelta(minutes=minute)
            local = when.astimezone(tz).time()
            if MORNING[0] <= local < MORNING[1] or AFTERNOON[0] <= local < AFTERNOON[1]:
                at(when, "arrive", _pick(rng, SERVICE_WEIGHTS))
    issued = 0
    serving: dict[int, str] = {}  # window number → ticket id being served
    idle: set[int] = set()  # windows that found nobody waiting: an arrival wakes them

    def wake(when: datetime, service: str | None = None) -> None:
        """An arrival wakes one idle window that serves it (the others would find nobody)."""
        for number in sorted(idle, key=lambda _n: rng.random()):
            if service is None or service in windows[number][2]:
                idle.discard(number)
                at(when + timedelta(seconds=rng.uniform(5, 40)), "free", number)
                if service is not None:
                    return

    while events:
        when, _, kind, data = heapq.heappop(events)
        clock.now = when
        local = when.astimezone(tz).time()
        try:
            if kind == "sign_in":
                window_service.sign_in(sim, staffed[data], windows[data][0])
                at(when + timedelta(minutes=1), "free", data)
            elif kind == "arrive":
                ticket_service.issue_ticket(sim, kiosk, data)
                issued += 1
                wake(when, data)
            elif kind == "free":
                number = data
                if MORNING[1] <= local < AFTERNOON[0]:  # lunch: the window calls again after it
                    at(_local(day, AFTERNOON[0], tz) + timedelta(minutes=rng.uniform(0, 5)), "free", number)
                    continue
                if local >= AFTERNOON[1]:
                    window_service.sign_out(sim, staffed[number], windows[number][0])
                    continue
                called = ticket_service.call_next(sim, staffed[number], windows[number][0])
                if called is None:
                    idle.add(number)
                    continue
                serving[number] = called["id"]
                if rng.random() < NO_SHOW:  # nobody comes: recalled once, then 过号
                    at(when + timedelta(minutes=1), "recall", number)
                    at(when + timedelta(minutes=2.5), "no_show", number)
                else:
                    at(when + timedelta(seconds=rng.uniform(20, 70)), "start", number)
            elif kind == "recall":
                ticket_service.act_on_ticket(sim, staffed[data], serving[data], "recall")
            elif kind == "no_show":
                ticket_service.act_on_ticket(sim, staffed[data], serving.pop(data), "no-show")
                at(when + timedelta(seconds=20), "free", data)
            elif kind == "start":
                tid = serving[data]
                ticket_service.act_on_ticket(sim, staffed[data], tid, "start")
                service = ticket_service.get_ticket(sim, tid)["service"]
                minutes = rng.lognormvariate(0, 0.45) * SERVICE_MINUTES.get(service, 8)
                at(when + timedelta(minutes=minutes), "finish", data)
            elif kind == "finish":
                if _finish(sim, rng, staffed[data], serving.pop(data), windows, data, after_visit):
                    wake(when)  # a transferred citizen waits in another queue
                at(when + timedelta(seconds=rng.uniform(10, 60)), "free", data)
        except RuleViolation:
            # a rule refused what the script tried (a window another clerk holds, say): a real
            # clerk would do something else; the day goes on
            if kind in ("start", "finish", "recall", "no_show"):
                serving.pop(data, None)
                at(when + timedelta(seconds=30), "free", data)
    end = _local(day, AFTERNOON[1], tz) + timedelta(minutes=5)
    for number in sorted(idle):  # windows that waited for citizens to the end close too
        clock.now = end
        window_service.sign_out(sim, staffed[number], windows[number][0])
    return issued


def _finish(
    sim: Context,
    rng: random.Random,
    clerk: Principal,
    tid: str,
    windows: dict[int, tuple[int, int | None, list[str]]],
    number: int,
    after_visit: AfterVisit | None,
) -> bool:
    """Complete (or transfer) the visit; True when the citizen was transferred."""
    if rng.random() < TRANSFER:  # the wrong queue: sent to another service, keeping the place
        others = sorted({c for n, (_w, _a, codes) in windows.items() if n != number for c in codes})
        mine = set(windows[number][2])
        choices = [c for c in others if c not in mine]
        if choices:
            transfer_service.transfer(
                sim, clerk, tid, "事项不符，转至对应窗口", service_code=rng.choice(choices)
            )
            return True
    outcome = _pick(rng, OUTCOME_WEIGHTS)
    if outcome == "notice":
        try:
            notice_service.create_notice(sim, clerk, tid, [{"name": "户口簿原件"}], note="请带齐材料再来")
        except RuleViolation:
            outcome = "done"
        else:
            outcome = ""  # the default after a notice: notice
    kwargs: dict[str, Any] = {}
    if outcome == "accepted":
        kwargs = {"outcome": "accepted", "materials": ["居民身份证", "申请表"]}
    elif outcome == "refused":
        kwargs = {"outcome": "refused", "reason_code": "材料不全", "reason": "缺少必要的证明材料"}
    elif outcome == "done":
        kwargs = {"outcome": "done"}
    try:
        ticket_service.act_on_ticket(sim, clerk, tid, "complete", **kwargs)
    except RuleViolation:
        # an on-the-spot matter (即办件) accepted as a case needs a reason: done on the spot
        ticket_service.act_on_ticket(sim, clerk, tid, "complete", outcome="done")
    if after_visit is not None:
        after_visit(sim, tid, rng)
    return False
