"""The manager's live console (/manage/): the hall's printers and the slips that did not print.

It is the start of the manager console of DESIGN §1 (the hall map of windows and queues and
re-routing come later, in their own sections of the same page). Like the clerk console it is
a shell for the logged-in person: data comes from the JSON API with the session cookie (and
the CSRF token on changes) and stays current through Socket.IO.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from ..pages import console_hall

bp = Blueprint("manage", __name__, url_prefix="/manage")

#: people who may watch and act on the whole hall
MANAGER_ROLES = ("manager", "admin")


@bp.get("/")
@login_required
def console() -> str:
    code = console_hall(MANAGER_ROLES)
    from .hall import hall_choices

    return render_template(
        "manage/index.html",
        user=current_user,
        hall=code,
        halls=hall_choices(),  # the navigation (templates/manage/_nav.html) needs these two
        has_guides="guide_admin" in current_app.blueprints,
    )


# The console's other pages add their views to `bp` (after bp and MANAGER_ROLES exist).
from . import audit, hall, staff  # noqa: E402, F401
