"""Windows: what a window sees, calling the next number, signing in and out, pausing."""

from __future__ import annotations

from typing import Any

from flask import Response

from ..auth import current_principal
from ..services import tickets as ticket_service
from ..services import windows as window_service
from .blueprint import bp, ctx
from .schemas.common import Empty
from .schemas.halls import PauseIn, Window
from .schemas.tickets import Ticket

#: a window id (`id`: database ids are 32-bit; a larger number is no window, not a server error)
WINDOW = "/windows/<id:window_id>"
EMPTY, WINDOW_VIEW = Empty(), Window()


@bp.get(WINDOW)
@bp.response(200, WINDOW_VIEW, description="the window, its current ticket and the tickets it would call")
def window(window_id: int) -> Any:
    """A window with its waiting tickets in call order (clerks, managers, admins, boards, rating pads)"""
    return window_service.window_detail(ctx(), current_principal(), window_id)


@bp.post(f"{WINDOW}/call-next")
@bp.arguments(EMPTY, required=False)
@bp.response(200, Ticket(), description="the called ticket")
@bp.alt_response(204, description="nobody waits", success=True)
def call_next(_: dict[str, Any], window_id: int) -> Any:
    """Call the next number (the clerk signed in at the window)"""
    called = ticket_service.call_next(ctx(), current_principal(), window_id)
    return Response(status=204) if called is None else called


@bp.post(f"{WINDOW}/sign-in")
@bp.arguments(EMPTY, required=False)
@bp.response(200, WINDOW_VIEW)
def sign_in(_: dict[str, Any], window_id: int) -> Any:
    """The clerk takes the window (one window per clerk, one clerk per window)"""
    return window_service.sign_in(ctx(), current_principal(), window_id)


@bp.post(f"{WINDOW}/sign-out")
@bp.arguments(EMPTY, required=False)
@bp.response(200, WINDOW_VIEW)
def sign_out(_: dict[str, Any], window_id: int) -> Any:
    """The clerk leaves the window (a number at the counter must be finished first)"""
    return window_service.sign_out(ctx(), current_principal(), window_id)


@bp.post(f"{WINDOW}/pause")
@bp.arguments(PauseIn())
@bp.response(200, WINDOW_VIEW)
def pause(body: dict[str, Any], window_id: int) -> Any:
    """Stop calling, with a reason the boards show (the clerk signed in there)"""
    return window_service.pause(ctx(), current_principal(), window_id, body["reason"])


@bp.post(f"{WINDOW}/resume")
@bp.arguments(EMPTY, required=False)
@bp.response(200, WINDOW_VIEW)
def resume(_: dict[str, Any], window_id: int) -> Any:
    """Call again after a pause (the clerk signed in there)"""
    return window_service.resume(ctx(), current_principal(), window_id)
