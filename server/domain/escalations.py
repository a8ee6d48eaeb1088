"""Escalation (请示) of 首办(问)责任制: what the first clerk cannot solve goes to a leader and back.

A clerk asks a manager a question about a ticket or a case; a manager (not the one who asked)
answers once; the answer comes back to the clerk, who records what the citizen was told (反馈) —
once, and only after the answer. The feedback of a case's escalations is shown on the citizen's
case page.

Every refusal names the request field it is about (``RuleViolation.field``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import RuleViolation

ASKED, ANSWERED, FED_BACK = "asked", "answered", "fed_back"
STATUSES = (ASKED, ANSWERED, FED_BACK)
#: list filters: `open` = not yet answered, `answered` = answered but not yet fed back
FILTERS = ("open", "answered", "all")

ASKER_ROLES = ("clerk", "manager")
ANSWERER_ROLES = ("manager", "admin")
MAX_TEXT = 1000


def _bad(field: str, zh: str, en: str, code: str = "invalid_field") -> RuleViolation:
    err = RuleViolation(code, zh, en)
    err.field = field
    return err


def _text(value: object, field: str, what_zh: str, what_en: str) -> str:
    if value is not None and not isinstance(value, str):
        raise _bad(field, f"{what_zh}须为文字", f"{what_en} is text")
    text = (value or "").strip()
    if not text:
        raise _bad(field, f"请填写{what_zh}", f"{what_en} is required")
    if len(text) > MAX_TEXT:
        raise _bad(field, f"{what_zh}最多 {MAX_TEXT} 字", f"{what_en} is longer than {MAX_TEXT} characters")
    return text


@dataclass(frozen=True)
class EscalationState:
    asked_by: int
    answered: bool = False
    fed_back: bool = False

    @property
    def status(self) -> str:
        return FED_BACK if self.fed_back else ANSWERED if self.answered else ASKED


def ask(role: str, ticket: object, case: object, question: object) -> str:
    """A question to a manager about exactly one ticket or case; returns the question."""
    if role not in ASKER_ROLES:
        raise RuleViolation("forbidden", "只有窗口工作人员可以请示", "only window staff escalate a question")
    if (ticket is None) == (case is None):
        raise _bad("ticket", "请示须针对一张号票或一个办件（二选一）", "name either a ticket or a case")
    return _text(question, "question", "请示内容", "the question")


def answer(
    state: EscalationState, role: str, user_id: int | None, text: object
) -> tuple[EscalationState, str]:
    """A manager's answer: once, and never by the person who asked."""
    if role not in ANSWERER_ROLES:
        raise RuleViolation("forbidden", "只有经理可以答复请示", "only a manager answers an escalation")
    if user_id is not None and user_id == state.asked_by:
        raise RuleViolation("forbidden", "不能答复自己的请示", "nobody answers their own escalation")
    if state.answered:
        raise RuleViolation("escalation_answered", "该请示已答复", "this escalation is already answered")
    reply = _text(text, "answer", "答复", "the answer")
    return EscalationState(state.asked_by, answered=True), reply


def feed_back(state: EscalationState, user_id: int | None, text: object) -> tuple[EscalationState, str]:
    """What the clerk told the citizen (反馈): by the clerk who asked, after the answer, once."""
    if user_id != state.asked_by:
        raise RuleViolation(
            "forbidden", "只有请示人可以记录反馈", "only the clerk who asked records the feedback"
        )
    if not state.answered:
        raise RuleViolation(
            "escalation_unanswered", "请示尚未答复，不能反馈", "the escalation is not answered yet"
        )
    if state.fed_back:
        raise RuleViolation("escalation_fed_back", "已记录反馈", "the feedback is already recorded")
    said = _text(text, "feedback", "给群众的反馈", "the feedback to the citizen")
    return EscalationState(state.asked_by, answered=True, fed_back=True), said
