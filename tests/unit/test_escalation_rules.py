import pytest

from server.domain import escalations as rules
from server.domain.errors import RuleViolation


def test_a_clerk_escalates_a_question_about_a_ticket_or_a_case():
    assert rules.ask("clerk", "T1", None, " 材料是否可用复印件？ ") == "材料是否可用复印件？"
    assert rules.ask("manager", None, "CASE", "q") == "q"


@pytest.mark.parametrize("ticket,case", [(None, None), ("T1", "C1")])
def test_an_escalation_names_exactly_one_ticket_or_case(ticket, case):
    with pytest.raises(RuleViolation) as e:
        rules.ask("clerk", ticket, case, "q")
    assert e.value.field == "ticket"


@pytest.mark.parametrize("question", [None, "", "   ", 5, "x" * 1001])
def test_a_question_is_required_text_within_its_length(question):
    with pytest.raises(RuleViolation) as e:
        rules.ask("clerk", "T1", None, question)
    assert e.value.field == "question"


@pytest.mark.parametrize("role", ["kiosk", "board", "admin", "anonymous"])
def test_only_window_staff_escalate(role):
    with pytest.raises(RuleViolation) as e:
        rules.ask(role, "T1", None, "q")
    assert e.value.code == "forbidden"


def test_a_manager_answers_once_and_the_answer_comes_back():
    s = rules.EscalationState(asked_by=7)
    s2, text = rules.answer(s, "manager", 3, "可以")
    assert (s2.status, text) == (rules.ANSWERED, "可以")
    with pytest.raises(RuleViolation) as e:
        rules.answer(s2, "manager", 3, "again")
    assert e.value.code == "escalation_answered"


def test_nobody_answers_their_own_escalation():
    with pytest.raises(RuleViolation) as e:
        rules.answer(rules.EscalationState(asked_by=3), "manager", 3, "ok")
    assert e.value.code == "forbidden"


def test_a_clerk_cannot_answer_an_escalation():
    with pytest.raises(RuleViolation) as e:
        rules.answer(rules.EscalationState(asked_by=7), "clerk", 8, "ok")
    assert e.value.code == "forbidden"


def test_the_asker_records_the_feedback_after_the_answer_once():
    s = rules.EscalationState(asked_by=7)
    with pytest.raises(RuleViolation) as e:
        rules.feed_back(s, 7, "已告知")
    assert e.value.code == "escalation_unanswered"
    s, _ = rules.answer(s, "admin", None, "可以")
    with pytest.raises(RuleViolation) as e:
        rules.feed_back(s, 8, "已告知")
    assert e.value.code == "forbidden"
    s, said = rules.feed_back(s, 7, "已电话告知群众可用复印件")
    assert s.status == rules.FED_BACK and said == "已电话告知群众可用复印件"
    with pytest.raises(RuleViolation) as e:
        rules.feed_back(s, 7, "again")
    assert e.value.code == "escalation_fed_back"
    with pytest.raises(RuleViolation) as e:
        rules.feed_back(rules.EscalationState(7, answered=True), 7, "")
    assert e.value.field == "feedback"
