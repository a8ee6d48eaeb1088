"""Follow-ups (差评/投诉): categories, who sees them, self-verification, the steps, the deadline
(domain/complaints.py)."""

from __future__ import annotations

from datetime import date

import pytest

from server.domain import complaints as rules
from server.domain.errors import RuleViolation
from server.domain.workdays import GREEN, RED, YELLOW, Clock, WorkCalendar, due_date, urgency

CAL = WorkCalendar(years=frozenset({2026, 2027}))


def test_integrity_complaints_are_seen_by_the_supervisor_only():
    assert rules.may_see("supervisor", rules.INTEGRITY)
    for role in ("admin", "manager", "clerk", "kiosk", "board", "pad", "anonymous"):
        assert not rules.may_see(role, rules.INTEGRITY)
    assert rules.INTEGRITY not in rules.visible_categories("admin")
    assert rules.INTEGRITY in rules.visible_categories("supervisor")


def test_other_complaints_are_handled_by_managers_admins_and_supervisors():
    for role in ("manager", "admin", "supervisor"):
        assert rules.may_see(role, rules.ATTITUDE)
    assert not rules.may_see("clerk", rules.ATTITUDE)


def test_nobody_verifies_a_complaint_naming_themselves():
    with pytest.raises(rules.SelfVerification):
        rules.check_not_self(7, 7)
    rules.check_not_self(7, 8)
    rules.check_not_self(7, None)


def test_the_code_is_unguessable():
    codes = {rules.new_code() for _ in range(100)}
    assert len(codes) == 100
    assert all(len(c) == 16 for c in codes)  # 12 bytes: 96 bits


def test_the_number_is_per_day():
    assert rules.complaint_number(date(2026, 11, 30), 1) == "TS20261130-0001"


def test_a_filing_needs_a_known_category_and_text():
    f = rules.check_filing("phone", "fees", " 多收了工本费 ", " 138 ")
    assert (f.category, f.text, f.contact) == ("fees", "多收了工本费", "138")
    with pytest.raises(RuleViolation):
        rules.check_filing("phone", "noise", "x")
    with pytest.raises(RuleViolation):
        rules.check_filing("phone", "fees", "  ")
    with pytest.raises(RuleViolation):
        rules.check_filing("fax", "fees", "x")


def test_the_deadline_is_fifteen_working_days_yellow_from_five_left_red_after():
    filed = date(2026, 11, 30)  # a Monday
    due = due_date(Clock(filed, rules.LIMIT_DAYS), CAL)
    assert due == date(2026, 12, 21)
    assert urgency(date(2026, 12, 7), due, rules.WARN_DAYS, CAL) == GREEN
    assert urgency(date(2026, 12, 14), due, rules.WARN_DAYS, CAL) == YELLOW
    assert urgency(due, due, rules.WARN_DAYS, CAL) == YELLOW
    assert urgency(date(2026, 12, 22), due, rules.WARN_DAYS, CAL) == RED


def test_upheld_needs_a_corrective_action_and_a_note():
    with pytest.raises(RuleViolation) as err:
        rules.verify("open", "upheld", "属实")
    assert err.value.field == "corrective_action"
    with pytest.raises(RuleViolation):
        rules.verify("open", "not_upheld", "")
    v = rules.verify("open", "upheld", "属实", "培训", {"events": [1]})
    assert v.evidence == {"events": [1], "note": "属实"}


def test_a_follow_up_is_verified_once_then_answered_once():
    with pytest.raises(RuleViolation):
        rules.verify("verified", "not_upheld", "x")
    with pytest.raises(RuleViolation):
        rules.answer("open", "已处理")
    assert rules.answer("verified", " 已处理 ") == "已处理"
    with pytest.raises(RuleViolation):
        rules.answer("answered", "again")


def test_evidence_cites_only_the_tickets_rows():
    available = {"events": {1, 2}, "transfers": {5}}
    assert rules.check_evidence({"events": [2, 1, 2]}, available) == {"events": [1, 2]}
    with pytest.raises(RuleViolation):
        rules.check_evidence({"events": [3]}, available)
    with pytest.raises(RuleViolation):
        rules.check_evidence({"gossip": [1]}, available)
    with pytest.raises(RuleViolation):
        rules.check_evidence({"events": ["1"]}, available)


def test_the_list_puts_unanswered_red_first():
    rows = [
        ("answered", RED, date(2026, 1, 1), "a"),
        ("open", GREEN, date(2026, 1, 5), "b"),
        ("open", RED, date(2026, 1, 9), "c"),
        ("verified", YELLOW, date(2026, 1, 2), "d"),
    ]
    assert [r[3] for r in sorted(rows, key=lambda r: rules.list_order(*r))] == ["c", "d", "b", "a"]
