"""A year's holiday schedule (放假安排) as the State Council publishes it each November, checked
before it replaces a year of a hall's working-day calendar.

The schedule lists the statutory holidays and the weekend days made workdays by 调休. A wrong
file would silently move every due date of the hall, so it is refused with every bad field
named at once: a day outside the year, a day listed twice or as both a holiday and a workday,
a make-up workday on a weekday (调休 only ever turns a Saturday or Sunday into a workday), a
name longer than a cell of the printed table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .guide import FieldError, GuideInvalid

#: years a schedule may be imported for: a four-digit year around today, never a typo like 20277
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_NAME = 50
MAX_SOURCE = 200
#: China has 11–13 holiday days plus the weekends inside them; 60 is far more than any year
MAX_HOLIDAYS = 60
#: 调休 gives 4–8 make-up workdays a year
MAX_WORKDAYS = 20
#: the banner tells managers to import next year's schedule by this day of the year before:
#: a case accepted in December already counts into January
DEADLINE_MONTH, DEADLINE_DAY = 12, 1
DOCUMENT_KEYS = ("year", "hall", "source", "holidays", "workdays")
DAY_KEYS = ("day", "name")


class CalendarInvalid(GuideInvalid):
    """A schedule was refused; `field` is the first bad path and `errors` lists every one."""


@dataclass(frozen=True)
class NamedDay:
    day: date
    name: str

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "name": self.name}


@dataclass(frozen=True)
class YearSchedule:
    year: int
    source: str
    holidays: tuple[NamedDay, ...]
    workdays: tuple[NamedDay, ...]


def check_year(year: object, path: str = "year") -> int:
    """A year a schedule may be imported or shown for."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarInvalid(
            [
                FieldError(
                    path, f"年份必须在 {MIN_YEAR} 到 {MAX_YEAR} 之间", f"must be a year {MIN_YEAR}–{MAX_YEAR}"
                )
            ]
        )
    return year


def _day(value: object, path: str, year: int, errors: list[FieldError]) -> date | None:
    if isinstance(value, date):
        day = value  # YAML reads 2027-01-01 as a date
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            errors.append(FieldError(path, "日期格式应为 YYYY-MM-DD", "must be a date YYYY-MM-DD"))
            return None
    else:
        errors.append(FieldError(path, "日期格式应为 YYYY-MM-DD", "must be a date YYYY-MM-DD"))
        return None
    if day.year != year:
        errors.append(
            FieldError(path, f"{day.isoformat()} 不在 {year} 年内", f"{day.isoformat()} is not in {year}")
        )
        return None
    return day


def _days(
    value: object, path: str, year: int, limit: int, errors: list[FieldError]
) -> list[tuple[str, NamedDay]]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(FieldError(path, "必须是列表", "must be a list"))
        return []
    if len(value) > limit:
        errors.append(FieldError(path, f"最多 {limit} 天", f"has more than {limit} days"))
        return []
    out: list[tuple[str, NamedDay]] = []
    for i, item in enumerate(value):
        at = f"{path}[{i}]"
        if not isinstance(item, dict):
            errors.append(FieldError(at, "必须是对象 {day, name}", "must be an object {day, name}"))
            continue
        for key in item:
            if key not in DAY_KEYS:
                errors.append(FieldError(f"{at}.{key}", "未知字段", "unknown field"))
        day = _day(item.get("day"), f"{at}.day", year, errors)
        name = item.get("name", "")
        if name is None:
            name = ""
        if not isinstance(name, str):
            errors.append(FieldError(f"{at}.name", "必须是文字", "must be a string"))
            name = ""
        name = name.strip()
        if len(name) > MAX_NAME:
            errors.append(
                FieldError(f"{at}.name", f"最多 {MAX_NAME} 字", f"is longer than {MAX_NAME} characters")
            )
        if day is not None:
            out.append((at, NamedDay(day, name)))
    return out


