"""Follow-ups (差评, 投诉): citizens file without an account, managers enter hotline and letter
complaints; handlers (managers, admins, supervisors; 廉政 ones supervisors only) list, verify and
answer them."""

from __future__ import annotations

from typing import Any

from ..auth import current_principal
from ..services import complaints
from ..web.throttle import complaint_filed
from .blueprint import PUBLIC, bp, ctx
from .schemas.complaints import (
    CitizenComplaint,
    CitizenComplaintIn,
    Complaint,
    ComplaintAnswerIn,
    Complaints,
    ComplaintsQuery,
    EnteredComplaintIn,
    VerifyIn,
)

COMPLAINT = Complaint()
CODE = "/complaints/<code>"


@bp.get("/halls/<code>/complaints")
@bp.arguments(ComplaintsQuery(), location="query")
@bp.response(200, Complaints())
def list_complaints(query: dict[str, Any], code: str) -> Any:
    """The hall's follow-ups, unanswered first, red, yellow, green, the earliest due first
    (managers, admins, supervisors; 廉政 ones to supervisors only)"""
    return complaints.list_complaints(
        ctx(), current_principal(), code, query.get("status"), query.get("urgency")
    )


@bp.post("/halls/<code>/complaints")
@bp.arguments(
    EnteredComplaintIn(),
    example={"source": "hotline", "category": "attitude", "text": "12345 转办：窗口态度差"},
)
@bp.response(201, COMPLAINT)
def enter_complaint(body: dict[str, Any], code: str) -> Any:
    """Enter a complaint from the 12345 hotline or a letter (managers, admins, supervisors)"""
    return complaints.enter_complaint(ctx(), current_principal(), code, body)


@bp.post("/complaints")
@bp.arguments(
    CitizenComplaintIn(), example={"hall": "demo", "category": "shirking", "text": "窗口推诿，让我去别处办"}
)
@bp.response(201, CitizenComplaint())
@bp.doc(**PUBLIC)
def file_complaint(body: dict[str, Any]) -> Any:
    """File a complaint without an account (phone, kiosk); answers the code of the citizen's page.
    Limited per address (429 rate_limited)"""
    complaint_filed()
    return complaints.file_complaint(ctx(), body)


@bp.get(CODE)
@bp.response(200, COMPLAINT, description="the follow-up with the evidence its verifier may cite")
def get_complaint(code: str) -> Any:
    """One follow-up (managers, admins, supervisors of its hall; 廉政: supervisors only)"""
    return complaints.get_complaint(ctx(), current_principal(), code)


@bp.post(f"{CODE}/verify")
@bp.arguments(
    VerifyIn(),
    example={
        "verdict": "upheld",
        "note": "调取记录属实",
        "corrective_action": "批评教育，窗口服务规范培训",
        "decision": {"decision": "deduct", "points": 2},
    },
)
@bp.response(200, COMPLAINT)
def verify(body: dict[str, Any], code: str) -> Any:
    """核实: upheld or not, with evidence; upheld with a clerk concerned records the manager's
    decision (an appraisal record). Nobody verifies a follow-up naming themselves (403)"""
    return complaints.verify_complaint(ctx(), current_principal(), code, body)


@bp.post(f"{CODE}/answer")
@bp.arguments(ComplaintAnswerIn(), example={"answer": "经核实属实，已对相关人员批评教育，感谢您的监督"})
@bp.response(200, COMPLAINT)
def answer(body: dict[str, Any], code: str) -> Any:
    """回访: the answer to the citizen, shown on their page (after verification)"""
    return complaints.answer_complaint(ctx(), current_principal(), code, body)
