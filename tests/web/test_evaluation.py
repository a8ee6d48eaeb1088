"""The evaluation dashboard: a seeded month through the service layer (plus ratings, follow-ups and
cases written as rows) → the JSON equals figures computed here from the stored rows and the
scenario's own clock; the XLSX and CSV read back equal the JSON; roles and bad input."""

from __future__ import annotations

import csv
import io
import math
import secrets
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.domain import evaluation as ev
from server.services import tickets as ts
from server.services import transfers
from server.services import windows as ws
from server.storage.models import Case, Complaint, Hall, Rating, Ticket, Transfer, User
from tests.helpers import bearer, gen_hall, gen_token, principal

DAYS = [date(2026, 11, d) for d in (2, 3, 4, 5, 6)]
URL = "/api/v1/halls/demo/evaluation"


def nearest_rank(values, p):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered) / 100)) - 1]


@pytest.fixture
def month(ctx, clock):
    """Five days of November: per day four citizens — one served after two recalls, one no-show,
    one transferred from 公积金 (window 8) to 社保 (window 6) and served there, one served — then
    ratings for some served tickets, follow-ups and cases as rows. Returns what the scenario
    knows: each visit's wait in seconds by clerk."""
    kiosk = principal(ctx, "kiosk")
    c6, c8 = principal(ctx, "clerk", "clerk06"), principal(ctx, "clerk", "clerk08")
    waits: dict[str, list[float]] = {"clerk06": [], "clerk08": []}
    service_times: list[float] = []
    for day in DAYS:
        clock.now = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
        ws.sign_in(ctx, c6, 6)
        ws.sign_in(ctx, c8, 8)
        queued = {}
        for key, svc in (("a", "C"), ("b", "C"), ("t", "F"), ("d", "C")):
            t = ts.issue_ticket(ctx, kiosk, svc)
            queued[key] = (t["id"], clock.now)
            clock.advance(minutes=2)
        clock.advance(minutes=day.day)  # waits differ from day to day
        # a: called, recalled twice (the wait does not restart), served
        a = ts.call_next(ctx, c6, 6)
        assert a["id"] == queued["a"][0]
        waits["clerk06"].append((clock.now - queued["a"][1]).total_seconds())
        for _ in range(2):
            clock.advance(minutes=1)
            ts.act_on_ticket(ctx, c6, a["id"], "recall")
        ts.act_on_ticket(ctx, c6, a["id"], "start")
        started = clock.now
        clock.advance(minutes=4 + day.day % 3)
        ts.act_on_ticket(ctx, c6, a["id"], "complete")
        service_times.append((clock.now - started).total_seconds())
        # t: at window 8, transferred to 社保: a new visit keeping the original queued time
        t = ts.call_next(ctx, c8, 8)
        assert t["id"] == queued["t"][0]
        waits["clerk08"].append((clock.now - queued["t"][1]).total_seconds())
        ts.act_on_ticket(ctx, c8, t["id"], "start")
        clock.advance(minutes=1)
        transfers.transfer(ctx, c8, t["id"], "应办理社保", service_code="C")
        # b: no-show
        clock.advance(minutes=1)
        b = ts.call_next(ctx, c6, 6)
        assert b["id"] == queued["b"][0]
        waits["clerk06"].append((clock.now - queued["b"][1]).total_seconds())
        ts.act_on_ticket(ctx, c6, b["id"], "no-show")
        # t again, at window 6: waited since it was first queued
        clock.advance(minutes=2)
        t2 = ts.call_next(ctx, c6, 6)
        assert t2["id"] == queued["t"][0], "the transferred citizen keeps their place in time"
        waits["clerk06"].append((clock.now - queued["t"][1]).total_seconds())
        ts.act_on_ticket(ctx, c6, t2["id"], "start")
        started = clock.now
        clock.advance(minutes=3)
        ts.act_on_ticket(ctx, c6, t2["id"], "complete")
        service_times.append((clock.now - started).total_seconds())
        # d: served
        d = ts.call_next(ctx, c6, 6)
        waits["clerk06"].append((clock.now - queued["d"][1]).total_seconds())
        ts.act_on_ticket(ctx, c6, d["id"], "start")
        started = clock.now
        clock.advance(minutes=6)
        ts.act_on_ticket(ctx, c6, d["id"], "complete")
        service_times.append((clock.now - started).total_seconds())
        ws.sign_out(ctx, c6, 6)
        ws.sign_out(ctx, c8, 8)
    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        done = s.scalars(select(Ticket).where(Ticket.status == "done").order_by(Ticket.id)).all()
        # ratings of every other served ticket, levels cycling 5 … 1 (so 2 of 5 are bad)
        for i, t in enumerate(done[::2]):
            assert t.finished_at is not None
            s.add(
                Rating(
                    hall_id=hall.id,
                    ticket_id=t.id,
                    window_id=t.window_id,
                    service_id=t.service_id,
                    clerk_id=t.served_by_id,
                    level=5 - i % 5,
                    source="pad",
                    at=t.finished_at,
                    day=t.business_day,
                )
            )
        clerk06 = s.scalar(select(User).where(User.username == "clerk06"))
        for i, (due, answered) in enumerate(
            ((date(2026, 11, 20), date(2026, 11, 10)), (date(2026, 12, 4), None), (date(2026, 11, 12), None))
        ):
            s.add(
                Complaint(
                    code=secrets.token_urlsafe(12),
                    number=f"TS{i}",
                    hall_id=hall.id,
                    source="phone",
                    category="attitude",
                    clerk_id=clerk06.id,
                    window_id=6,
                    service_id=done[0].service_id,
                    filed_at=datetime(2026, 11, 3, 2, tzinfo=UTC),
                    filed_day=date(2026, 11, 3),
                    due_day=due,
                    answered_day=answered,
                    status="answered" if answered else "open",
                )
            )
        for i, (due, completed) in enumerate(
            (
                (date(2026, 11, 10), datetime(2026, 11, 9, 3, tzinfo=UTC)),
                (date(2026, 11, 10), datetime(2026, 11, 12, 3, tzinfo=UTC)),
                (date(2026, 11, 10), None),
            )
        ):
            s.add(
                Case(
                    code=secrets.token_urlsafe(12),
                    number=f"EV{i}",
                    hall_id=hall.id,
                    service_id=done[0].service_id,
                    window_id=6,
                    owner_id=clerk06.id,
                    status="completed" if completed else "accepted",
                    accepted_at=datetime(2026, 11, 4, 2, tzinfo=UTC),
                    accepted_day=date(2026, 11, 4),
                    due_day=due,
                    completed_at=completed,
                )
            )
    clock.now = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
    return {"waits": waits, "service_times": service_times}


