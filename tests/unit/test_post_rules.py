"""A/B posts (AB岗制度), decided in domain/posts.py: when A counts as away, whom B covers, when a
window raises an alarm, and the checks on posts, leave and opening hours."""

from datetime import date, datetime, timedelta

import pytest

from server.domain import posts as rules
from server.domain.errors import RuleViolation
from server.domain.posts import Post

A, B, C = 1, 2, 3
#: window 10 has A and B posts; B's own window is 20
WIN, B_WIN = 10, 20
TODAY = date(2026, 11, 30)  # a Monday


def refused(fn, *args):
    with pytest.raises(RuleViolation) as err:
        fn(*args)
    return err.value


# ── when A counts as away ────────────────────────────────────────────────────


def test_a_signed_in_at_their_window_and_not_on_leave_is_not_away():
    assert rules.a_is_away(Post(WIN, A, B, clerk=A), on_leave=[]) is False


def test_a_not_signed_in_at_their_window_is_away():
    assert rules.a_is_away(Post(WIN, A, B, clerk=None), on_leave=[]) is True


def test_a_signed_in_while_someone_else_holds_their_window_is_away():
    assert rules.a_is_away(Post(WIN, A, B, clerk=C), on_leave=[]) is True


def test_a_on_leave_is_away_even_when_signed_in():
    assert rules.a_is_away(Post(WIN, A, B, clerk=A), on_leave=[A]) is True


def test_a_window_without_an_a_post_has_nobody_away():
    assert rules.a_is_away(Post(WIN, None, B, clerk=None), on_leave=[]) is False


# ── whom B covers (顶岗) ─────────────────────────────────────────────────────


def test_b_signed_in_elsewhere_covers_the_window_while_a_is_away():
    posts = [Post(WIN, A, B, clerk=None), Post(B_WIN, None, None, clerk=B)]
    assert rules.covered_by(B, posts, signed_in={B: B_WIN}, on_leave=[]) == [WIN]


def test_b_covers_while_a_is_on_leave():
    posts = [Post(WIN, A, B, clerk=None), Post(B_WIN, None, None, clerk=B)]
    assert rules.covered_by(B, posts, signed_in={B: B_WIN}, on_leave=[A]) == [WIN]


def test_b_does_not_cover_while_a_is_at_the_window():
    posts = [Post(WIN, A, B, clerk=A), Post(B_WIN, None, None, clerk=B)]
    assert rules.covered_by(B, posts, signed_in={A: WIN, B: B_WIN}, on_leave=[]) == []


def test_b_does_not_cover_a_window_someone_else_is_serving():
    posts = [Post(WIN, A, B, clerk=C), Post(B_WIN, None, None, clerk=B)]
    assert rules.covered_by(B, posts, signed_in={C: WIN, B: B_WIN}, on_leave=[A]) == []


def test_b_not_signed_in_anywhere_covers_nothing():
    posts = [Post(WIN, A, B, clerk=None)]
    assert rules.covered_by(B, posts, signed_in={}, on_leave=[A]) == []


def test_b_on_leave_covers_nothing_even_when_signed_in():
    posts = [Post(WIN, A, B, clerk=None), Post(B_WIN, None, None, clerk=B)]
    assert rules.covered_by(B, posts, signed_in={B: B_WIN}, on_leave=[A, B]) == []


def test_only_the_windows_naming_me_as_b_are_covered():
    posts = [
        Post(WIN, A, B, clerk=None),
        Post(11, C, None, clerk=None),  # no B post
        Post(12, 4, 5, clerk=None),  # another clerk's B post
        Post(13, 6, B, clerk=None),
        Post(B_WIN, None, None, clerk=B),
    ]
    assert rules.covered_by(B, posts, signed_in={B: B_WIN}, on_leave=[]) == [WIN, 13]


def test_b_does_not_cover_a_window_without_an_a_post():
    posts = [Post(WIN, None, B, clerk=None), Post(B_WIN, None, None, clerk=B)]
    assert rules.covered_by(B, posts, signed_in={B: B_WIN}, on_leave=[]) == []


