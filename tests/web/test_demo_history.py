"""The demo's month of history is played through the service layer (issue 11, item 7): tickets
only on past working days, every visit's events in the log, outcomes of every kind, windows all
closed again afterwards, and it runs once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from server.demo_history import seed_demo_month
from server.storage.models import Case, Complaint, Event, Notice, Rating, Ticket, Window
from tests.helpers import bearer, gen_token


def test_a_week_of_history_is_made_of_real_visits_on_working_days(client, ctx, clock):
    clock.now = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)  # Monday 12 October, 09:00 in the hall
    n = seed_demo_month(ctx, days=7, scale=0.4, seed=7)
    assert n > 30
    assert seed_demo_month(ctx, days=7) == 0  # once
    with ctx.db.read() as s:
        days = set(s.scalars(select(Ticket.business_day).distinct()))
        # the last seven days, 5–11 October: the National Day holidays run to Wednesday the 7th;
        # Thursday 8th and Friday 9th are working days, Saturday 10th a 调休 workday, Sunday off
        assert days == {date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)}
        assert s.scalar(select(func.count(Ticket.id))) == n
        statuses = dict(s.execute(select(Ticket.status, func.count(Ticket.id)).group_by(Ticket.status)).all())
        outcomes = set(s.scalars(select(Ticket.outcome).where(Ticket.status == "done")))
        assert statuses.get("done", 0) > n // 2
        assert {"done", "accepted", "notice"} <= outcomes
        assert s.scalar(select(func.count(Case.id))) > 0 and s.scalar(select(func.count(Notice.id))) > 0
        types = set(s.scalars(select(Event.type).distinct()))
        assert {"ticket.issued", "ticket.called", "ticket.started", "ticket.done", "window.updated"} <= types
        # every ticket that was served has its called/started/done events, in order of time
        for t in s.scalars(select(Ticket).where(Ticket.status == "done").limit(20)):
            seen = s.execute(
                select(Event.type, Event.at).where(Event.ticket_id == t.id).order_by(Event.seq)
            ).all()
            kinds = [k for k, _ in seen]
            assert kinds[0] == "ticket.issued" and "ticket.done" in kinds and "ticket.called" in kinds
            assert [at for _, at in seen] == sorted(at for _, at in seen)
        assert s.scalar(select(func.count(Window.id)).where(Window.status != "closed")) == 0
        # citizens rated some visits, never all of them (an unrated visit is never counted)
        rated = s.scalar(select(func.count(Rating.id)))
        assert 0 < rated < statuses["done"]
        # bad ratings opened follow-ups; those of earlier days are verified and answered
        low = s.scalar(select(func.count(Rating.id)).where(Rating.level <= 2))
        assert s.scalar(select(func.count(Complaint.id)).where(Complaint.source == "rating")) == low
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.get("/api/v1/halls/demo/overdue?from=2026-10-01&to=2026-10-12", headers=manager)
    assert r.status_code == 200
