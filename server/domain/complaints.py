"""Follow-ups of bad ratings and complaints (差评, 投诉/举报): categories, who sees and verifies,
the deadline in working days and the follow-up's steps.

Every rating of level 1 or 2 and every complaint — filed by a citizen on their phone or at the
kiosk, or entered by a manager from the 12345 hotline or a letter — opens a follow-up. It is
verified (核实: upheld or not, resting on evidence), corrected (整改) and answered to the
citizen (回访) within LIMIT_DAYS working days of filing on the hall's calendar; yellow from
WARN_DAYS working days left, red from the day after the due date.

廉政 (integrity) complaints go to the supervisor role (纪检监察) only: no manager, no admin sees
them. Nobody verifies a complaint that names themselves.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from .errors import RuleViolation

ATTITUDE, SHIRKING, OVERDUE, NOTICE, FEES, INTEGRITY = (
    "attitude",
    "shirking",
    "overdue",
    "notice",
    "fees",
    "integrity",
)
CATEGORIES = (ATTITUDE, SHIRKING, OVERDUE, NOTICE, FEES, INTEGRITY)
CATEGORY_NAMES_ZH = {
    ATTITUDE: "态度",
    SHIRKING: "推诿",
    OVERDUE: "超时",
    NOTICE: "一次告知未落实",
    FEES: "违规收费",
    INTEGRITY: "廉政",
}
CATEGORY_NAMES_EN = {
    ATTITUDE: "attitude",
    SHIRKING: "pushed back",
    OVERDUE: "overdue",
    NOTICE: "one-time notice not kept",
    FEES: "unlawful fees",
    INTEGRITY: "integrity",
}

#: where a follow-up came from
RATING, PHONE, KIOSK, HOTLINE, LETTER = "rating", "phone", "kiosk", "hotline", "letter"
SOURCES = (RATING, PHONE, KIOSK, HOTLINE, LETTER)
#: what a citizen files themselves, and what a manager enters
CITIZEN_SOURCES = (PHONE, KIOSK)
ENTERED_SOURCES = (HOTLINE, LETTER)

#: the deadline: working days after the filing day; yellow from WARN_DAYS working days left
LIMIT_DAYS = 15
WARN_DAYS = 5

SUPERVISOR = "supervisor"
#: who handles follow-ups other than integrity ones
HANDLER_ROLES = ("manager", "admin", SUPERVISOR)

UPHELD, NOT_UPHELD = "upheld", "not_upheld"
VERDICTS = (UPHELD, NOT_UPHELD)

MAX_TEXT = 2000
MAX_CONTACT = 100
MAX_NOTE = 1000
MAX_ANSWER = 1000
MAX_ACTION = 1000
#: the evidence a verifier may cite, by kind (ids of the ticket's rows)
EVIDENCE_KINDS = ("events", "transfers", "notices", "audit")


class Status(StrEnum):
    OPEN = "open"
    VERIFIED = "verified"
    ANSWERED = "answered"


STATUSES = tuple(s.value for s in Status)


def _bad(field: str, zh: str, en: str) -> RuleViolation:
    err = RuleViolation("invalid_field", zh, en)
    err.field = field
    return err


def _text(value: object, field: str, max_len: int, what_zh: str, what_en: str, required: bool) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _bad(field, f"{what_zh}须为文字", f"{what_en} is text")
    text = (value or "").strip()
    if not text:
        if required:
            raise _bad(field, f"请填写{what_zh}", f"{what_en} is required")
        return None
    if len(text) > max_len:
        raise _bad(field, f"{what_zh}最多 {max_len} 字", f"{what_en} is longer than {max_len} characters")
    return text


MAX_CHANNEL = 300


def complaint_channel(value: object) -> str | None:
    """The hall's complaint channel as stored (12345, the supervision office's number…): public,
    shown on the phone pages; trimmed, None when empty."""
    return _text(value, "complaint_channel", MAX_CHANNEL, "投诉渠道", "complaint channel", False)


# ---------------------------------------------------------------- who sees, who acts


def may_see(role: str, category: str) -> bool:
    """Integrity (廉政) follow-ups: the supervisor only; the others: managers, admins, supervisors."""
    if category == INTEGRITY:
        return role == SUPERVISOR
    return role in HANDLER_ROLES


def visible_categories(role: str) -> tuple[str, ...]:
    """The categories a role's lists show."""
    return tuple(c for c in CATEGORIES if may_see(role, c))


class SelfVerification(RuleViolation):
    """The verifier is the person the complaint names."""


def check_not_self(actor_user_id: int | None, clerk_id: int | None) -> None:
    """Nobody verifies or answers a complaint that names themselves — a manager who served the
    ticket on a clerk token is the clerk it names."""
    if actor_user_id is not None and clerk_id is not None and actor_user_id == clerk_id:
        raise SelfVerification(
            "forbidden",
            "不能核实涉及本人的投诉，请由其他负责人办理",
            "nobody verifies a complaint that names themselves",
        )


