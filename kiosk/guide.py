"""The kiosk service guide (办事指南): GET /kiosk/<hall>/guide.

A touch page beside the ticket screen: browse services by category or search them by keyword
or pinyin initials, read a service's full guide, print it, and take a number for it. Like the
kiosk it is a shell over the public JSON API (guides and search need no token); the kiosk's
device token, when given as `?token=`, is remembered by the browser for the ticket screen.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from server.web.helpers import hall_ctx, hall_name_or_404

guide_bp = Blueprint("kiosk_guide", __name__, url_prefix="/kiosk")

#: the service a citizen who does not know what to do is sent to (综合咨询); the page falls back
#: to a service named …咨询 in a hall without it
ENQUIRIES = "G"


@guide_bp.get("/<hall>/guide")
def guide(hall: str) -> str:
    from server.i18n import is_english
    from server.services.guides import popular_keywords

    name = hall_name_or_404(hall)
    return render_template(
        "kiosk/guide.html",
        hall=hall,
        hall_name=name,
        # a deep link opens one service's guide (e.g. from a poster's QR code)
        service=request.args.get("service", ""),
        enquiries=ENQUIRIES,
        hot=popular_keywords(hall_ctx(), hall, per_service=1, english=is_english())[:10],
    )
