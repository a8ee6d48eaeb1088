"""Bad input, as an attacker sends it (issue 9, finding 8): every malformed request is a 4xx JSON
error naming the field, and nothing is stored — not a row, not an event.

Three layers: the requests the tester sent (deep JSON with and without a token, ids past the
database's integers, wrong shapes, null and object names, values past their columns, leave
until 9999, a garbage day); the same class over every field of every operation of the OpenAPI
document (wrong types, one character too many, unknown fields, bad query parameters, 405s);
and the schema lengths held to the column sizes of server/storage/models.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, select

from server.api.schemas import admin as admin_schemas
from server.api.schemas import appraisal as appraisal_schemas
from server.api.schemas import bookings as booking_schemas
from server.api.schemas import calendars as calendar_schemas
from server.api.schemas import cases as case_schemas
from server.api.schemas import complaints as complaint_schemas
from server.api.schemas import escalations as escalation_schemas
from server.api.schemas import halls as hall_schemas
from server.api.schemas import ratings as rating_schemas
from server.api.schemas import simulation as simulation_schemas
from server.api.schemas import staff as staff_schemas
from server.api.schemas import tickets as ticket_schemas
from server.api.schemas import voice as voice_schemas
from server.api.schemas.base import SERVICE_CODE_LEN, Str, Text
from server.storage import models
from server.storage.models import Base
from server.web.input_limits import DEFAULT_MAX_CONTENT_LENGTH, DEFAULT_MAX_JSON_DEPTH
from tests.conftest import _make_app
from tests.helpers import FakeClock, bearer, gen_token

V1 = "/api/v1"
JSON = {"Content-Type": "application/json"}


def deep(levels: int, inner: str = "1") -> str:
    return "[" * levels + inner + "]" * levels


def dump(ctx: Any) -> dict[str, list[str]]:
    """Every row of every table, to compare before and after a refused request."""
    with ctx.db.read() as s:
        return {
            t.name: sorted(repr(tuple(r)) for r in s.execute(select(t)).all())
            for t in Base.metadata.sorted_tables
        }


def refused(r: Any, status: int = 400) -> dict[str, Any]:
    """The JSON error of a refusal with `status`."""
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.is_json, r.get_data(as_text=True)[:300]
    error: dict[str, Any] = r.get_json()["error"]
    assert error["code"] and error["message"]
    return error


def fields_of(error: dict[str, Any]) -> list[str]:
    return [error.get("field", "")] + [e["field"] for e in error.get("errors", [])]


def names(error: dict[str, Any], field: str) -> bool:
    """The refusal names `field` (or a place inside it: `opening_hours.mon[0]`, `steps[3]`)."""
    return any(f == field or f.startswith((field + ".", field + "[")) for f in fields_of(error))


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[dict[str, Any]]:
    """One demo hall for the module: every request here is refused, so it never changes (checked)."""
    folder = tmp_path_factory.mktemp("bad-input")
    shutil.copy(sqlite_template, folder / "hallq.db")
    app = _make_app(f"sqlite:///{folder}/hallq.db", FakeClock())
    ctx = app.extensions["hallq"]
    client = app.test_client()
    kiosk = bearer(gen_token(ctx, "kiosk"))
    who = {
        "anonymous": {},
        "kiosk": kiosk,
        "clerk": bearer(gen_token(ctx, "clerk", "clerk02")),
        "manager": bearer(gen_token(ctx, "manager", "manager")),
        "admin": bearer(gen_token(ctx, "admin", hall=None)),
    }
    ticket = client.post(f"{V1}/tickets", json={"service": "A"}, headers=kiosk).get_json()["id"]
    doc = client.get(f"{V1}/openapi.json").get_json()
    yield {"app": app, "ctx": ctx, "client": client, "who": who, "ticket": ticket, "doc": doc}
    ctx.db.dispose()


@pytest.fixture
def unchanged(hall: dict[str, Any]) -> Iterator[None]:
    """The test's requests leave every table as it was."""
    before = dump(hall["ctx"])
    yield
    after = dump(hall["ctx"])
    changed = [t for t in before if before[t] != after[t]]
    assert not changed, f"a refused request changed {changed}"


# ---------------------------------------------------------------- the tester's requests


