"""Transfers and first-contact responsibility (首办(问)责任制), decided in domain/transfer.py."""

from datetime import UTC, datetime

import pytest

from server.domain import transfer as rules
from server.domain.errors import RuleViolation
from server.domain.ticket import Status, TicketState

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def test_transfer_sends_a_called_or_serving_ticket_back_to_waiting_without_a_window():
    for status in (Status.CALLED, Status.SERVING):
        state = TicketState(status, window_id=3, recalls=2, called_at=NOW, started_at=NOW)
        new = rules.transfer(state)
        assert (new.status, new.window_id, new.recalls, new.called_at, new.started_at) == (
            Status.WAITING,
            None,
            0,
            None,
            None,
        )


@pytest.mark.parametrize("status", [Status.WAITING, Status.DONE, Status.NO_SHOW, Status.CANCELLED])
def test_only_a_ticket_at_a_window_can_be_transferred(status):
    with pytest.raises(RuleViolation) as err:
        rules.transfer(TicketState(status))
    assert err.value.code == "invalid_transition"


def test_a_transfer_needs_a_reason_of_reasonable_length():
    assert rules.check_reason("  走错窗口 ") == "走错窗口"
    for bad in (None, "", "   ", "x" * (rules.MAX_REASON + 1)):
        with pytest.raises(RuleViolation):
            rules.check_reason(bad)


def test_nobody_is_sent_to_a_closed_queue_unless_a_manager_overrides():
    rules.check_target_open(True, False)
    rules.check_target_open(False, True)
    with pytest.raises(RuleViolation) as err:
        rules.check_target_open(False, False)
    assert err.value.code == "no_open_window"


def test_transfer_keeps_first_contact_owner():
    assert rules.first_contact_owner(None, 7) == 7
    assert rules.first_contact_owner(4, 7) == 4


def test_a_citizen_sent_to_a_window_keeps_their_service_when_it_is_served_there():
    assert rules.service_at_window("C", ["F", "C"]) == "C"
    assert rules.service_at_window("C", ["F", "G"]) == "F"
    with pytest.raises(RuleViolation) as err:
        rules.service_at_window("C", [])
    assert err.value.code == "no_service"


def test_the_boards_tell_the_citizen_where_to_go():
    assert rules.where_to_go("C012", [8]) == ("C012 请到 8 号窗口", "C012: please go to window 8")
    assert rules.where_to_go("C012", [9, 8])[0] == "C012 请到 8、9 号窗口"
    assert rules.where_to_go("C012", [])[0] == "C012 请等候叫号"
