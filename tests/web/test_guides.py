"""Service guides over HTTP: read and search for anyone; edit, import and export for the hall's managers."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from sqlalchemy import func, select

from server.demo_guides import DEMO_GUIDES, apply_demo_guides
from server.storage.models import Event, Hall, Service
from tests.helpers import bearer, gen_token

GUIDE = "/api/v1/halls/demo/services/{code}/guide"
EXPORT = "/api/v1/halls/demo/guides/export"
IMPORT = "/api/v1/halls/demo/guides/import"
SEARCH = "/api/v1/halls/demo/guides/search"


@pytest.fixture
def guides(ctx):
    """The demo hall with its demo guides (whether or not the seed already wrote them)."""
    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        apply_demo_guides(s, {svc.code: svc for svc in hall.services})
    return ctx


@pytest.fixture
def manager(ctx):
    return bearer(gen_token(ctx, "manager", "manager"))


def stored_guide(ctx, code):
    with ctx.db.read() as s:
        return s.scalar(select(Service.guide).where(Service.code == code))


def guide_events(ctx):
    with ctx.db.read() as s:
        return s.scalars(select(Event).where(Event.type == "service.updated").order_by(Event.seq)).all()


def edited_guide():
    return {
        "materials": [
            {"id": "m1", "name": "居民身份证", "form": "original_and_copy", "copies": 1, "required": True},
            {
                "name": "住房公积金提取申请书",
                "form": "original",
                "copies": 2,
                "required": True,
                "notes": "现场填写",
            },
        ],
        "steps": ["取号", "提交材料", "当场办结"],
        "legal_limit_days": 3,
        "promised_limit_days": 1,
        "fees": "免费",
        "legal_basis": "《住房公积金管理条例》",
        "keywords": ["公积金提取"],
    }


# ── read ─────────────────────────────────────────────────────────────────────


def test_anyone_reads_a_guide_with_the_windows_serving_the_service(client, guides):
    r = client.get(GUIDE.format(code="C"))
    assert r.status_code == 200
    body = r.get_json()
    assert body["service"]["name"] == "社保医保" and body["has_guide"] is True
    first = body["guide"]["materials"][0]
    assert (first["name"], first["form"], first["copies"], first["required"]) == (
        "居民身份证",
        "original_and_copy",
        1,
        True,
    )
    assert [w["number"] for w in body["guide"]["windows"]] == [6, 7, 12]
    assert body["guide"]["legal_basis"].startswith("《中华人民共和国社会保险法》")


def test_a_service_without_a_guide_reads_as_an_empty_guide(client, ctx):
    with ctx.db.transaction() as s:
        s.execute(Service.__table__.update().values(guide=None))
    body = client.get(GUIDE.format(code="G")).get_json()
    assert body["has_guide"] is False and body["guide"]["materials"] == []
    assert [w["number"] for w in body["guide"]["windows"]] == [1, 12]


def test_unknown_service_or_hall_is_404(client):
    assert client.get(GUIDE.format(code="Z")).status_code == 404
    r = client.get("/api/v1/halls/nowhere/services/A/guide")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_demo_guides_are_valid_and_complete(guides, client):
    for code in DEMO_GUIDES:
        g = client.get(GUIDE.format(code=code)).get_json()["guide"]
        assert g["steps"] and g["fees"] and "《" in g["legal_basis"], code
        assert all(m["id"] and m["copies"] >= 1 for m in g["materials"]), code
        # the promise is never worse than the law
        if g["legal_limit_days"] is not None and g["promised_limit_days"] is not None:
            assert g["promised_limit_days"] <= g["legal_limit_days"], code


# ── edit ─────────────────────────────────────────────────────────────────────


def test_manager_replaces_a_guide_and_the_change_is_logged(client, guides, manager):
    before = guide_events(guides)
    r = client.put(GUIDE.format(code="F"), json=edited_guide(), headers=manager)
    assert r.status_code == 200, r.get_json()
    materials = r.get_json()["guide"]["materials"]
    assert [m["name"] for m in materials] == ["居民身份证", "住房公积金提取申请书"]
    # the new material gets an id no earlier material of the guide had (the demo guide had m1..m7)
    assert materials[0]["id"] == "m1" and materials[1]["id"] == "m8"
    assert client.get(GUIDE.format(code="F")).get_json()["guide"]["steps"] == ["取号", "提交材料", "当场办结"]
    events = guide_events(guides)
    assert len(events) == len(before) + 1
    data = events[-1].data
    assert data["service"] == "F" and "materials" in data["changes"] and events[-1].actor_role == "manager"


def test_saving_an_unchanged_guide_records_nothing(client, guides, manager):
    body = client.get(GUIDE.format(code="C")).get_json()["guide"]
    before = len(guide_events(guides))
    assert client.put(GUIDE.format(code="C"), json=body, headers=manager).status_code == 200
    assert len(guide_events(guides)) == before


def test_admin_edits_any_hall(client, guides):
    admin = bearer(gen_token(guides, "admin", hall=None))
    assert client.put(GUIDE.format(code="F"), json=edited_guide(), headers=admin).status_code == 200


@pytest.mark.parametrize(
    "role, user, status",
    [(None, None, 401), ("clerk", "clerk02", 403), ("kiosk", None, 403), ("board", None, 403)],
)
def test_guide_edit_refuses_the_wrong_role(client, guides, role, user, status):
    headers = bearer(gen_token(guides, role, user)) if role else {}
    before = stored_guide(guides, "F")
    r = client.put(GUIDE.format(code="F"), json=edited_guide(), headers=headers)
    assert r.status_code == status and r.get_json()["error"]["code"] in ("forbidden", "unauthenticated")
    assert stored_guide(guides, "F") == before


def test_guide_edit_refuses_a_manager_of_another_hall(client, guides):
    with guides.db.transaction() as s:
        s.add(Hall(code="north", name="北区分中心", created_at=guides.clock()))
    other = bearer(gen_token(guides, "manager", hall="north"))
    assert client.put(GUIDE.format(code="F"), json=edited_guide(), headers=other).status_code == 403
    assert client.get(f"{EXPORT}?format=json", headers=other).status_code == 403


def test_bad_field_is_400_naming_the_path_and_nothing_changes(client, guides, manager):
    before = stored_guide(guides, "F")
    events = len(guide_events(guides))
    data = edited_guide()
    data["materials"][1]["copies"] = 0
    data["promised_limit_days"] = 9
    r = client.put(GUIDE.format(code="F"), json=data, headers=manager)
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["code"] == "invalid_field" and err["field"] == "materials[1].copies"
    assert "materials[1].copies" in err["message"]
    assert [e["field"] for e in err["errors"]] == ["materials[1].copies", "promised_limit_days"]
    assert stored_guide(guides, "F") == before
    assert len(guide_events(guides)) == events


def test_bad_json_body_is_400(client, guides, manager):
    r = client.put(GUIDE.format(code="F"), data="[1, 2]", content_type="application/json", headers=manager)
    assert r.status_code == 400


def test_errors_speak_english_on_request(client, guides, manager):
    data = edited_guide()
    data["materials"][0]["form"] = "photocopy"
    r = client.put(GUIDE.format(code="F") + "?lang=en", json=data, headers=manager)
    assert r.status_code == 400
    assert r.get_json()["error"]["errors"][0]["message"].startswith("must be one of original")


# ── export and import ────────────────────────────────────────────────────────


def test_export_yaml_and_json_hold_every_guide_and_import_back_unchanged(client, guides, manager):
    r = client.get(f"{EXPORT}?format=yaml", headers=manager)
    assert r.status_code == 200 and r.mimetype == "application/yaml"
    assert "attachment" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    assert "居民户口簿" in text  # Chinese stays readable, not \u escapes
    doc = yaml.safe_load(text)
    assert doc["version"] == 1 and doc["hall"] == "demo"
    assert list(doc["services"]) == ["A", "H", "B", "C", "F", "D", "E", "G"]
    assert doc["services"]["C"]["name"] == "社保医保"
    as_json = json.loads(client.get(f"{EXPORT}?format=json", headers=manager).get_data(as_text=True))
    assert as_json == doc

    r = client.post(f"{IMPORT}?format=yaml", data=text.encode(), headers=manager)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"updated": [], "unchanged": ["A", "H", "B", "C", "F", "D", "E", "G"]}


def test_import_updates_the_listed_services(client, guides, manager):
    before_a = stored_guide(guides, "A")
    doc = {"services": {"F": edited_guide()}}
    r = client.post(
        f"{IMPORT}?format=json", data=json.dumps(doc, ensure_ascii=False).encode(), headers=manager
    )
    assert r.status_code == 200 and r.get_json() == {"updated": ["F"], "unchanged": []}
    assert stored_guide(guides, "F")["legal_basis"] == "《住房公积金管理条例》"
    assert stored_guide(guides, "A") == before_a
    assert guide_events(guides)[-1].data["source"] == "import"


def test_import_is_all_or_nothing_and_names_every_bad_path(client, guides, manager):
    text = client.get(f"{EXPORT}?format=yaml", headers=manager).get_data(as_text=True)
    doc = yaml.safe_load(text)
    doc["services"]["F"] = edited_guide()  # a good change …
    doc["services"]["C"]["materials"][1]["form"] = "photocopy"  # … and two bad ones
    doc["services"]["Z"] = {"steps": ["?"]}
    before = {code: stored_guide(guides, code) for code in ("C", "F")}
    events = len(guide_events(guides))
    r = client.post(
        f"{IMPORT}?format=yaml", data=yaml.safe_dump(doc, allow_unicode=True).encode(), headers=manager
    )
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["field"] == "services.C.materials[1].form"
    assert [e["field"] for e in err["errors"]] == ["services.C.materials[1].form", "services.Z"]
    assert {code: stored_guide(guides, code) for code in ("C", "F")} == before
    assert len(guide_events(guides)) == events


@pytest.mark.parametrize(
    "fmt, text, field",
    [
        ("yaml", "services:\n  C: [unclosed", "body"),
        ("json", '{"services": ', "body"),
        ("yaml", "- just\n- a list\n", "body"),
        ("yaml", "services: 3\n", "services"),
        ("yaml", "services: {}\ncolour: blue\n", "colour"),
        ("xml", "<services/>", "format"),
    ],
)
def test_import_refuses_malformed_documents_with_the_field(client, guides, manager, fmt, text, field):
    r = client.post(f"{IMPORT}?format={fmt}", data=text.encode(), headers=manager)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == field


def test_import_refuses_yaml_aliases(client, guides, manager):
    # anchors and aliases let a few lines expand into millions of nodes; nobody needs them here
    text = "a: &a [x, x, x]\nservices:\n  C:\n    keywords: *a\n"
    r = client.post(f"{IMPORT}?format=yaml", data=text.encode(), headers=manager)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "body"


@pytest.mark.parametrize(
    "role, user, status", [(None, None, 401), ("clerk", "clerk02", 403), ("kiosk", None, 403)]
)
def test_export_and_import_refuse_the_wrong_role(client, guides, role, user, status):
    headers = bearer(gen_token(guides, role, user)) if role else {}
    assert client.get(f"{EXPORT}?format=yaml", headers=headers).status_code == status
    r = client.post(f"{IMPORT}?format=json", data=b'{"services": {}}', headers=headers)
    assert r.status_code == status


# ── search ───────────────────────────────────────────────────────────────────


def search(client, q):
    r = client.get(SEARCH, query_string={"q": q})
    assert r.status_code == 200
    return r.get_json()["results"]


def test_guide_search_finds_a_chinese_keyword(client, guides):
    results = search(client, "户口")
    assert results[0]["code"] == "A" and results[0]["name"] == "户籍办理"
    assert results[0]["match"] == "keyword" and results[0]["category"] == "公安"


def test_guide_search_finds_pinyin_initials(client, guides):
    sb = search(client, "sb")
    assert sb[0]["code"] == "C" and sb[0]["name"] == "社保医保" and sb[0]["match"] == "pinyin"
    assert search(client, "gjj")[0]["name"] == "公积金"
    assert search(client, "shebao")[0]["code"] == "C"


def test_guide_search_finds_materials(client, guides):
    hits = search(client, "借记卡")
    assert [h["code"] for h in hits] == ["F"] and hits[0]["match"] == "material"


def test_guide_search_skips_inactive_services(client, guides):
    with guides.db.transaction() as s:
        s.execute(Service.__table__.update().where(Service.__table__.c.code == "F").values(active=False))
    assert search(client, "gjj") == []


def test_guide_search_needs_no_token_and_refuses_a_huge_query(client, guides):
    assert search(client, "") == []
    r = client.get(SEARCH, query_string={"q": "社" * 51})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "q"
    assert client.get("/api/v1/halls/nowhere/guides/search?q=sb").status_code == 404


# ── pages ────────────────────────────────────────────────────────────────────


def test_kiosk_guide_page_is_public_and_404s_for_an_unknown_hall(client, guides):
    r = client.get("/kiosk/demo/guide")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "打印办事指南" in html and "不确定办什么？请到综合咨询" in html and 'data-enquiries="G"' in html
    assert client.get("/kiosk/nowhere/guide").status_code == 404


def _login(client, username):
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    return client.post("/login", data={"username": username, "password": "hallq-demo", "csrf_token": token})


def test_guide_editor_pages_are_for_the_halls_managers(client, guides):
    assert client.get("/manage/guides/").status_code == 302  # to the login page
    _login(client, "clerk02")
    assert client.get("/manage/guides/").status_code == 403
    _login(client, "manager")
    page = client.get("/manage/guides/")
    assert page.status_code == 200 and "社保医保" in page.get_data(as_text=True)
    edit = client.get("/manage/guides/C")
    assert edit.status_code == 200 and 'data-service="C"' in edit.get_data(as_text=True)
    assert client.get("/manage/guides/Z").status_code == 404


def test_guide_editor_saves_through_the_api_with_the_csrf_token(client, guides):
    _login(client, "manager")
    html = client.get("/manage/guides/F").get_data(as_text=True)
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    assert client.put(GUIDE.format(code="F"), json=edited_guide()).status_code == 400  # no CSRF header
    r = client.put(GUIDE.format(code="F"), json=edited_guide(), headers={"X-CSRFToken": csrf})
    assert r.status_code == 200
    with guides.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Event).where(Event.type == "service.updated")) >= 1
