"""The staffing simulator page in a real browser: a pasted scenario runs and its four charts
draw (ECharts canvases), with no page or console error and nothing refused by the CSP."""

from __future__ import annotations

import pytest

from . import test_browser_live_hall as browser_tests
from .test_browser_evaluation import console_errors
from .test_browser_live_hall import PageErrors, shoot
from .test_browser_manager_console import log_in

pytestmark = pytest.mark.e2e

browser = browser_tests.browser

SCENARIO = """seed: 1
services: {A: {mean_minutes: 6}, H: {mean_minutes: 9}}
arrivals: {A: {9: 10, 10: 8, 11: 5}, H: {9: 3, 10: 3}}
windows: {2: [A], 3: [A, H]}
staffing: {9: all, 10: all, 11: [3]}
breaks: {2: ["10:30-10:45"]}
cover: {2: 3}
"""


def test_a_pasted_scenario_runs_and_draws_its_charts(browser, live_hall):
    errors, logged = PageErrors(), []
    ctx, page = log_in(
        browser, errors, live_hall, "manager", "/manage/simulation", viewport={"width": 1440, "height": 1100}
    )
    console_errors(page, "simulation", logged)
    page.wait_for_url("**/manage/simulation")
    assert page.locator(".manage-nav a[data-nav='simulation'].active").count() == 1
    page.check("input[name=source][value=scenario]")
    page.fill("#sim-scenario", SCENARIO)
    page.fill("#sim-days", "3")
    page.check("#sim-estimates")
    page.click("#sim-run")
    page.wait_for_selector("#simulation[data-loaded='1']", state="attached")
    for chart in ("waits", "within", "util", "staff"):
        page.wait_for_selector(f"#chart-{chart} canvas")
    assert page.locator("#sim-kpis .kpi").count() == 4
    assert page.locator("#sim-advice tr").count() == 3  # 09:00, 10:00, 11:00
    assert page.locator("#sim-estimates-rows tr").count() == 2
    page.locator("#sim-charts").scroll_into_view_if_needed()
    shoot(page, "manage-simulation.png")
    ctx.close()
    assert errors.errors == [] and logged == []