@pytest.mark.parametrize("role", ["anonymous", "kiosk"])
@pytest.mark.parametrize("levels", [DEFAULT_MAX_JSON_DEPTH + 1, 5_000, 200_000])
def test_deeply_nested_json_is_a_400_naming_the_body_even_without_a_token(hall, unchanged, role, levels):
    body = '{"service": ' + deep(levels, '"A"') + "}"
    r = hall["client"].post(f"{V1}/tickets", data=body, headers={**JSON, **hall["who"][role]})
    error = refused(r)
    assert error["field"] == "body" and str(DEFAULT_MAX_JSON_DEPTH) in error["message"]
    # as deep as the limit: parsed, and judged by its schema
    body = '{"service": ' + deep(DEFAULT_MAX_JSON_DEPTH - 1, '"A"') + "}"
    r = hall["client"].post(f"{V1}/tickets", data=body, headers={**JSON, **hall["who"][role]})
    assert refused(r)["field"] == "service"


@pytest.mark.parametrize(
    "body",
    [
        '{"service": "A", "x": ' + "9" * 5000 + "}",  # past Python's 4,300-digit limit
        b'{"service": "\xff\xfe"}',  # not UTF-8
        '{"service": "A"',
        "[]",
        '"A"',
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400_naming_the_body(hall, unchanged, body):
    r = hall["client"].post(f"{V1}/tickets", data=body, headers={**JSON, **hall["who"]["kiosk"]})
    assert refused(r)["field"] == "body"


def test_a_body_past_the_size_limit_is_a_413_naming_the_body(hall, unchanged):
    body = json.dumps({"service": "A", "phone": "1" * DEFAULT_MAX_CONTENT_LENGTH})
    error = refused(hall["client"].post(f"{V1}/tickets", data=body, headers=JSON), 413)
    assert error["field"] == "body"


@pytest.mark.parametrize(
    ("method", "path", "role", "body", "field"),
    [
        ("POST", "/windows/99999999999999999999/call-next", "clerk", {}, None),
        ("GET", "/windows/99999999999999999999", "admin", None, None),
        ("PUT", "/windows/9223372036854775808/posts", "admin", {}, None),
        ("PUT", "/windows/2147483648/services", "admin", {"services": ["A"]}, None),
        ("GET", "/windows/2147483648/posts", "admin", None, None),
        ("POST", "/devices/99999999999999999999/revoke", "admin", {}, None),
        ("POST", "/tickets/{ticket}/transfer", "manager", {"window": 1e30, "reason": "x"}, "window"),
        ("POST", "/tickets/{ticket}/transfer", "manager", {"window": 2**63, "reason": "x"}, "window"),
        ("POST", "/tickets/{ticket}/transfer", "manager", {"window": 2**31, "reason": "x"}, "window"),
        (
            "POST",
            "/halls/demo/move-tickets",
            "manager",
            {"from": {"window": 1e30}, "to": {"service": "B"}},
            "from.window",
        ),
        (
            "POST",
            "/halls/demo/move-tickets",
            "manager",
            {"from": {"service": "A"}, "to": {"window": -(2**63) - 1}},
            "to.window",
        ),
    ],
)
def test_ids_past_the_database_integers_are_no_such_thing_in_a_url_and_a_400_in_a_body(
    hall, unchanged, method, path, role, body, field
):
    url = V1 + path.format(ticket=hall["ticket"])
    r = hall["client"].open(url, method=method, json=body, headers=hall["who"][role])
    if field is None:
        refused(r, 404)
    else:
        assert names(refused(r), field)


@pytest.mark.parametrize(
    "hours",
    [
        {"mon": [["08:00"]]},
        {"mon": [5]},
        {"mon": ["08:00-12:00"]},
        {"mon": [[{"a": 1}, "09:00"]]},
        {"mon": [["08:00", "09:00", "10:00"]]},
        {"mon": [{"from": "08:00", "to": "12:00"}]},
        {"mon": {"from": "08:00"}},
        {"mon": [["+8:00", "12:00"]]},
        {"mon": [["08:00", "09:00"]] * 100},
        {"holiday": []},
        ["mon"],
        "08:00-17:00",
    ],
)
def test_opening_hours_of_the_wrong_shape_are_a_400_naming_the_place(hall, unchanged, hours):
    r = hall["client"].patch(
        f"{V1}/halls/demo", json={"opening_hours": hours}, headers=hall["who"]["manager"]
    )
    assert names(refused(r), "opening_hours")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/halls/demo/services/A", {"active": "false"}, "active"),
        ("/halls/demo/services/A", {"active": 0}, "active"),
        ("/halls/demo/services/A", {"name": None}, "name"),
        ("/halls/demo/services/A", {"name": {"zh": "x"}}, "name"),
        ("/halls/demo/services/A", {"name": ["x"]}, "name"),
        ("/halls/demo/services/A", {"prefix": None}, "prefix"),
        ("/halls/demo/services/A", {"category": "类" * 51}, "category"),
        ("/halls/demo/services/A", {"sort": 1e30}, "sort"),
        ("/halls/demo", {"name": None}, "name"),
        ("/halls/demo", {"name": {"a": 1}}, "name"),
        ("/halls/demo", {"timezone": None}, "timezone"),
        ("/users/clerk03", {"name": None}, "name"),
        ("/users/clerk03", {"name": "名" * 10_000}, "name"),
        ("/users/clerk03", {"badge": None}, "badge"),
        ("/users/clerk03", {"active": "false"}, "active"),
        (
            "/halls/demo/users",
            {"username": "newbie", "password": "secret-pass", "name": "名" * 10_000},
            "name",
        ),
        ("/halls/demo/users", {"username": "newbie", "password": "secret-pass", "name": None}, "name"),
        ("/halls/demo/users", {"username": "newbie", "password": "secret-pass", "name": {"a": 1}}, "name"),
        ("/halls/demo/users", {"username": "newbie", "password": "secret-pass", "badge": "0" * 33}, "badge"),
        ("/halls/demo/windows", {"number": 77, "name": "窗" * 101}, "name"),
        ("/halls/demo/windows", {"number": 2**31}, "number"),
        ("/windows/2/close", {"reason": "因" * 121}, "reason"),
        ("/tickets/{ticket}/notice", {"missing": [], "note": "注" * 1001}, "note"),
    ],
)
def test_wrong_values_for_stored_fields_are_refused_and_nothing_is_stored(hall, unchanged, path, body, field):
    method = (
        "PUT" if "/services/" in path else "PATCH" if path == "/halls/demo" or "/users/" in path else "POST"
    )
    path = path.format(ticket=hall["ticket"])
    r = hall["client"].open(V1 + path, method=method, json=body, headers=hall["who"]["admin"])
    assert names(refused(r), field)


