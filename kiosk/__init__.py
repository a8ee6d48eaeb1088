"""The touch kiosk (取号机): GET /kiosk/<hall>.

The page is a shell: the hall's services and waiting counts come from the JSON API and the
live socket, and tickets are taken with the kiosk's device token (`?token=`, remembered by the
browser). The kiosk printer agent lives in kiosk/agent.py.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from server.web.helpers import hall_name_or_404

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")


@bp.get("/<hall>")
def kiosk(hall: str) -> str:
    return render_template("kiosk/index.html", hall=hall, hall_name=hall_name_or_404(hall))
