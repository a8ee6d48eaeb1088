"""The service guide (办事指南) in a real browser: a citizen finds 社保医保 on the kiosk by typing the
pinyin initials `sb` on the on-screen keyboard, reads its materials, prints the guide and goes on to
take a number; a manager fixes a guide in the editor, told exactly which field is wrong.

A real `hallq serve` process (the `live_hall` fixture); Debian's Chromium drives the pages.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from server.demo_guides import DEMO_GUIDES

from . import test_browser_live_hall as browser_tests
from .test_browser_live_hall import WAIT_MS, PageErrors, shoot

pytestmark = pytest.mark.e2e

#: the same Chromium (and the same skip / HALLQ_TEST_REQUIRE_BROWSER rules) as the live-hall test
browser = browser_tests.browser


def publish_demo_guides(hall: Any) -> None:
    """Every demo guide, through the import API (the seed may or may not have written them)."""
    manager = hall.token("manager", "manager")
    body = json.dumps({"services": DEMO_GUIDES}, ensure_ascii=False).encode()
    r = hall.api("POST", "/halls/demo/guides/import?format=json", manager, data=body)
    assert r.status_code == 200, r.text


def test_kiosk_guide_search_by_pinyin_initials_shows_the_materials(live_hall: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    publish_demo_guides(hall)
    errors = PageErrors()
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = errors.watch(ctx.new_page(), "kiosk guide")
    page.add_init_script("window.print = function () { window.__printed = (window.__printed || 0) + 1; };")
    page.goto(f"{hall.url}/kiosk/{hall.hall}/guide?token={hall.kiosk_token}")
    page.wait_for_selector("#guide[data-ready='1']", state="attached")
    assert "token=" not in page.url  # remembered for the ticket screen, not left on show
    expect(page.locator("#browse .g-tile[data-service='C']")).to_contain_text("社保医保")
    expect(page.locator("#not-sure")).to_contain_text("不确定办什么？请到综合咨询")

    # s, b on the on-screen keyboard: results as you type
    page.locator("#btn-keyboard").click()
    expect(page.locator("#keyboard")).to_be_visible()
    page.locator("#keyboard [data-key='s']").click()
    page.locator("#keyboard [data-key='b']").click()
    expect(page.locator("#q")).to_have_value("sb")
    first = page.locator("#result-list .g-tile").first
    expect(first).to_have_attribute("data-service", "C")
    expect(first).to_contain_text("社保医保")
    expect(first).to_contain_text("拼音")
    first.click()

    guide = page.locator("#screen-guide")
    expect(guide).to_be_visible()
    expect(page.locator("#g-name")).to_have_text("社保医保")
    materials = page.locator("#g-materials .material")
    expect(materials).to_have_count(len(DEMO_GUIDES["C"]["materials"]))
    expect(materials.first).to_contain_text("居民身份证")
    expect(materials.first).to_contain_text("原件及复印件")
    expect(materials.first).to_contain_text("各 1 份")
    expect(materials.first).to_contain_text("必须提供")
    expect(page.locator("#g-materials .material.optional").first).to_contain_text("视情况提供")
    expect(page.locator("#g-windows")).to_have_text("6号窗口、7号窗口、12号窗口")
    expect(page.locator("#g-promised")).to_have_text("即办（当场办结）")
    expect(page.locator("#g-legal")).to_have_text("15 个工作日")
    expect(page.locator("#g-basis")).to_contain_text("《中华人民共和国社会保险法》")
    take = page.locator("#btn-take")
    expect(take).to_have_attribute("href", f"/kiosk/{hall.hall}?service=C")
    shoot(page, "kiosk-guide.png")

    # print: the browser's print with a print layout that holds only the guide
    page.locator("#btn-print").click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    expect(page.locator("#guide-print")).to_be_visible()
    expect(page.locator("#guide")).to_be_hidden()
    expect(page.locator("#p-materials tr")).to_have_count(len(DEMO_GUIDES["C"]["materials"]))
    expect(page.locator("#p-materials tr").first).to_contain_text("居民身份证")
    expect(page.locator("#p-time")).to_contain_text("打印时间")
    page.emulate_media(media="screen")

    # "not sure" leads to 综合咨询
    page.locator("#btn-back").click()
    page.locator("#btn-clear").click()
    page.locator("#not-sure").click()
    expect(page.locator("#g-name")).to_have_text("综合咨询")
    expect(page.locator("#btn-take")).to_have_attribute("href", f"/kiosk/{hall.hall}?service=G")

    # a Chinese keyword typed with the system's input method finds the service too
    page.locator("#btn-back").click()
    page.locator("#q").fill("户口")
    expect(page.locator("#result-list .g-tile").first).to_have_attribute("data-service", "A")

    # 取号 goes to the ticket screen with the service chosen
    page.locator("#result-list .g-tile").first.click()
    page.locator("#btn-take").click()
    page.wait_for_url(re.compile(rf"/kiosk/{hall.hall}\?service=A$"))
    assert errors.errors == []
    ctx.close()


def test_manager_fixes_a_guide_told_which_field_is_wrong(live_hall: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    publish_demo_guides(hall)
    errors = PageErrors()
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page = errors.watch(ctx.new_page(), "guide editor")
    page.goto(f"{hall.url}/login?next=/manage/guides/")
    page.fill("input[name='username']", "manager")
    page.fill("input[name='password']", hall.password)
    page.click("form.login-card button[type='submit']")
    page.wait_for_url(re.compile(r"/manage/guides/$"))
    expect(page.locator("#service-table tr[data-service='F']")).to_contain_text("公积金")
    page.locator("#service-table tr[data-service='F'] a.btn").click()
    page.wait_for_selector("#guide-edit[data-ready='1']", state="attached")

    rows = page.locator("#materials tr")
    expect(rows).to_have_count(len(DEMO_GUIDES["F"]["materials"]))
    rows.nth(1).locator(".m-copies").fill("0")
    page.fill("#promised_limit_days", "9")
    page.locator("#save").click()
    expect(page.locator("#errors")).to_be_visible()
    expect(page.locator("#errors")).to_contain_text("materials[1].copies")
    expect(page.locator("#errors")).to_contain_text("promised_limit_days")
    expect(rows.nth(1).locator(".m-copies")).to_have_class(re.compile(r"\binvalid\b"))
    shoot(page, "manage-guide.png")

    # fix both, add a material, save
    rows.nth(1).locator(".m-copies").fill("2")
    page.fill("#promised_limit_days", "1")
    page.locator("#add-material").click()
    rows.last.locator(".m-name").fill("户口簿首页及本人页复印件")
    rows.last.locator(".m-form").select_option("copy")
    page.locator("#save").click()
    expect(page.locator("#save-state")).to_have_text("已保存")
    expect(page.locator("#errors")).to_be_hidden()
    expect(rows.last.locator(".m-id")).to_have_text(re.compile(r"^m\d+$"))

    # the kiosk shows the change at once
    guide = hall.api("GET", "/halls/demo/services/F/guide").json()["guide"]
    assert (
        guide["materials"][1]["copies"] == 2 and guide["materials"][-1]["name"] == "户口簿首页及本人页复印件"
    )
    assert errors.errors == []
    ctx.close()
