"""Ratings (好差评, 一次一评): five levels, the reasons of the two low ones, who may rate and when.

Every completed ticket may be rated once, by the rating pad (评价器) of the window that served it
or by the ticket's holder on their phone page within 24 hours of completion. The pad never rates
on its own: a citizen who does not answer leaves the ticket not rated (never satisfied). A rating
of level 1 or 2 (不满意, 非常不满意) opens a follow-up (domain/complaints.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import RuleViolation

#: 5 = 非常满意 … 1 = 非常不满意
LEVELS = (5, 4, 3, 2, 1)
LEVEL_NAMES_ZH = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
LEVEL_NAMES_EN = {
    5: "very satisfied",
    4: "satisfied",
    3: "fairly satisfied",
    2: "dissatisfied",
    1: "very dissatisfied",
}
#: the levels that ask for reasons and open a follow-up
LOW_LEVELS = (1, 2)
#: the levels the satisfaction rate (满意率) counts as satisfied
SATISFIED_LEVELS = (3, 4, 5)

#: reasons of a low rating, in the order the pad shows them
REASONS = ("attitude", "shirking", "long_wait", "repeat_trips", "unclear_notice", "overdue", "other")
REASON_NAMES_ZH = {
    "attitude": "态度差",
    "shirking": "推诿",
    "long_wait": "等候太久",
    "repeat_trips": "多次跑腿",
    "unclear_notice": "材料告知不清",
    "overdue": "办理超时",
    "other": "其他",
}
REASON_NAMES_EN = {
    "attitude": "rude",
    "shirking": "pushed back",
    "long_wait": "waited too long",
    "repeat_trips": "came several times",
    "unclear_notice": "materials not told clearly",
    "overdue": "took too long",
    "other": "other",
}
MAX_COMMENT = 500

#: the pad: the rater standing at the window; the phone: the ticket's holder
PAD, PHONE = "pad", "phone"
SOURCES = (PAD, PHONE)
#: how long after completion the holder's phone may still rate
PHONE_WINDOW = timedelta(hours=24)
#: how long the pad waits for the citizen before going back to idle (nothing stored)
DEFAULT_PAD_TIMEOUT_S = 60

#: the follow-up category a low rating's reasons point to, first reason first
_CATEGORY_OF_REASON = {
    "attitude": "attitude",
    "shirking": "shirking",
    "long_wait": "overdue",
    "overdue": "overdue",
    "repeat_trips": "notice",
    "unclear_notice": "notice",
}


def _bad(field: str, zh: str, en: str) -> RuleViolation:
    err = RuleViolation("invalid_field", zh, en)
    err.field = field
    return err


@dataclass(frozen=True)
class RatingInput:
    """A rating checked: its level, the reasons (low levels only) and the citizen's words."""

    level: int
    reasons: tuple[str, ...]
    comment: str | None

    @property
    def is_low(self) -> bool:
        return self.level in LOW_LEVELS


def check_rating(level: object, reasons: object = None, comment: object = None) -> RatingInput:
    """A rating as sent, checked: level 1–5; the two low levels need at least one listed reason,
    the others take none; `other` is explained in the comment."""
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise _bad("level", "评价等级须为 1–5（5 = 非常满意）", "level is 1-5 (5 = very satisfied)")
    picked: list[str] = []
    if reasons is not None:
        if not isinstance(reasons, list | tuple) or not all(isinstance(r, str) for r in reasons):
            raise _bad("reasons", "原因须为列表", "reasons is a list of reason keys")
        for r in reasons:
            if r not in REASONS:
                raise _bad(
                    "reasons", f"未知的原因：{r}（可选：{'/'.join(REASONS)}）", f"unknown reason {r!r}"
                )
            if r not in picked:
                picked.append(r)
    text: str | None = None
    if comment is not None:
        if not isinstance(comment, str):
            raise _bad("comment", "意见须为文字", "comment is text")
        text = comment.strip() or None
        if text is not None and len(text) > MAX_COMMENT:
            raise _bad(
                "comment", f"意见最多 {MAX_COMMENT} 字", f"comment is longer than {MAX_COMMENT} characters"
            )
    if level in LOW_LEVELS:
        if not picked:
            raise _bad("reasons", "请选择不满意的原因", "a low rating names at least one reason")
        if picked == ["other"] and text is None:
            raise _bad("comment", "选择“其他”请说明原因", "explain the reason 'other' in the comment")
    elif picked:
        raise _bad("reasons", "只有不满意和非常不满意需要原因", "only the two low levels take reasons")
    return RatingInput(level, tuple(picked), text)


class RatingRefused(RuleViolation):
    """This rater may not rate this ticket (now); nothing is stored."""


@dataclass(frozen=True)
class RatedTicket:
    """What the rules need to know of the ticket being rated."""

    status: str
    window_id: int | None
    finished_at: datetime | None
    already_rated: bool


def may_rate(ticket: RatedTicket, source: str, pad_window_id: int | None, now: datetime) -> None:
    """Raise unless `source` may rate `ticket` now: the pad of the ticket's window, or the holder
    within PHONE_WINDOW of completion; only a completed ticket; once (一次一评)."""
    if source not in SOURCES:
        raise RatingRefused(
            "forbidden", "只有评价器或办事群众本人可以评价", "only a pad or the ticket's holder rates"
        )
    if source == PAD and (pad_window_id is None or pad_window_id != ticket.window_id):
        raise RatingRefused(
            "forbidden", "评价器只能评价本窗口办理的业务", "a pad rates the tickets of its own window only"
        )
    if ticket.status != "done":
        raise RatingRefused(
            "not_completed", "业务尚未办结，不能评价", "the ticket is not completed: nothing to rate"
        )
    if ticket.already_rated:
        raise RatingRefused("already_rated", "该业务已评价（一次一评）", "this ticket has been rated already")
    if source == PHONE and (ticket.finished_at is None or now - ticket.finished_at > PHONE_WINDOW):
        raise RatingRefused(
            "rating_closed", "办结超过 24 小时，已不能评价", "ratings close 24 hours after completion"
        )


def phone_may_still_rate(ticket: RatedTicket, now: datetime) -> bool:
    """Whether the holder's phone page offers rating: completed, not rated, within 24 hours."""
    try:
        may_rate(ticket, PHONE, None, now)
    except RatingRefused:
        return False
    return True


def follow_up_category(reasons: Iterable[str]) -> str:
    """The category of the follow-up a low rating opens: the first reason that names one, else
    attitude (态度)."""
    for r in reasons:
        if r in _CATEGORY_OF_REASON:
            return _CATEGORY_OF_REASON[r]
    return "attitude"


def describe(rating: RatingInput) -> str:
    """The follow-up's text for a low rating: its level and reasons in Chinese, then the comment."""
    parts = [f"评价：{LEVEL_NAMES_ZH[rating.level]}"]
    if rating.reasons:
        parts.append("原因：" + "、".join(REASON_NAMES_ZH[r] for r in rating.reasons))
    if rating.comment:
        parts.append(rating.comment)
    return "；".join(parts)
