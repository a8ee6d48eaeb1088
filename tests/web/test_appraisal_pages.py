"""The appraisal pages: the rules page and the scores page for managers, the clerk's own page."""

from __future__ import annotations

import pytest

from tests.web.test_manage_pages import _login

MANAGER_ONLY = ("/manage/appraisal", "/admin/appraisal")


@pytest.mark.parametrize("path", MANAGER_ONLY)
def test_the_rules_and_scores_pages_need_a_manager(app, client, path):
    r = app.test_client().get(path)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    clerk = app.test_client()
    _login(clerk, "clerk02")
    assert clerk.get(path).status_code == 403
    _login(client, "manager")
    html = client.get(path).get_data(as_text=True)
    assert 'data-hall="demo"' in html and 'aria-current="page"' in html
    assert 'href="/manage/appraisal"' in html and "factor_satisfaction" in html


def test_a_clerk_opens_their_own_appraisal_from_the_console(app):
    assert app.test_client().get("/clerk/appraisal").status_code == 302
    clerk = app.test_client()
    _login(clerk, "clerk02")
    assert 'href="/clerk/appraisal"' in clerk.get("/clerk/").get_data(as_text=True)
    html = clerk.get("/clerk/appraisal").get_data(as_text=True)
    assert 'id="my-appraisal"' in html and "clerk-appraisal.js" in html and "我的考核" in html


def test_the_appraisal_pages_speak_english(client):
    _login(client, "manager")
    assert "Appraisal" in client.get("/manage/appraisal?lang=en").get_data(as_text=True)
