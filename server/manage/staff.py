"""People on duty (/manage/staff): leave with handover notes (short notice marked), leave
registered by the manager for a clerk, the A/B posts of every window, and the attendance log.
"""

from __future__ import annotations

from flask_login import login_required

from . import bp
from .hall import render_page


@bp.get("/staff")
@login_required
def staff_page() -> str:
    return render_page("manage/staff.html")
