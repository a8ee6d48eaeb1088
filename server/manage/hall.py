"""The manager's live hall console (/manage/hall): the hall as a map of windows, the service
queues, the alarms of unstaffed windows, and the re-routing actions (AB岗制度, DESIGN §1-2).

Like /manage/ the page is a shell for the logged-in manager or admin: it reads the snapshot
and the events through live.js, and acts through the JSON API with the session cookie and the
page's CSRF token, so the API's rules (roles, halls, confirmation) are the only rules.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user, login_required

from ..pages import console_hall
from ..services.halls import list_halls
from . import MANAGER_ROLES, bp


def current_hall() -> str:
    """The hall these pages manage: the manager's own; an admin picks one with `?hall=CODE`."""
    return console_hall(MANAGER_ROLES)


def hall_choices() -> list[dict[str, str]]:
    """The halls an admin may switch between (a manager has only their own: no switch)."""
    if current_user.role != "admin":
        return []
    return list_halls(current_app.extensions["hallq"])


def render_page(template: str, **extra: object) -> str:
    """A manager page with what the shared navigation needs (templates/manage/_nav.html)."""
    hall = current_hall()
    return render_template(
        template,
        user=current_user,
        hall=hall,
        halls=hall_choices(),
        has_guides="guide_admin" in current_app.blueprints,
        **extra,
    )


@bp.get("/hall")
@login_required
def hall_console() -> str:
    return render_page("manage/hall.html")