def expected_from_rows(ctx, month, clerk: str | None = None):
    """The figures, computed here: counts from the stored rows, waits from the scenario's clock."""
    with ctx.db.read() as s:
        uid = s.scalar(select(User.id).where(User.username == clerk)) if clerk else None
        tickets = s.scalars(select(Ticket)).all()
        ratings = s.scalars(select(Rating)).all()
        if uid is not None:
            ratings = [r for r in ratings if r.clerk_id == uid]
        levels = {str(lv): sum(1 for r in ratings if r.level == lv) for lv in (5, 4, 3, 2, 1)}
        n_transfers = s.scalar(select(func.count(Transfer.id)))
        served = sum(1 for t in tickets if t.status == "done" and (uid is None or t.served_by_id == uid))
    waits = month["waits"][clerk] if clerk else month["waits"]["clerk06"] + month["waits"]["clerk08"]
    rated = sum(levels.values())
    satisfied = levels["5"] + levels["4"] + levels["3"]
    return {
        "issued": None if clerk else len(tickets),
        "served": served,
        "no_shows": sum(1 for t in tickets if t.status == "no_show") if clerk in (None, "clerk06") else 0,
        "transfers": n_transfers if clerk in (None, "clerk08") else 0,
        "wait": {
            "count": len(waits),
            "mean_s": round(sum(waits) / len(waits), 1),
            "p50_s": nearest_rank(waits, 50),
            "p90_s": nearest_rank(waits, 90),
            "within_target": round(sum(1 for w in waits if w <= 15 * 60) / len(waits), 4),
        },
        "ratings": {
            "levels": levels,
            "rated": rated,
            "satisfied": satisfied,
            "satisfaction_rate": round(satisfied / rated, 4) if rated else None,
            "rating_rate": round(rated / served, 4) if served else None,
            "bad": levels["2"] + levels["1"],
        },
    }


def pick(figs, keys=("issued", "served", "no_shows", "transfers", "wait", "ratings")):
    return {k: figs[k] for k in keys}