# ── the alarm: nobody on duty while citizens wait ────────────────────────────


def alarm(post, signed_in=None, on_leave=(), waiting=2, open_now=True):
    return rules.needs_alarm(post, signed_in or {}, on_leave, waiting, open_now)


def test_an_empty_window_with_citizens_waiting_and_no_b_signed_in_raises_the_alarm():
    assert alarm(Post(WIN, A, B, clerk=None)) is True


def test_an_empty_window_covered_by_b_signed_in_elsewhere_raises_no_alarm():
    assert alarm(Post(WIN, A, B, clerk=None), signed_in={B: B_WIN}) is False


def test_b_signed_in_but_on_leave_does_not_prevent_the_alarm():
    assert alarm(Post(WIN, A, B, clerk=None), signed_in={B: B_WIN}, on_leave=[B]) is True


def test_a_window_without_a_b_post_raises_the_alarm_when_empty():
    assert alarm(Post(WIN, A, None, clerk=None)) is True


def test_a_staffed_window_raises_no_alarm():
    for clerk in (A, C):
        assert alarm(Post(WIN, A, B, clerk=clerk), signed_in={clerk: WIN}) is False


def test_no_alarm_when_nobody_waits():
    assert alarm(Post(WIN, A, B, clerk=None), waiting=0) is False


def test_no_alarm_outside_opening_hours():
    assert alarm(Post(WIN, A, B, clerk=None), open_now=False) is False


def test_every_window_with_a_and_b_posts_and_citizens_waiting_is_either_served_or_alarmed():
    # the two rules together: a queue is served at the window, covered by B, or raises the alarm
    for clerk in (None, A, C):
        for b_at in (None, B_WIN):
            for leave in ([], [A], [B], [A, B]):
                post = Post(WIN, A, B, clerk=clerk)
                signed_in = {clerk: WIN} if clerk else {}
                if b_at:
                    signed_in[B] = b_at
                served = clerk is not None
                covered = WIN in rules.covered_by(B, [post], signed_in, leave)
                alarmed = rules.needs_alarm(post, signed_in, leave, 1, True)
                assert served or covered or alarmed, (clerk, b_at, leave)
                assert not (alarmed and (served or covered)), (clerk, b_at, leave)


def test_a_window_with_only_a_b_post_and_citizens_waiting_is_either_covered_or_alarmed():
    post = Post(WIN, None, B, clerk=None)
    signed_in = {B: B_WIN}
    covered = WIN in rules.covered_by(B, [post, Post(B_WIN, None, None, clerk=B)], signed_in, [])
    alarmed = rules.needs_alarm(post, signed_in, [], 1, True)
    assert covered or alarmed


# ── posts, leave ─────────────────────────────────────────────────────────────


def test_a_and_b_posts_are_different_people():
    err = refused(rules.check_posts, A, A)
    assert err.code == "invalid_field" and err.message_en == "A and B must be different people"


def test_a_and_b_posts_may_be_left_empty_or_set_alone():
    for a, b in ((A, B), (A, None), (None, B), (None, None)):
        assert rules.check_posts(a, b) is None


def test_leave_registered_by_the_day_before_is_not_short_notice():
    assert rules.is_short_notice(date(2026, 11, 29), start_day=TODAY) is False
    assert rules.is_short_notice(date(2026, 11, 20), start_day=TODAY) is False


def test_leave_registered_on_or_after_its_first_day_is_short_notice():
    assert rules.is_short_notice(TODAY, start_day=TODAY) is True
    assert rules.is_short_notice(date(2026, 12, 1), start_day=TODAY) is True


def leave(start=TODAY, end=TODAY, reason="年休假", note="窗口钥匙在抽屉，待办件见台账", today=TODAY):
    rules.check_leave(start, end, reason, note, today)


def test_a_valid_leave_is_accepted():
    assert leave(start=date(2026, 12, 1), end=date(2026, 12, 3)) is None


def test_leave_may_not_end_before_it_starts():
    with pytest.raises(RuleViolation) as err:
        leave(start=date(2026, 12, 3), end=date(2026, 12, 1))
    assert err.value.code == "invalid_field" and "ends before it starts" in err.value.message_en


