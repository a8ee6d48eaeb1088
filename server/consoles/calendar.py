"""The working-day calendar on the consoles: the manager console's banner (a year nobody
imported within 60 days, cases waiting for a year) and the admin page that shows a year and
imports one (/admin/calendar). The page acts through `PUT /api/v1/calendar/<year>`, so the
API's roles and checks are the only ones."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import login_required

from ..auth import current_principal
from ..services.calendars import calendar_status
from ..web.helpers import hall_ctx
from .admin import bp
from .manage import render_page


def calendar_banner(hall: str) -> dict[str, Any] | None:
    """What the manager console warns about (None when there is nothing to say)."""
    status = calendar_status(hall_ctx(), current_principal(), hall)
    return status if status["uncovered"] or status["missing"] else None


@bp.get("/calendar")
@login_required
def calendar_page() -> str:
    year = request.args.get("year", type=int)
    return render_page("admin/calendar.html", section="calendar", year=year)
