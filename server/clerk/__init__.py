"""The clerk console (呼叫器): sign in at a window, call, recall, start, no-show, complete, pause.

The page is rendered for the logged-in person; everything it does goes through the JSON API
with the session cookie and the CSRF token, and it stays current through Socket.IO.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from ..services.halls import list_halls

bp = Blueprint("clerk", __name__, url_prefix="/clerk")

#: people who may work a window from the console
CONSOLE_ROLES = ("clerk", "manager", "admin")


@bp.get("/")
@login_required
def console() -> str:
    if current_user.role not in CONSOLE_ROLES:
        abort(403)
    if current_user.hall is not None:
        hall = current_user.hall.code
    else:
        # An admin belongs to no hall: `?hall=CODE` picks one, else the first there is.
        halls = [h["code"] for h in list_halls(current_app.extensions["hallq"])]
        if not halls:
            abort(404)
        asked = request.args.get("hall")
        hall = asked if asked in halls else halls[0]
    return render_template("clerk/console.html", user=current_user, hall=hall)
