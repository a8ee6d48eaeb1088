"""A case (办件) as its citizen sees it: `GET /c/<code>` the phone page the receipt's QR leads
to, `GET /c/<code>/receipt` the A4 acceptance receipt (受理回执) printed from the browser, and
`GET /c/<code>/qr.svg` that QR code. The case code (96 random bits) is the secret: it is only on
the citizen's receipt; an unknown one is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template

from server.web.helpers import hall_ctx, public_url, qr_svg

bp = Blueprint("case_page", __name__)


def _case_or_404(code: str) -> dict[str, Any]:
    from server.services.case_status import citizen_case
    from server.services.core.errors import NotFound

    try:
        return citizen_case(hall_ctx(), code)
    except NotFound:
        abort(404)


def _phone_url(code: str) -> str:
    return public_url("case_page.phone", code=code)


@bp.get("/c/<code>")
def phone(code: str) -> str:
    case = _case_or_404(code)
    return render_template("case/phone.html", case=case, phone_url=_phone_url(case["code"]))


@bp.get("/c/<code>/receipt")
def receipt(code: str) -> str:
    case = _case_or_404(code)
    return render_template("case/receipt.html", case=case, phone_url=_phone_url(case["code"]))


@bp.get("/c/<code>/qr.svg")
def qr(code: str) -> Response:
    case = _case_or_404(code)
    return qr_svg(_phone_url(case["code"]))


@bp.post("/c/<code>/confirm")
def confirm(code: str) -> Any:
    """The citizen confirms they received the result (a form with the CSRF token)."""
    from flask import redirect, url_for

    from server.domain.errors import RuleViolation
    from server.services.case_status import confirm_received
    from server.services.core.errors import NotFound

    try:
        confirm_received(hall_ctx(), code)
    except NotFound:
        abort(404)
    except RuleViolation:
        abort(409)
    return redirect(url_for("case_page.phone", code=code))
