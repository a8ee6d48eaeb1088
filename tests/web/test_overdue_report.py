"""The overdue report equals a figure computed independently from the stored case history."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from server.storage.models import Case, CaseStep, Hall, Service, User, Window
from tests.helpers import bearer, gen_token

START, END = date(2026, 9, 1), date(2026, 9, 30)


def seed(ctx, n=25, seed=7):
    """Cases with random due dates, hand-overs and completions; returns their stored histories."""
    rng = random.Random(seed)
    at = datetime(2026, 9, 1, 2, tzinfo=UTC)
    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        services = s.scalars(select(Service).where(Service.hall_id == hall.id)).all()
        windows = s.scalars(select(Window).where(Window.hall_id == hall.id)).all()
        clerks = s.scalars(select(User).where(User.role == "clerk")).all()
        for i in range(n):
            accepted = date(2026, 8, 20) + timedelta(days=rng.randrange(30))
            due = accepted + timedelta(days=rng.randrange(3, 20))
            owner = rng.choice(clerks)
            case = Case(
                code=f"code-{i:04d}-abcdefgh",
                number=f"N{i:03d}",
                hall_id=hall.id,
                service_id=rng.choice(services).id,
                window_id=rng.choice(windows).id,
                owner_id=owner.id,
                status="accepted",
                accepted_at=at,
                accepted_day=accepted,
                limit_days=5,
                due_day=due,
            )
            s.add(case)
            s.flush()
            steps = [("accepted", accepted, owner.id)]
            day = accepted
            for _ in range(rng.randrange(3)):  # hand-overs
                day = day + timedelta(days=rng.randrange(1, 12))
                steps.append(("reassigned", day, rng.choice(clerks).id))
            if rng.random() < 0.5:
                steps.append(("completed", due + timedelta(days=rng.randrange(-3, 10)), steps[-1][2]))
                case.status = "completed"
            steps.sort(key=lambda x: x[1])
            for kind, d, who in steps:
                s.add(CaseStep(case_id=case.id, kind=kind, at=at, day=d, by_user_id=who, owner_id=who))


def expected_days_per_clerk(ctx) -> tuple[dict[str, int], dict[str, int]]:
    """Independently, by intervals: each owner holds the case from their step's day until the
    next step's day; the late part is (due, completed] clipped to the range."""
    per_clerk: dict[str, int] = {}
    per_case: dict[str, int] = {}
    with ctx.db.read() as s:
        names = {u.id: u.username for u in s.scalars(select(User))}
        for case in s.scalars(select(Case)):
            steps = s.scalars(select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.id)).all()
            completed = next((st.day for st in steps if st.kind == "completed"), None)
            late_from = max(START, case.due_day + timedelta(days=1))
            late_to = min(END, completed) if completed else END
            total = 0
            for i, st in enumerate(steps):
                if st.kind == "completed":
                    held_until = late_to  # the completing owner holds it through the completion day
                else:
                    held_until = steps[i + 1].day - timedelta(days=1) if i + 1 < len(steps) else END
                lo, hi = max(late_from, st.day), min(late_to, held_until)
                if hi >= lo:
                    n = (hi - lo).days + 1
                    total += n
                    per_clerk[names[st.owner_id]] = per_clerk.get(names[st.owner_id], 0) + n
            if total:
                per_case[case.number] = total
    return per_clerk, per_case


def test_the_overdue_report_equals_an_independent_count(client, ctx):
    seed(ctx)
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.get(f"/api/v1/halls/demo/overdue?from={START}&to={END}", headers=manager)
    assert r.status_code == 200, r.get_data(as_text=True)
    report = r.get_json()
    per_clerk, per_case = expected_days_per_clerk(ctx)
    assert per_case, "the seed has late cases"
    assert {c["case"]: c["days_late"] for c in report["cases"]} == per_case
    assert {t["clerk"]["username"]: t["days"] for t in report["by_clerk"]} == per_clerk
    assert sum(t["days"] for t in report["by_service"]) == sum(per_case.values())
    assert sum(t["days"] for t in report["by_window"]) == sum(per_case.values())

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/api/v1/halls/demo/overdue?from={START}&to={END}&format=csv", headers=manager)
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert rows[0][0] == "办件编号" and len(rows) - 1 == sum(per_case.values())
    xlsx = client.get(f"/api/v1/halls/demo/overdue?from={START}&to={END}&format=xlsx", headers=manager)
    book = load_workbook(io.BytesIO(xlsx.get_data()))
    assert book["超期办件"].max_row - 1 == sum(per_case.values())


