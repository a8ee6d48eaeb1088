"""The audit log page (/manage/audit): every recorded event of the hall with who, what, when and
where, filtered by clerk, window, ticket and day, and exported as CSV (服务承诺制: accountability).

The table is read from `GET /api/v1/halls/<hall>/audit`; the CSV link is the same URL with
`format=csv`, so the page and the export always agree.
"""

from __future__ import annotations

from flask_login import login_required

from . import bp
from .hall import render_page


@bp.get("/audit")
@login_required
def audit_page() -> str:
    return render_page("manage/audit.html")