def test_the_json_equals_figures_computed_from_the_stored_rows(client, ctx, month):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.get(f"{URL}?from=2026-11-01&to=2026-11-30&by=clerk", headers=manager)
    assert r.status_code == 200
    body = r.get_json()
    assert (body["from"], body["to"], body["by"], body["wait_target_minutes"]) == (
        "2026-11-01",
        "2026-11-30",
        "clerk",
        15,
    )
    assert body["wait_target_default"] is True
    assert pick(body["summary"]) == expected_from_rows(ctx, month)
    rows = {row["key"]: row for row in body["rows"]}
    assert set(rows) == {"clerk06", "clerk08"}
    for clerk in ("clerk06", "clerk08"):
        assert pick(rows[clerk]["figures"]) == expected_from_rows(ctx, month, clerk), clerk
    service = body["summary"]["service_time"]
    times = month["service_times"]
    assert service == {
        "count": len(times),
        "mean_s": round(sum(times) / len(times), 1),
        "p50_s": nearest_rank(times, 50),
        "p90_s": nearest_rank(times, 90),
    }
    assert body["summary"]["follow_ups"] == {
        "filed": 3,
        "from_ratings": 0,
        "complaints": 3,
        "upheld": 0,
        "answered": 1,
        "answered_on_time": 1,
        "overdue_open": 1,
        "on_time_rate": 0.5,
    }
    assert body["summary"]["cases"] == {
        "accepted": 3,
        "completed_on_time": 1,
        "completed_late": 1,
        "open": 1,
        "open_overdue": 1,
    }
    assert (
        rows["clerk06"]["figures"]["cases"]["accepted"] == 3
        and rows["clerk08"]["figures"]["cases"]["accepted"] == 0
    )


def test_the_figures_endpoint_counts_transfers_with_the_same_module(client, ctx, month):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    evaluation = client.get(f"{URL}?from=2026-10-29&to=2026-11-27", headers=manager).get_json()
    figures = client.get("/api/v1/halls/demo/figures?days=30", headers=manager).get_json()
    assert figures["transfers"] == [{"from": "F", "to": "C", "count": evaluation["summary"]["transfers"]}]
    assert evaluation["summary"]["transfers"] == len(DAYS)


def test_drilling_down_to_a_window_and_its_clerks(client, ctx, month):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    body = client.get(f"{URL}?from=2026-11-01&to=2026-11-30&by=clerk&window=8", headers=manager).get_json()
    assert body["filter"] == {"service": None, "window": 8, "clerk": None}
    assert [row["key"] for row in body["rows"]] == ["clerk08"]
    assert body["summary"]["transfers"] == len(DAYS) and body["summary"]["served"] == 0
    assert body["summary"]["issued"] is None
    by_service = client.get(f"{URL}?from=2026-11-01&to=2026-11-30&by=service", headers=manager).get_json()
    keys = {row["key"]: row["figures"] for row in by_service["rows"]}
    assert keys["C"]["issued"] == 3 * len(DAYS) and keys["F"]["issued"] == len(DAYS)
    assert keys["C"]["served"] == 3 * len(DAYS) and keys["F"]["transfers"] == len(DAYS)


def values(figs):
    return [ev.column_value(figs, path) for path, *_ in ev.COLUMNS]


def test_the_xlsx_read_back_equals_the_json(client, ctx, month):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    q = "?from=2026-11-01&to=2026-11-30&by=clerk"
    body = client.get(URL + q, headers=manager).get_json()
    r = client.get(URL + q + "&format=xlsx", headers=manager)
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["全厅汇总", "按人员"]
    summary, per = wb["全厅汇总"], wb["按人员"]
    assert summary["A1"].font.bold and summary.freeze_panes == "D2"
    header = [c.value for c in summary[1]]
    assert header[5:] == [zh for _p, zh, _en, _f in ev.COLUMNS]
    assert [c.value for c in summary[2]][5:] == values(body["summary"])
    rate_col = 5 + [p for p, *_ in ev.COLUMNS].index("ratings.satisfaction_rate")
    assert summary.cell(row=2, column=rate_col + 1).number_format == "0.0%"
    got = {row[1]: list(row[5:]) for row in per.iter_rows(min_row=2, values_only=True)}
    assert got == {row["key"]: values(row["figures"]) for row in body["rows"]}


def test_the_csv_read_back_equals_the_json(client, ctx, month):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    q = "?from=2026-11-01&to=2026-11-30&by=window"
    body = client.get(URL + q, headers=manager).get_json()
    r = client.get(URL + q + "&format=csv", headers=manager)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert len(lines) == 2 + len(body["rows"])

    def text(v):
        return "" if v is None else str(v)

    assert lines[1][5:] == [text(v) for v in values(body["summary"])]
    assert {ln[1]: ln[5:] for ln in lines[2:]} == {
        row["key"]: [text(v) for v in values(row["figures"])] for row in body["rows"]
    }


def test_only_managers_and_admins_of_the_hall_see_the_evaluation(client, ctx):
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=bearer(gen_token(ctx, "clerk", "clerk06"))).status_code == 403
    assert client.get(URL, headers=bearer(gen_token(ctx, "board"))).status_code == 403
    gen_hall(ctx, people=(("boss2", "manager", "别的经理"),))
    assert (
        client.get(URL, headers=bearer(gen_token(ctx, "manager", "boss2", hall="other"))).status_code == 403
    )
    assert client.get(URL, headers=bearer(gen_token(ctx, "admin", "admin"))).status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-11-30&to=2026-11-01", "to"),
        ("from=2025-01-01&to=2026-11-01", "to"),
        ("from=2026-13-01", "from"),
        ("by=desk", "by"),
        ("format=pdf", "format"),
        ("window=x", "window"),
    ],
)
def test_a_bad_range_or_breakdown_is_a_400_naming_the_field(client, ctx, query, field):
    r = client.get(f"{URL}?{query}", headers=bearer(gen_token(ctx, "manager", "manager")))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == field


