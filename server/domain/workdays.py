"""Working days (工作日) and the due date of a matter (限时办结制).

The law counts a time limit in working days from the hall's local date of acceptance: that day
does not count (民法典 第二百零一条), weekends and statutory holidays do not count, and the make-up
workdays of 调休 do. Working days on which a case is suspended (补正, 特别程序) do not count: a day
``d`` is skipped when ``suspended < d <= resumed``.

A calendar knows the years its source covers; a date in any other year is never guessed:
``CalendarMissing`` names the year to import (the State Council publishes each November).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

GREEN = "green"
YELLOW = "yellow"
RED = "red"

ONE_DAY = timedelta(days=1)

#: the keys of a hall's opening hours, Monday first (date.weekday())
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: a 调休 make-up workday's hours, unless the hall names another weekday
DEFAULT_MAKEUP_WEEKDAY = "mon"


class CalendarMissing(Exception):
    """A date in a year the calendar does not cover."""

    def __init__(self, year: int) -> None:
        super().__init__(f"no working-day calendar for {year}")
        self.year = year


@dataclass(frozen=True)
class WorkCalendar:
    """The working-day calendar of a hall: the years covered, their statutory holidays and the
    weekend days made workdays by 调休."""

    years: frozenset[int] = frozenset()
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def is_working_day(self, day: date) -> bool:
        if not self.covers(day):
            raise CalendarMissing(day.year)
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def merged(self, other: WorkCalendar) -> WorkCalendar:
        """This calendar with `other`'s years laid over it (a hall's imported or edited years
        replace what the base source says of the same years)."""
        keep = self.years - other.years
        return WorkCalendar(
            years=keep | other.years,
            holidays=frozenset(d for d in self.holidays if d.year in keep) | other.holidays,
            makeup_workdays=frozenset(d for d in self.makeup_workdays if d.year in keep)
            | other.makeup_workdays,
        )


def hours_key(day: date, calendar: WorkCalendar, makeup_weekday: str | None = None) -> str | None:
    """Whose opening hours a hall keeps on `day`: its own weekday's on an ordinary day, none on
    a statutory holiday or a weekend off, and on a 调休 make-up workday (a weekend day made a
    workday) the hours of the weekday the hall names — Monday's unless it names another.
    Raises CalendarMissing for a year the calendar does not cover."""
    if not calendar.is_working_day(day):
        return None
    if day in calendar.makeup_workdays and day.weekday() >= 5:
        return makeup_weekday or DEFAULT_MAKEUP_WEEKDAY
    return DAY_KEYS[day.weekday()]


@dataclass(frozen=True)
class Suspension:
    """The clock of a case stopped on `start` (the day it was suspended) and restarted on `end`
    (the day it resumed; None while it is still suspended)."""

    start: date
    end: date | None = None

    def stops(self, day: date) -> bool:
        return self.start < day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Clock:
    """What a case's due date is computed from."""

    accepted: date
    limit_days: int
    suspensions: tuple[Suspension, ...] = field(default_factory=tuple)


def counts(day: date, calendar: WorkCalendar, suspensions: Iterable[Suspension] = ()) -> bool:
    """Whether `day` counts toward a time limit: a working day on which the case ran."""
    return calendar.is_working_day(day) and not any(s.stops(day) for s in suspensions)


def due_date(clock: Clock, calendar: WorkCalendar) -> date | None:
    """The last day of the time limit; the day of acceptance itself for 即办件 (0 days).

    None while a suspension is open (the clock stands still: nobody knows when it restarts).
    Raises CalendarMissing when the count reaches a year the calendar does not cover.
    """
    if clock.limit_days < 0:
        raise ValueError("a time limit is zero or more working days")
    if any(s.end is None for s in clock.suspensions):
        return None
    day, counted = clock.accepted, 0
    while counted < clock.limit_days:
        day += ONE_DAY
        if counts(day, calendar, clock.suspensions):
            counted += 1
    return day


def working_days_between(
    start: date, end: date, calendar: WorkCalendar, suspensions: Iterable[Suspension] = ()
) -> int:
    """Counting days `d` with `start < d <= end` (0 when end is not after start)."""
    stops = tuple(suspensions)
    n, day = 0, start
    while day < end:
        day += ONE_DAY
        if counts(day, calendar, stops):
            n += 1
    return n


def urgency(today: date, due: date | None, warn_days: int | None, calendar: WorkCalendar) -> str:
    """Green, yellow once the working days left reach the service's `warn_days`, red from the
    day after the due date. A case with no due date (clock stopped, calendar missing) is green:
    other flags say why it has none."""
    if due is None:
        return GREEN
    if today > due:
        return RED
    if warn_days is not None and working_days_between(today, due, calendar) <= warn_days:
        return YELLOW
    return GREEN


def uncovered_years(today: date, calendar: WorkCalendar, horizon_days: int = 60) -> list[int]:
    """The years between today and `horizon_days` ahead the calendar does not cover: the
    manager console warns in time to import them."""
    last = today + timedelta(days=horizon_days)
    return [y for y in range(today.year, last.year + 1) if y not in calendar.years]
