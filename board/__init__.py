"""Boards: the hall TV (综合屏) and the window board (窗口屏).

Both pages render everything client-side from the Socket.IO snapshot and the events after it,
so they never need a reload. A board's device token comes from `?token=` (remembered by the
browser); anonymous boards work while HALLQ_PUBLIC_BOARDS is on.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

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