def test_a_service_code_past_its_column_is_refused_and_no_service_is_made(hall, unchanged):
    for code in ("X" * 5000, "X" * (SERVICE_CODE_LEN + 1), "A B", "é", "A;B"):
        r = hall["client"].put(
            f"{V1}/halls/demo/services/{code}",
            json={"name": "x", "prefix": "XZ"},
            headers=hall["who"]["admin"],
        )
        assert refused(r)["field"] == "service"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-12-01", "9999-12-31", "end"),
        ("9999-12-30", "9999-12-31", "start"),
        ("2026-12-01", "2028-12-31", "end"),
        ("2026-12-01", "garbage", "end"),
        ("2026-12-01", "2026-02-30", "end"),
        ("20261201", "2026-12-02", "start"),
        ("2026-12-01T00:00", "2026-12-02", "start"),
        (None, "2026-12-02", "start"),
        (20261201, "2026-12-02", "start"),
    ],
)
def test_leave_must_be_dates_within_a_year_or_so(hall, unchanged, start, end, field):
    body = {"start": start, "end": end, "reason": "病假", "handover_note": "钥匙在抽屉"}
    r = hall["client"].post(f"{V1}/leaves", json=body, headers=hall["who"]["clerk"])
    assert refused(r)["field"] == field


@pytest.mark.parametrize(
    "day", ["garbage", "2026-13-01", "2026-11-31", "2026/11/30", "'; drop table x", "9" * 40]
)
@pytest.mark.parametrize("path", ["/halls/demo/attendance", "/halls/demo/audit"])
def test_a_day_in_a_query_is_a_real_date(hall, unchanged, path, day):
    r = hall["client"].get(V1 + path, query_string={"day": day}, headers=hall["who"]["manager"])
    assert refused(r)["field"] == "day"