def test_only_the_halls_managers_read_it_and_bad_ranges_are_refused(client, ctx):
    clerk = bearer(gen_token(ctx, "clerk", "clerk02"))
    manager = bearer(gen_token(ctx, "manager", "manager"))
    assert client.get(f"/api/v1/halls/demo/overdue?from={START}&to={END}", headers=clerk).status_code == 403
    r = client.get(f"/api/v1/halls/demo/overdue?from={END}&to={START}", headers=manager)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "to"
    r = client.get("/api/v1/halls/demo/overdue?from=2026-01-01&to=2027-12-31", headers=manager)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "to"
    assert client.get("/api/v1/halls/demo/overdue?from=x&to=y", headers=manager).status_code == 400


def test_a_b_post_who_covered_an_absent_owner_answers_for_those_days(client, ctx):
    """AB岗: clerk02 owns a case late from 8 to 10 September; they were at work on the 8th, on
    leave on the 9th and simply absent on the 10th, while their B post signed in at their window
    both days — the 9th and 10th are the B post's."""
    from server.storage.models import Attendance, Leave

    at = datetime(2026, 9, 1, 2, tzinfo=UTC)
    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        users = {u.username: u for u in s.scalars(select(User))}
        a, b = users["clerk02"], users["clerk03"]
        window = s.scalar(select(Window).where(Window.hall_id == hall.id, Window.number == 2))
        window.a_user_id, window.b_user_id = a.id, b.id
        service = s.scalar(select(Service).where(Service.hall_id == hall.id, Service.code == "A"))
        case = Case(
            code="covered-case-abcdefgh",
            number="N900",
            hall_id=hall.id,
            service_id=service.id,
            window_id=window.id,
            owner_id=a.id,
            status="accepted",
            accepted_at=at,
            accepted_day=date(2026, 9, 1),
            limit_days=5,
            due_day=date(2026, 9, 7),
        )
        s.add(case)
        s.flush()
        s.add(
            CaseStep(
                case_id=case.id, kind="accepted", at=at, day=date(2026, 9, 1), by_user_id=a.id, owner_id=a.id
            )
        )
        local_9am = lambda d: datetime(2026, 9, d, 1, 0, tzinfo=UTC)  # noqa: E731  09:00 in Shanghai
        s.add(Attendance(hall_id=hall.id, user_id=a.id, window_id=window.id, kind="sign_in", at=local_9am(8)))
        for d in (9, 10):
            s.add(
                Attendance(
                    hall_id=hall.id, user_id=b.id, window_id=window.id, kind="sign_in", at=local_9am(d)
                )
            )
        s.add(
            Leave(
                hall_id=hall.id,
                user_id=a.id,
                start_day=date(2026, 9, 9),
                end_day=date(2026, 9, 9),
                reason="病假",
                handover_note="见系统",
                registered_at=at,
            )
        )
    manager = bearer(gen_token(ctx, "manager", "manager"))
    report = client.get(
        "/api/v1/halls/demo/overdue?from=2026-09-08&to=2026-09-10", headers=manager
    ).get_json()
    [late] = report["cases"]
    assert [
        (h["day"], h["clerk"]["username"], h["owner"]["username"], h["covering"]) for h in late["held_by"]
    ] == [
        ("2026-09-08", "clerk02", "clerk02", False),
        ("2026-09-09", "clerk03", "clerk02", True),
        ("2026-09-10", "clerk03", "clerk02", True),
    ]
    assert {t["clerk"]["username"]: t["days"] for t in report["by_clerk"]} == {"clerk02": 1, "clerk03": 2}
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    "/api/v1/halls/demo/overdue?from=2026-09-08&to=2026-09-10&format=csv", headers=manager
                )
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert rows[0][-1] == "顶岗（B岗代A岗）"
    names = {r[5]: (r[6], r[8]) for r in rows[1:]}
    with ctx.db.read() as s:
        a_name = s.scalar(select(User.name).where(User.username == "clerk02"))
        b_name = s.scalar(select(User.name).where(User.username == "clerk03"))
    assert names == {
        "2026-09-08": (a_name, ""),
        "2026-09-09": (b_name, f"代 {a_name}"),
        "2026-09-10": (b_name, f"代 {a_name}"),
    }
