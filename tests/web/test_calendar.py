"""The working-day calendar over HTTP: a year nobody imported leaves a case without a due date
until the State Council's schedule is imported; imports are checked and scoped; the manager
console warns 60 days ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from sqlalchemy import func, select

from server.storage.models import CalendarDay, CalendarYear, Case, CaseStep, Event, Hall, Service
from tests.helpers import bearer, gen_token
from tests.web.test_manage_pages import _login

CAL = "/api/v1/calendar/{year}"
STATUS = "/api/v1/halls/{hall}/calendar-status"

#: a 2027 schedule for the tests (元旦, 春节 with two make-up Saturdays)
SCHEDULE_2027 = {
    "source": "国办发明电〔2026〕测试",
    "holidays": [
        {"day": "2027-01-01", "name": "元旦"},
        {"day": "2027-01-02", "name": "元旦"},
        {"day": "2027-01-03", "name": "元旦"},
        *({"day": f"2027-02-{d:02d}", "name": "春节"} for d in range(6, 13)),
    ],
    "workdays": [{"day": "2027-01-30", "name": "春节调休"}, {"day": "2027-02-20", "name": "春节调休"}],
}


@pytest.fixture
def admin(ctx):
    return bearer(gen_token(ctx, "admin", "admin", hall=None))


@pytest.fixture
def manager(ctx):
    return bearer(gen_token(ctx, "manager", "manager"))


def accept_case(ctx, accepted: date, limit_days: int, hall: str = "demo", number: str = "B-1") -> int:
    """A case as the window would accept it (the accept path is not under test here)."""
    with ctx.db.transaction() as s:
        h = s.scalar(select(Hall).where(Hall.code == hall))
        svc = s.scalar(select(Service).where(Service.hall_id == h.id).order_by(Service.id))
        at = datetime(accepted.year, accepted.month, accepted.day, 2, 0, tzinfo=UTC)
        case = Case(
            code=f"code{number}{hall}",
            number=number,
            hall_id=h.id,
            service_id=svc.id,
            status="accepted",
            accepted_at=at,
            accepted_day=accepted,
            limit_days=limit_days,
            legal_limit_days=limit_days,
        )
        s.add(case)
        s.flush()
        s.add(CaseStep(case_id=case.id, kind="accepted", at=at, day=accepted))
        from server.services.core.casework import refresh_due
        from server.services.core.workcal import hall_calendar

        refresh_due(s, case, hall_calendar(s, h))
        return case.id


def load_case(ctx, case_id: int) -> Case:
    with ctx.db.read() as s:
        case = s.get(Case, case_id)
        s.expunge(case)
        return case


def expected_due(accepted: date, n: int, holidays_2027: set[date]) -> date:
    """Counted here without the app: chinese-calendar for 2026, the test's schedule for 2027."""
    day = accepted
    while n:
        day += timedelta(days=1)
        if day.year == 2026:
            working = chinese_calendar.is_workday(day)
        else:
            working = day.weekday() < 5 and day not in holidays_2027
        n -= working
    return day


def holidays_of(schedule) -> set[date]:
    return {date.fromisoformat(h["day"]) for h in schedule["holidays"]}


def test_a_20_day_case_accepted_10_december_2026_waits_for_the_2027_calendar_then_gets_its_date(
    ctx, client, admin, manager
):
    case_id = accept_case(ctx, date(2026, 12, 10), 20)
    before = load_case(ctx, case_id)
    assert before.calendar_missing == 2027 and before.due_day is None

    status = client.get(STATUS.format(hall="demo"), headers=manager).get_json()
    assert status["missing"] == [
        {
            "year": 2027,
            "cases": 1,
            "message": status["missing"][0]["message"],
            "message_en": status["missing"][0]["message_en"],
        }
    ]
    assert "2027" in status["missing"][0]["message"]

    r = client.put(CAL.format(year=2027), json=SCHEDULE_2027, headers=admin)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["covered"] and body["source"] == "all_halls" and body["recomputed"] == 1
    after = load_case(ctx, case_id)
    assert after.calendar_missing is None
    assert (
        after.due_day == expected_due(date(2026, 12, 10), 20, holidays_of(SCHEDULE_2027)) == date(2027, 1, 8)
    )
    assert client.get(STATUS.format(hall="demo"), headers=manager).get_json()["missing"] == []
    with ctx.db.read() as s:
        ev = s.scalars(select(Event).where(Event.type == "calendar.imported")).all()
    assert len(ev) == 1 and ev[0].data["year"] == 2027 and ev[0].data["recomputed"] == 1
    audit = client.get("/api/v1/halls/demo/audit", headers=manager).get_json()
    line = next(r for r in audit["events"] if r["type"] == "calendar.imported")
    assert "2027 年工作日历（所有大厅）国办发明电〔2026〕测试，重算办件 1 件" in line["summary"]
    # the public gets no data of it (staff only)
    from server.domain.disclosure import shape_event

    assert shape_event("calendar.imported", ev[0].data, "public") == {}