def test_me_is_a_401_for_nobody(hall):
    assert refused(hall["client"].get(f"{V1}/me"), 401)["code"] == "unauthenticated"
    assert hall["client"].get(f"{V1}/me", headers=hall["who"]["kiosk"]).get_json()["role"] == "kiosk"


# ---------------------------------------------------------------- guides


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("json", '{"services": {"A": {"steps": ' + deep(100_000, '"x"') + "}}}"),
        ("json", '{"services": ' + "{" * 50 + "}" * 50 + "}"),
        ("yaml", "services: " + deep(100_000)),
        ("yaml", "services:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 400)) + "  " * 400 + "x"),
        ("yaml", "services: " + "{a: " * 5_000 + "1" + "}" * 5_000),
        ("yaml", "services:\n" + "".join("  " * i + "- \n" for i in range(1, 400)) + "  " * 400 + "- x"),
    ],
)
def test_a_deeply_nested_guide_document_is_a_400(hall, unchanged, fmt, text):
    r = hall["client"].post(
        f"{V1}/halls/demo/guides/import?format={fmt}",
        data=text.encode(),
        headers={"Content-Type": f"application/{fmt}", **hall["who"]["manager"]},
    )
    assert refused(r)["field"] == "body"


def test_a_deeply_nested_guide_is_a_400(hall, unchanged):
    r = hall["client"].put(
        f"{V1}/halls/demo/services/A/guide",
        data='{"steps": ' + deep(100_000, '"x"') + "}",
        headers={**JSON, **hall["who"]["manager"]},
    )
    assert refused(r)["field"] == "body"


def test_a_guide_import_past_its_limit_is_a_413(hall, unchanged):
    from server.services.guides import MAX_IMPORT_BYTES

    text = "services: {}\n#" + "x" * (MAX_IMPORT_BYTES + 8192)
    r = hall["client"].post(
        f"{V1}/halls/demo/guides/import?format=yaml", data=text, headers=hall["who"]["manager"]
    )
    assert refused(r, 413)["field"] == "body"
    # the guide service's own limit (2 MiB) is above the 1 MiB of other bodies: a big document
    # of an unknown service is judged on its content, not cut off
    text = "services:\n  NOPE:\n    fees: '" + "费" * 400_000 + "'\n"
    assert DEFAULT_MAX_CONTENT_LENGTH < len(text.encode()) < 2 * 1024 * 1024
    r = hall["client"].post(
        f"{V1}/halls/demo/guides/import?format=yaml", data=text.encode(), headers=hall["who"]["manager"]
    )
    assert refused(r)["field"] == "services.NOPE"


# ---------------------------------------------------------------- every field of every operation


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _types(schema: dict[str, Any]) -> set[str]:
    t = schema.get("type")
    return set(t) if isinstance(t, list) else {t} if t else set()


def _bad_values(schema: dict[str, Any]) -> list[tuple[str, Any]]:
    """Values of the wrong type or size for a property of this schema."""
    types, out = _types(schema), []
    if "string" in types:
        out += [("object", {"a": 1}), ("number", 5), ("list", ["a"]), ("true", True)]
        if "maxLength" in schema:
            out.append(("one-too-long", "字" * (schema["maxLength"] + 1)))
    if "boolean" in types:
        out += [("text-false", "false"), ("zero", 0), ("object", {})]
    if "integer" in types:
        out += [("1e30", 1e30), ("2^63", 2**63), ("float", 1.5), ("text", "1"), ("true", True)]
        if "maximum" in schema:
            out.append(("max+1", schema["maximum"] + 1))
    if "array" in types:
        out += [("text", "x"), ("object", {"a": 1})]
    if "object" in types:
        out += [("text", "x"), ("list", [1])]
    if types and "null" not in types:
        out.append(("null", None))
    return out


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    import tempfile

    from server import create_app

    folder = tempfile.mkdtemp(prefix="hallq-openapi-")  # the document needs no database
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{folder}/x.db", "SECRET_KEY": "x", "ASYNC_MODE": "threading"}
    )
    doc = app.test_client().get(f"{V1}/openapi.json").get_json()
    app.extensions["hallq"].db.dispose()
    shutil.rmtree(folder)
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method != "parameters":
                yield path, method, op
    _operations.doc = doc  # type: ignore[attr-defined]


OPERATIONS = list(_operations())
DOC: dict[str, Any] = _operations.doc  # type: ignore[attr-defined]