def test_leave_that_is_already_over_cannot_be_registered():
    with pytest.raises(RuleViolation) as err:
        leave(start=date(2026, 11, 27), end=date(2026, 11, 29))
    assert err.value.code == "invalid_field" and "over already" in err.value.message_en


def test_leave_that_began_earlier_and_runs_until_today_can_be_registered():
    assert leave(start=date(2026, 11, 27), end=TODAY) is None


def test_leave_needs_a_reason_of_at_most_three_hundred_characters():
    leave(reason="x" * rules.MAX_REASON)
    for reason in ("", "   ", "x" * (rules.MAX_REASON + 1)):
        with pytest.raises(RuleViolation) as err:
            leave(reason=reason)
        assert err.value.code == "invalid_field" and "reason" in err.value.message_en


def test_leave_needs_a_handover_note_for_the_b_post():
    with pytest.raises(RuleViolation) as err:
        leave(note="  ")
    assert err.value.code == "invalid_field" and "handover note" in err.value.message_en


def test_a_handover_note_is_at_most_two_thousand_characters():
    leave(note="x" * rules.MAX_NOTE)
    with pytest.raises(RuleViolation) as err:
        leave(note="x" * (rules.MAX_NOTE + 1))
    assert err.value.code == "invalid_field" and str(rules.MAX_NOTE) in err.value.message_en


def test_leave_is_registered_at_most_a_year_before_it_starts():
    first = TODAY + timedelta(days=rules.LEAVE_AHEAD_DAYS)
    assert leave(start=first, end=first) is None
    with pytest.raises(RuleViolation) as err:
        leave(start=first + timedelta(days=1), end=first + timedelta(days=1))
    assert err.value.field == "start" and "days ahead" in err.value.message_en


def test_one_leave_lasts_at_most_a_year():
    assert leave(start=TODAY, end=TODAY + timedelta(days=rules.MAX_LEAVE_DAYS - 1)) is None
    with pytest.raises(RuleViolation) as err:
        leave(start=TODAY, end=TODAY + timedelta(days=rules.MAX_LEAVE_DAYS))
    assert err.value.field == "end" and "at most" in err.value.message_en


def test_leave_until_the_end_of_time_is_refused():
    with pytest.raises(RuleViolation) as err:
        leave(start=TODAY, end=date(9999, 12, 31))
    assert err.value.field == "end"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"start": date(2026, 12, 3), "end": date(2026, 12, 1)}, "end"),
        ({"start": date(2026, 11, 1), "end": date(2026, 11, 2)}, "end"),
        ({"reason": " "}, "reason"),
        ({"note": ""}, "handover_note"),
        ({"note": "x" * (rules.MAX_NOTE + 1)}, "handover_note"),
    ],
)
def test_a_refused_leave_names_its_field(kw, field):
    with pytest.raises(RuleViolation) as err:
        leave(**kw)
    assert err.value.field == field


# ── opening hours ────────────────────────────────────────────────────────────

HOURS = {"mon": [["08:30", "12:00"], ["13:30", "17:30"]], "sat": [["09:00", "12:00"]]}


def test_opening_hours_as_day_to_spans_are_accepted():
    assert rules.check_opening_hours(HOURS) is None
    assert rules.check_opening_hours({}) is None
    assert rules.check_opening_hours({"sun": []}) is None


def test_no_opening_hours_means_open_around_the_clock():
    assert rules.check_opening_hours(None) is None
    assert rules.is_open(None, datetime(2026, 11, 30, 3, 0)) is True


def test_opening_hours_name_only_the_seven_weekdays():
    err = refused(rules.check_opening_hours, {"monday": [["08:30", "12:00"]]})
    assert err.code == "invalid_field" and err.message_en == "unknown day monday"


def test_opening_hours_of_a_day_are_a_list_of_spans():
    err = refused(rules.check_opening_hours, {"mon": "08:30-12:00"})
    assert err.code == "invalid_field" and "list of spans" in err.message_en


