"""Two imports of the same year and scope at once (two admins, a retried request) both succeed,
one after the other: one year row, no day twice — on SQLite and on PostgreSQL (when configured)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from server.services import calendars
from server.storage.models import CalendarDay, CalendarYear
from tests.helpers import principal

SCHEDULE = {
    "source": "国办发明电〔2026〕99号（测试）",
    "holidays": [{"day": "2027-01-01", "name": "元旦"}, {"day": "2027-02-06", "name": "春节"}],
    "workdays": [{"day": "2027-02-14", "name": "春节调休"}],
}


@pytest.mark.parametrize("scope", ["demo", None])
def test_concurrent_imports_of_one_year_replace_it_one_after_the_other(any_db_app, scope):
    ctx = any_db_app.extensions["hallq"]
    admin = (
        principal(ctx, "admin", "admin", hall=None) if scope is None else principal(ctx, "manager", "manager")
    )
    body = {**SCHEDULE, **({"hall": scope} if scope else {})}
    n = 6
    start = threading.Barrier(n)

    def worker(_: int) -> int:
        start.wait()
        return calendars.import_year(ctx, admin, 2027, dict(body))["year"]

    with ThreadPoolExecutor(n) as pool:
        years = list(pool.map(worker, range(n)))
    assert years == [2027] * n
    with ctx.db.read() as s:
        rows = s.scalars(select(CalendarYear).where(CalendarYear.year == 2027)).all()
        assert len(rows) == 1
        days = s.scalar(select(func.count(CalendarDay.id)).where(CalendarDay.year_id == rows[0].id))
        assert days == 3
