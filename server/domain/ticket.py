"""The ticket lifecycle: waiting → called → serving → done | no_show | cancelled.

Each transition is a pure function from a TicketState to a new TicketState; an action the
state does not allow raises RuleViolation and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .errors import RuleViolation


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


ACTIVE = frozenset({Status.CALLED, Status.SERVING})

#: How often a clerk may call the same number again before marking it a no-show.
RECALL_LIMIT = 3
#: A citizen who missed the call may come back this long after the no-show.
LATE_REACTIVATION_WINDOW = timedelta(minutes=30)
#: ... and only once per ticket.
REACTIVATION_LIMIT = 1
#: A clerk who pressed 过号 by mistake (or saw the citizen walk up) may take it back this long
#: after; the console's "撤销" toast shows for less, so a slow network still makes it.
NO_SHOW_UNDO_WINDOW = timedelta(seconds=10)


@dataclass(frozen=True)
class TicketState:
    status: Status
    window_id: int | None = None
    recalls: int = 0
    reactivations: int = 0
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


def _refuse(state: TicketState, action_zh: str, action_en: str) -> RuleViolation:
    return RuleViolation(
        "invalid_transition",
        f"当前状态（{state.status.value}）不能{action_zh}",
        f"a ticket that is {state.status.value} cannot be {action_en}",
    )


def call(state: TicketState, window_id: int, now: datetime) -> TicketState:
    """A waiting ticket is called to a window."""
    if state.status is not Status.WAITING:
        raise _refuse(state, "叫号", "called")
    return replace(state, status=Status.CALLED, window_id=window_id, recalls=0, called_at=now)


def recall(state: TicketState, now: datetime) -> TicketState:
    """The window calls its number again, at most RECALL_LIMIT times."""
    if state.status is not Status.CALLED:
        raise _refuse(state, "重呼", "recalled")
    if state.recalls >= RECALL_LIMIT:
        raise RuleViolation(
            "recall_limit",
            f"已重呼 {RECALL_LIMIT} 次，请按过号处理",
            f"recalled {RECALL_LIMIT} times already; mark it as a no-show",
        )
    return replace(state, recalls=state.recalls + 1, called_at=now)


def start(state: TicketState, now: datetime) -> TicketState:
    """The citizen arrived at the window: service starts."""
    if state.status is not Status.CALLED:
        raise _refuse(state, "开始办理", "started")
    return replace(state, status=Status.SERVING, started_at=now)


def complete(state: TicketState, now: datetime) -> TicketState:
    """Service at the window is finished."""
    if state.status is not Status.SERVING:
        raise _refuse(state, "办结", "completed")
    return replace(state, status=Status.DONE, finished_at=now)


def no_show(state: TicketState, now: datetime) -> TicketState:
    """The called citizen did not come (过号)."""
    if state.status is not Status.CALLED:
        raise _refuse(state, "过号", "marked a no-show")
    return replace(state, status=Status.NO_SHOW, finished_at=now)


def cancel(state: TicketState, now: datetime) -> TicketState:
    """A waiting citizen gives up their number."""
    if state.status is not Status.WAITING:
        raise _refuse(state, "取消", "cancelled")
    return replace(state, status=Status.CANCELLED, finished_at=now)


def reactivate(state: TicketState, now: datetime) -> TicketState:
    """A citizen who missed the call comes back soon after: the ticket waits again.

    It keeps its original queued time, so it is called next among its peers; this is allowed
    once and only within LATE_REACTIVATION_WINDOW of the no-show.
    """
    if state.status is not Status.NO_SHOW:
        raise _refuse(state, "恢复排队", "reactivated")
    if state.reactivations >= REACTIVATION_LIMIT:
        raise RuleViolation(
            "reactivation_limit",
            "该号已恢复过一次，请重新取号",
            "this number was reactivated once already; take a new number",
        )
    if state.finished_at is None or now - state.finished_at > LATE_REACTIVATION_WINDOW:
        minutes = int(LATE_REACTIVATION_WINDOW.total_seconds() // 60)
        raise RuleViolation(
            "reactivation_expired",
            f"过号超过 {minutes} 分钟，请重新取号",
            f"more than {minutes} minutes since the no-show; take a new number",
        )
    return replace(
        state,
        status=Status.WAITING,
        window_id=None,
        recalls=0,
        reactivations=state.reactivations + 1,
        called_at=None,
        finished_at=None,
    )


def undo_no_show(state: TicketState, marked_by: int | None, clerk_id: int, now: datetime) -> TicketState:
    """The clerk takes back their own 过号 within NO_SHOW_UNDO_WINDOW: the ticket is called again
    at the same window (its call time and recalls unchanged; the window must be free, which
    domain/window.py decides). Anyone else, or later, is refused: a citizen who comes back later
    is reactivated into the queue instead."""
    if state.status is not Status.NO_SHOW:
        raise _refuse(state, "撤销过号", "taken back from a no-show")
    if marked_by is None or marked_by != clerk_id:
        raise RuleViolation(
            "undo_not_yours",
            "只有标记过号的工作人员本人可以撤销过号",
            "only the clerk who marked the no-show can take it back",
        )
    seconds = int(NO_SHOW_UNDO_WINDOW.total_seconds())
    if state.finished_at is None or now - state.finished_at > NO_SHOW_UNDO_WINDOW:
        raise RuleViolation(
            "undo_expired",
            f"过号已超过 {seconds} 秒，不能撤销；群众回来后请按“恢复排队”处理",
            f"more than {seconds} s since the no-show; reactivate the ticket when the citizen comes back",
        )
    return replace(state, status=Status.CALLED, finished_at=None)
