"""Boards: the hall TV (综合屏), the window board (窗口屏) and the window's rating pad (评价器).

Both pages render everything client-side from the Socket.IO snapshot and the events after it,
so they never need a reload. A board's device token comes from `?token=` (remembered by the
browser); anonymous boards work while HALLQ_PUBLIC_BOARDS is on.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from server.web.helpers import hall_ctx, hall_name_or_404

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.get("/<hall>")
def hall_board(hall: str) -> str:
    return render_template("board/hall.html", hall=hall, hall_name=hall_name_or_404(hall))


@bp.get("/<hall>/window/<int:window_id>")
def window_board(hall: str, window_id: int) -> str:
    """The board of one window; `window_id` is the window's id (the URLs `hallq demo` prints)."""
    from server.services.commitments import window_commitments
    from server.services.core.errors import NotFound
    from server.services.halls import window_number

    try:
        number = window_number(hall_ctx(), hall, window_id)
        promise = window_commitments(hall_ctx(), hall, window_id)
    except NotFound:
        abort(404)
    return render_template(
        "board/window.html", hall=hall, window_id=window_id, window_number=number, promise=promise
    )


@bp.get("/<hall>/window/<int:window_id>/pad")
def pad(hall: str, window_id: int) -> str:
    """The rating pad (评价器) of one window, facing the citizen: idle it shows the clerk on duty
    and the hall's commitments; when the clerk completes a ticket it asks for a rating until
    `?timeout=` seconds pass (default 60), then goes back to idle having stored nothing. Opened
    with a pad token bound to this window (`?token=`, remembered by the browser)."""
    from server.domain.ratings import DEFAULT_PAD_TIMEOUT_S, LEVEL_NAMES_ZH, REASON_NAMES_ZH, REASONS
    from server.services.commitments import window_commitments
    from server.services.core.errors import NotFound
    from server.services.halls import window_number

    try:
        number = window_number(hall_ctx(), hall, window_id)
        promise = window_commitments(hall_ctx(), hall, window_id)
    except NotFound:
        abort(404)
    asked = request.args.get("timeout", "")
    timeout = int(asked) if asked.isdigit() and 5 <= int(asked) <= 600 else DEFAULT_PAD_TIMEOUT_S
    return render_template(
        "board/pad.html",
        hall=hall,
        window_id=window_id,
        window_number=number,
        promise=promise,
        timeout=timeout,
        levels=[(lv, LEVEL_NAMES_ZH[lv]) for lv in (5, 4, 3, 2, 1)],
        reasons=[(r, REASON_NAMES_ZH[r]) for r in REASONS],
    )
