"""The touch kiosk (取号机): GET /kiosk/<hall>.

The page is a shell: the hall's services and waiting counts come from the JSON API and the
live socket, and tickets are taken with the kiosk's device token (`?token=`, remembered by the
browser). The kiosk printer agent lives in kiosk/agent.py.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")


def hall_name_or_404(code: str) -> str:
    """The hall's display name; 404 for a hall that does not exist (a mistyped kiosk URL)."""
    from server.services.errors import NotFound
    from server.services.halls import load_hall

    try:
        with current_app.extensions["hallq"].db.read() as s:
            return str(load_hall(s, code).name)
    except NotFound:
        abort(404)


@bp.get("/<hall>")
def kiosk(hall: str) -> str:
    return render_template("kiosk/index.html", hall=hall, hall_name=hall_name_or_404(hall))
