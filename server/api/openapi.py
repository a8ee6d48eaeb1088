"""The OpenAPI 3 document of API v1 (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from ..version import __version__


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthenticated"},
    "403": {"$ref": "#/components/responses/Forbidden"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "409": {"$ref": "#/components/responses/Conflict"},
}


def _op(
    summary: str, ok: dict[str, Any], body: dict[str, Any] | None = None, **params: Any
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {**ok, **_ERRORS}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": kind}}
            for name, kind in params.items()
        ]
    return op


def _ticket_action(summary: str) -> dict[str, Any]:
    return {"post": _op(summary, {"200": _json(_ref("Ticket"), "the ticket after the action")}, id="string")}


def _window_action(summary: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"post": _op(summary, {"200": _json(_ref("Window"), "the window")}, body, window="integer")}


def openapi_document() -> dict[str, Any]:
    from .guides import openapi_paths as guide_paths

    window_ref = {
        "type": "object",
        "nullable": True,
        "properties": {"id": {"type": "integer"}, "number": {"type": "integer"}, "name": {"type": "string"}},
    }
    error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "field": {"type": "string"},
                },
            }
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "hallq API",
            "version": __version__,
            "description": "Queue ticketing for government service halls. See docs/api.md.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "responses": {
                name: _json(_ref("Error"), text)
                for name, text in [
                    ("BadRequest", "malformed body or invalid field"),
                    ("Unauthenticated", "no or unknown token, not logged in"),
                    ("Forbidden", "the role or hall may not do this"),
                    ("NotFound", "no such hall, service, window or ticket"),
                    ("Conflict", "the current state does not allow it"),
                ]
            },
            "schemas": {
                "Error": error,
                "WindowRef": window_ref,
                "Ticket": {
                    "type": "object",
                    "required": ["id", "number", "service", "status", "url"],
                    "properties": {
                        "id": {"type": "string"},
                        "number": {"type": "string", "example": "A001"},
                        "hall": {"type": "string"},
                        "service": {"type": "string"},
                        "service_name": {"type": "string"},
                        "status": {
                            "type": "string",
                            "enum": ["waiting", "called", "serving", "done", "no_show", "cancelled"],
                        },
                        "priority": {"type": "boolean"},
                        "business_day": {"type": "string", "format": "date"},
                        "queued_at": {"type": "string", "format": "date-time"},
                        "called_at": {"type": "string", "format": "date-time", "nullable": True},
                        "recalls": {"type": "integer"},
                        "window": _ref("WindowRef"),
                        "directed_window": _ref("WindowRef"),
                        "position": {"type": "integer", "nullable": True},
                        "estimated_wait_s": {"type": "integer", "nullable": True},
                        "url": {"type": "string"},
                    },
                },
                "Window": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "number": {"type": "integer"},
                        "name": {"type": "string"},
                        "status": {"type": "string", "enum": ["open", "paused", "closed"]},
                        "services": {"type": "array", "items": {"type": "string"}},
                        "clerk": {"type": "object", "nullable": True},
                        "pause_reason": {"type": "string", "nullable": True},
                        "current": {"allOf": [_ref("Ticket")], "nullable": True},
                    },
                },
                "NewTicket": {
                    "type": "object",
                    "required": ["service"],
                    "additionalProperties": False,
                    "properties": {
                        "service": {"type": "string", "maxLength": 16},
                        "priority": {"type": "boolean"},
                        "phone": {"type": "string", "pattern": "^\\+?[0-9]{5,20}$"},
                        "hall": {"type": "string"},
                    },
                },
                "Snapshot": {
                    "type": "object",
                    "required": ["seq", "hall", "now_calling", "waiting", "windows"],
                },
            },
        },
        "paths": {
            "/me": {"get": _op("who the caller is", {"200": _json({"type": "object"}, "the principal")})},
            "/halls/{code}": {
                "get": _op(
                    "the hall's services with waiting counts",
                    {"200": _json({"type": "object"}, "hall")},
                    code="string",
                )
            },
            "/halls/{code}/snapshot": {
                "get": _op(
                    "what the boards show now", {"200": _json(_ref("Snapshot"), "snapshot")}, code="string"
                )
            },
            "/tickets": {
                "post": _op(
                    "take a number", {"201": _json(_ref("Ticket"), "the new ticket")}, _ref("NewTicket")
                )
            },
            "/tickets/{id}": {"get": _op("a ticket", {"200": _json(_ref("Ticket"), "ticket")}, id="string")},
            "/tickets/{id}/recall": _ticket_action("call the number again"),
            "/tickets/{id}/start": _ticket_action("the citizen is at the window"),
            "/tickets/{id}/no-show": _ticket_action("the citizen did not come"),
            "/tickets/{id}/complete": _ticket_action("service finished"),
            "/tickets/{id}/cancel": _ticket_action("give up a waiting number"),
            "/tickets/{id}/reactivate": _ticket_action("late no-show comes back"),
            "/windows/{window}": {
                "get": _op(
                    "a window with its waiting tickets",
                    {"200": _json(_ref("Window"), "window")},
                    window="integer",
                )
            },
            "/windows/{window}/call-next": {
                "post": _op(
                    "call the next ticket",
                    {
                        "200": _json(_ref("Ticket"), "the called ticket"),
                        "204": {"description": "nobody waits"},
                    },
                    window="integer",
                )
            },
            "/windows/{window}/sign-in": _window_action("the clerk takes the window"),
            "/windows/{window}/sign-out": _window_action("the clerk leaves the window"),
            "/windows/{window}/pause": _window_action(
                "pause with a reason",
                {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
            ),
            "/windows/{window}/resume": _window_action("resume calling"),
            **guide_paths(),
        },
    }
