"""The appraisal in a real browser against `hallq serve`: an admin saves next month's rules; the
manager reads this month's scores, opens one's explanation and records a 扣分 against the clerk
who held an overdue case; the clerk sees it on their appraisal page and answers it once."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server import create_app
from server.storage.models import Case, CaseStep, Hall, Service, User

from .test_browser_live_hall import WAIT_MS, PageErrors, browser
from .test_browser_manager_console import log_in

pytestmark = pytest.mark.e2e

__all__ = ["browser"]


def hall_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def last_month() -> date:
    return (hall_today().replace(day=1) - timedelta(days=1)).replace(day=1)


def a_late_case(hall: Any, number: str, owner: str) -> None:
    """A case accepted on last month's 2nd by `owner`, due on the 3rd, never completed."""
    app = create_app({"DATABASE_URL": hall.database_url, "SECRET_KEY": "e2e", "ASYNC_MODE": "threading"})
    db = app.extensions["hallq"].db
    accepted = last_month() + timedelta(days=1)
    try:
        with db.transaction() as s:
            h = s.scalar(select(Hall).where(Hall.code == "demo"))
            svc = s.scalar(select(Service).where(Service.hall_id == h.id, Service.code == "A"))
            uid = s.scalar(select(User.id).where(User.username == owner))
            case = Case(
                code=secrets.token_urlsafe(12),
                number=number,
                hall_id=h.id,
                service_id=svc.id,
                owner_id=uid,
                status="accepted",
                accepted_at=datetime.now(UTC) - timedelta(days=5),
                accepted_day=accepted,
                limit_days=1,
                due_day=accepted + timedelta(days=1),
            )
            s.add(case)
            s.flush()
            s.add(
                CaseStep(
                    case_id=case.id,
                    kind="accepted",
                    at=case.accepted_at,
                    day=accepted,
                    by_user_id=uid,
                    owner_id=uid,
                )
            )
    finally:
        db.dispose()


def test_rules_scores_a_record_and_the_clerks_answer(live_hall: Any, browser: Any) -> None:
    a_late_case(live_hall, "E2E-LATE-1", "clerk02")
    month = last_month().strftime("%Y-%m")
    errors = PageErrors()

    # the admin saves a version for next month: this month's version stays in force
    ctx, page = log_in(browser, errors, live_hall, "admin", "/admin/appraisal?hall=demo")
    page.wait_for_selector("#rules-factors input[data-factor='late'][data-part='weight']")
    today = hall_today()
    nxt = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    page.fill("#rules-month", nxt.strftime("%Y-%m"))
    page.fill("#rules-factors input[data-factor='late'][data-part='weight']", "2")
    page.click("#rules-save")
    page.wait_for_selector("#messages .alert.ok")
    page.wait_for_selector(f"#rules-versions:has-text('{nxt.isoformat()}')")
    assert "默认规则" in page.inner_text("#rules-in-force")
    ctx.close()

    # the manager: last month's scores, one explained; a 扣分 against the late case's holder
    ctx, page = log_in(browser, errors, live_hall, "manager", f"/manage/appraisal?month={month}")
    page.wait_for_selector("#ap-scores tr[data-key]", timeout=WAIT_MS)
    page.click("#ap-scores tr[data-key] >> nth=0")
    page.wait_for_selector("#ap-explain:not([hidden])")
    page.wait_for_selector("#rec-overdue:has-text('E2E-LATE-1')")
    page.click("#rec-overdue li:has-text('E2E-LATE-1') button")
    assert page.input_value("#rec-subject") == "E2E-LATE-1"
    page.select_option("#rec-decision", "deduct")
    page.fill("#rec-points", "2")
    page.fill("#rec-note", "超期未办结")
    page.click("#rec-form button[type='submit']")
    page.wait_for_selector("#messages .alert.ok")
    page.wait_for_selector("#rec-list:has-text('E2E-LATE-1')")
    # the deduction shows in the holder's score, traced to its record
    page.wait_for_selector("#ap-scores tr[data-key]")
    ctx.close()

    # the clerk: from the console to their appraisal, answers once
    ctx, page = log_in(browser, errors, live_hall, "clerk02", "/clerk/")
    page.wait_for_url("**/clerk/")
    page.click("#my-appraisal-link")
    page.wait_for_url("**/clerk/appraisal")
    page.goto(f"{live_hall.url}/clerk/appraisal?month={month}")
    page.wait_for_selector("#my-records li[data-record]")
    assert "E2E-LATE-1" in page.inner_text("#my-records")
    page.wait_for_selector("#my-lines:has-text('record:')")
    page.fill("#my-records textarea", "当日系统故障，已补办")
    page.click("#my-records .answer-box button")
    page.wait_for_selector("#my-records:has-text('当日系统故障，已补办')")
    assert page.locator("#my-records textarea").count() == 0
    ctx.close()
    assert not errors.errors, errors.errors
