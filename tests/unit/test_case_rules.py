"""Rules of outcomes at the window and of cases (domain/cases.py): every refusal names its field."""

from __future__ import annotations

from datetime import date

import pytest

from server.domain import cases as rules
from server.domain.cases import CaseState, CaseStatus
from server.domain.errors import RuleViolation


def refused(fn, *args, **kw) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kw)
    assert caught.value.field, "every refusal names its field"
    assert caught.value.message_zh and caught.value.message_en
    return caught.value


# ---------------------------------------------------------------- outcomes


def test_no_outcome_is_done_so_todays_clients_keep_working():
    assert rules.decide_outcome(None) == rules.Outcome("done")


def test_no_outcome_after_a_one_time_notice_is_notice():
    assert rules.decide_outcome(None, notice_given=True).kind == "notice"
    assert rules.decide_outcome("done", notice_given=True).kind == "done"  # said explicitly


def test_an_unknown_outcome_names_the_outcome_field():
    err = refused(rules.decide_outcome, "maybe")
    assert err.field == "outcome" and err.code == "invalid_field"


def test_outcomes_are_read_in_any_case():
    assert rules.decide_outcome(" Accepted ").kind == "accepted"


def test_refusal_needs_a_reason_code_from_the_list():
    assert refused(rules.decide_outcome, "refused", "不符合条件").field == "reason_code"
    assert refused(rules.decide_outcome, "refused", "x", "心情不好").field == "reason_code"


def test_refusal_needs_the_explanation_text():
    err = refused(rules.decide_outcome, "refused", "  ", "材料不全")
    assert err.field == "reason" and "说明理由" in err.message_zh


def test_refusal_records_the_code_and_the_text():
    out = rules.decide_outcome("refused", "缺少户口簿", "材料不全")
    assert (out.kind, out.reason, out.reason_code) == ("refused", "缺少户口簿", "材料不全")
    assert out.stored_reason == "材料不全：缺少户口簿"


def test_every_listed_refusal_reason_is_accepted():
    for code in rules.REFUSAL_REASONS:
        assert rules.decide_outcome("refused", "说明", code).reason_code == code


def test_only_a_refusal_takes_a_reason_code():
    assert refused(rules.decide_outcome, "done", None, "材料不全").field == "reason_code"


def test_accepting_an_on_the_spot_matter_needs_a_reason():
    assert refused(rules.decide_outcome, "accepted", promised_limit_days=0).field == "reason"
    out = rules.decide_outcome("accepted", "需现场核验", promised_limit_days=0)
    assert out.reason == "需现场核验"


def test_accepting_a_promised_matter_needs_no_reason():
    assert rules.decide_outcome("accepted", promised_limit_days=3) == rules.Outcome("accepted")
    assert rules.decide_outcome("accepted", promised_limit_days=None).reason is None


def test_reasons_are_bounded():
    err = refused(rules.decide_outcome, "refused", "x" * (rules.MAX_REASON + 1), "其他")
    assert err.field == "reason"


def test_received_materials_are_names_only_for_accepted_matters():
    assert rules.received_materials(None) is None
    assert rules.received_materials(["身份证 ", {"name": "户口簿"}]) == [
        {"name": "身份证"},
        {"name": "户口簿"},
    ]
    assert refused(rules.received_materials, ["身份证", " "]).field == "materials[1]"
    assert refused(rules.received_materials, ["x" * 201]).field == "materials[0]"
    assert refused(rules.received_materials, ["身份证"], "done").field == "materials"
    assert refused(rules.received_materials, ["m"] * (rules.MAX_MATERIALS + 1)).field == "materials"


# ---------------------------------------------------------------- commitments


def test_the_case_limit_is_the_promised_one_else_the_legal_one():
    assert rules.case_limit({"legal_limit_days": 20, "promised_limit_days": 3}) == 3
    assert rules.case_limit({"legal_limit_days": 20, "promised_limit_days": 0}) == 0
    assert rules.case_limit({"legal_limit_days": 20, "promised_limit_days": None}) == 20
    assert rules.case_limit({}) is None and rules.case_limit(None) is None
    assert rules.case_limit({"promised_limit_days": True, "legal_limit_days": -1}) is None


def test_warn_days_come_from_the_guide_with_a_default():
    assert rules.warn_days({"warn_days": 5}) == 5
    assert rules.warn_days({"warn_days": 0}) == 0
    assert rules.warn_days({}) == rules.DEFAULT_WARN_DAYS == 2
    assert rules.warn_days(None) == 2


# ---------------------------------------------------------------- numbers


def test_the_case_number_is_day_prefix_and_a_four_digit_counter():
    assert rules.case_number(date(2026, 11, 30), "A", 1) == "20261130-A-0001"
    assert rules.case_number(date(2026, 11, 30), "B", 9999) == "20261130-B-9999"
    with pytest.raises(RuleViolation):
        rules.case_number(date(2026, 11, 30), "A", 10000)


def test_the_case_code_is_unguessable():
    codes = {rules.new_case_code() for _ in range(50)}
    assert len(codes) == 50
    assert all(len(c) == 16 for c in codes)  # 12 random bytes: 96 bits