def parse_schedule(year: int, data: object) -> YearSchedule:
    """Validate an untrusted schedule (an API body, an imported file) for `year`.

    `{"source": "国办发明电〔2026〕…", "holidays": [{"day", "name"}], "workdays": [...]}`
    (`hall` and `year` are the caller's, accepted and ignored here). At least one holiday: an
    empty schedule is a wrong file, not a year without holidays. Raises `CalendarInvalid`.
    """
    check_year(year)
    if not isinstance(data, Mapping):
        raise CalendarInvalid([FieldError("body", "必须是对象", "must be an object")])
    errors: list[FieldError] = []
    for key in data:
        if key not in DOCUMENT_KEYS:
            errors.append(FieldError(str(key), "未知字段", "unknown field"))
    if data.get("year") is not None and data.get("year") != year:
        errors.append(FieldError("year", f"与 {year} 年不符", f"does not match {year}"))
    source = data.get("source") or ""
    if not isinstance(source, str):
        errors.append(FieldError("source", "必须是文字", "must be a string"))
        source = ""
    source = source.strip()
    if len(source) > MAX_SOURCE:
        errors.append(
            FieldError("source", f"最多 {MAX_SOURCE} 字", f"is longer than {MAX_SOURCE} characters")
        )
    holidays = _days(data.get("holidays"), "holidays", year, MAX_HOLIDAYS, errors)
    workdays = _days(data.get("workdays"), "workdays", year, MAX_WORKDAYS, errors)
    if not holidays and not any(e.field.startswith("holidays") for e in errors):
        errors.append(FieldError("holidays", "至少列出一个法定节假日", "lists no holiday"))
    seen: dict[date, str] = {}
    for path, nd in holidays:
        if nd.day in seen:
            errors.append(FieldError(f"{path}.day", f"与 {seen[nd.day]} 重复", f"repeats {seen[nd.day]}"))
        else:
            seen[nd.day] = path
    for path, nd in workdays:
        if nd.day in seen:
            other = seen[nd.day]
            kind_zh = "节假日" if other.startswith("holidays") else "调休工作日"
            errors.append(
                FieldError(
                    f"{path}.day",
                    f"{nd.day.isoformat()} 已列为{kind_zh}（{other}）",
                    f"{nd.day.isoformat()} is already listed at {other}",
                )
            )
            continue
        seen[nd.day] = path
        if nd.day.weekday() < 5:
            weekday = "一二三四五"[nd.day.weekday()]
            errors.append(
                FieldError(
                    f"{path}.day",
                    f"{nd.day.isoformat()} 是星期{weekday}：调休上班日只能是周六、周日",
                    f"{nd.day.isoformat()} is a weekday: a make-up workday is a Saturday or a Sunday",
                )
            )
    if errors:
        raise CalendarInvalid(errors)
    return YearSchedule(
        year,
        source,
        tuple(sorted((nd for _, nd in holidays), key=lambda n: n.day)),
        tuple(sorted((nd for _, nd in workdays), key=lambda n: n.day)),
    )


def year_of_document(data: object) -> int:
    """The year a schedule file is for: its `year`, else the year of its first holiday."""
    if isinstance(data, Mapping):
        if data.get("year") is not None:
            return check_year(data.get("year"))
        holidays = data.get("holidays")
        if isinstance(holidays, list) and holidays and isinstance(holidays[0], Mapping):
            errors: list[FieldError] = []
            first = holidays[0].get("day")
            day = _day(
                first, "holidays[0].day", first.year if isinstance(first, date) else _year_of(first), errors
            )
            if day is not None:
                return check_year(day.year)
    raise CalendarInvalid([FieldError("year", "请写明年份（year）", "name the year (year)")])


def _year_of(value: object) -> int:
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return 0


def import_deadline(year: int) -> date:
    """The day by which `year`'s schedule should be imported (the banner names it)."""
    return date(year - 1, DEADLINE_MONTH, DEADLINE_DAY)
