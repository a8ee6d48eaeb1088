"""The appraisal pages (绩效考核, 责任追究): the rules (/admin/appraisal: weights and caps, a new
version from a month's first day), the month's scores with their explanations and the records
against clerks (/manage/appraisal), and a clerk's own score and records with their answers
(/clerk/appraisal).

Shells like every console page: they read and act through the appraisal API with the session
cookie and the page's CSRF token, so the API's rules (who sees whose records) are the only rules.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..web.helpers import console_hall
from .clerk import CONSOLE_ROLES
from .manage import render_page

bp = Blueprint("appraisal_pages", __name__)


@bp.get("/admin/appraisal")
@login_required
def rules_page() -> str:
    """The hall's appraisal rules: the version in force, earlier ones, and a new version."""
    return render_page("admin/appraisal.html", section="appraisal")


@bp.get("/manage/appraisal")
@login_required
def scores_page() -> str:
    """The month's scores per clerk or window; a click explains one; records and decisions."""
    return render_page("manage/appraisal.html")


@bp.get("/clerk/appraisal")
@login_required
def my_appraisal() -> str:
    """The clerk's own month score, explained, and the records against them with an answer box."""
    return render_template("clerk/appraisal.html", user=current_user, hall=console_hall(CONSOLE_ROLES))
