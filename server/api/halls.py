"""Who the caller is; halls as kiosks and boards see them; figures; printers and failed slips."""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..auth import current_principal
from ..services import figures as hall_figures
from ..services import halls as hall_service
from ..services import print_jobs
from ..services import windows as window_service
from ..services.core.principal import Unauthenticated, require_role
from .blueprint import PUBLIC, bp, ctx
from .schemas.halls import FiguresQuery, HallInfo, Me, PrintersQuery, Snapshot
from .schemas.tickets import Figures, Printers, PrintJobs, RepeatTrips


@bp.get("/me")
@bp.response(200, Me())
def me() -> Any:
    """Who the caller is: role, hall, person, and the window they are signed in at (401 for nobody)"""
    p = current_principal()
    if p.is_anonymous:
        raise Unauthenticated("unauthenticated", "请先登录或提供设备令牌", "log in or send a device token")
    window = window_service.window_of_clerk(ctx(), p.user_id) if p.user_id else None
    user = None
    if p.via == "session":
        from flask_login import current_user

        user = {"username": current_user.username, "name": current_user.name, "badge": current_user.badge}
    elif p.username:
        user = {"username": p.username, "name": None, "badge": None}
    return {"role": p.role, "hall": p.hall_code, "user": user, "window": window}


@bp.get("/halls/<code>")
@bp.response(200, HallInfo())
@bp.doc(**PUBLIC)
def hall(code: str) -> Any:
    """The hall's services with waiting counts and estimated waits (anyone)"""
    return hall_service.hall_info(ctx(), code)


@bp.get("/halls/<code>/snapshot")
@bp.response(200, Snapshot())
@bp.doc(**PUBLIC)
def snapshot(code: str) -> Any:
    """What the boards show now (boards and staff; anyone while public boards are on)"""
    p = current_principal()
    if p.is_anonymous and not current_app.config["PUBLIC_BOARDS"]:
        require_role(p, ("board",))
    return hall_service.snapshot(ctx(), p, code)


@bp.get("/halls/<code>/figures")
@bp.arguments(FiguresQuery(), location="query")
@bp.response(200, Figures())
def figures(query: dict[str, Any], code: str) -> Any:
    """Transfers, notices and repeated trips over the last `days` days (managers, admins)"""
    return hall_figures.hall_figures(ctx(), current_principal(), code, query["days"])


@bp.get("/halls/<code>/repeat-trips")
@bp.response(200, RepeatTrips())
def repeat_trips(code: str) -> Any:
    """Citizens who came three times or more for one matter (多次往返), newest first (managers, admins)"""
    return {"trips": hall_figures.repeat_trips(ctx(), current_principal(), code)}


@bp.get("/printers")
@bp.arguments(PrintersQuery(), location="query")
@bp.response(200, Printers())
def printers(query: dict[str, Any]) -> Any:
    """Printers of the hall with their status and job counts (managers, admins, kiosks)"""
    return {"printers": print_jobs.list_printers(ctx(), current_principal(), query.get("hall"))}


@bp.get("/print-jobs/failed")
@bp.response(200, PrintJobs())
def failed_print_jobs() -> Any:
    """Slips that did not print, newest first (managers, admins)"""
    return {"jobs": print_jobs.recent_failed_jobs(ctx(), current_principal())}
