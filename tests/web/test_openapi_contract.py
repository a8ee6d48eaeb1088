"""The generated OpenAPI document covers every /api/v1 route of the app, and errors keep their
shape whatever the schema library would answer by default."""

from __future__ import annotations

import re

import pytest

from tests.helpers import bearer, gen_token

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def openapi_path(rule: str) -> str:
    """`/api/v1/windows/<int(max=…):window_id>/pause` → `/windows/{window_id}/pause`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule).removeprefix(PREFIX) or "/"


@pytest.fixture
def doc(client):
    r = client.get(f"{PREFIX}/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def routes(app) -> set[tuple[str, str]]:
    return {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for method in rule.methods - IGNORED_METHODS
    }


def documented(doc) -> set[tuple[str, str]]:
    return {(path, method) for path, item in doc["paths"].items() for method in set(item) - {"parameters"}}


def test_every_api_route_is_in_the_document(app, doc):
    missing = routes(app) - documented(doc)
    assert not missing, f"routes missing from /api/v1/openapi.json: {sorted(missing)}"


def test_the_document_names_no_route_the_app_lacks(app, doc):
    stale = documented(doc) - routes(app)
    assert not stale, f"documented but not routed: {sorted(stale)}"


def test_each_ticket_action_has_its_own_route(app, doc):
    for action in ("recall", "start", "no-show", "complete", "cancel", "reactivate"):
        assert "post" in doc["paths"][f"/tickets/{{ticket_id}}/{action}"]
    assert not any("{action}" in path for path in doc["paths"])


def test_every_operation_documents_its_answer_errors_and_security(doc):
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": PREFIX}]
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "a device or script token: hq_…",
    }
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            where = f"{method.upper()} {path}"
            assert op.get("summary"), where
            success = [code for code in op["responses"] if str(code).startswith("2")]
            assert success, where
            assert op["responses"]["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}, where


def test_the_error_schema_is_todays_shape(doc):
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    body = doc["components"]["schemas"]["ErrorBody"]
    assert set(body["properties"]) == {"code", "message", "field", "errors"}
    assert set(body["required"]) == {"code", "message"}


def test_the_ticket_schema_is_the_documented_object(doc):
    ticket = doc["components"]["schemas"]["Ticket"]
    for name in ("id", "number", "service", "status", "position", "estimated_wait_s", "url", "window"):
        assert name in ticket["required"], name
    assert ticket["properties"]["status"]["enum"] == [
        "waiting",
        "called",
        "serving",
        "done",
        "no_show",
        "cancelled",
    ]
    assert ticket["additionalProperties"] is False


# ── errors: today's shape and status, not the library's 422 ─────────────────


@pytest.fixture
def kiosk(ctx):
    return bearer(gen_token(ctx, "kiosk"))


def test_a_schema_error_is_a_400_with_field_and_errors_in_chinese(client, kiosk):
    r = client.post("/api/v1/tickets", json={"service": 5, "priority": "yes", "colour": "red"}, headers=kiosk)
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["code"] == "invalid_field" and err["field"] == "colour"  # unknown fields first, as before
    assert err["message"] == "未知字段 colour（另有 2 处错误）"
    assert err["errors"] == [
        {"field": "colour", "message": "未知字段 colour"},
        {"field": "service", "message": "字段 service 必须是非空字符串"},
        {"field": "priority", "message": "字段 priority 必须是 true 或 false"},
    ]


def test_a_schema_error_speaks_english_on_request(client, kiosk):
    r = client.post("/api/v1/tickets?lang=en", json={"priority": True}, headers=kiosk)
    assert r.status_code == 400
    assert r.get_json()["error"] == {
        "code": "invalid_field",
        "message": "missing field service",
        "field": "service",
        "errors": [{"field": "service", "message": "missing field service"}],
    }


def test_nested_and_list_fields_are_named_by_their_path(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.post(
        "/api/v1/halls/demo/move-tickets", json={"from": {"service": "E", "x": 1}, "to": {}}, headers=manager
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "from.x"
    r = client.put("/api/v1/windows/5/services", json={"services": ["B", 7]}, headers=manager)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "services[1]"


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "{not json"])
def test_a_body_that_is_not_a_json_object_is_bad_request(client, kiosk, body):
    r = client.post("/api/v1/tickets", data=body, content_type="application/json", headers=kiosk)
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["code"] == "bad_request" and error["field"] == "body"
    assert error["message"] in ("请求体必须是 JSON 对象", "请求体不是有效的 JSON")


def test_a_query_parameter_is_checked_too(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.get("/api/v1/halls/demo/audit?limit=ten&lang=en", headers=manager)
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == "limit"
    assert r.get_json()["error"]["message"] == "limit must be an integer"


def test_an_unknown_ticket_action_is_a_json_404(client, kiosk):
    r = client.post("/api/v1/tickets/abc/explode", headers=kiosk)
    assert r.status_code == 404
    assert r.get_json() == {"error": {"code": "not_found", "message": "地址不存在"}}
    r = client.get("/api/v1/tickets/abc/recall?lang=en", headers=kiosk)
    assert r.status_code == 405 and r.get_json()["error"]["message"] == "method not allowed"


def test_a_window_id_too_large_for_the_database_is_not_found(client, kiosk):
    assert client.get("/api/v1/windows/99999999999999999999", headers=kiosk).status_code == 404


def test_ticket_urls_are_absolute_on_the_configured_base(sqlite_url, clock):
    from tests.conftest import _make_app

    app = _make_app(sqlite_url, clock, BASE_URL="https://hall.example.gov.cn")
    client = app.test_client()
    kiosk = bearer(gen_token(app.extensions["hallq"], "kiosk"))
    t = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    assert t["url"] == f"https://hall.example.gov.cn/t/{t['id']}"
    assert client.get(f"/api/v1/tickets/{t['id']}").get_json()["url"] == t["url"]
    app.extensions["hallq"].db.dispose()


def test_ticket_urls_follow_the_request_host_without_a_base(client, kiosk):
    t = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    assert t["url"] == f"http://localhost/t/{t['id']}"
