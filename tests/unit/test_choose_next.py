from datetime import UTC, datetime, timedelta

from server.domain.choose_next import Candidate, call_order, choose_next

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def c(tid, code, minutes, priority=False, directed=None):
    return Candidate(tid, code, T0 + timedelta(minutes=minutes), priority, directed)


def test_earliest_queued_is_called_first():
    assert choose_next(1, ["A"], [c(2, "A", 5), c(1, "A", 1)]).ticket_id == 1


def test_priority_ticket_goes_first():
    assert choose_next(1, ["A"], [c(1, "A", 0), c(2, "A", 9, priority=True)]).ticket_id == 2


def test_ticket_directed_to_this_window_goes_before_the_general_queue():
    assert choose_next(5, ["A"], [c(1, "A", 0), c(2, "A", 9, directed=5)]).ticket_id == 2


def test_priority_beats_directed():
    order = call_order(5, ["A"], [c(1, "A", 0, directed=5), c(2, "A", 9, priority=True)])
    assert [x.ticket_id for x in order] == [2, 1]


def test_ticket_directed_to_another_window_is_not_called_here():
    assert choose_next(5, ["A"], [c(1, "A", 0, directed=6)]) is None


def test_window_serving_several_services_takes_the_earliest_across_them():
    order = call_order(1, ["A", "B"], [c(1, "A", 3), c(2, "B", 1), c(3, "C", 0)])
    assert [x.ticket_id for x in order] == [2, 1]


def test_window_service_order_breaks_ties():
    order = call_order(1, ["B", "A"], [c(1, "A", 0), c(2, "B", 0)])
    assert [x.ticket_id for x in order] == [2, 1]


def test_nobody_waiting_means_nothing_to_call():
    assert choose_next(1, ["A"], []) is None


def test_a_window_may_call_its_services_and_tickets_directed_to_it_or_a_window_it_covers():
    from server.domain.choose_next import may_call

    assert may_call(5, ["A"], c(1, "A", 0))
    assert may_call(5, ["A"], c(1, "A", 0, directed=5))
    assert may_call(5, ["A"], c(1, "A", 0, directed=7), covering=[7])
    assert not may_call(5, ["A"], c(1, "A", 0, directed=6))
    assert not may_call(5, ["A"], c(1, "B", 0))


def test_a_windows_queue_is_what_is_directed_to_it_and_its_undirected_services():
    from server.domain.choose_next import waits_at

    assert waits_at(5, {"A"}, c(1, "A", 0))
    assert waits_at(5, {"A"}, c(1, "B", 0, directed=5)), "directed here, whatever its service"
    assert not waits_at(5, {"A"}, c(1, "A", 0, directed=6))
    assert not waits_at(5, {"A"}, c(1, "B", 0))


def test_people_ahead_are_priority_tickets_then_earlier_ones_of_the_same_service():
    from server.domain.choose_next import queue_position

    mine = c(3, "A", 5)
    waiting = [c(1, "A", 1), c(2, "A", 9, priority=True), mine, c(4, "A", 7), c(5, "B", 0)]
    assert queue_position(mine, waiting) == 2
    assert queue_position(c(2, "A", 9, priority=True), waiting) == 0
    same_time = [c(7, "A", 5), c(6, "A", 5)]
    assert queue_position(c(7, "A", 5), same_time) == 1, "the ticket id breaks a tie"