@pytest.mark.parametrize(
    "span",
    [["0830", "12:00"], ["08:30"], ["08:30", "12:00", "13:00"], ["08:30", "24:00"], ["8:60", "12:00"], None],
)
def test_an_opening_span_is_two_hh_mm_times(span):
    err = refused(rules.check_opening_hours, {"mon": [span]})
    assert err.code == "invalid_field" and err.message_en == "mon: use HH:MM"


@pytest.mark.parametrize("span", [[830, 1200], [None, None]])
def test_an_opening_span_of_numbers_or_nulls_is_refused_as_a_rule_violation(span):
    err = refused(rules.check_opening_hours, {"mon": [span]})
    assert err.code == "invalid_field" and err.message_en == "mon: use HH:MM"


def test_an_opening_span_ends_after_it_starts():
    for span in (["12:00", "08:30"], ["08:30", "08:30"]):
        err = refused(rules.check_opening_hours, {"tue": [span]})
        assert err.code == "invalid_field" and err.message_en == "tue: a span ends before it starts"


def test_the_hall_is_open_from_the_start_of_a_span_until_just_before_its_end():
    monday = date(2026, 11, 30)
    at = [datetime(2026, 11, 30, h, m) for h, m in ((8, 29), (8, 30), (11, 59), (12, 0), (13, 30), (17, 30))]
    assert monday.weekday() == 0
    assert [rules.is_open(HOURS, t) for t in at] == [False, True, True, False, True, False]


def test_the_hall_is_closed_on_a_day_left_out_of_the_opening_hours():
    tuesday_10am = datetime(2026, 12, 1, 10, 0)
    saturday_10am = datetime(2026, 12, 5, 10, 0)
    assert rules.is_open(HOURS, tuesday_10am) is False
    assert rules.is_open(HOURS, saturday_10am) is True


def test_a_day_has_at_most_a_few_opening_spans():
    spans = [[f"{h:02d}:00", f"{h:02d}:30"] for h in range(rules.MAX_SPANS)]
    assert rules.check_opening_hours({"mon": spans}) is None
    err = refused(rules.check_opening_hours, {"mon": [*spans, ["20:00", "21:00"]]})
    assert err.field == "opening_hours.mon" and "at most" in err.message_en


@pytest.mark.parametrize("time", ["+8:30", " 8:30", "٨:٣٠", "08:30:00", "8:3"])
def test_an_opening_time_is_digits_colon_digits(time):
    err = refused(rules.check_opening_hours, {"mon": [[time, "12:00"]]})
    assert err.message_en == "mon: use HH:MM"


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ({"monday": []}, "opening_hours.monday"),
        ({"tue": {"a": 1}}, "opening_hours.tue"),
        ({"wed": [["08:00", "09:00"], "08:00-09:00"]}, "opening_hours.wed[1]"),
        ({"thu": [{"from": "08:00", "to": "09:00"}]}, "opening_hours.thu[0]"),
        ({"fri": [["09:00", "08:00"]]}, "opening_hours.fri[0]"),
    ],
)
def test_a_refused_opening_span_names_its_place(hours, field):
    assert refused(rules.check_opening_hours, hours).field == field


def test_a_makeup_workday_takes_the_hours_of_an_ordinary_weekday_only():
    for day in (None, "mon", "tue", "wed", "thu", "fri"):
        assert rules.check_makeup_weekday(day) is None
    for day in ("sat", "sun", "monday", ""):
        err = refused(rules.check_makeup_weekday, day)
        assert err.code == "invalid_field" and err.field == "makeup_weekday"


def test_a_holiday_keeps_no_hours_and_a_makeup_workday_keeps_the_named_weekdays():
    saturday_10am = datetime(2026, 12, 5, 10, 0)
    assert rules.is_open(HOURS, saturday_10am, None) is False, "a holiday: closed whatever its weekday"
    assert rules.is_open({"mon": [["08:30", "12:00"]]}, saturday_10am, "mon") is True
    assert rules.is_open({"fri": [["08:30", "12:00"]]}, saturday_10am, "mon") is False