def _body_cases() -> Iterator[Any]:
    for path, method, op in OPERATIONS:
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None or path.endswith("/import"):
            continue
        schema = _resolve(DOC, content["schema"])
        example = content.get("example", {})
        yield pytest.param(path, method, example, "zzz_unknown", 1, id=f"{method} {path} zzz_unknown")
        for prop, sub in schema.get("properties", {}).items():
            sub = _resolve(DOC, sub)
            for label, value in _bad_values(sub):
                yield pytest.param(path, method, example, prop, value, id=f"{method} {path} {prop} {label}")
            for inner, inner_schema in _resolve(DOC, sub).get("properties", {}).items():
                for label, value in _bad_values(_resolve(DOC, inner_schema))[:3]:
                    yield pytest.param(
                        path,
                        method,
                        example,
                        f"{prop}.{inner}",
                        value,
                        id=f"{method} {path} {prop}.{inner} {label}",
                    )


def _url(hall: dict[str, Any], path: str) -> str:
    values = {
        "code": "A" if "{hall}" in path else "demo",
        "hall": "demo",
        "service": "A",
        "window_id": 2,
        "token_id": 1,
        "escalation_id": 1,
        "record_id": 1,
        "token": "q3Vb9xKpL2mWn8Rt",  # a notice's page token
        "username": "clerk03",
        "ticket_id": hall["ticket"],
        "year": 2027,
        "key": "5",  # a voice clip
    }
    return V1 + path.format(**values)


@pytest.mark.parametrize(("path", "method", "example", "prop", "value"), list(_body_cases()))
def test_every_body_field_of_the_wrong_type_or_size_is_a_400_naming_it(
    hall, unchanged, path, method, example, prop, value
):
    body = json.loads(json.dumps(example))
    if "." in prop:
        outer, inner = prop.split(".")
        body[outer] = {**(body.get(outer) or {}), inner: value}
    else:
        body[prop] = value
    # schemas are checked before anyone's grants; a guide is checked by the domain, after them
    for role in ("admin",) if path.endswith("/guide") else ("admin", "anonymous"):
        r = hall["client"].open(_url(hall, path), method=method.upper(), json=body, headers=hall["who"][role])
        assert names(refused(r), prop), fields_of(r.get_json()["error"])


def _query_cases() -> Iterator[Any]:
    for path, method, op in OPERATIONS:
        for param in op.get("parameters", []):
            if param["in"] != "query":
                continue
            schema, bad = param.get("schema", {}), []
            types = _types(schema)
            if "integer" in types:
                bad += ["abc", "1e30", "99999999999999999999", "-1", "1.5", ""]
            if "string" in types and "maxLength" in schema:
                bad.append("x" * (schema["maxLength"] + 1))
            if "enum" in schema:
                bad.append("bogus")
            if schema.get("format") == "date":
                bad += ["garbage", "2026-02-30"]
            for value in bad:
                yield pytest.param(
                    path, method, param["name"], value, id=f"{method} {path} ?{param['name']}={value[:12]}"
                )


@pytest.mark.parametrize(("path", "method", "name", "value"), list(_query_cases()))
def test_every_query_parameter_of_the_wrong_shape_is_a_400_naming_it(
    hall, unchanged, path, method, name, value
):
    r = hall["client"].open(
        _url(hall, path), method=method.upper(), query_string={name: value}, headers=hall["who"]["admin"]
    )
    assert refused(r)["field"] == name


def _not_allowed() -> Iterator[Any]:
    verbs = {"get", "post", "put", "patch", "delete"}
    for path, ops in DOC["paths"].items():
        allowed = {m for m in ops if m in verbs}
        for verb in sorted(verbs - allowed):
            yield pytest.param(path, verb, allowed, id=f"{verb} {path}")


@pytest.mark.parametrize(("path", "verb", "allowed"), list(_not_allowed()))
def test_every_405_says_which_methods_are_allowed(hall, unchanged, path, verb, allowed):
    r = hall["client"].open(_url(hall, path), method=verb.upper(), headers=hall["who"]["admin"])
    refused(r, 405)
    assert {m.strip().lower() for m in r.headers["Allow"].split(",")} >= allowed


# ---------------------------------------------------------------- lengths are the columns'


