"""Outcomes at the window and cases (办件): 限时办结制 and the rest of 首办(问)责任制.

Completing a ticket records one outcome beside its status (the status stays done): ``done``
(办结 on the spot), ``accepted`` (受理: a case opens), ``refused`` (不予受理: a reason from the
list plus free text, 说明理由) or ``notice`` (a one-time notice was given during the visit).

A case runs accepted → (suspended ⇄ accepted) → completed → delivered. Its first-contact clerk
owns it until delivery; it moves to another clerk only with a recorded reason. A manager may put
it under supervision (督办) with a note and a reply-by date; the owner answers.

Every refusal names the request field it is about (``RuleViolation.field``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from .errors import RuleViolation
from .workdays import GREEN, RED, YELLOW

DONE, ACCEPTED, REFUSED, NOTICE = "done", "accepted", "refused", "notice"
OUTCOMES = (DONE, ACCEPTED, REFUSED, NOTICE)

#: why a matter is not accepted (不予受理 / 暂不能办理); "其他" needs the free text most
REFUSAL_REASONS = ("材料不全", "不符合受理条件", "不属于本部门职权", "其他")
#: legal reasons to stop a case's clock: 补正 (waiting for the citizen's materials), 特别程序
SUSPEND_KINDS = ("补正", "特别程序")
#: 送达: collected at a window, posted (with tracking text), or electronic
DELIVERY_METHODS = ("window", "post", "electronic")

#: the yellow threshold of a service whose guide names none (working days left)
DEFAULT_WARN_DAYS = 2
MAX_REASON = 500
#: the outcome's text: stored after the listed reason ("材料不全：…") in the ticket's 500
MAX_OUTCOME_REASON = 480
MAX_NOTE = 200
MAX_ANSWER = 500
MAX_MATERIALS = 50
MAX_MATERIAL_NAME = 200
#: the case number's per-hall, per-day counter has four digits
MAX_CASES_PER_DAY = 9999

MANAGER_ROLES = ("manager", "admin")


class CaseStatus(StrEnum):
    ACCEPTED = "accepted"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    DELIVERED = "delivered"


OPEN_STATUSES = (CaseStatus.ACCEPTED.value, CaseStatus.SUSPENDED.value, CaseStatus.COMPLETED.value)


def _bad(field: str, zh: str, en: str, code: str = "invalid_field") -> RuleViolation:
    err = RuleViolation(code, zh, en)
    err.field = field
    return err


def _text(
    value: str | None, field: str, max_len: int, what_zh: str, what_en: str, required: bool
) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise _bad(field, f"请填写{what_zh}", f"{what_en} is required")
        return None
    if len(text) > max_len:
        raise _bad(field, f"{what_zh}最多 {max_len} 字", f"{what_en} is longer than {max_len} characters")
    return text


# ---------------------------------------------------------------- outcome at the window


@dataclass(frozen=True)
class Outcome:
    """What completing a ticket meant, and the reason recorded with it."""

    kind: str
    reason: str | None = None
    reason_code: str | None = None

    @property
    def stored_reason(self) -> str | None:
        """The ticket's `outcome_reason`: the listed reason and the free text (说明理由)."""
        if self.reason_code and self.reason:
            return f"{self.reason_code}：{self.reason}"
        return self.reason_code or self.reason


def default_outcome(notice_given: bool) -> str:
    """A completion that names no outcome: `notice` when a one-time notice was given during the
    visit, else `done` (what every client did before outcomes existed)."""
    return NOTICE if notice_given else DONE


def decide_outcome(
    outcome: str | None,
    reason: str | None = None,
    reason_code: str | None = None,
    *,
    notice_given: bool = False,
    promised_limit_days: int | None = None,
) -> Outcome:
    """Check a completion's outcome and its reason.

    A refusal needs a reason from REFUSAL_REASONS (`reason_code`) and the free text explaining it
    (`reason`); accepting an on-the-spot matter (即办件, promised 0 days) as a case needs a reason.
    """
    kind = default_outcome(notice_given) if outcome is None else outcome.strip().lower()
    if kind not in OUTCOMES:
        raise _bad(
            "outcome",
            f"未知的办理结果：{outcome}（可选：{'/'.join(OUTCOMES)}）",
            f"unknown outcome {outcome!r} (one of {', '.join(OUTCOMES)})",
        )
    if kind == REFUSED:
        code = (reason_code or "").strip()
        if not code:
            raise _bad(
                "reason_code",
                f"不予受理须选择理由（{'/'.join(REFUSAL_REASONS)}）",
                "a refusal needs a reason code from the list",
            )
        if code not in REFUSAL_REASONS:
            raise _bad(
                "reason_code",
                f"未知的不予受理理由：{code}（可选：{'/'.join(REFUSAL_REASONS)}）",
                f"unknown refusal reason {code!r}",
            )
        text = _text(
            reason, "reason", MAX_OUTCOME_REASON, "不予受理的说明理由", "the explanation of a refusal", True
        )
        return Outcome(kind, text, code)
    if reason_code is not None and reason_code.strip():
        raise _bad("reason_code", "只有不予受理需要选择理由", "only a refusal takes a reason code")
    on_the_spot = kind == ACCEPTED and promised_limit_days == 0
    text = _text(
        reason,
        "reason",
        MAX_OUTCOME_REASON,
        "即办件转为受理的理由" if on_the_spot else "说明",
        "the reason to accept an on-the-spot matter as a case" if on_the_spot else "the reason",
        on_the_spot,
    )
    return Outcome(kind, text)