# ---------------------------------------------------------------- filing


def new_code() -> str:
    """The unguessable key of the citizen's follow-up page (96 bits)."""
    return secrets.token_urlsafe(12)


def complaint_number(day: date, n: int) -> str:
    """The human number, spoken on the phone: TS20261130-0001 (per hall and day)."""
    if not 1 <= n <= 9999:
        raise RuleViolation(
            "complaint_limit_reached", "本大厅今日投诉编号已用完", "no complaint numbers left today"
        )
    return f"TS{day:%Y%m%d}-{n:04d}"


@dataclass(frozen=True)
class Filing:
    """A complaint as filed, checked."""

    source: str
    category: str
    text: str
    contact: str | None


def check_filing(source: object, category: object, text: object, contact: object = None) -> Filing:
    """A complaint's source, category (one of CATEGORIES), text (required) and contact."""
    if source not in SOURCES:
        raise _bad("source", f"来源须为 {'/'.join(SOURCES)}", f"source is one of {', '.join(SOURCES)}")
    if category not in CATEGORIES:
        raise _bad(
            "category",
            f"类别须为 {'/'.join(CATEGORIES)}（态度/推诿/超时/一次告知未落实/违规收费/廉政）",
            f"category is one of {', '.join(CATEGORIES)}",
        )
    assert isinstance(source, str) and isinstance(category, str)
    body = _text(text, "text", MAX_TEXT, "投诉内容", "text", True)
    assert body is not None
    reach = _text(contact, "contact", MAX_CONTACT, "联系方式", "contact", False)
    return Filing(source, category, body, reach)


# ---------------------------------------------------------------- the follow-up's steps


def _refuse(zh: str, en: str) -> RuleViolation:
    return RuleViolation("invalid_transition", zh, en)


@dataclass(frozen=True)
class Verification:
    verdict: str
    note: str
    corrective_action: str | None
    evidence: dict[str, Any]


def check_evidence(chosen: object, available: dict[str, set[int]]) -> dict[str, list[int]]:
    """The evidence cited, by kind: each id must be one of the ticket's (what the verifier was
    shown); unknown kinds and ids are refused."""
    if chosen is None:
        return {}
    if not isinstance(chosen, dict):
        raise _bad(
            "evidence", "证据须为对象（events/transfers/notices/audit）", "evidence is an object of id lists"
        )
    out: dict[str, list[int]] = {}
    for kind, ids in chosen.items():
        if kind not in EVIDENCE_KINDS:
            raise _bad("evidence", f"未知的证据类型：{kind}", f"unknown evidence kind {kind!r}")
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise _bad("evidence", "证据须为编号列表", "evidence lists ids")
        unknown = [i for i in ids if i not in available.get(kind, set())]
        if unknown:
            raise _bad(
                "evidence",
                f"证据 {kind} {unknown[0]} 不属于该业务",
                f"{kind} {unknown[0]} is not this ticket's",
            )
        if ids:
            out[kind] = sorted(set(ids))
    return out


def verify(
    status: str,
    verdict: object,
    note: object,
    corrective_action: object = None,
    evidence: dict[str, list[int]] | None = None,
) -> Verification:
    """核实: an open follow-up is upheld or not, with a note saying why; an upheld one records
    its corrective action (整改)."""
    if status != Status.OPEN:
        raise _refuse("该投诉已核实", "this follow-up is verified already")
    if verdict not in VERDICTS:
        raise _bad(
            "verdict", "核实结论须为 upheld（属实）或 not_upheld（不属实）", "verdict is upheld or not_upheld"
        )
    assert isinstance(verdict, str)
    why = _text(note, "note", MAX_NOTE, "核实情况", "note", True)
    assert why is not None
    action = _text(corrective_action, "corrective_action", MAX_ACTION, "整改措施", "corrective action", False)
    if verdict == UPHELD and action is None:
        raise _bad(
            "corrective_action", "投诉属实须填写整改措施", "an upheld complaint needs its corrective action"
        )
    return Verification(verdict, why, action, {**(evidence or {}), "note": why})


def answer(status: str, text: object) -> str:
    """回访: the answer to the citizen, after verification."""
    if status == Status.OPEN:
        raise _refuse("请先核实再答复", "verify the follow-up before answering")
    if status == Status.ANSWERED:
        raise _refuse("已答复", "this follow-up is answered already")
    reply = _text(text, "answer", MAX_ANSWER, "答复内容", "answer", True)
    assert reply is not None
    return reply


_URGENCY_RANK = {"red": 0, "yellow": 1, "green": 2}


def list_order(status: str, urgency: str, due: date | None, number: str) -> tuple[int, int, int, date, str]:
    """Sort key of the follow-up list: unanswered first, red, yellow, green, the earliest due first."""
    return (status == Status.ANSWERED, _URGENCY_RANK.get(urgency, 3), due is None, due or date.max, number)