def test_a_hall_import_overrides_the_all_halls_year_and_says_where_each_comes_from(
    ctx, client, admin, manager
):
    assert client.get(CAL.format(year=2027), headers=manager).get_json()["covered"] is False
    y2026 = client.get(CAL.format(year=2026), headers=manager).get_json()
    assert (
        y2026["source"] == "chinese_calendar" and {"day": "2026-10-10", "name": "国庆节"} in y2026["workdays"]
    )
    assert client.put(CAL.format(year=2027), json=SCHEDULE_2027, headers=admin).status_code == 200
    own = {**SCHEDULE_2027, "hall": "demo", "source": "本大厅调整", "workdays": []}
    r = client.put(CAL.format(year=2027), json=own, headers=manager)
    assert r.status_code == 200, r.get_json()
    shown = client.get(CAL.format(year=2027), headers=manager).get_json()
    assert shown["source"] == "hall" and shown["layers"] == ["all_halls", "hall"] and shown["workdays"] == []
    every = client.get(CAL.format(year=2027), headers=admin).get_json()
    assert every["source"] == "all_halls" and len(every["workdays"]) == 2


def test_a_manager_cannot_import_for_another_hall_or_for_every_hall(ctx, client, admin, manager):
    assert client.post(
        "/api/v1/halls", json={"code": "west", "name": "西区大厅"}, headers=admin
    ).status_code in (
        200,
        201,
    )
    for body in ({**SCHEDULE_2027, "hall": "west"}, SCHEDULE_2027):
        r = client.put(CAL.format(year=2027), json=body, headers=manager)
        assert r.status_code == 403, r.get_json()
    assert client.get(STATUS.format(hall="west"), headers=manager).status_code == 403
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(CalendarYear)) == 0


@pytest.mark.parametrize(
    ("change", "field", "word"),
    [
        ({"workdays": [{"day": "2027-01-05", "name": "调休"}]}, "workdays[0].day", "周六"),
        ({"holidays": [{"day": "2028-01-01", "name": "元旦"}]}, "holidays[0].day", "不在 2027 年内"),
        ({"workdays": [{"day": "2027-01-02", "name": "x"}]}, "workdays[0].day", "已列为节假日"),
        ({"holidays": [{"day": "2027-01-01", "name": "元" * 51}]}, "holidays[0].name", "50"),
        ({"holidays": [{"day": "2027-13-01"}]}, "holidays[0].day", "YYYY-MM-DD"),
        ({"holidays": []}, "holidays", "至少"),
    ],
)
def test_a_bad_schedule_is_refused_naming_the_field_and_nothing_changes(
    ctx, client, admin, change, field, word
):
    case_id = accept_case(ctx, date(2026, 12, 10), 20)
    r = client.put(CAL.format(year=2027), json={**SCHEDULE_2027, **change}, headers=admin)
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["field"] == field and word in err["message"], err
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(CalendarYear)) == 0
        assert s.scalar(select(func.count()).select_from(CalendarDay)) == 0
    assert load_case(ctx, case_id).calendar_missing == 2027


def test_the_console_warns_60_days_before_an_uncovered_year_and_not_before(ctx, app, client, manager, clock):
    browser = app.test_client()
    _login(browser, "manager")
    clock.now = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # 1 Jan 2027 is 61 days away
    assert client.get(STATUS.format(hall="demo"), headers=manager).get_json()["uncovered"] == []
    page = browser.get("/manage/")
    assert page.status_code == 200 and "calendar-banner" not in page.get_data(as_text=True)
    clock.now = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 60 days away
    status = client.get(STATUS.format(hall="demo"), headers=manager).get_json()
    assert [u["year"] for u in status["uncovered"]] == [2027]
    assert status["uncovered"][0]["import_by"] == "2026-12-01"
    assert "2027 年工作日历尚未导入" in status["uncovered"][0]["message"]
    for path in ("/manage/", "/manage/hall"):
        html = browser.get(path).get_data(as_text=True)
        assert "2027 年工作日历尚未导入：请在 2026 年 12 月 1 日前导入" in html
        assert "/admin/calendar?year=2027" in html
    assert browser.get("/admin/calendar?year=2027").status_code == 200
    # the schedule imported, the warning goes
    assert (
        client.put(CAL.format(year=2027), json={**SCHEDULE_2027, "hall": "demo"}, headers=manager).status_code
        == 200
    )
    assert "calendar-banner" not in browser.get("/manage/").get_data(as_text=True)


def test_a_case_waiting_for_a_year_shows_on_the_console(ctx, app):
    accept_case(ctx, date(2026, 12, 10), 20)
    browser = app.test_client()
    _login(browser, "manager")
    html = browser.get("/manage/").get_data(as_text=True)
    assert "1 件办件因缺少 2027 年工作日历而无法计算办结期限" in html