def _column(table: type[Base], name: str) -> int:
    column = table.__table__.c[name]
    assert isinstance(column.type, String)
    return int(column.type.length)


#: every text field of a request schema that is stored: (schema, field) → its column
STORED = {
    (admin_schemas.HallIn, "code"): (models.Hall, "code"),
    (admin_schemas.HallIn, "name"): (models.Hall, "name"),
    (admin_schemas.HallIn, "timezone"): (models.Hall, "timezone"),
    (admin_schemas.HallPatch, "name"): (models.Hall, "name"),
    (admin_schemas.HallPatch, "timezone"): (models.Hall, "timezone"),
    (admin_schemas.HallPatch, "commitments"): (models.Hall, "commitments"),
    (admin_schemas.HallPatch, "complaint_channel"): (models.Hall, "complaint_channel"),
    (rating_schemas.RatingIn, "comment"): (models.Rating, "comment"),
    (complaint_schemas.CitizenComplaintIn, "hall"): (models.Hall, "code"),
    (complaint_schemas.CitizenComplaintIn, "text"): (models.Complaint, "text"),
    (complaint_schemas.CitizenComplaintIn, "contact"): (models.Complaint, "contact"),
    (complaint_schemas.EnteredComplaintIn, "text"): (models.Complaint, "text"),
    (complaint_schemas.EnteredComplaintIn, "contact"): (models.Complaint, "contact"),
    (complaint_schemas.DecisionIn, "note"): (models.AppraisalRecord, "note"),
    (complaint_schemas.VerifyIn, "corrective_action"): (models.Complaint, "corrective_action"),
    (complaint_schemas.ComplaintAnswerIn, "answer"): (models.Complaint, "answer"),
    (calendar_schemas.ScheduleIn, "hall"): (models.Hall, "code"),
    (calendar_schemas.ScheduleIn, "source"): (models.CalendarYear, "source"),
    (calendar_schemas.DayIn, "name"): (models.CalendarDay, "name"),
    (admin_schemas.ServiceIn, "prefix"): (models.Service, "prefix"),
    (admin_schemas.ServiceIn, "name"): (models.Service, "name"),
    (admin_schemas.ServiceIn, "name_en"): (models.Service, "name_en"),
    (admin_schemas.ServiceIn, "category"): (models.Service, "category"),
    (admin_schemas.WindowIn, "name"): (models.Window, "name"),
    # English names (issue 15 §6)
    (admin_schemas.HallIn, "name_en"): (models.Hall, "name_en"),
    (admin_schemas.HallPatch, "name_en"): (models.Hall, "name_en"),
    (admin_schemas.HallPatch, "makeup_weekday"): (models.Hall, "makeup_weekday"),
    (admin_schemas.HallPatch, "commitments_en"): (models.Hall, "commitments_en"),
    (admin_schemas.ServiceIn, "category_en"): (models.Service, "category_en"),
    (admin_schemas.WindowIn, "name_en"): (models.Window, "name_en"),
    (admin_schemas.WindowPatch, "name"): (models.Window, "name"),
    (admin_schemas.WindowPatch, "name_en"): (models.Window, "name_en"),
    (admin_schemas.PersonIn, "username"): (models.User, "username"),
    (admin_schemas.PersonIn, "name"): (models.User, "name"),
    (admin_schemas.PersonIn, "badge"): (models.User, "badge"),
    (admin_schemas.PersonIn, "role"): (models.User, "role"),
    (admin_schemas.PersonPatch, "name"): (models.User, "name"),
    (admin_schemas.PersonPatch, "badge"): (models.User, "badge"),
    (admin_schemas.DeviceIn, "role"): (models.ApiToken, "role"),
    (admin_schemas.DeviceIn, "label"): (models.ApiToken, "label"),
    (admin_schemas.DeviceIn, "user"): (models.User, "username"),
    (admin_schemas.DeviceIn, "zone"): (models.ApiToken, "zone"),
    (voice_schemas.SpeakerIn, "zone"): (models.ApiToken, "zone"),
    (hall_schemas.PauseIn, "reason"): (models.Window, "pause_reason"),
    (ticket_schemas.IssueIn, "service"): (models.Service, "code"),
    (ticket_schemas.IssueIn, "hall"): (models.Hall, "code"),
    (booking_schemas.BookingIn, "service"): (models.Service, "code"),
    (ticket_schemas.TransferIn, "service"): (models.Service, "code"),
    (ticket_schemas.TransferIn, "reason"): (models.Transfer, "reason"),
    (ticket_schemas.NoticeIn, "note"): (models.Notice, "note"),
    (staff_schemas.PostsIn, "a"): (models.User, "username"),
    (staff_schemas.PostsIn, "b"): (models.User, "username"),
    (staff_schemas.Place, "service"): (models.Service, "code"),
    (staff_schemas.MoveIn, "reason"): (models.Transfer, "reason"),
    (staff_schemas.LeaveIn, "user"): (models.User, "username"),
    (staff_schemas.LeaveIn, "reason"): (models.Leave, "reason"),
    (staff_schemas.LeaveIn, "handover_note"): (models.Leave, "handover_note"),
    (case_schemas.SuspendIn, "reason"): (models.CaseStep, "reason"),
    (case_schemas.DeliverIn, "note"): (models.Case, "delivery_note"),
    (case_schemas.ReassignIn, "to"): (models.User, "username"),
    (case_schemas.ReassignIn, "reason"): (models.CaseStep, "reason"),
    (case_schemas.SuperviseIn, "note"): (models.Case, "supervision_note"),
    (case_schemas.AnswerIn, "answer"): (models.CaseStep, "reason"),
    (escalation_schemas.EscalationAskIn, "ticket"): (models.Ticket, "public_id"),
    (escalation_schemas.EscalationAskIn, "case"): (models.Case, "code"),
    (escalation_schemas.EscalationAskIn, "question"): (models.Escalation, "question"),
    (escalation_schemas.EscalationAnswerIn, "answer"): (models.Escalation, "answer"),
    (escalation_schemas.EscalationFeedbackIn, "feedback"): (models.Escalation, "feedback"),
    (appraisal_schemas.RecordIn, "case"): (models.Case, "number"),
    (appraisal_schemas.RecordIn, "notice"): (models.Notice, "code"),
    (appraisal_schemas.RecordIn, "ticket"): (models.Ticket, "public_id"),
    (appraisal_schemas.RecordIn, "clerk"): (models.User, "username"),
    (appraisal_schemas.RecordIn, "note"): (models.AppraisalRecord, "note"),
    (appraisal_schemas.RecordAnswerIn, "answer"): (models.AppraisalRecord, "clerk_answer"),
}
#: text fields that are not stored as sent: hashed, looked up elsewhere, or composed
NOT_STORED = {
    (admin_schemas.PersonIn, "password"),  # hashed
    (admin_schemas.PersonPatch, "password"),  # hashed
    (admin_schemas.PhotoIn, "image"),  # base64 of the photo's bytes (domain.photos bounds them)
    (voice_schemas.ClipIn, "audio"),  # base64 of a WAV's bytes (services.voice bounds them)
    (simulation_schemas.SimulationIn, "scenario"),  # a scenario file, parsed and run in memory
    (ticket_schemas.IssueIn, "phone"),  # a keyed hash
    (ticket_schemas.IssueIn, "notice"),  # looked up by code (and token)
    (complaint_schemas.CitizenComplaintIn, "ticket"),  # looked up by id or number
    (complaint_schemas.EnteredComplaintIn, "ticket"),  # looked up by id or number
    (complaint_schemas.VerifyIn, "note"),  # kept in the evidence (JSON)
    (ticket_schemas.IssueIn, "booking"),  # looked up by code (and token)
    (booking_schemas.BookingIn, "phone"),  # a keyed hash
    (booking_schemas.BookingCodeIn, "code"),  # checked against the booking's code
    (booking_schemas.BookingRescheduleIn, "code"),  # checked against the booking's code
    (staff_schemas.CloseIn, "reason"),  # composed into the attendance reason: checked below
    (case_schemas.CompleteIn, "reason"),  # composed into the ticket's outcome reason: checked below
    (case_schemas.CompleteIn, "reason_code"),  # one of a list
    (case_schemas.SuspendIn, "kind"),  # one of a list
}


