"""The guide editor for managers (/manage/guides/): list the hall's services, edit one guide,
export every guide as YAML or JSON and import them back.

The pages are shells for the logged-in manager or admin: the edit form saves through the JSON
API (`PUT /api/v1/halls/<hall>/services/<code>/guide`) with the session cookie and the page's
CSRF token, so the API's validation, with the bad field's path, is the only validation.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from ..services.guides import guide_summaries
from ..web.helpers import console_hall, hall_ctx

bp = Blueprint("guide_admin", __name__, url_prefix="/manage/guides")

#: people who may edit a hall's guides
EDITOR_ROLES = ("manager", "admin")


def _hall() -> str:
    """The hall being edited: the manager's own; an admin picks one with `?hall=CODE`."""
    return console_hall(EDITOR_ROLES)


@bp.get("/")
@login_required
def index() -> str:
    hall = _hall()
    services = guide_summaries(hall_ctx(), current_user.account.principal(), hall)
    return render_template("manage/guides.html", user=current_user, hall=hall, services=services)


@bp.get("/<code>")
@login_required
def edit(code: str) -> str:
    hall = _hall()
    services = guide_summaries(hall_ctx(), current_user.account.principal(), hall)
    service = next((s for s in services if s["code"] == code), None)
    if service is None:
        abort(404)
    return render_template("manage/guide_edit.html", user=current_user, hall=hall, service=service)
