"""Service commitments (服务承诺) and the window's public commitment (挂牌上岗): read from the
guide and the hall setting, shown on the kiosk, the phone, the window board and the slip."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server import print_worker
from server.services import print_jobs
from server.storage.models import Hall, Service
from tests.fakeprinter import FakePrinter
from tests.helpers import bearer, gen_token
from tests.web.test_manage_pages import _login

GUIDE = "/api/v1/halls/demo/services/{code}/guide"
PROMISE = "窗口服务承诺：首问负责、一次告知、限时办结。\n受理后按承诺时限办结，超时请拨打 12345。"


@pytest.fixture
def manager(ctx):
    return bearer(gen_token(ctx, "manager", "manager"))


def stored(ctx, code):
    with ctx.db.read() as s:
        return s.scalar(select(Service.guide).where(Service.code == code))


def expected_lines(guide) -> list[str]:
    """The commitment as the citizen must read it, from the stored guide (not from the app's code)."""
    lines = (
        [f"法定时限 {guide['legal_limit_days']} 个工作日"] if guide["legal_limit_days"] is not None else []
    )
    p = guide["promised_limit_days"]
    lines += ["即办件：当场办结"] if p == 0 else [f"承诺时限 {p} 个工作日"] if p is not None else []
    return [*lines, f"收费：{guide['fees']}"] if guide["fees"] else lines


def test_every_demo_service_has_a_commitment_with_a_warning_threshold(ctx):
    with ctx.db.read() as s:
        guides = s.scalars(select(Service.guide)).all()
    assert guides and all(g and g["warn_days"] is not None for g in guides)
    assert all(
        g["warn_days"]
        <= (g["promised_limit_days"] if g["promised_limit_days"] is not None else g["legal_limit_days"])
        for g in guides
    )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"legal_limit_days": 3, "promised_limit_days": 5, "warn_days": 1},
            "promised_limit_days",
            "不能长于法定时限",
        ),
        ({"legal_limit_days": 20, "promised_limit_days": 3, "warn_days": 4}, "warn_days", "不能长于承诺时限"),
        ({"legal_limit_days": 20, "promised_limit_days": 3, "warn_days": -1}, "warn_days", "必须在 0 到"),
    ],
)
def test_a_bad_commitment_is_refused_naming_the_field_and_nothing_changes(
    ctx, client, manager, change, field, words
):
    before = stored(ctx, "A")
    r = client.put(GUIDE.format(code="A"), json={**before, **change}, headers=manager)
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["field"] == field and field in err["message"] and words in err["message"], err
    assert stored(ctx, "A") == before


def test_the_guide_editor_saves_warn_days(ctx, app, client, manager):
    before = stored(ctx, "A")
    r = client.put(GUIDE.format(code="A"), json={**before, "warn_days": 2}, headers=manager)
    assert r.status_code == 200 and r.get_json()["guide"]["warn_days"] == 2
    assert stored(ctx, "A")["warn_days"] == 2
    browser = app.test_client()
    _login(browser, "manager")
    assert 'id="warn_days" data-path="warn_days"' in browser.get("/manage/guides/A").get_data(as_text=True)


def test_the_kiosk_service_screen_and_the_phone_page_show_the_commitment(ctx, client):
    lines = expected_lines(stored(ctx, "A"))
    info = client.get("/api/v1/halls/demo").get_json()
    assert next(s for s in info["services"] if s["code"] == "A")["commitment"] == lines
    kiosk = bearer(gen_token(ctx, "kiosk"))
    t = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    page = client.get(f"/t/{t['id']}").get_data(as_text=True)
    assert " · ".join(lines) in page


def test_the_slip_prints_the_service_commitment_in_gb18030(ctx, client):
    with FakePrinter(mode="accept") as fake:
        token = gen_token(ctx, "kiosk")
        print_jobs.add_printer(ctx, "demo", "1号取号机", fake.spec, 80, "text", token)
        client.post("/api/v1/tickets", json={"service": "A"}, headers=bearer(token))
        assert print_worker.run_once(ctx) == 1
        assert fake.wait_for_jobs(1)
        printed = fake.received
    assert "服务承诺".encode("gb18030") in printed
    for line in expected_lines(stored(ctx, "A")):
        assert line.encode("gb18030") in printed, line


def test_the_hall_commitments_are_an_admin_setting_shown_on_the_window_board(ctx, app, client, manager):
    r = client.patch("/api/v1/halls/demo", json={"commitments": PROMISE}, headers=manager)
    assert r.status_code == 200 and r.get_json()["commitments"] == PROMISE
    # public: the anonymous board's snapshot carries it, and the board page shows it
    snap = app.test_client().get("/api/v1/halls/demo/snapshot").get_json()
    assert snap["hall"]["commitments"] == PROMISE
    window = next(w for w in snap["windows"] if "A" in w["services"])
    html = app.test_client().get(f"/board/demo/window/{window['id']}").get_data(as_text=True)
    assert "首问负责、一次告知、限时办结" in html
    assert " · ".join(expected_lines(stored(ctx, "A"))) in html
    # the clerk's name and badge stay what the board already showed (window.clerk)
    too_long = client.patch("/api/v1/halls/demo", json={"commitments": "承" * 2001}, headers=manager)
    assert too_long.status_code == 400 and too_long.get_json()["error"]["field"] == "commitments"
    with ctx.db.read() as s:
        assert s.scalar(select(Hall.commitments).where(Hall.code == "demo")) == PROMISE


def test_a_manager_cannot_set_another_halls_commitments(ctx, client, manager):
    admin = bearer(gen_token(ctx, "admin", "admin", hall=None))
    assert client.post(
        "/api/v1/halls", json={"code": "west", "name": "西区大厅"}, headers=admin
    ).status_code in (200, 201)
    r = client.patch("/api/v1/halls/west", json={"commitments": "x"}, headers=manager)
    assert r.status_code == 403
