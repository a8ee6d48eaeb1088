"""Atomic numbering and call-next, on SQLite and on PostgreSQL (when configured)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from server.services import tickets as ts
from server.services import windows as ws
from server.storage.models import Event, Ticket
from tests.helpers import principal


def test_twenty_threads_issue_a_thousand_distinct_numbers_without_gaps(any_db_app):
    ctx = any_db_app.extensions["hallq"]
    kiosk = principal(ctx, "kiosk")
    start = threading.Barrier(20)

    def worker(_: int) -> list[str]:
        start.wait()
        return [ts.issue_ticket(ctx, kiosk, "A")["number"] for _ in range(50)]

    with ThreadPoolExecutor(20) as pool:
        numbers = [n for batch in pool.map(worker, range(20)) for n in batch]
    assert len(numbers) == 1000
    assert sorted(int(n[1:]) for n in numbers) == list(range(1, 1001))
    assert numbers[0].startswith("A") and len(set(numbers)) == 1000
    with ctx.db.read() as s:
        assert s.scalar(select(func.count(Ticket.id))) == 1000
        seqs = s.scalars(select(Event.seq).order_by(Event.seq)).all()
    assert seqs == list(range(1, 1001)), "every ticket has its event, seq without gaps"


def test_windows_draining_queues_concurrently_call_each_ticket_once(any_db_app):
    ctx = any_db_app.extensions["hallq"]
    kiosk = principal(ctx, "kiosk")
    # windows 2, 3 and 12 serve A; give ten clerks windows serving A or C (6, 7, 12 serve C)
    for _ in range(60):
        ts.issue_ticket(ctx, kiosk, "A")
        ts.issue_ticket(ctx, kiosk, "C")
    windows = [2, 3, 12, 6, 7]  # the demo windows serving A or C
    clerks = {w: principal(ctx, "clerk", f"clerk{w:02d}") for w in windows}
    for w, p in clerks.items():
        ws.sign_in(ctx, p, w)
    called: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(windows))

    def window_loop(w: int) -> None:
        p = clerks[w]
        barrier.wait()
        while True:
            t = ts.call_next(ctx, p, w)
            if t is None:
                return
            with lock:
                called.append(t["id"])
            ts.act_on_ticket(ctx, p, t["id"], "start")
            ts.act_on_ticket(ctx, p, t["id"], "complete")

    with ThreadPoolExecutor(len(windows)) as pool:
        list(pool.map(window_loop, windows))
    assert len(called) == 120
    assert len(set(called)) == 120, "a ticket was called by two windows"


def test_ten_windows_race_for_the_same_queue(any_db_app):
    """Ten clerks at ten windows serving one service all call next at the same instant."""
    ctx = any_db_app.extensions["hallq"]
    from server.storage.models import Service, Window, WindowService

    with ctx.db.transaction() as s:
        a = s.scalar(select(Service).where(Service.code == "A"))
        for w in s.scalars(select(Window)).all():
            if a.id not in [link.service_id for link in w.service_links]:
                s.add(WindowService(window_id=w.id, service_id=a.id, position=9))
    kiosk = principal(ctx, "kiosk")
    for _ in range(30):
        ts.issue_ticket(ctx, kiosk, "A")
    clerks = {w: principal(ctx, "clerk", f"clerk{w:02d}") for w in range(1, 11)}
    for w, p in clerks.items():
        ws.sign_in(ctx, p, w)
    barrier = threading.Barrier(10)

    def call(w: int) -> str | None:
        barrier.wait()
        t = ts.call_next(ctx, clerks[w], w)
        return t["number"] if t else None

    with ThreadPoolExecutor(10) as pool:
        got = list(pool.map(call, range(1, 11)))
    assert len(set(got)) == 10 and None not in got
    assert sorted(got) == [f"A{i:03d}" for i in range(1, 11)], "the ten earliest, each once"
