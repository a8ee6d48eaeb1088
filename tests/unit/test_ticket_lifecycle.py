from datetime import UTC, datetime, timedelta

import pytest

from server.domain import ticket as lc
from server.domain.errors import RuleViolation
from server.domain.ticket import Status, TicketState

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def called() -> TicketState:
    return lc.call(TicketState(Status.WAITING), window_id=3, now=T0)


def test_full_lifecycle_waiting_called_serving_done():
    s = called()
    assert (s.status, s.window_id, s.called_at) == (Status.CALLED, 3, T0)
    s = lc.start(s, T0 + timedelta(seconds=30))
    assert s.status is Status.SERVING
    s = lc.complete(s, T0 + timedelta(minutes=5))
    assert s.status is Status.DONE and s.finished_at == T0 + timedelta(minutes=5)


def test_recall_is_limited():
    s = called()
    for i in range(lc.RECALL_LIMIT):
        s = lc.recall(s, T0 + timedelta(minutes=i + 1))
    assert s.recalls == lc.RECALL_LIMIT
    with pytest.raises(RuleViolation) as err:
        lc.recall(s, T0 + timedelta(minutes=10))
    assert err.value.code == "recall_limit"


def test_recall_updates_the_call_time_for_the_board():
    s = lc.recall(called(), T0 + timedelta(minutes=2))
    assert s.called_at == T0 + timedelta(minutes=2)


def test_only_a_called_ticket_can_be_a_no_show():
    with pytest.raises(RuleViolation):
        lc.no_show(TicketState(Status.WAITING), T0)
    assert lc.no_show(called(), T0).status is Status.NO_SHOW


def test_complete_needs_service_to_have_started():
    with pytest.raises(RuleViolation) as err:
        lc.complete(called(), T0)
    assert err.value.code == "invalid_transition"


def test_a_finished_ticket_cannot_be_called_again():
    done = lc.complete(lc.start(called(), T0), T0)
    for action in (lambda s: lc.call(s, 1, T0), lambda s: lc.recall(s, T0), lambda s: lc.start(s, T0)):
        with pytest.raises(RuleViolation):
            action(done)


def test_only_a_waiting_ticket_can_be_cancelled():
    assert lc.cancel(TicketState(Status.WAITING), T0).status is Status.CANCELLED
    with pytest.raises(RuleViolation):
        lc.cancel(called(), T0)


def test_late_no_show_is_reactivated_once_within_the_window():
    missed = lc.no_show(called(), T0)
    back = lc.reactivate(missed, T0 + timedelta(minutes=10))
    assert back.status is Status.WAITING and back.window_id is None and back.reactivations == 1
    again = lc.no_show(lc.call(back, 4, T0 + timedelta(minutes=11)), T0 + timedelta(minutes=12))
    with pytest.raises(RuleViolation) as err:
        lc.reactivate(again, T0 + timedelta(minutes=13))
    assert err.value.code == "reactivation_limit"


def test_reactivation_expires_after_the_late_window():
    missed = lc.no_show(called(), T0)
    with pytest.raises(RuleViolation) as err:
        lc.reactivate(missed, T0 + lc.LATE_REACTIVATION_WINDOW + timedelta(seconds=1))
    assert err.value.code == "reactivation_expired"


def test_rule_violation_speaks_chinese_and_english():
    with pytest.raises(RuleViolation) as err:
        lc.start(TicketState(Status.WAITING), T0)
    assert "开始办理" in err.value.message_zh and "started" in err.value.message_en


@pytest.mark.parametrize(
    "status", [Status.WAITING, Status.CALLED, Status.SERVING, Status.DONE, Status.CANCELLED]
)
def test_only_a_no_show_can_be_reactivated(status):
    with pytest.raises(RuleViolation) as err:
        lc.reactivate(TicketState(status, finished_at=T0), T0)
    assert err.value.code == "invalid_transition" and "reactivated" in err.value.message_en


# ── 撤销过号: the clerk takes back their own no-show within a few seconds ──
CLERK, OTHER = 7, 8


def no_show_at(seconds: int = 60) -> TicketState:
    return lc.no_show(lc.recall(called(), T0), T0 + timedelta(seconds=seconds))


def test_a_no_show_taken_back_in_time_by_its_clerk_is_called_again_at_the_same_window():
    gone = no_show_at()
    back = lc.undo_no_show(gone, CLERK, CLERK, gone.finished_at + timedelta(seconds=3))  # type: ignore[operator]
    assert back.status is Status.CALLED and back.window_id == 3
    assert back.finished_at is None
    assert (back.called_at, back.recalls) == (gone.called_at, 1)  # the call itself is unchanged


def test_only_the_clerk_who_marked_the_no_show_can_take_it_back():
    gone = no_show_at()
    with pytest.raises(RuleViolation) as err:
        lc.undo_no_show(gone, CLERK, OTHER, T0 + timedelta(seconds=62))
    assert err.value.code == "undo_not_yours"
    with pytest.raises(RuleViolation):
        lc.undo_no_show(gone, None, CLERK, T0 + timedelta(seconds=62))


def test_a_no_show_cannot_be_taken_back_after_the_undo_window():
    gone = no_show_at()
    assert gone.finished_at is not None
    lc.undo_no_show(gone, CLERK, CLERK, gone.finished_at + lc.NO_SHOW_UNDO_WINDOW)  # the last moment
    with pytest.raises(RuleViolation) as err:
        lc.undo_no_show(gone, CLERK, CLERK, gone.finished_at + lc.NO_SHOW_UNDO_WINDOW + timedelta(seconds=1))
    assert err.value.code == "undo_expired"
    assert "恢复排队" in err.value.message_zh  # what to do instead


def test_only_a_no_show_can_be_taken_back():
    for s in (called(), lc.start(called(), T0), TicketState(Status.WAITING)):
        with pytest.raises(RuleViolation) as err:
            lc.undo_no_show(s, CLERK, CLERK, T0)
        assert err.value.code == "invalid_transition"


def test_completing_a_called_ticket_still_needs_start_the_service_time_starts_there():
    # 开始办理 is not implied by 办结: started_at is what service times and estimates are
    # measured from, and where the first-contact owner is fixed (a 0 s service would skew both)
    with pytest.raises(RuleViolation) as err:
        lc.complete(called(), T0 + timedelta(minutes=3))
    assert err.value.code == "invalid_transition"
