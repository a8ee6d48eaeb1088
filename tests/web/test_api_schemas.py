"""The API's response shaping answers what marshmallow's own dump answers, and its request
schemas refuse what the old hand-written parsing refused."""

from __future__ import annotations

import pytest
from marshmallow import Schema

from server.api.errors import InvalidInput, invalid_input
from server.api.schemas.base import Out, dropped_keys, split_message
from server.api.schemas.halls import Snapshot, Window
from server.api.schemas.tickets import IssueIn, Ticket, TransferIn
from server.services import halls, tickets, windows
from tests.helpers import principal


@pytest.fixture
def views(app, ctx):
    kiosk, clerk = principal(ctx, "kiosk"), principal(ctx, "clerk", "clerk02")
    with app.test_request_context("/api/v1/x"):
        windows.sign_in(ctx, clerk, 2)
        first = tickets.issue_ticket(ctx, kiosk, "A")
        tickets.issue_ticket(ctx, kiosk, "A", priority=True)
        called = tickets.call_next(ctx, clerk, 2)
        yield {
            Ticket(): [first, called, tickets.get_ticket(ctx, first["id"])],
            Window(): [windows.window_detail(ctx, clerk, 2)],
            Snapshot(): [halls.snapshot(ctx, kiosk, "demo")],
        }


def test_shaping_answers_what_marshmallow_dumps(app, views, monkeypatch):
    with app.test_request_context("/api/v1/x"):
        fast = {schema: [schema.dump(v) for v in values] for schema, values in views.items()}
        monkeypatch.setattr(Out, "dump", Schema.dump)
        for schema, values in views.items():
            assert fast[schema] == [Schema.dump(schema, v) for v in values]


def test_shaping_keeps_every_key_the_services_return(app, views):
    with app.test_request_context("/api/v1/x"):
        for schema, values in views.items():
            for v in values:
                assert dropped_keys(v, schema.dump(v)) == []
                assert schema.dump(v)["id" if "id" in v else "seq"] is not None


def test_dropped_keys_names_paths():
    assert dropped_keys({"a": 1, "b": {"c": [{"d": 1, "e": 2}]}}, {"a": 1, "b": {"c": [{"d": 1}]}}) == [
        "b.c[0].e"
    ]


def test_messages_in_both_languages_name_the_field():
    assert split_message("缺少字段 $field\x1fmissing field $field", "service") == (
        "缺少字段 service",
        "missing field service",
    )
    assert split_message("Not a valid list.", "x") == ("x: Not a valid list.", "x: Not a valid list.")


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "service"),
        ({"service": 5}, "service"),
        ({"service": "   "}, "service"),
        ({"service": "A" * 17}, "service"),
        ({"service": "A", "priority": "yes"}, "priority"),
        ({"service": "A", "priority": 1}, "priority"),
        ({"service": "A", "colour": "red"}, "colour"),
    ],
)
def test_issue_body_refusals_name_the_field(body, field):
    with pytest.raises(Exception) as err:
        IssueIn().load(body)
    refusal = invalid_input(err.value.messages)  # type: ignore[attr-defined]
    assert isinstance(refusal, InvalidInput) and refusal.field == field


def test_issue_body_is_stripped_and_the_notice_stands_for_the_service():
    assert IssueIn().load({"service": " A ", "priority": True}) == {"service": "A", "priority": True}
    assert IssueIn().load({"notice": "k7qx2m"}) == {"notice": "k7qx2m"}


@pytest.mark.parametrize("window", ["8", True, 1.5, 2**40, 0])
def test_a_transfer_window_is_a_database_id(window):
    with pytest.raises(Exception) as err:
        TransferIn().load({"window": window, "reason": "x"})
    refusal = invalid_input(err.value.messages)  # type: ignore[attr-defined]
    assert refusal.field == "window" and refusal.message_en == "window must be a window id (integer)"
