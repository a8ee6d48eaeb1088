"""A year's holiday schedule is checked before it moves a hall's due dates."""

from __future__ import annotations

from datetime import date

import pytest

from server.domain.calendar_import import (
    CalendarInvalid,
    import_deadline,
    parse_schedule,
    year_of_document,
)

GOOD = {
    "source": "国办发明电〔2026〕测试",
    "holidays": [{"day": "2027-01-01", "name": "元旦"}, {"day": "2027-02-06", "name": "春节"}],
    "workdays": [{"day": "2027-01-30", "name": "春节调休"}],
}


def fields_of(data, year=2027):
    with pytest.raises(CalendarInvalid) as refused:
        parse_schedule(year, data)
    return [e.field for e in refused.value.errors]


def test_a_good_schedule_is_kept_in_day_order():
    sched = parse_schedule(2027, {**GOOD, "holidays": list(reversed(GOOD["holidays"]))})
    assert [h.day for h in sched.holidays] == [date(2027, 1, 1), date(2027, 2, 6)]
    assert sched.workdays[0].day == date(2027, 1, 30) and sched.source.startswith("国办发明电")


def test_a_makeup_workday_must_be_a_saturday_or_sunday():
    assert fields_of({**GOOD, "workdays": [{"day": "2027-01-05"}]}) == ["workdays[0].day"]


def test_every_day_lies_in_the_year():
    assert fields_of({**GOOD, "holidays": [{"day": "2026-12-31"}], "workdays": [{"day": "2028-01-01"}]}) == [
        "holidays[0].day",
        "workdays[0].day",
    ]


def test_no_day_is_both_a_holiday_and_a_workday_nor_listed_twice():
    data = {
        "holidays": [{"day": "2027-01-02"}, {"day": "2027-01-02"}],
        "workdays": [{"day": "2027-01-02"}],
    }
    assert fields_of(data) == ["holidays[1].day", "workdays[0].day"]


def test_names_are_at_most_50_characters_and_unknown_keys_are_refused():
    data = {**GOOD, "holidays": [{"day": "2027-01-01", "name": "元" * 51, "note": 1}], "colour": "red"}
    assert sorted(fields_of(data)) == ["colour", "holidays[0].name", "holidays[0].note"]


def test_an_empty_schedule_is_a_wrong_file():
    assert fields_of({"holidays": [], "workdays": []}) == ["holidays"]


def test_a_date_that_is_no_date_is_named():
    assert fields_of({"holidays": [{"day": "2027-02-30"}, {"day": 20270101}]}) == [
        "holidays[0].day",
        "holidays[1].day",
    ]


def test_the_year_must_be_plausible_and_match_the_document():
    assert fields_of(GOOD, year=20277) == ["year"]
    assert fields_of({**GOOD, "year": 2028}) == ["year"]


def test_a_file_names_its_year_or_its_days_do():
    assert year_of_document({**GOOD, "year": 2027}) == 2027
    assert year_of_document(GOOD) == 2027
    assert year_of_document({"holidays": [{"day": date(2027, 1, 1)}]}) == 2027  # YAML dates
    with pytest.raises(CalendarInvalid):
        year_of_document({"holidays": []})


def test_next_years_schedule_is_due_by_1_december():
    assert import_deadline(2027) == date(2026, 12, 1)