def _text_fields() -> Iterator[tuple[type, str, Any]]:
    from server.api.schemas.base import In

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for schema in subclasses(In):
        for name, field in schema._declared_fields.items():  # type: ignore[attr-defined]
            if isinstance(field, Str | Text):
                yield schema, name, field


def test_every_stored_text_field_is_as_long_as_its_column():
    seen = set()
    for schema, name, field in _text_fields():
        key = (schema, name)
        seen.add(key)
        if key in NOT_STORED:
            continue
        assert key in STORED, f"{schema.__name__}.{name}: which column stores it? (add it to STORED)"
        table, column = STORED[key]
        assert field.max_len == _column(table, column), (
            f"{schema.__name__}.{name} vs {table.__name__}.{column}"
        )
    assert set(STORED) | NOT_STORED <= seen
    assert SERVICE_CODE_LEN == _column(models.Service, "code")  # a path names it


def test_an_outcome_reason_fits_the_ticket_and_case_columns_it_is_stored_in():
    from server.domain.cases import REFUSAL_REASONS, Outcome

    reason = case_schemas.CompleteIn().fields["reason"].max_len
    longest = Outcome("refused", "r" * reason, max(REFUSAL_REASONS, key=len)).stored_reason or ""
    assert len(longest) <= _column(models.Ticket, "outcome_reason")
    assert reason <= _column(models.Case, "reason") and reason <= _column(models.CaseStep, "reason")


