"""Complaints (投诉) as citizens file and follow them, without an account: `GET /complaints/new`
the form (`?hall=`, `?ticket=` the ticket it is about, `?from=kiosk` at the kiosk) and
`GET /complaints/<code>` the follow-up page (the code, 96 random bits, is the secret; an unknown
one is a 404). It shows the status, the deadline and the answer — never a clerk's name, the
verification's notes or the corrective action."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from server.web.helpers import hall_ctx, public_url, qr_svg

bp = Blueprint("complaint_page", __name__)


@bp.get("/complaints/new")
def new() -> str:
    from server.domain.complaints import CATEGORIES, CATEGORY_NAMES_EN, CATEGORY_NAMES_ZH
    from server.services.complaints import hall_complaint_info
    from server.services.core.errors import NotFound

    try:
        hall = hall_complaint_info(hall_ctx(), request.args.get("hall"))
    except NotFound:
        abort(404)
    source = "kiosk" if request.args.get("from") == "kiosk" else "phone"
    ticket = (request.args.get("ticket") or "")[:24]
    categories = [(c, CATEGORY_NAMES_ZH[c], CATEGORY_NAMES_EN[c]) for c in CATEGORIES]
    return render_template(
        "complaint/new.html", hall=hall, source=source, ticket=ticket, categories=categories
    )


@bp.get("/complaints/<code>")
def status(code: str) -> str:
    from server.domain.complaints import CATEGORY_NAMES_EN, CATEGORY_NAMES_ZH
    from server.services.complaints import citizen_complaint, hall_complaint_info
    from server.services.core.errors import NotFound

    try:
        complaint = citizen_complaint(hall_ctx(), code)
    except NotFound:
        abort(404)
    hall = hall_complaint_info(hall_ctx(), complaint["hall"])
    names = {"zh": CATEGORY_NAMES_ZH, "en": CATEGORY_NAMES_EN}
    # filed at the kiosk: the citizen scans the page onto their phone; the kiosk goes back
    at_kiosk = request.args.get("from") == "kiosk"
    return render_template(
        "complaint/status.html", complaint=complaint, hall=hall, names=names, at_kiosk=at_kiosk
    )


@bp.get("/complaints/<code>/qr.svg")
def qr(code: str) -> Response:
    from server.services.complaints import citizen_complaint
    from server.services.core.errors import NotFound

    try:
        complaint = citizen_complaint(hall_ctx(), code)
    except NotFound:
        abort(404)
    return qr_svg(public_url("complaint_page.status", code=complaint["code"]))
