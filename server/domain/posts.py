"""A/B posts (AB岗制度): A is responsible for a window; B covers while A is away.

While A is on leave or not signed in at the window (during opening hours), B serves A's
window's services and A's directed tickets, and A's window board sends citizens to B. When
neither A nor B is present and citizens wait for the window, the hall raises an alarm.

`covered_by` and `needs_alarm` are the one-step rules (B directly); what the screens, call-next,
the estimates and the alarm ask is `domain.routing`, which builds on `a_is_away` and adds the
chain of cover (B away → B's B post), pauses (a paused B covers nobody now) and closures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .errors import RuleViolation

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_NOTE = 2000
MAX_REASON = 300
#: leave is registered at most a year before it starts …
LEAVE_AHEAD_DAYS = 366
#: … and one registration covers at most a year (a longer absence is registered again)
MAX_LEAVE_DAYS = 366
#: opening spans of one weekday (morning, afternoon, evening … not hundreds)
MAX_SPANS = 8
_HM = re.compile(r"[0-9]{1,2}:[0-9]{2}\Z")


@dataclass(frozen=True)
class Post:
    """One window's posts and who is where right now."""

    window_id: int
    a_user: int | None
    b_user: int | None
    #: clerk signed in at this window now
    clerk: int | None


def a_is_away(post: Post, on_leave: Iterable[int]) -> bool:
    """A is away when on leave, or simply not signed in at their window."""
    if post.a_user is None:
        return False
    return post.a_user in set(on_leave) or post.clerk != post.a_user


def covered_by(
    me: int, posts: Sequence[Post], signed_in: Mapping[int, int], on_leave: Iterable[int]
) -> list[int]:
    """Windows whose queue `me` serves as B post: A away, and I am signed in somewhere.

    `signed_in` maps each signed-in clerk to their window.
    """
    leave = set(on_leave)
    if me not in signed_in or me in leave:
        return []
    return [p.window_id for p in posts if p.b_user == me and p.clerk is None and a_is_away(p, leave)]


def needs_alarm(
    post: Post, signed_in: Mapping[int, int], on_leave: Iterable[int], waiting: int, open_now: bool
) -> bool:
    """Neither A nor B on duty, the window empty, and citizens waiting for it, in opening hours.

    An empty window means A is not at it; B covers from wherever B is signed in — but only a
    window with an A post is covered (`covered_by`): a window with a B post alone is alarmed.
    """
    if not open_now or waiting <= 0 or post.clerk is not None:
        return False
    b_covers = (
        post.a_user is not None
        and post.b_user is not None
        and post.b_user in signed_in
        and post.b_user not in set(on_leave)
    )
    return not b_covers


def check_posts(a_user: int | None, b_user: int | None) -> None:
    if a_user is not None and a_user == b_user:
        raise RuleViolation("invalid_field", "A岗和B岗不能是同一人", "A and B must be different people")


def is_short_notice(registered_on: date, start_day: date) -> bool:
    """Leave must be handed over by the day before (提前一天做好工作的移交)."""
    return registered_on >= start_day


def _bad(field: str, message_zh: str, message_en: str) -> RuleViolation:
    err = RuleViolation("invalid_field", message_zh, message_en)
    err.field = field
    return err


def check_leave(start_day: date, end_day: date, reason: str, handover_note: str, today: date) -> None:
    """A leave runs from its start to its end day, ends today or later, starts at most
    LEAVE_AHEAD_DAYS ahead and lasts at most MAX_LEAVE_DAYS; it has a reason and a note for B."""
    if end_day < start_day:
        raise _bad("end", "结束日期早于开始日期", "the leave ends before it starts")
    if end_day < today:
        raise _bad("end", "不能登记已经结束的请假", "this leave is over already")
    if start_day > today + timedelta(days=LEAVE_AHEAD_DAYS):
        raise _bad(
            "start",
            f"请假最多提前 {LEAVE_AHEAD_DAYS} 天登记",
            f"leave is registered at most {LEAVE_AHEAD_DAYS} days ahead",
        )
    if (end_day - start_day).days + 1 > MAX_LEAVE_DAYS:
        raise _bad(
            "end",
            f"一次请假最多 {MAX_LEAVE_DAYS} 天",
            f"one leave lasts at most {MAX_LEAVE_DAYS} days",
        )
    if not reason.strip() or len(reason) > MAX_REASON:
        raise _bad("reason", "请填写请假事由（300字以内）", "give a reason (up to 300 characters)")
    if not handover_note.strip():
        raise _bad("handover_note", "请填写移交说明，B岗凭此顶岗", "write the handover note for the B post")
    if len(handover_note) > MAX_NOTE:
        raise _bad("handover_note", f"移交说明最多 {MAX_NOTE} 字", f"the note is over {MAX_NOTE} characters")


def _hm(text: object) -> time:
    if not isinstance(text, str) or not _HM.match(text):
        raise TypeError("a time is a string HH:MM")
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


#: the weekdays whose hours a 调休 make-up workday may take
MAKEUP_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def check_makeup_weekday(day: str | None) -> None:
    """A 调休 make-up workday (a weekend day the State Council makes a workday) takes the
    opening hours of one ordinary weekday, which the hall names (None: Monday's)."""
    if day is not None and day not in MAKEUP_WEEKDAYS:
        raise _bad(
            "makeup_weekday",
            "调休工作日须按周一至周五中的某一天的时段开放",
            "a make-up workday takes the hours of a weekday, mon to fri",
        )


def check_opening_hours(hours: Mapping[str, object] | None) -> None:
    """{"mon": [["08:30", "12:00"], ["13:30", "17:30"]], …}; days left out are closed."""
    if hours is None:
        return
    for day, spans in hours.items():
        where = f"opening_hours.{day}"
        if day not in DAYS:
            raise _bad(where, f"未知的星期 {day}", f"unknown day {day}")
        if not isinstance(spans, list):
            raise _bad(where, f"{day} 必须是时段列表", f"{day} must be a list of spans")
        if len(spans) > MAX_SPANS:
            raise _bad(where, f"{day} 最多 {MAX_SPANS} 个时段", f"{day}: at most {MAX_SPANS} spans")
        for i, span in enumerate(spans):
            try:
                if not isinstance(span, list):
                    raise TypeError("a span is a list [from, to]")
                start, end = (_hm(x) for x in span)
            except (ValueError, TypeError) as err:
                raise _bad(f"{where}[{i}]", f"{day} 的时段格式应为 HH:MM", f"{day}: use HH:MM") from err
            if end <= start:
                raise _bad(
                    f"{where}[{i}]", f"{day} 的时段结束早于开始", f"{day}: a span ends before it starts"
                )


def is_open(hours: Mapping[str, list[list[str]]] | None, local: datetime, day_key: str | None = "") -> bool:
    """Whether the hall is open at this local time (None: open around the clock). `day_key`
    names whose hours the day keeps (workdays.hours_key: None on a holiday, a weekday's on a
    调休 workday); left out, the local weekday's."""
    if hours is None:
        return True
    if day_key is None:
        return False
    now = local.time()
    return any(_hm(a) <= now < _hm(b) for a, b in hours.get(day_key or DAYS[local.weekday()], []))
