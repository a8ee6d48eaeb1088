"""Schemathesis against the app (WSGI, no server): every operation of the generated document,
bounded, called by every kind of caller — an admin or the clerk at the window, a manager, a
kiosk and nobody. No answer may be a server error, and every answer must fit the document
(status, content type, JSON schema, `Allow` on a 405)."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from server.storage.models import ApiToken
from tests.conftest import _make_app
from tests.helpers import FakeClock, bearer, gen_token

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: (operation, method, status) of every request made, to show the run reached the handlers
SEEN: Counter[tuple[str, str, int]] = Counter()
#: requests made per caller
ROLES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Any]:
    """One demo hall for the whole run (each example changes it a little, as real clients would)."""
    folder = tmp_path_factory.mktemp("schemathesis")
    shutil.copy(sqlite_template, folder / "hallq.db")
    app = _make_app(f"sqlite:///{folder}/hallq.db", FakeClock())
    yield app
    app.extensions["hallq"].db.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzzed_app: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app)


@pytest.fixture(scope="module")
def tokens(fuzzed_app: Any) -> dict[str, Any]:
    ctx = fuzzed_app.extensions["hallq"]
    made: dict[str, Any] = {
        "admin": bearer(gen_token(ctx, "admin", hall=None)),
        "clerk": bearer(gen_token(ctx, "clerk", "clerk02")),
        "manager": bearer(gen_token(ctx, "manager", "manager")),
        "kiosk": bearer(gen_token(ctx, "kiosk")),
        "anonymous": {},
    }
    with ctx.db.read() as s:
        made["ids"] = set(s.scalars(select(ApiToken.id).order_by(ApiToken.id.desc()).limit(4)))
    kiosk = made["kiosk"]
    client = fuzzed_app.test_client()
    made["tickets"] = [
        client.post("/api/v1/tickets", json={"service": code}, headers=kiosk).get_json()["id"]
        for code in "AB"
    ]
    return made


def steer(case: Any, tokens: dict[str, Any]) -> None:
    """Half of the ticket ids name real tickets (random ones are all 404). The run may revoke
    tokens and deactivate people, but not the ones it calls with."""
    path = case.path_parameters or {}
    if "ticket_id" in path and len(str(path["ticket_id"])) % 2 == 0:
        path["ticket_id"] = tokens["tickets"][len(str(path["ticket_id"])) // 2 % 2]
    if path.get("token_id") in tokens["ids"]:
        path["token_id"] = 0
    if path.get("username") in ("clerk02", "manager"):
        path["username"] = "clerk12"


#: operations only a clerk may call: they run as clerk02 (window 2), every other one as an admin
CLERK_OPERATIONS = {
    "GET /me/handovers",
    "POST /windows/{window_id}/call-next",
    "POST /windows/{window_id}/sign-in",
    "POST /windows/{window_id}/sign-out",
    "POST /windows/{window_id}/pause",
    "POST /windows/{window_id}/resume",
    "POST /tickets/{ticket_id}/recall",
    "POST /tickets/{ticket_id}/start",
    "POST /tickets/{ticket_id}/no-show",
    "POST /tickets/{ticket_id}/complete",
    "POST /tickets/{ticket_id}/complete-and-call-next",
    "POST /tickets/{ticket_id}/undo-no-show",
    "POST /tickets/{ticket_id}/notice",
}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_contract(case: Any, tokens: dict[str, Any]) -> None:
    label = case.operation.label
    steer(case, tokens)
    # the caller who may do it first (so the run reaches the handlers), then everyone else
    first = "clerk" if label in CLERK_OPERATIONS else "admin"
    for role in (first, "manager", "kiosk", "anonymous"):
        response = case.call_and_validate(headers=tokens[role], checks=CHECKS)
        if response.status_code == 405:
            assert response.headers.get("allow"), f"{label}: a 405 without Allow"
        SEEN[(label, case.method.upper(), response.status_code)] += 1
        ROLES[role] += 1


def test_the_run_covered_every_operation_and_reached_the_handlers(api_schema: Any) -> None:
    operations = {op.ok().label for op in api_schema.get_all_operations()}
    tried = {label for label, method, _ in SEEN if label.startswith(method)}
    assert tried == operations, f"not tried: {sorted(operations - tried)}"
    assert set(ROLES) == {"admin", "clerk", "manager", "kiosk", "anonymous"}, ROLES
    answered = {label for (label, method, status) in SEEN if label.startswith(method) and status < 300}
    assert len(answered) >= len(operations) // 2, f"2xx only from {sorted(answered)}"
    for key in sorted(SEEN):
        print(*key, SEEN[key])
    requests = sum(SEEN.values())
    print(f"\nschemathesis: {len(operations)} operations, {requests} requests, 2xx from {len(answered)}")