def received_materials(items: Iterable[Any] | None, outcome: str = ACCEPTED) -> list[dict[str, str]] | None:
    """The materials received with an accepted matter, as `[{"name": ...}]` (None: not listed).
    Only an accepted matter lists what was received."""
    if items is None:
        return None
    if outcome != ACCEPTED:
        raise _bad("materials", "只有受理的事项登记收到的材料", "only an accepted matter lists materials")
    out: list[dict[str, str]] = []
    for i, item in enumerate(items):
        name = item.get("name") if isinstance(item, Mapping) else item
        if not isinstance(name, str) or not name.strip():
            raise _bad(f"materials[{i}]", "材料名称不能为空", "a material needs a name")
        if len(name.strip()) > MAX_MATERIAL_NAME:
            raise _bad(
                f"materials[{i}]",
                f"材料名称最多 {MAX_MATERIAL_NAME} 字",
                f"a material name is longer than {MAX_MATERIAL_NAME} characters",
            )
        out.append({"name": name.strip()})
    if len(out) > MAX_MATERIALS:
        raise _bad("materials", f"材料最多 {MAX_MATERIALS} 项", f"at most {MAX_MATERIALS} materials")
    return out


# ---------------------------------------------------------------- commitments


def _days(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def case_limit(guide: Mapping[str, Any] | None) -> int | None:
    """The working days a case has: the promised limit (承诺时限), else the legal one."""
    g = guide or {}
    promised = _days(g.get("promised_limit_days"))
    return promised if promised is not None else _days(g.get("legal_limit_days"))


def legal_limit(guide: Mapping[str, Any] | None) -> int | None:
    """The legal time limit (法定时限) of a service, in working days (None: none)."""
    return _days((guide or {}).get("legal_limit_days"))


def promised_limit(guide: Mapping[str, Any] | None) -> int | None:
    """The promised time limit (承诺时限): 0 is a 即办件, None none."""
    return _days((guide or {}).get("promised_limit_days"))


def warn_days(guide: Mapping[str, Any] | None) -> int:
    """The service's yellow threshold (`warn_days` of its guide), DEFAULT_WARN_DAYS without one."""
    value = _days((guide or {}).get("warn_days"))
    return DEFAULT_WARN_DAYS if value is None else value


# ---------------------------------------------------------------- numbers


def case_number(day: date, prefix: str, n: int) -> str:
    """The human case number, printed and spoken on the phone: 20261130-A-0001 (per hall and day)."""
    if not 1 <= n <= MAX_CASES_PER_DAY:
        raise RuleViolation(
            "case_limit_reached",
            f"本大厅今日受理已达 {MAX_CASES_PER_DAY} 件",
            f"this hall accepted {MAX_CASES_PER_DAY} cases today",
        )
    return f"{day:%Y%m%d}-{prefix}-{n:04d}"


def new_case_code() -> str:
    """The unguessable key of the citizen's case page (96 bits)."""
    return secrets.token_urlsafe(12)


# ---------------------------------------------------------------- the case's life


@dataclass(frozen=True)
class CaseState:
    status: CaseStatus
    owner_id: int | None
    #: a supervision (督办) waits for the owner's answer
    supervision_open: bool = False


def _refuse(state: CaseState, zh: str, en: str) -> RuleViolation:
    return _bad(
        "status",
        f"办件当前状态（{state.status.value}）不能{zh}",
        f"a case that is {state.status.value} cannot be {en}",
        code="invalid_transition",
    )


def suspend(state: CaseState, kind: str | None, reason: str | None) -> tuple[CaseState, str, str]:
    """Stop the clock for a legal reason (补正 or 特别程序), with the reason written down.
    Returns the new state, the kind and the reason."""
    if state.status is not CaseStatus.ACCEPTED:
        raise _refuse(state, "中止计时", "suspended")
    k = (kind or "").strip()
    if k not in SUSPEND_KINDS:
        raise _bad(
            "kind",
            f"中止计时须选择法定事由（{'/'.join(SUSPEND_KINDS)}）",
            f"a suspension is one of {', '.join(SUSPEND_KINDS)}",
        )
    why = _text(reason, "reason", MAX_REASON, "中止计时的理由", "the reason of a suspension", True)
    assert why is not None
    return replace(state, status=CaseStatus.SUSPENDED), k, why


def resume(state: CaseState) -> CaseState:
    """The citizen's materials came (补正), the special procedure ended: the clock runs again."""
    if state.status is not CaseStatus.SUSPENDED:
        raise _refuse(state, "恢复计时", "resumed")
    return replace(state, status=CaseStatus.ACCEPTED)


def complete(state: CaseState) -> CaseState:
    """The matter is finished (办结); it still has to reach the citizen."""
    if state.status is not CaseStatus.ACCEPTED:
        raise _refuse(state, "办结", "completed")
    return replace(state, status=CaseStatus.COMPLETED)


def deliver(state: CaseState, method: str | None, note: str | None) -> tuple[CaseState, str, str | None]:
    """The result reached the citizen (送达/领取): at a window, by post (tracking text) or
    electronically. Returns the new state, the method and the note."""
    if state.status is not CaseStatus.COMPLETED:
        raise _refuse(state, "送达", "delivered")
    m = (method or "").strip().lower()
    if m not in DELIVERY_METHODS:
        raise _bad(
            "method",
            f"送达方式须为 {'/'.join(DELIVERY_METHODS)}",
            f"the delivery method is one of {', '.join(DELIVERY_METHODS)}",
        )
    text = _text(note, "note", MAX_NOTE, "送达说明", "the delivery note", m == "post")
    return replace(state, status=CaseStatus.DELIVERED, supervision_open=False), m, text


def reassign(state: CaseState, to_user_id: int | None, reason: str | None) -> tuple[CaseState, str]:
    """Hand the case to another clerk, with the reason kept in its chain."""
    if state.status is CaseStatus.DELIVERED:
        raise _refuse(state, "移交", "handed over")
    if to_user_id is None:
        raise _bad("to", "请选择接手的工作人员", "name the clerk who takes the case")
    if to_user_id == state.owner_id:
        raise _bad("to", "接手人与当前责任人相同", "that clerk owns the case already")
    why = _text(reason, "reason", MAX_REASON, "移交理由", "the reason of a hand-over", True)
    assert why is not None
    return replace(state, owner_id=to_user_id), why


def supervise(
    state: CaseState, note: str | None, reply_by: date | None, today: date
) -> tuple[CaseState, str, date]:
    """A manager puts the case under supervision (督办) with a note and a reply-by date."""
    if state.status is CaseStatus.DELIVERED:
        raise _refuse(state, "督办", "supervised")
    text = _text(note, "note", MAX_REASON, "督办意见", "the supervision note", True)
    assert text is not None
    if reply_by is None:
        raise _bad("reply_by", "请填写答复期限", "a supervision needs a reply-by date")
    if reply_by < today:
        raise _bad("reply_by", "答复期限不能早于今天", "the reply-by date is in the past")
    return replace(state, supervision_open=True), text, reply_by


def answer(state: CaseState, text: str | None) -> tuple[CaseState, str]:
    """The owner answers the supervision on their console."""
    if not state.supervision_open:
        raise _bad(
            "status", "该办件没有待答复的督办", "the case has no supervision to answer", "invalid_transition"
        )
    reply = _text(text, "answer", MAX_ANSWER, "督办答复", "the answer", True)
    assert reply is not None
    return replace(state, supervision_open=False), reply


#: who may do what: the owner or a manager; a manager supervises; the owner answers
OWNER_OR_MANAGER = ("suspend", "resume", "complete", "deliver", "reassign")
ACTIONS = (*OWNER_OR_MANAGER, "supervise", "answer")


def may_act(action: str, role: str, user_id: int | None, owner_id: int | None) -> bool:
    """Whether this person may take this action on a case of their hall."""
    is_owner = user_id is not None and user_id == owner_id
    if action == "supervise":
        return role in MANAGER_ROLES
    if action == "answer":
        return is_owner
    return is_owner or role in MANAGER_ROLES


# ---------------------------------------------------------------- lists

_URGENCY_RANK = {RED: 0, YELLOW: 1, GREEN: 2}


def list_order(urgency: str, due: date | None, number: str) -> tuple[int, int, date, str]:
    """Sort key of a case list: red first, then yellow, then green; the earliest due first and
    cases with no due date after those with one."""
    return (_URGENCY_RANK.get(urgency, 3), due is None, due or date.max, number)
