"""Administration pages (/admin/): hall settings (name, timezone, opening hours), the halls
(admins create them), services, windows, people and device tokens.

The pages are shells for a logged-in manager (their own hall) or admin (any hall, `?hall=CODE`):
every change goes through the administration API (`/api/v1/halls/…`, `/api/v1/users/…`,
`/api/v1/devices/…`) with the session cookie and the page's CSRF token, so the API's roles and
validation are the only ones. A window's services and A/B posts are edited on the live
console (/manage/hall), where the manager sees the queues they move.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_login import login_required

from ..services.halls import hall_services
from ..web.helpers import hall_ctx
from .manage import current_hall, render_page

bp = Blueprint("admin_pages", __name__, url_prefix="/admin")


def _services(hall: str) -> list[dict[str, Any]]:
    return hall_services(hall_ctx(), hall)


@bp.get("/")
@login_required
def hall_settings() -> str:
    return render_page("admin/hall.html", section="hall")


@bp.get("/halls")
@login_required
def halls() -> str:
    return render_page("admin/halls.html", section="halls")


@bp.get("/services")
@login_required
def services() -> str:
    return render_page("admin/services.html", section="services", services=_services(current_hall()))


@bp.get("/windows")
@login_required
def windows() -> str:
    return render_page("admin/windows.html", section="windows")


@bp.get("/people")
@login_required
def people() -> str:
    return render_page("admin/people.html", section="people")


@bp.get("/devices")
@login_required
def devices() -> str:
    return render_page("admin/devices.html", section="devices")


@bp.get("/calendar")
@login_required
def calendar() -> str:
    """The working-day calendar: a year as the hall counts it, and a schedule to import."""
    return render_page("admin/calendar.html", section="calendar", year=request.args.get("year", type=int))
