import pytest

from server.domain.estimate import DEFAULT_SERVICE_SECONDS, estimated_wait_s


def test_nobody_ahead_means_no_wait():
    assert estimated_wait_s(0, 240, 2) == 0


def test_people_ahead_are_shared_among_open_windows():
    assert estimated_wait_s(4, 300, 2) == 600
    assert estimated_wait_s(5, 300, 2) == 900


def test_default_service_time_until_the_day_has_data():
    assert estimated_wait_s(1, None, 1) == DEFAULT_SERVICE_SECONDS


def test_no_open_window_still_gives_an_estimate():
    assert estimated_wait_s(3, 100, 0) == 300


def test_a_negative_number_of_people_ahead_is_refused():
    with pytest.raises(ValueError, match="negative"):
        estimated_wait_s(-1, 300, 1)


def test_an_unknown_or_zero_average_uses_the_default_service_time():
    assert estimated_wait_s(2, 0, 1) == 2 * DEFAULT_SERVICE_SECONDS
    assert estimated_wait_s(2, -5.0, 1) == 2 * DEFAULT_SERVICE_SECONDS