def test_an_unknown_window_or_clerk_to_drill_into_is_a_404(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    assert client.get(f"{URL}?window=99", headers=manager).status_code == 404
    assert client.get(f"{URL}?clerk=nobody", headers=manager).status_code == 404


def test_an_empty_month_has_no_rates_rather_than_perfect_ones(client, ctx):
    body = client.get(URL, headers=bearer(gen_token(ctx, "manager", "manager"))).get_json()
    s = body["summary"]
    assert s["ratings"]["satisfaction_rate"] is None and s["wait"]["mean_s"] is None and s["visits"] == 0
    assert body["from"] == "2026-11-01" and body["to"] == "2026-11-27"


def test_the_hall_board_shows_satisfaction_per_window_only_when_switched_on(client, ctx, month):
    url = "/api/v1/halls/demo/satisfaction"
    assert client.get(url).get_json() == {"shown": False, "month": None, "windows": []}
    with ctx.db.transaction() as s:
        s.scalar(select(Hall).where(Hall.code == "demo")).show_satisfaction = True
    body = client.get(url).get_json()
    assert body["shown"] is True and body["month"] == "2026-11"
    w6 = next(w for w in body["windows"] if w["number"] == 6)
    w8 = next(w for w in body["windows"] if w["number"] == 8)
    manager = bearer(gen_token(ctx, "manager", "manager"))
    full = client.get(f"{URL}?by=window", headers=manager).get_json()
    per = {row["key"]: row["figures"]["ratings"] for row in full["rows"]}
    assert w6["rated"] == per["6"]["rated"] >= 5
    assert w6["satisfaction_rate"] == per["6"]["satisfaction_rate"], "the board and the dashboard agree"
    assert w8 == {"number": 8, "name": w8["name"], "rated": 0, "satisfaction_rate": None}
    assert set(w6) == {"number", "name", "rated", "satisfaction_rate"}, "nothing but the public fields"


def test_the_halls_wait_target_is_a_hall_setting_the_evaluation_uses(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.patch("/api/v1/halls/demo", json={"wait_target_minutes": 10}, headers=manager)
    assert r.status_code == 200 and r.get_json()["wait_target_minutes"] == 10
    body = client.get(URL, headers=manager).get_json()
    assert (body["wait_target_minutes"], body["wait_target_default"]) == (10, False)
    assert (
        client.patch("/api/v1/halls/demo", json={"wait_target_minutes": 0}, headers=manager).status_code
        == 400
    )
    r = client.patch("/api/v1/halls/demo", json={"wait_target_minutes": None}, headers=manager)
    assert r.get_json()["wait_target_minutes"] is None
    assert (
        client.get(URL, headers=manager).get_json()["wait_target_minutes"] == ev.DEFAULT_WAIT_TARGET_MINUTES
    )


def test_only_an_administrator_switches_the_boards_satisfaction_rate(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    admin = bearer(gen_token(ctx, "admin", "admin"))
    r = client.patch("/api/v1/halls/demo", json={"show_satisfaction": True, "name": "改名"}, headers=manager)
    assert r.status_code == 403
    assert client.get("/api/v1/halls/demo/satisfaction").get_json()["shown"] is False
    with ctx.db.read() as s:
        assert s.scalar(select(Hall.name).where(Hall.code == "demo")) != "改名", "nothing changed"
    r = client.patch("/api/v1/halls/demo", json={"show_satisfaction": True}, headers=admin)
    assert r.status_code == 200 and r.get_json()["show_satisfaction"] is True
    assert client.get("/api/v1/halls/demo/satisfaction").get_json()["shown"] is True
    # a manager saving the settings form sends the switch unchanged: that is allowed
    r = client.patch(
        "/api/v1/halls/demo", json={"show_satisfaction": True, "name": "示范大厅"}, headers=manager
    )
    assert r.status_code == 200


def test_without_public_boards_the_satisfaction_figure_needs_a_board_token(app, client, ctx):
    app.config["PUBLIC_BOARDS"] = False
    assert client.get("/api/v1/halls/demo/satisfaction").status_code == 401
    board = bearer(gen_token(ctx, "board"))
    assert client.get("/api/v1/halls/demo/satisfaction", headers=board).status_code == 200
