"""A window's status: closed → open (a clerk signs in) ⇄ paused → closed (sign-out)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from .errors import RuleViolation


class WindowStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


@dataclass(frozen=True)
class WindowState:
    status: WindowStatus
    clerk_id: int | None = None
    pause_reason: str | None = None


MAX_PAUSE_REASON = 200


def sign_in(state: WindowState, clerk_id: int) -> WindowState:
    """A clerk takes the window; one clerk per window at a time."""
    if state.clerk_id is not None and state.clerk_id != clerk_id:
        raise RuleViolation(
            "window_taken",
            "该窗口已有工作人员签到",
            "another clerk is signed in at this window",
        )
    return WindowState(WindowStatus.OPEN, clerk_id, None)


def sign_out(state: WindowState, clerk_id: int, has_active_ticket: bool) -> WindowState:
    """The clerk leaves; a number still at the window must be finished first."""
    _require_clerk(state, clerk_id)
    if has_active_ticket:
        raise RuleViolation(
            "window_busy",
            "请先办结或过号当前号码再签退",
            "finish or no-show the current number before signing out",
        )
    return WindowState(WindowStatus.CLOSED, None, None)


def pause(state: WindowState, clerk_id: int, reason: str) -> WindowState:
    """The window stops calling for a while, with a reason the board shows."""
    _require_clerk(state, clerk_id)
    reason = reason.strip()
    if not reason:
        raise RuleViolation("invalid_field", "请填写暂停原因", "a pause needs a reason")
    if len(reason) > MAX_PAUSE_REASON:
        raise RuleViolation(
            "invalid_field",
            f"暂停原因最多 {MAX_PAUSE_REASON} 字",
            f"the pause reason is longer than {MAX_PAUSE_REASON} characters",
        )
    if state.status is not WindowStatus.OPEN:
        raise RuleViolation("window_not_open", "窗口未在服务中", "the window is not open")
    return replace(state, status=WindowStatus.PAUSED, pause_reason=reason)


def resume(state: WindowState, clerk_id: int) -> WindowState:
    """A paused window serves again."""
    _require_clerk(state, clerk_id)
    if state.status is not WindowStatus.PAUSED:
        raise RuleViolation("window_not_paused", "窗口未暂停", "the window is not paused")
    return replace(state, status=WindowStatus.OPEN, pause_reason=None)


def ensure_can_call(state: WindowState, clerk_id: int, has_active_ticket: bool) -> None:
    """Call-next needs an open window, its own clerk, and no number still at the counter."""
    _require_clerk(state, clerk_id)
    if state.status is not WindowStatus.OPEN:
        raise RuleViolation(
            "window_not_open",
            "窗口暂停或关闭中，不能叫号",
            "the window is paused or closed",
        )
    if has_active_ticket:
        raise RuleViolation(
            "window_busy",
            "请先办结或过号当前号码",
            "finish or no-show the current number first",
        )


def ensure_can_take_back(state: WindowState, clerk_id: int, has_active_ticket: bool) -> None:
    """Taking back a 过号 puts the number at the counter again: the window's own clerk, with no
    other number at the counter (paused is fine: the citizen is already there)."""
    _require_clerk(state, clerk_id)
    if state.status is WindowStatus.CLOSED:
        raise RuleViolation("window_not_open", "窗口已关闭，不能撤销过号", "the window is closed")
    if has_active_ticket:
        raise RuleViolation(
            "window_busy",
            "已叫下一个号码，不能撤销过号；群众回来后请按“恢复排队”处理",
            "the next number is at the window already; reactivate the ticket instead",
        )


def _require_clerk(state: WindowState, clerk_id: int) -> None:
    if state.clerk_id != clerk_id:
        raise RuleViolation(
            "window_not_signed_in",
            "你没有在该窗口签到",
            "you are not signed in at this window",
        )
