import pytest

from server.domain import accountability as rules
from server.domain.errors import RuleViolation


def test_a_deduct_decision_carries_its_points():
    assert rules.decide("deduct", 3, " 态度差 ") == ("deduct", 3, "态度差")


@pytest.mark.parametrize("points", [None, 0, -1, 101, 2.5, True, "3"])
def test_a_deduct_decision_needs_whole_points_within_the_cap(points):
    with pytest.raises(RuleViolation) as e:
        rules.decide("deduct", points)
    assert e.value.field == "points"


@pytest.mark.parametrize("decision", ["reminder", "circular"])
def test_a_reminder_or_circular_carries_no_points(decision):
    assert rules.decide(decision) == (decision, 0, None)
    assert rules.decide(decision, 0, "") == (decision, 0, None)
    with pytest.raises(RuleViolation) as e:
        rules.decide(decision, 2)
    assert e.value.field == "points"


@pytest.mark.parametrize("decision", [None, "fine", 1, "扣分"])
def test_an_unknown_decision_is_refused(decision):
    with pytest.raises(RuleViolation) as e:
        rules.decide(decision)
    assert e.value.field == "decision"


def test_a_note_is_text_within_its_length():
    with pytest.raises(RuleViolation):
        rules.decide("reminder", None, 5)
    with pytest.raises(RuleViolation):
        rules.decide("reminder", None, "x" * (rules.MAX_NOTE + 1))
