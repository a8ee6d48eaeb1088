from datetime import UTC, date, datetime

import pytest

from server.domain.business_day import business_day


def test_business_day_is_the_halls_local_date_not_utc():
    # 23:30 UTC on the 26th is 07:30 on the 27th in Shanghai
    assert business_day(datetime(2026, 11, 26, 23, 30, tzinfo=UTC), "Asia/Shanghai") == date(2026, 11, 27)


def test_business_day_changes_at_local_midnight():
    before = datetime(2026, 11, 27, 15, 59, 59, tzinfo=UTC)  # 23:59:59 Shanghai
    after = datetime(2026, 11, 27, 16, 0, 0, tzinfo=UTC)  # 00:00 Shanghai
    assert business_day(before, "Asia/Shanghai") == date(2026, 11, 27)
    assert business_day(after, "Asia/Shanghai") == date(2026, 11, 28)


def test_late_rollover_keeps_the_evening_in_the_day_it_started():
    one_am = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # 01:00 on the 28th in Shanghai
    assert business_day(one_am, "Asia/Shanghai", rollover_hour=3) == date(2026, 11, 27)


def test_business_day_refuses_a_naive_time():
    with pytest.raises(ValueError):
        business_day(datetime(2026, 11, 27, 9, 0), "Asia/Shanghai")


@pytest.mark.parametrize("hour", [-1, 24])
def test_the_rollover_hour_is_an_hour_of_the_day(hour):
    with pytest.raises(ValueError, match="rollover_hour"):
        business_day(datetime(2026, 11, 27, 9, 0, tzinfo=UTC), "Asia/Shanghai", rollover_hour=hour)