def test_a_closing_reason_fits_the_attendance_reason_it_is_composed_into():
    reason = staff_schemas.CloseIn().fields["reason"].max_len
    longest = f"closed by {'u' * _column(models.User, 'username')}: {'r' * reason}"
    assert len(longest) <= _column(models.Attendance, "reason")


# ---------------------------------------------------------------- Socket.IO frames


def _recv_until(ws: Any, prefix: str, limit: int = 20) -> str:
    """The next frame starting with `prefix` (answering the server's pings on the way)."""
    for _ in range(limit):
        frame = ws.recv()
        if frame == "2":
            ws.send("3")
        elif frame.startswith(prefix):
            return str(frame)
    raise AssertionError(f"no frame {prefix!r}")


def _open_socket(url: str) -> Any:
    import websocket

    ws = websocket.create_connection(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=10
    )
    assert ws.recv().startswith("0{")  # engine.io open
    ws.send("40")  # Socket.IO connect, anonymous (public boards)
    _recv_until(ws, "40")
    return ws


def test_deeply_nested_or_huge_socket_frames_are_dropped_and_the_socket_and_server_keep_serving(
    tmp_path, sqlite_url
):
    """Raw frames to a real server: a deep engine.io message, a deep event payload (to any event
    name), a huge frame. Nothing recurses in the server, the socket that sent the deep frames
    still gets its answer to a good `subscribe`, and the server keeps serving everyone."""
    import requests
    import websocket

    from server.web.input_limits import DEFAULT_MAX_SOCKET_FRAME
    from tests.e2e.conftest import start_server

    live = start_server(sqlite_url, tmp_path)
    try:
        ws = _open_socket(live.url)
        nested = deep(20_000)  # 40 KB: under the frame limit, a RecursionError on its own
        for frame in (
            "4" + nested,  # an engine.io message that is JSON (engine.io tries to decode it)
            f'42["subscribe",{nested}]',
            f'42["agent.hello",{{"printers":{nested}}}]',
            f'42["no-such-event",{deep(DEFAULT_MAX_JSON_DEPTH + 1)}]',
        ):
            ws.send(frame)
        ws.send('421["subscribe",{"hall":"demo","since":null}]')
        assert '"seq"' in _recv_until(ws, "431")  # the same socket is answered
        ws.close()

        big = _open_socket(live.url)
        big.send('42["subscribe",{"hall":"' + "x" * DEFAULT_MAX_SOCKET_FRAME + '"}]')
        big.send('421["subscribe",{"hall":"demo","since":null}]')
        big.settimeout(3)
        with pytest.raises((websocket.WebSocketException, ConnectionError, OSError)):
            _recv_until(big, "431")  # the server dropped the socket that sent too much
        big.shutdown()
        assert requests.get(live.url + "/healthz", timeout=5).status_code == 200
        other = _open_socket(live.url)
        other.send('421["subscribe",{"hall":"demo","since":null}]')
        assert '"seq"' in _recv_until(other, "431")
        other.close()
    finally:
        live.process.terminate()
        live.process.wait(timeout=10)
    log = live.log.read_text(errors="replace")
    assert "RecursionError" not in log and "maximum recursion depth" not in log, log[-3000:]
