"""A one-time notice (一次告知单) as its holder sees it.

`GET /n/<token>` is the phone page the notice's QR code leads to, `GET /n/<token>/print` the
printable A4 page the clerk hands over when the window has no slip printer (or the citizen wants
paper), and `GET /n/<token>/qr.svg` that QR code. Like a ticket's id for /t/<id>, the page token
(96 random bits) is the secret: it is only on the citizen's notice; an unknown one is a 404.

The short code printed beside it (6 symbols of 31: guessable) opens no page. It is typed at a
kiosk, where look-ups are throttled. `/n/<short code>` — the QR of notices printed before page
tokens existed — answers the same page for every code, known or not: type the code at a kiosk.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template

from server.web.helpers import hall_ctx, public_url, qr_svg

bp = Blueprint("notice_page", __name__)

#: the guide's material forms, as the citizen reads them (the guide stores the keys)
FORMS = ("original", "copy", "original_and_copy", "electronic")


def _notice_or_404(token: str) -> dict[str, Any]:
    from server.services.core.errors import NotFound
    from server.services.notices import get_notice

    try:
        return get_notice(hall_ctx(), token)
    except NotFound:
        abort(404)


def _issued(token: str) -> dict[str, Any]:
    """Who made the notice, where and when (in the hall's time): the A4 page names them."""
    from server.services.core.errors import NotFound
    from server.services.notices import notice_issued

    try:
        return notice_issued(hall_ctx(), token)
    except NotFound:
        abort(404)


def _short_code(key: str) -> str | None:
    from server.services.notices import short_code

    return short_code(key)


def _items(notice: dict[str, Any]) -> list[dict[str, Any]]:
    """The missing items, with what the service guide says of each (original or copy, copies)."""
    materials = {
        str(m["id"]): m
        for m in ((notice.get("guide") or {}).get("materials") or [])
        if isinstance(m, dict) and m.get("id") is not None
    }
    out = []
    for item in notice["missing"]:
        m = materials.get(str(item.get("id"))) if item.get("id") else None
        form = m.get("form") if m else None
        out.append(
            {
                "name": item["name"],
                "reason": item.get("reason"),
                "form": form if form in FORMS else None,
                "copies": m.get("copies") if m else None,
                "required": m.get("required") if m else None,
                "notes": (m.get("notes") or "") if m else "",
            }
        )
    return out


def _phone_url(token: str) -> str:
    return public_url("notice_page.phone", token=token)


def _context(token: str) -> dict[str, Any]:
    notice = _notice_or_404(token)
    return {
        "notice": notice,
        "items": _items(notice),
        "issued": _issued(notice["token"]),
        "phone_url": _phone_url(notice["token"]),
    }


def _date(at: datetime) -> str:
    return f"{at.year}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"


@bp.get("/n/<token>")
def phone(token: str) -> str:
    code = _short_code(token)
    if code is not None:  # an old QR, or a typed code: nothing shown, so nothing to guess
        return render_template("notice/use_kiosk.html", code=code)
    ctx = _context(token)
    return render_template("notice/phone.html", issued_text=_date(ctx["issued"]["at"]), **ctx)


@bp.get("/n/<token>/print")
def printable(token: str) -> str:
    ctx = _context(token)
    return render_template("notice/print.html", issued_text=_date(ctx["issued"]["at"]), **ctx)


@bp.get("/n/<token>/qr.svg")
def qr(token: str) -> Response:
    notice = _notice_or_404(token)
    return qr_svg(_phone_url(notice["token"]))
