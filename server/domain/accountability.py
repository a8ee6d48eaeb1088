"""Accountability (责任追究): what a record against a clerk can say and what a manager decides.

An upheld complaint or bad rating, an overdue case and a flagged repeat trip each leave a record
against the clerk responsible; the manager decides 提醒 (reminder), 通报 (circular) or 扣分
(deduct, with points). The clerk sees the record and may answer it.
"""

from __future__ import annotations

from .errors import RuleViolation

#: what a record is about
COMPLAINT, RATING, OVERDUE, REPEAT_TRIP = "complaint", "rating", "overdue", "repeat_trip"
KINDS = (COMPLAINT, RATING, OVERDUE, REPEAT_TRIP)

#: the manager's decision: 提醒, 通报, 扣分
REMINDER, CIRCULAR, DEDUCT = "reminder", "circular", "deduct"
DECISIONS = (REMINDER, CIRCULAR, DEDUCT)
DECISION_NAMES_ZH = {REMINDER: "提醒", CIRCULAR: "通报", DEDUCT: "扣分"}

#: the most points one decision may deduct
MAX_POINTS = 100
MAX_NOTE = 1000


def _bad(field: str, zh: str, en: str) -> RuleViolation:
    err = RuleViolation("invalid_field", zh, en)
    err.field = field
    return err


def decide(decision: object, points: object = None, note: object = None) -> tuple[str, int, str | None]:
    """A manager's decision checked: (decision, points, note). 扣分 needs 1..MAX_POINTS points;
    提醒 and 通报 carry none."""
    if decision not in DECISIONS:
        raise _bad("decision", "处理决定须为 提醒/通报/扣分", f"decision is one of {', '.join(DECISIONS)}")
    assert isinstance(decision, str)
    if decision == DEDUCT:
        if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= MAX_POINTS:
            raise _bad("points", f"扣分须为 1–{MAX_POINTS} 分", f"points is a whole number 1–{MAX_POINTS}")
        count = points
    else:
        if points not in (None, 0):
            raise _bad("points", "只有扣分决定带分数", "only a deduct decision carries points")
        count = 0
    text: str | None = None
    if note is not None:
        if not isinstance(note, str):
            raise _bad("note", "说明须为文字", "note is text")
        text = note.strip() or None
        if text is not None and len(text) > MAX_NOTE:
            raise _bad("note", f"说明最多 {MAX_NOTE} 字", f"note is longer than {MAX_NOTE} characters")
    return decision, count, text
