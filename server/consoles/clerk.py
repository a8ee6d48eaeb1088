"""The clerk console (呼叫器): sign in at a window, call, recall, start, no-show, complete, pause.
The clerk's own appraisal records are on /clerk/appraisal (server/consoles/appraisal.py), not here.

The page is rendered for the logged-in person; everything it does goes through the JSON API
with the session cookie and the CSRF token, and it stays current through Socket.IO.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..services.halls import public_pause_reasons
from ..web.helpers import console_hall, hall_ctx

bp = Blueprint("clerk", __name__, url_prefix="/clerk")

#: people who may work a window from the console
CONSOLE_ROLES = ("clerk", "manager", "admin")


@bp.get("/")
@login_required
def console() -> str:
    hall = console_hall(CONSOLE_ROLES)
    return render_template(
        "clerk/console.html",
        user=current_user,
        hall=hall,
        public_pause_reasons=public_pause_reasons(hall_ctx(), hall),
    )
