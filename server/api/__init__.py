"""HTTP JSON API v1 (docs/api.md). Handlers parse, authorise, call one service, answer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from ..auth import current_principal
from ..services import figures as hall_figures
from ..services import halls as hall_service
from ..services import notices, print_jobs, transfers
from ..services import tickets as ticket_service
from ..services import windows as window_service
from ..services.core.context import Context
from ..services.core.errors import bad_field, not_found
from .errors import register_error_handlers
from .openapi import openapi_document
from .parse import boolean, json_body, only_fields, string

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def ctx() -> Context:
    return current_app.extensions["hallq"]  # type: ignore[no-any-return]


def base_url() -> str:
    return ctx().base_url or request.host_url.rstrip("/")


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.get("/me")
def me() -> Any:
    p = current_principal()
    if p.is_anonymous:
        return {"role": "anonymous", "hall": None, "user": None, "window": None}
    window = window_service.window_of_clerk(ctx(), p.user_id) if p.user_id else None
    user = None
    if p.via == "session":
        from flask_login import current_user

        user = {"username": current_user.username, "name": current_user.name, "badge": current_user.badge}
    elif p.username:
        user = {"username": p.username, "name": None, "badge": None}
    return {"role": p.role, "hall": p.hall_code, "user": user, "window": window}


@bp.get("/halls/<code>")
def hall(code: str) -> Any:
    return hall_service.hall_info(ctx(), code)


@bp.get("/halls/<code>/snapshot")
def snapshot(code: str) -> Any:
    p = current_principal()
    if p.is_anonymous and not current_app.config["PUBLIC_BOARDS"]:
        from ..services.core.principal import require_role

        require_role(p, ("board",))
    return hall_service.snapshot(ctx(), p, code)


@bp.post("/tickets")
def issue() -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"service", "priority", "phone", "hall", "notice"})
    notice = string(data, "notice", max_len=20)
    ticket = ticket_service.issue_ticket(
        ctx(),
        p,
        service_code=string(data, "service", required=notice is None, max_len=16),
        notice_code=notice,
        hall_code=string(data, "hall", max_len=32),
        priority=boolean(data, "priority"),
        phone=string(data, "phone", max_len=20),

    )
    return ticket, 201


@bp.get("/tickets/<ticket_id>")
def ticket(ticket_id: str) -> Any:
    return ticket_service.get_ticket(ctx(), ticket_id)


@bp.post("/tickets/<ticket_id>/reprint")
def reprint(ticket_id: str) -> Any:
    p = current_principal()
    json_body()
    return print_jobs.reprint(ctx(), p, ticket_id), 201


@bp.get("/printers")
def printers() -> Any:
    p = current_principal()
    return {"printers": print_jobs.list_printers(ctx(), p, request.args.get("hall"))}


@bp.get("/print-jobs/failed")
def failed_print_jobs() -> Any:
    return {"jobs": print_jobs.recent_failed_jobs(ctx(), current_principal())}


@bp.post("/tickets/<ticket_id>/transfer")
def transfer(ticket_id: str) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"service", "window", "reason", "override"})
    window = data.get("window")
    if window is not None and (not isinstance(window, int) or isinstance(window, bool)):
        raise bad_field("window", "window 必须是窗口编号（整数）", "window must be a window id (integer)")
    return transfers.transfer(
        ctx(),
        p,
        ticket_id,
        string(data, "reason", required=True, max_len=300),
        service_code=string(data, "service", max_len=16),
        window_id=window,
        override=boolean(data, "override"),

    )


@bp.post("/tickets/<ticket_id>/notice")
def notice(ticket_id: str) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"missing", "note", "reasons"})
    made = notices.create_notice(
        ctx(), p, ticket_id, data.get("missing", []), data.get("note"), data.get("reasons")
    )
    return made, 201


@bp.get("/notices/<code>")
def get_notice(code: str) -> Any:
    return notices.get_notice(ctx(), code)


@bp.get("/me/follow-ups")
def follow_ups() -> Any:
    return {"tickets": transfers.follow_ups(ctx(), current_principal())}


@bp.get("/halls/<code>/figures")
def figures(code: str) -> Any:
    days = request.args.get("days", "30")
    if not days.isdigit():
        raise bad_field("days", "days 必须是整数", "days must be an integer")
    return hall_figures.hall_figures(ctx(), current_principal(), code, int(days))


@bp.get("/halls/<code>/repeat-trips")
def repeat_trips(code: str) -> Any:
    return {"trips": hall_figures.repeat_trips(ctx(), current_principal(), code)}


@bp.post("/tickets/<ticket_id>/<action>")
def ticket_action(ticket_id: str, action: str) -> Any:
    if action not in ticket_service.ACTIONS:
        raise not_found("操作", "action")
    p = current_principal()
    json_body()
    return ticket_service.act_on_ticket(ctx(), p, ticket_id, action)


@bp.post("/windows/<int:window_id>/call-next")
def call_next(window_id: int) -> Any:
    p = current_principal()
    called = ticket_service.call_next(ctx(), p, window_id)
    if called is None:
        return Response(status=204)
    return called


@bp.get("/windows/<int:window_id>")
def window(window_id: int) -> Any:
    return window_service.window_detail(ctx(), current_principal(), window_id)


@bp.post("/windows/<int:window_id>/sign-in")
def sign_in(window_id: int) -> Any:
    return window_service.sign_in(ctx(), current_principal(), window_id)


@bp.post("/windows/<int:window_id>/sign-out")
def sign_out(window_id: int) -> Any:
    return window_service.sign_out(ctx(), current_principal(), window_id)


@bp.post("/windows/<int:window_id>/pause")
def pause(window_id: int) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"reason"})
    return window_service.pause(ctx(), p, window_id, string(data, "reason", required=True) or "")


@bp.post("/windows/<int:window_id>/resume")
def resume(window_id: int) -> Any:
    return window_service.resume(ctx(), current_principal(), window_id)


def init_api(app: Flask) -> None:
    from ..extensions import csrf
    from . import admin, staff  # noqa: F401  (add their routes to bp)

    csrf.exempt(bp)  # bearer calls need no CSRF; session calls are checked in current_principal
    app.register_blueprint(bp)
    register_error_handlers(app)

    @app.get("/healthz")
    def healthz() -> Any:
        try:
            ok = ctx().db.ping()
        except Exception:  # the probe must answer, whatever the database does
            ok = False
        return (
            ({"status": "ok", "database": "ok"}, 200)
            if ok
            else ({"status": "error", "database": "down"}, 503)
        )


# Feature modules add their routes to `bp` when imported (after bp and ctx exist).
from . import guides  # noqa: E402, F401
