"""Ratings (好差评, 一次一评): levels, reasons, who may rate and until when (domain/ratings.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.domain import ratings as rules
from server.domain.errors import RuleViolation

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def done(window: int = 3, finished: datetime | None = NOW, rated: bool = False, status: str = "done"):
    return rules.RatedTicket(status, window, finished, rated)


def test_five_levels_from_very_satisfied_to_very_dissatisfied():
    assert rules.LEVELS == (5, 4, 3, 2, 1)
    assert rules.LEVEL_NAMES_ZH[5] == "非常满意" and rules.LEVEL_NAMES_ZH[1] == "非常不满意"
    assert set(rules.SATISFIED_LEVELS) == {3, 4, 5}


@pytest.mark.parametrize("level", [0, 6, "5", True, None, 4.0])
def test_a_level_outside_one_to_five_is_refused(level):
    with pytest.raises(RuleViolation) as err:
        rules.check_rating(level)
    assert err.value.field == "level"


def test_the_two_low_levels_need_a_reason():
    with pytest.raises(RuleViolation) as err:
        rules.check_rating(2, [])
    assert err.value.field == "reasons"
    assert rules.check_rating(2, ["attitude", "attitude"]).reasons == ("attitude",)


def test_other_alone_is_explained_in_the_comment():
    with pytest.raises(RuleViolation):
        rules.check_rating(1, ["other"], "  ")
    assert rules.check_rating(1, ["other"], " 排队系统乱 ").comment == "排队系统乱"


def test_satisfied_levels_take_no_reasons():
    with pytest.raises(RuleViolation):
        rules.check_rating(4, ["attitude"])
    assert rules.check_rating(4).reasons == ()


def test_an_unknown_reason_is_refused():
    with pytest.raises(RuleViolation):
        rules.check_rating(1, ["bribe"])


def test_a_long_comment_is_refused():
    with pytest.raises(RuleViolation):
        rules.check_rating(5, None, "好" * (rules.MAX_COMMENT + 1))


def test_a_pad_rates_only_the_tickets_of_its_window():
    rules.may_rate(done(window=3), rules.PAD, 3, NOW)
    with pytest.raises(rules.RatingRefused) as err:
        rules.may_rate(done(window=3), rules.PAD, 4, NOW)
    assert err.value.code == "forbidden"


def test_a_ticket_not_completed_cannot_be_rated():
    for status in ("waiting", "called", "serving", "no_show", "cancelled"):
        with pytest.raises(rules.RatingRefused) as err:
            rules.may_rate(done(status=status), rules.PHONE, None, NOW)
        assert err.value.code == "not_completed"


def test_one_rating_per_ticket():
    with pytest.raises(rules.RatingRefused) as err:
        rules.may_rate(done(rated=True), rules.PAD, 3, NOW)
    assert err.value.code == "already_rated"


def test_the_phone_rates_within_24_hours_of_completion():
    rules.may_rate(done(finished=NOW - timedelta(hours=23, minutes=59)), rules.PHONE, None, NOW)
    with pytest.raises(rules.RatingRefused) as err:
        rules.may_rate(done(finished=NOW - timedelta(hours=24, seconds=1)), rules.PHONE, None, NOW)
    assert err.value.code == "rating_closed"
    assert not rules.phone_may_still_rate(done(finished=NOW - timedelta(days=2)), NOW)
    assert rules.phone_may_still_rate(done(), NOW)


def test_the_pad_is_not_bound_by_the_phone_window():
    rules.may_rate(done(finished=NOW - timedelta(days=2)), rules.PAD, 3, NOW)


def test_nobody_else_rates():
    with pytest.raises(rules.RatingRefused):
        rules.may_rate(done(), "clerk", None, NOW)


def test_a_low_rating_opens_a_follow_up_in_the_category_of_its_first_reason():
    assert rules.follow_up_category(["unclear_notice", "attitude"]) == "notice"
    assert rules.follow_up_category(["long_wait"]) == "overdue"
    assert rules.follow_up_category(["shirking"]) == "shirking"
    assert rules.follow_up_category(["other"]) == "attitude"


def test_the_follow_up_text_says_level_and_reasons():
    text = rules.describe(rules.check_rating(2, ["attitude", "long_wait"], "态度冷淡"))
    assert "不满意" in text and "态度差" in text and "等候太久" in text and "态度冷淡" in text
