"""The manager's live console (/manage/): the hall's printers and the slips that did not print.

It is the start of the manager console of DESIGN §1 (the hall map of windows and queues and
re-routing come later, in their own sections of the same page). Like the clerk console it is
a shell for the logged-in person: data comes from the JSON API with the session cookie (and
the CSRF token on changes) and stays current through Socket.IO.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from ..services.halls import list_halls

bp = Blueprint("manage", __name__, url_prefix="/manage")

#: people who may watch and act on the whole hall
MANAGER_ROLES = ("manager", "admin")


@bp.get("/")
@login_required
def console() -> str:
    if current_user.role not in MANAGER_ROLES:
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
    from .hall import hall_choices

    return render_template(
        "manage/index.html",
        user=current_user,
        hall=hall,
        halls=hall_choices(),  # the navigation (templates/manage/_nav.html) needs these two
        has_guides="guide_admin" in current_app.blueprints,
    )


# The console's other pages add their views to `bp` (after bp and MANAGER_ROLES exist).
from . import audit, hall, staff  # noqa: E402, F401
