"""First-contact responsibility (首办(问)责任制): transfers and the matter's owner.

A misdirected citizen is transferred, never sent back to the kiosk: the ticket keeps its
number and its original queued time, so in its new queue it goes ahead of everyone who came
later; a ticket directed to one window is called there first. The first clerk who served the
citizen owns the matter until it is done, wherever it is finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .errors import RuleViolation
from .ticket import Status, TicketState

MAX_REASON = 300


def transfer(state: TicketState) -> TicketState:
    """A ticket at a window goes back to waiting (in another queue): called or serving only."""
    if state.status not in (Status.CALLED, Status.SERVING):
        raise RuleViolation(
            "invalid_transition",
            f"当前状态（{state.status.value}）不能转办",
            f"a ticket that is {state.status.value} cannot be transferred",
        )
    return replace(state, status=Status.WAITING, window_id=None, recalls=0, called_at=None, started_at=None)


def service_at_window(current: str, served: Sequence[str]) -> str:
    """A citizen transferred to a window keeps their service when the window serves it, else
    takes the window's first service."""
    if not served:
        raise RuleViolation("no_service", "该窗口没有办理任何事项", "that window serves no service")
    return current if current in served else served[0]


def check_reason(reason: str | None) -> str:
    """Every transfer says why (it is what the figures of misdirected citizens are built from)."""
    text = (reason or "").strip()
    if not text:
        raise RuleViolation("invalid_field", "请填写转办原因", "a transfer needs a reason")
    if len(text) > MAX_REASON:
        raise RuleViolation(
            "invalid_field",
            f"转办原因最多 {MAX_REASON} 字",
            f"the reason is longer than {MAX_REASON} characters",
        )
    return text


def check_target_open(target_open: bool, override: bool) -> None:
    """Nobody is sent to a queue no open window serves, unless a manager overrides."""
    if not target_open and not override:
        raise RuleViolation(
            "no_open_window",
            "目标事项或窗口当前没有开放的窗口办理，请联系值班经理",
            "no open window serves the target now; a manager can override",
        )


def first_contact_owner(current_owner: int | None, clerk_id: int) -> int:
    """The first clerk who served the citizen owns the matter; later clerks never take it over."""
    return current_owner if current_owner is not None else clerk_id


def where_to_go(number: str, window_numbers: Sequence[int]) -> tuple[str, str]:
    """What the boards and the phone tell the citizen: "C012 请到 8 号窗口"."""
    if not window_numbers:
        return f"{number} 请等候叫号", f"{number}: please wait to be called"
    listed = "、".join(str(n) for n in sorted(window_numbers))
    en = ", ".join(str(n) for n in sorted(window_numbers))
    plural = "window" if len(window_numbers) == 1 else "windows"
    return f"{number} 请到 {listed} 号窗口", f"{number}: please go to {plural} {en}"
