import pytest

from server.domain import window as wr
from server.domain.errors import RuleViolation
from server.domain.window import WindowState, WindowStatus

CLOSED = WindowState(WindowStatus.CLOSED)


def test_sign_in_opens_the_window_for_that_clerk():
    s = wr.sign_in(CLOSED, 7)
    assert s.status is WindowStatus.OPEN and s.clerk_id == 7


def test_one_clerk_per_window():
    with pytest.raises(RuleViolation) as err:
        wr.sign_in(wr.sign_in(CLOSED, 7), 8)
    assert err.value.code == "window_taken"


def test_pause_needs_a_reason_and_resume_reopens():
    open_ = wr.sign_in(CLOSED, 7)
    with pytest.raises(RuleViolation):
        wr.pause(open_, 7, "   ")
    paused = wr.pause(open_, 7, "系统故障")
    assert paused.status is WindowStatus.PAUSED and paused.pause_reason == "系统故障"
    assert wr.resume(paused, 7) == WindowState(WindowStatus.OPEN, 7, None)


def test_a_paused_window_cannot_call():
    paused = wr.pause(wr.sign_in(CLOSED, 7), 7, "休息")
    with pytest.raises(RuleViolation) as err:
        wr.ensure_can_call(paused, 7, has_active_ticket=False)
    assert err.value.code == "window_not_open"


def test_only_the_signed_in_clerk_calls():
    with pytest.raises(RuleViolation) as err:
        wr.ensure_can_call(wr.sign_in(CLOSED, 7), 8, has_active_ticket=False)
    assert err.value.code == "window_not_signed_in"


def test_a_window_finishes_its_current_number_before_calling_the_next():
    with pytest.raises(RuleViolation) as err:
        wr.ensure_can_call(wr.sign_in(CLOSED, 7), 7, has_active_ticket=True)
    assert err.value.code == "window_busy"


def test_sign_out_with_a_number_at_the_counter_is_refused():
    with pytest.raises(RuleViolation):
        wr.sign_out(wr.sign_in(CLOSED, 7), 7, has_active_ticket=True)
    assert wr.sign_out(wr.sign_in(CLOSED, 7), 7, has_active_ticket=False) == CLOSED


def test_a_pause_reason_is_at_most_two_hundred_characters():
    open_ = wr.sign_in(CLOSED, 7)
    assert wr.pause(open_, 7, "x" * wr.MAX_PAUSE_REASON).pause_reason == "x" * wr.MAX_PAUSE_REASON
    with pytest.raises(RuleViolation) as err:
        wr.pause(open_, 7, "x" * (wr.MAX_PAUSE_REASON + 1))
    assert err.value.code == "invalid_field" and str(wr.MAX_PAUSE_REASON) in err.value.message_en


def test_only_an_open_window_can_be_paused():
    paused = wr.pause(wr.sign_in(CLOSED, 7), 7, "休息")
    with pytest.raises(RuleViolation) as err:
        wr.pause(paused, 7, "又休息")
    assert err.value.code == "window_not_open"


def test_only_a_paused_window_can_be_resumed():
    with pytest.raises(RuleViolation) as err:
        wr.resume(wr.sign_in(CLOSED, 7), 7)
    assert err.value.code == "window_not_paused"


def test_a_no_show_is_taken_back_only_at_its_clerks_free_window():
    open_ = wr.sign_in(CLOSED, 7)
    wr.ensure_can_take_back(open_, 7, has_active_ticket=False)
    wr.ensure_can_take_back(wr.pause(open_, 7, "休息"), 7, has_active_ticket=False)  # the citizen is there
    with pytest.raises(RuleViolation) as err:
        wr.ensure_can_take_back(open_, 7, has_active_ticket=True)
    assert err.value.code == "window_busy"
    with pytest.raises(RuleViolation) as err:
        wr.ensure_can_take_back(open_, 8, has_active_ticket=False)
    assert err.value.code == "window_not_signed_in"
