"""The manager's consoles under /manage/: the start page (printers and the slips that did not
print), the live hall (/manage/hall: the windows as a map, the service queues, the alarms of
unstaffed windows and the re-routing actions, AB岗制度), the audit log (/manage/audit: who did
what, when and where, filtered and exported as CSV — 服务承诺制), the people on duty
(/manage/staff: leave with handover notes, A/B posts, attendance) and the day's appointments
(/manage/bookings: bookings, check-ins, no-shows; booking settings).

The pages are shells for the logged-in manager or admin: they read the snapshot and the events
through the live connection and act through the JSON API with the session cookie and the page's
CSRF token, so the API's rules (roles, halls, confirmation) are the only rules.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from ..auth import current_principal
from ..services.calendars import calendar_status
from ..services.halls import hall_timezone, list_halls
from ..web.helpers import console_hall, hall_ctx

bp = Blueprint("manage", __name__, url_prefix="/manage")

#: people who may watch and act on the whole hall
MANAGER_ROLES = ("manager", "admin")


def current_hall() -> str:
    """The hall these pages manage: the manager's own; an admin picks one with `?hall=CODE`."""
    return console_hall(MANAGER_ROLES)


def hall_choices() -> list[dict[str, str]]:
    """The halls an admin may switch between (a manager has only their own: no switch)."""
    if current_user.role != "admin":
        return []
    return list_halls(hall_ctx())


def render_page(template: str, **extra: object) -> str:
    """A manager page with what the shared navigation needs (templates/manage/_nav.html)."""
    hall = current_hall()
    return render_template(
        template,
        user=current_user,
        hall=hall,
        halls=hall_choices(),
        has_guides="guide_admin" in current_app.blueprints,
        **extra,
    )


def calendar_banner(hall: str) -> dict[str, Any] | None:
    """The working-day calendar's warnings (templates/manage/_calendar_banner.html): a year
    nobody imported within 60 days, cases waiting for a year; None when there is nothing to say."""
    status = calendar_status(hall_ctx(), current_principal(), hall)
    return status if status["uncovered"] or status["missing"] else None


@bp.get("/")
@login_required
def console() -> str:
    hall = current_hall()
    # the page prints times in the hall's zone from its first paint (the browser's may differ)
    return render_page(
        "manage/index.html",
        calendar=calendar_banner(hall),
        timezone=hall_timezone(hall_ctx(), hall)[1],
        voice=voice_state(hall),
    )


def voice_state(hall: str) -> dict[str, Any]:
    """The hall's voice calls: `degraded` when the server has no speech engine (语音降级)."""
    from server.services.voice import status

    return status(hall_ctx(), current_principal(), hall)


@bp.get("/hall")
@login_required
def hall_console() -> str:
    return render_page("manage/hall.html", calendar=calendar_banner(current_hall()))


@bp.get("/audit")
@login_required
def audit_page() -> str:
    return render_page("manage/audit.html")


@bp.get("/overdue")
@login_required
def overdue_page() -> str:
    """The overdue report (责任追究): late cases and who held them, per clerk, window, service."""
    return render_page("manage/overdue.html")


@bp.get("/evaluation")
@login_required
def evaluation_page() -> str:
    """The evaluation dashboard (评估): figures of the hall, drilled down to a service, window and
    clerk, with charts and exports (GET /api/v1/halls/<hall>/evaluation)."""
    return render_page("manage/evaluation.html")


@bp.get("/simulation")
@login_required
def simulation_page() -> str:
    """The staffing simulator (排班模拟): learn the hall's last days or paste a scenario, run it in
    memory and chart waits, utilisation and the recommended staffing (POST
    /api/v1/halls/<hall>/simulation)."""
    return render_page("manage/simulation.html")


@bp.get("/evaluation/report")
@login_required
def evaluation_report_page() -> str:
    """The printable monthly report (月度评估报告, A4) of the hall or of one clerk (`?month=YYYY-MM
    [&clerk=username]`): the page reads the same API as the dashboard."""
    return render_page("manage/evaluation_report.html")


@bp.get("/cases")
@login_required
def cases_page() -> str:
    """限时办结制: the hall's yellow and red cases, live, and supervision (督办)."""
    return render_page("manage/cases.html")


@bp.get("/bookings")
@login_required
def bookings_page() -> str:
    """Appointments (预约): today's bookings, check-ins and no-shows; the booking settings."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ..services.bookings import day_report, settings

    hall = current_hall()
    report = day_report(hall_ctx(), current_principal(), hall)
    tz = ZoneInfo(report["timezone"])
    for b in report["bookings"]:
        start, end = (datetime.fromisoformat(b[k]).astimezone(tz) for k in ("starts_at", "ends_at"))
        b["when"] = f"{start:%H:%M}–{end:%H:%M}"
    return render_page(
        "manage/bookings.html", report=report, settings=settings(hall_ctx(), current_principal(), hall)
    )


@bp.get("/staff")
@login_required
def staff_page() -> str:
    return render_page("manage/staff.html")


#: who handles follow-ups (差评/投诉): 廉政 ones reach the supervisor only (domain/complaints.py)
COMPLAINT_ROLES = ("manager", "admin", "supervisor")


@bp.get("/complaints")
@login_required
def complaints_page() -> str:
    """Follow-ups of bad ratings and complaints (好差评): live by urgency with their deadline; a
    follow-up is verified (核实, with evidence and the decision on the clerk) and answered (回访).
    Managers enter 12345 hotline and letter complaints here."""
    hall = console_hall(COMPLAINT_ROLES)
    return render_template(
        "manage/complaints.html",
        user=current_user,
        hall=hall,
        halls=hall_choices(),
        has_guides="guide_admin" in current_app.blueprints,
    )