# ---------------------------------------------------------------- the case's life

ACCEPTED = CaseState(CaseStatus.ACCEPTED, owner_id=7)


def test_suspend_needs_a_legal_kind_and_a_reason():
    state, kind, why = rules.suspend(ACCEPTED, "补正", " 等待补交材料 ")
    assert state.status is CaseStatus.SUSPENDED and kind == "补正" and why == "等待补交材料"
    assert refused(rules.suspend, ACCEPTED, "休假", "x").field == "kind"
    assert refused(rules.suspend, ACCEPTED, "特别程序", "").field == "reason"


def test_only_an_accepted_case_is_suspended():
    suspended = CaseState(CaseStatus.SUSPENDED, 7)
    err = refused(rules.suspend, suspended, "补正", "x")
    assert err.field == "status" and err.code == "invalid_transition"


def test_resuming_a_case_that_is_not_suspended_is_refused():
    err = refused(rules.resume, ACCEPTED)
    assert err.field == "status" and err.code == "invalid_transition"
    assert rules.resume(CaseState(CaseStatus.SUSPENDED, 7)).status is CaseStatus.ACCEPTED


def test_a_suspended_case_is_resumed_before_it_is_completed():
    assert refused(rules.complete, CaseState(CaseStatus.SUSPENDED, 7)).field == "status"
    assert rules.complete(ACCEPTED).status is CaseStatus.COMPLETED


def test_delivery_follows_completion_by_a_known_method():
    completed = CaseState(CaseStatus.COMPLETED, 7)
    assert refused(rules.deliver, ACCEPTED, "window", None).field == "status"
    assert refused(rules.deliver, completed, "pigeon", None).field == "method"
    assert refused(rules.deliver, completed, "post", None).field == "note"  # the tracking text
    state, method, note = rules.deliver(completed, "post", "EMS 1234")
    assert state.status is CaseStatus.DELIVERED and (method, note) == ("post", "EMS 1234")
    assert rules.deliver(completed, "window", None)[2] is None
    assert rules.deliver(completed, "Electronic", None)[1] == "electronic"


def test_a_delivered_case_is_done():
    delivered = CaseState(CaseStatus.DELIVERED, 7)
    for fn, args in (
        (rules.complete, ()),
        (rules.resume, ()),
        (rules.reassign, (8, "x")),
        (rules.supervise, ("x", date(2026, 12, 1), date(2026, 11, 30))),
    ):
        assert refused(fn, delivered, *args).field == "status"


def test_reassign_needs_another_clerk_and_a_reason():
    assert refused(rules.reassign, ACCEPTED, None, "x").field == "to"
    assert refused(rules.reassign, ACCEPTED, 7, "x").field == "to"
    assert refused(rules.reassign, ACCEPTED, 8, " ").field == "reason"
    state, why = rules.reassign(ACCEPTED, 8, "调岗")
    assert state.owner_id == 8 and why == "调岗" and state.status is CaseStatus.ACCEPTED


def test_supervision_needs_a_note_and_a_reply_by_date_not_in_the_past():
    today = date(2026, 11, 30)
    assert refused(rules.supervise, ACCEPTED, "", today, today).field == "note"
    assert refused(rules.supervise, ACCEPTED, "x", None, today).field == "reply_by"
    assert refused(rules.supervise, ACCEPTED, "x", date(2026, 11, 29), today).field == "reply_by"
    state, note, due = rules.supervise(ACCEPTED, "请说明进展", today, today)
    assert state.supervision_open and note == "请说明进展" and due == today


def test_only_an_open_supervision_is_answered():
    assert refused(rules.answer, ACCEPTED, "x").field == "status"
    open_ = CaseState(CaseStatus.ACCEPTED, 7, supervision_open=True)
    assert refused(rules.answer, open_, "  ").field == "answer"
    state, reply = rules.answer(open_, "已办")
    assert not state.supervision_open and reply == "已办"


def test_the_owner_or_a_manager_acts_a_manager_supervises_the_owner_answers():
    for action in rules.OWNER_OR_MANAGER:
        assert rules.may_act(action, "clerk", 7, 7)
        assert not rules.may_act(action, "clerk", 8, 7)
        assert rules.may_act(action, "manager", 1, 7)
        assert rules.may_act(action, "admin", 2, 7)
    assert rules.may_act("supervise", "manager", 1, 7)
    assert not rules.may_act("supervise", "clerk", 7, 7)
    assert rules.may_act("answer", "clerk", 7, 7)
    assert not rules.may_act("answer", "manager", 1, 7)
    assert not rules.may_act("complete", "clerk", None, None)


def test_lists_put_red_before_yellow_before_green_and_the_earliest_due_first():
    rows = [
        ("green", date(2026, 10, 1), "n1"),
        ("red", date(2026, 9, 1), "n2"),
        ("yellow", None, "n3"),
        ("yellow", date(2026, 10, 9), "n4"),
        ("red", date(2026, 8, 1), "n5"),
        ("green", None, "n6"),
    ]
    ordered = sorted(rows, key=lambda r: rules.list_order(*r))
    assert [r[2] for r in ordered] == ["n5", "n2", "n4", "n3", "n1", "n6"]
