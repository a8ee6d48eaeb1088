"""Generate (or grow) a big hallq PostgreSQL database: a city of halls with a year of tickets.

    .venv/bin/python bench/gen_data.py --tickets 1000000                  # new database hallq_gen
    .venv/bin/python bench/gen_data.py --grow-to 2500000                   # the same one, grown
    .venv/bin/python bench/gen_data.py --url postgresql://postgres@127.0.0.1:5432/other --tickets 50000

How it is made, so the queries see what real halls leave behind:

* The schema is the project's own: `server.storage.migrate.upgrade` (Alembic head, whatever that
  is when it runs), on a new database or an existing one.
* Hall 1 is the demo hall (`server.demo.seed_demo`: 8 services, 12 windows, the demo accounts,
  so every bench script that speaks to `demo` / `clerk01` works); halls 2…N are copies of it
  (`city02`…, accounts `city02-clerk01`…, password `hallq-demo`).
* A *template* is played first through the real service layer in a throw-away SQLite file:
  `server.demo_history.seed_demo_month` (citizens issued at the kiosk, called, recalled, no-shows,
  transfers, started, completed with outcomes, rated on the phone), and each ticket's slip is made
  by the real `ticket_slip_data`. Every generated ticket is a copy of one template visit: its
  ticket row, its events (the very JSON the services wrote, with ids, numbers, times, windows and
  clerks substituted), its print job (status printed), its rating and its transfer; every
  generated hall-day also gets a template day's `window.updated` events (sign-in/out, covers).
  One-time notices, cases and complaints are not copied (the tickets keep their outcomes).
* Tickets are spread over the working days (the hall calendar; Monday–Friday where it has no
  year) before today, `--per-day` tickets a hall a day (default 2000: 10 halls × ~250 working
  days = 5 M tickets, a city for a year), following the demo's arrival curve. Numbers follow the
  counters (`counters` rows written, unique per service and day), events get the hall's `seq`
  in time order, `halls.seq` and every id sequence are moved past what was written, so a live
  server issues, calls and replays on the generated database as on any other.
* `--grow-to N` adds older days (history before the oldest generated day) until the database
  holds N generated tickets: one database grows 1 M → 2.5 M → 5 M. The added events take seq
  numbers after the hall's current seq (the log's order is that of writing, as an import would).
* Rows go in with COPY (text format) in batches; a progress line shows tickets/s and the ETA.
  VACUUM ANALYZE at the end, then the database size (total and per million tickets).
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import pickle
import random
import re
import sys
import tempfile
import time as _time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432"
DEFAULT_DB = "hallq_gen"
TZ = ZoneInfo("Asia/Shanghai")
MORNING = (time(8, 30), time(12, 0))
AFTERNOON = (time(13, 30), time(17, 0))
#: the demo's arrival curve (server/demo_history.py ARRIVALS_PER_HOUR), clipped to opening hours
ARRIVALS = {8: 6, 9: 14, 10: 11, 11: 6, 13: 5, 14: 9, 15: 8, 16: 5}
TEMPLATE_DAYS = 21

_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?\+\d\d:\d\d")
_WIN = re.compile(r'"id": (\d+), "number": (\d+)')
_USER = re.compile(r'"username": "(clerk\d\d|manager)"')


def _ts(d: datetime) -> str:
    """A UTCDateTime column's value in COPY text: naive UTC."""
    return d.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _n(v: Any) -> str:
    return "\\N" if v is None else str(v)


def _pid() -> str:
    return base64.urlsafe_b64encode(os.urandom(9)).decode()


# --------------------------------------------------------------------------------------------
# the template: played through the real services


@dataclass
class Visit:
    """One template ticket, ready to copy."""

    service: str
    counter_service: str
    status: str
    priority: bool
    outcome: str | None
    outcome_reason: str | None
    recalls: int
    window: int | None
    served_by: str | None
    owner: str | None
    called: float | None
    started: float | None
    finished: float | None
    #: (type, offset s, actor username, actor role, window number, data %-template)
    events: list[tuple[str, float, str | None, str | None, int | None, str]] = field(default_factory=list)
    #: (level, reasons json, comment, source, offset s)
    rating: tuple[int, str | None, str | None, str, float] | None = None
    #: (from service, to service, from window, to window, reason, by username, overridden, offset)
    transfer: tuple[str, str, int | None, int | None, str, str | None, bool, float] | None = None
    slip: str = ""
    #: the time placeholders of its texts: (key, offset from queued_at s, zone)
    tkeys: list[tuple[str, float, Any]] = field(default_factory=list)


@dataclass
class Template:
    visits: list[Visit]
    #: per template day: [(offset from local midnight s, actor, role, window number, data)]
    window_days: list[list[tuple[float, str | None, str | None, int | None, str]]]
    hall_name: str


def _param(text: str, subs: dict[str, str], q: datetime | None = None) -> str:
    """The JSON text as a %-template: ISO times → their offset from `q`, known values → %(key)s,
    windows → their ids, clerks → the hall's username prefix."""
    text = text.replace("%", "%%")
    if q is not None:
        text = _iso_param(text, q)
    for value, key in sorted(subs.items(), key=lambda kv: -len(kv[0])):
        if value:
            text = text.replace(value, f"%({key})s")
    text = _WIN.sub(lambda m: f'"id": %(w{m.group(2)})s, "number": {m.group(2)}', text)
    return _USER.sub(lambda m: f'"username": "%(up)s{m.group(1)}"', text)


def build_template(days: int, seed: int) -> Template:
    from sqlalchemy import select

    from server import create_app
    from server.demo import seed_demo
    from server.demo_history import VirtualClock, seed_demo_month
    from server.services.core.print_queue import ticket_slip_data
    from server.services.tickets import get_ticket
    from server.storage.migrate import upgrade
    from server.storage.models import Event, Hall, Rating, Service, Ticket, Transfer, User, Window

    tmp = tempfile.mkdtemp(prefix="hallq-template-")
    url = f"sqlite:///{tmp}/template.db"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "template" * 4})
    ctx = app.extensions["hallq"]
    seed_demo(ctx)
    t0 = _time.monotonic()
    print(f"template: playing {days} days of the demo hall through the services …", flush=True)
    issued = seed_demo_month(ctx, days=days, seed=seed)
    print(f"template: {issued} tickets in {_time.monotonic() - t0:.0f} s", flush=True)
    visits: list[Visit] = []
    window_days: dict[date, list[tuple[float, str | None, str | None, int | None, str]]] = {}
    with ctx.db.read() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        assert hall is not None
        codes = {sv.id: sv.code for sv in s.scalars(select(Service))}
        numbers = {w.id: w.number for w in s.scalars(select(Window))}
        names = {u.id: u.username for u in s.scalars(select(User))}
        services = {sv.id: sv for sv in s.scalars(select(Service))}
        by_ticket: dict[int, list[Event]] = {}
        for e in s.scalars(select(Event).order_by(Event.seq)):
            if e.ticket_id is not None:
                by_ticket.setdefault(e.ticket_id, []).append(e)
            elif e.type == "window.updated":
                local = e.at.astimezone(TZ)
                midnight = datetime.combine(local.date(), time(0), tzinfo=TZ)
                text = _param(json.dumps(e.data), {})
                window_days.setdefault(local.date(), []).append(
                    (
                        (e.at - midnight).total_seconds(),
                        names.get(e.actor_user_id) if e.actor_user_id else None,
                        e.actor_role,
                        numbers.get(e.window_id) if e.window_id else None,
                        text,
                    )
                )
        ratings = {r.ticket_id: r for r in s.scalars(select(Rating))}
        transfers = {x.ticket_id: x for x in s.scalars(select(Transfer))}
        for t in s.scalars(select(Ticket).order_by(Ticket.id)):
            q = t.queued_at

            def off(d: datetime | None, q: datetime = q) -> float | None:
                return None if d is None else (d - q).total_seconds()

            subs = {
                t.public_id: "pid",
                t.number: "num",
                t.business_day.isoformat(): "day",
                '"hall": "demo"': "hallkey",
            }
            clock = VirtualClock(q)
            view = get_ticket(ctx, t.public_id)
            slip = ticket_slip_data(ctx, hall, view, clock.now, services[t.service_id])
            subs[json.dumps(hall.name)[1:-1]] = "hallname"
            v = Visit(
                service=codes[t.service_id],
                counter_service=codes[t.counter_service_id],
                status=t.status,
                priority=t.priority,
                outcome=t.outcome,
                outcome_reason=t.outcome_reason,
                recalls=t.recalls,
                window=numbers.get(t.window_id) if t.window_id else None,
                served_by=names.get(t.served_by_id) if t.served_by_id else None,
                owner=names.get(t.owner_id) if t.owner_id else None,
                called=off(t.called_at),
                started=off(t.started_at),
                finished=off(t.finished_at),
                slip="",
            )
            v.slip = _param(json.dumps(slip), subs, q)
            for e in by_ticket.get(t.id, []):
                if e.type.startswith(("ticket.", "rating.")):
                    text = _param(json.dumps(e.data), subs, q)
                    v.events.append(
                        (
                            e.type,
                            (e.at - q).total_seconds(),
                            names.get(e.actor_user_id) if e.actor_user_id else None,
                            e.actor_role,
                            numbers.get(e.window_id) if e.window_id else None,
                            text,
                        )
                    )
            r = ratings.get(t.id)
            if r is not None:
                v.rating = (
                    r.level,
                    json.dumps(r.reasons) if r.reasons is not None else None,
                    r.comment,
                    r.source,
                    (r.at - q).total_seconds(),
                )
            x = transfers.get(t.id)
            if x is not None:
                v.transfer = (
                    codes[x.from_service_id],
                    codes[x.to_service_id],
                    numbers.get(x.from_window_id) if x.from_window_id else None,
                    numbers.get(x.to_window_id) if x.to_window_id else None,
                    x.reason,
                    names.get(x.by_user_id) if x.by_user_id else None,
                    x.overridden,
                    (x.at - q).total_seconds(),
                )
            keys = {
                m.group(0)[2:-2]: m
                for text in [v.slip, *(e[5] for e in v.events)]
                for m in _TKEY.finditer(text)
            }
            v.tkeys = [
                (k, float(m.group(1)), datetime.strptime(m.group(2).replace(":", ""), "%z").tzinfo)
                for k, m in keys.items()
            ]
            visits.append(v)
        hall_name = hall.name
    return Template(
        visits=visits, window_days=[d for _k, d in sorted(window_days.items())], hall_name=hall_name
    )


def _iso_param(text: str, q: datetime) -> str:
    """ISO times in the JSON → %(tN)s placeholders: their offset from queued_at is kept."""
    found: dict[str, str] = {}

    def sub(m: re.Match[str]) -> str:
        stamp = m.group(0)
        if stamp not in found:
            d = datetime.fromisoformat(stamp)
            found[stamp] = f"%(t{(d - q).total_seconds():.6f}{stamp[-6:]})s"
        return found[stamp]

    return _ISO.sub(sub, text)


_TKEY = re.compile(r"%\(t(-?[\d.]+)([+-]\d\d:\d\d)\)s")


# --------------------------------------------------------------------------------------------
# the target database


def _database_url(args: argparse.Namespace) -> str:
    return args.url or f"{DEFAULT_SERVER}/{DEFAULT_DB}"


def ensure_database(url: str) -> None:
    import psycopg2
    from sqlalchemy.engine import make_url

    u = make_url(url)
    admin = u.set(database="postgres").render_as_string(hide_password=False).replace("+psycopg2", "")
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{u.database}"')
            print(f"created database {u.database}")
    conn.close()


def seed_halls(url: str, halls: int) -> None:
    """The demo hall, then copies of it (city02…) with their own accounts, and a kiosk printer each."""
    from sqlalchemy import select

    from server import create_app
    from server.demo import seed_demo
    from server.storage.models import Hall, Printer

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "gen-data" * 4})
    ctx = app.extensions["hallq"]
    seed_demo(ctx)
    for i in range(2, halls + 1):  # the demo hall again, as city02 …, its accounts city02-clerk01 …
        seed_demo(ctx, f"city{i:02d}", f"第{i}政务服务中心", username_prefix=f"city{i:02d}-")
    with ctx.db.transaction() as s:
        for hall in s.scalars(select(Hall)):
            if s.scalar(select(Printer).where(Printer.hall_id == hall.id)) is None:
                s.add(
                    Printer(
                        hall_id=hall.id,
                        name="1号取号机打印机",
                        spec="agent",
                        width_mm=80,
                        mode="text",
                        driver="agent",
                        status="unknown",
                    )
                )


@dataclass
class HallInfo:
    id: int
    code: str
    name: str
    seq: int
    services: dict[str, int]
    windows: dict[int, int]
    users: dict[str, int]
    printer: int
    prefix: str


def load_halls(cur: Any) -> list[HallInfo]:
    cur.execute("SELECT id, code, name, seq FROM halls ORDER BY id")
    out = []
    for hid, code, name, seq in cur.fetchall():
        if code != "demo" and not code.startswith("city"):
            continue
        cur.execute("SELECT code, id FROM services WHERE hall_id = %s", (hid,))
        services = dict(cur.fetchall())
        cur.execute("SELECT number, id FROM windows WHERE hall_id = %s", (hid,))
        windows = dict(cur.fetchall())
        prefix = "" if code == "demo" else f"{code}-"
        cur.execute("SELECT username, id FROM users WHERE hall_id = %s", (hid,))
        users = {u[len(prefix) :] if u.startswith(prefix) else u: i for u, i in cur.fetchall()}
        cur.execute("SELECT min(id) FROM printers WHERE hall_id = %s", (hid,))
        printer = cur.fetchone()[0]
        out.append(HallInfo(hid, code, name, seq, services, windows, users, printer, prefix))
    return out


def working_days_before(first: date, count: int) -> list[date]:
    """`count` working days before `first`, newest first (the hall calendar; Mon–Fri where it has no year)."""
    from server.domain.workdays import WorkCalendar  # noqa: F401 (the calendar's home)
    from server.services.core import workcal

    cal = workcal._BASE
    out: list[date] = []
    d = first
    while len(out) < count:
        d -= timedelta(days=1)
        working = cal.is_working_day(d) if cal.covers(d) else d.weekday() < 5
        if working:
            out.append(d)
    return out


class Progress:
    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.t0, self.last = total, label, _time.monotonic(), 0.0

    def __call__(self, done: int) -> None:
        now = _time.monotonic()
        if now - self.last < 1.0 and done < self.total:
            return
        self.last = now
        el = now - self.t0
        rate = done / el if el > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        bar = "#" * int(30 * done / max(1, self.total))
        end = "\n" if done >= self.total else ""
        print(
            f"\r{self.label} [{bar:<30}] {done:,}/{self.total:,} {rate:,.0f}/s "
            f"elapsed {el:,.0f}s eta {eta:,.0f}s   ",
            end=end,
            flush=True,
        )


class Writer:
    """Rows per table, sent with COPY when a batch is full: by a second thread, so PostgreSQL
    takes one batch while Python makes the next (one batch in flight at most)."""

    COLUMNS = {
        "tickets": "id, public_id, hall_id, service_id, counter_service_id, business_day, counter, number, "
        "priority, status, queued_at, called_at, started_at, finished_at, window_id, directed_window_id, "
        "recalls, reactivations, served_by_id, citizen_key, owner_id, notice_id, outcome, outcome_reason, "
        "booking_id",
        "events": "id, hall_id, seq, type, at, actor_user_id, actor_role, window_id, ticket_id, data",
        "print_jobs": "id, public_id, hall_id, printer_id, ticket_id, kind, slip, status, attempts, "
        "error_kind, error, reprint_of_id, requested_by_role, created_at, sent_at, finished_at",
        "ratings": "id, hall_id, ticket_id, window_id, service_id, clerk_id, level, reasons, comment, "
        "source, at, day",
        "ticket_transfers": "id, ticket_id, hall_id, from_service_id, to_service_id, from_window_id, "
        "to_window_id, reason, by_user_id, overridden, at",
        "counters": "service_id, day, last",
    }

    def __init__(self, conn: Any) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor

        self.conn = conn
        self.buf = {t: io.StringIO() for t in self.COLUMNS}
        self.rows = 0
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: Future[None] | None = None

    def add(self, table: str, values: list[str]) -> None:
        self.buf[table].write("\t".join(values))
        self.buf[table].write("\n")
        self.rows += 1

    def flush(self, seqs: dict[int, int], ids: dict[str, int], wait: bool = False) -> None:
        """Send what is buffered with the halls' seq and the id sequences (one transaction, so the
        database is consistent after every batch: an interrupted run leaves a usable one);
        `wait` for it to land."""
        bufs, self.buf, self.rows = self.buf, {t: io.StringIO() for t in self.COLUMNS}, 0
        if self.pending is not None:
            self.pending.result()
        self.pending = self.pool.submit(self._copy, bufs, dict(seqs), dict(ids))
        if wait:
            self.pending.result()
            self.pending = None

    def _copy(self, bufs: dict[str, io.StringIO], seqs: dict[int, int], ids: dict[str, int]) -> None:
        with self.conn.cursor() as cur:
            for table in self.COLUMNS:  # in FK order
                b = bufs[table]
                if b.tell() == 0:
                    continue
                b.seek(0)
                cur.copy_expert(f"COPY {table} ({self.COLUMNS[table]}) FROM STDIN", b)
            for hall_id, seq in seqs.items():
                cur.execute("UPDATE halls SET seq = %s WHERE id = %s", (seq, hall_id))
            for table, next_id in ids.items():
                seq_name = f"pg_get_serial_sequence('{table}', 'id')"
                cur.execute(f"SELECT setval({seq_name}, %s)", (next_id - 1,))
        self.conn.commit()


def _next_ids(cur: Any) -> dict[str, int]:
    out = {}
    for table in ("tickets", "events", "print_jobs", "ratings", "ticket_transfers"):
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        out[table] = cur.fetchone()[0] + 1
    return out


def _arrival_times(rng: random.Random, day: date, n: int) -> list[datetime]:
    hours = list(ARRIVALS)
    weights = [ARRIVALS[h] * (0.5 if h in (8, 11) else 1.0) for h in hours]
    out = []
    for h in rng.choices(hours, weights=weights, k=n):
        start = time(8, 30) if h == 8 else time(h)
        end_min = 60 if h != 11 else 60
        lo = start.minute
        minute = rng.uniform(lo, end_min)
        out.append(datetime.combine(day, time(h), tzinfo=TZ) + timedelta(minutes=minute))
    out.sort()
    return out


def generate_day(
    w: Writer,
    ids: dict[str, int],
    rng: random.Random,
    tpl: Template,
    h: HallInfo,
    day: date,
    n: int,
    tref: Any,
) -> None:
    """One hall-day of `n` tickets (events in time order, seq after the hall's)."""
    hall_key = f'"hall": "{h.code}"'
    hall_name = json.dumps(h.name)[1:-1]
    wmap = {f"w{num}": str(wid) for num, wid in h.windows.items()}
    base = {"up": h.prefix, "hallkey": hall_key, "hallname": hall_name, **wmap}
    counters: dict[str, int] = {}
    events: list[tuple[datetime, int, list[str]]] = []  # (at, order, row without id/seq)
    order = 0
    dayiso = day.isoformat()
    U = h.users
    for q in _arrival_times(rng, day, n):
        v = rng.choice(tpl.visits)
        tid = ids["tickets"]
        ids["tickets"] += 1
        c = counters.get(v.counter_service, 0) + 1
        counters[v.counter_service] = c
        num = f"{v.counter_service}{c:03d}"
        pid = _pid()
        called = q + timedelta(seconds=v.called) if v.called is not None else None
        started = q + timedelta(seconds=v.started) if v.started is not None else None
        finished = q + timedelta(seconds=v.finished) if v.finished is not None else None
        win = h.windows.get(v.window) if v.window else None
        w.add(
            "tickets",
            [
                str(tid),
                pid,
                str(h.id),
                str(h.services[v.service]),
                str(h.services[v.counter_service]),
                dayiso,
                str(c),
                num,
                "t" if v.priority else "f",
                v.status,
                _ts(q),
                _n(called and _ts(called)),
                _n(started and _ts(started)),
                _n(finished and _ts(finished)),
                _n(win),
                "\\N",
                str(v.recalls),
                "0",
                _n(U.get(v.served_by) if v.served_by else None),
                "\\N",
                _n(U.get(v.owner) if v.owner else None),
                "\\N",
                _n(v.outcome),
                _n(v.outcome_reason and _esc(v.outcome_reason)),
                "\\N",
            ],
        )
        subs = dict(base, pid=pid, num=num, day=dayiso)
        subs["ref"] = tref(pid)

        for key, toff, tz in v.tkeys:
            subs[key] = (q + timedelta(seconds=toff)).astimezone(tz).isoformat()

        for etype, offset, actor, role, wnum, data in v.events:
            at = q + timedelta(seconds=offset)
            order += 1
            events.append(
                (
                    at,
                    order,
                    [
                        str(h.id),
                        etype,
                        _ts(at),
                        _n(U.get(actor) if actor else None),
                        _n(role),
                        _n(h.windows.get(wnum) if wnum else None),
                        str(tid),
                        _esc(data % subs),
                    ],
                )
            )
        pj = ids["print_jobs"]
        ids["print_jobs"] += 1
        w.add(
            "print_jobs",
            [
                str(pj),
                _pid(),
                str(h.id),
                str(h.printer),
                str(tid),
                "ticket",
                _esc(v.slip % subs),
                "printed",
                "1",
                "\\N",
                "\\N",
                "\\N",
                "kiosk",
                _ts(q),
                _ts(q + timedelta(seconds=0.2)),
                _ts(q + timedelta(seconds=1.5)),
            ],
        )
        if v.rating is not None:
            level, reasons, comment, source, roff = v.rating
            at = q + timedelta(seconds=roff)
            rid = ids["ratings"]
            ids["ratings"] += 1
            w.add(
                "ratings",
                [
                    str(rid),
                    str(h.id),
                    str(tid),
                    _n(win),
                    str(h.services[v.service]),
                    _n(U.get(v.served_by) if v.served_by else None),
                    str(level),
                    _n(reasons and _esc(reasons)),
                    _n(comment and _esc(comment)),
                    source,
                    _ts(at),
                    at.astimezone(TZ).date().isoformat(),
                ],
            )
        if v.transfer is not None:
            fs, ts_, fw, tw, reason, by, over, xoff = v.transfer
            xid = ids["ticket_transfers"]
            ids["ticket_transfers"] += 1
            w.add(
                "ticket_transfers",
                [
                    str(xid),
                    str(tid),
                    str(h.id),
                    str(h.services[fs]),
                    str(h.services[ts_]),
                    _n(h.windows.get(fw) if fw else None),
                    _n(h.windows.get(tw) if tw else None),
                    _esc(reason),
                    _n(U.get(by) if by else None),
                    "t" if over else "f",
                    _ts(q + timedelta(seconds=xoff)),
                ],
            )
    midnight = datetime.combine(day, time(0), tzinfo=TZ)
    for offset, actor, role, wnum, data in rng.choice(tpl.window_days):
        at = midnight + timedelta(seconds=offset)
        order += 1
        events.append(
            (
                at,
                order,
                [
                    str(h.id),
                    "window.updated",
                    _ts(at),
                    _n(U.get(actor) if actor else None),
                    _n(role),
                    _n(h.windows.get(wnum) if wnum else None),
                    "\\N",
                    _esc(data % base),
                ],
            )
        )
    events.sort(key=lambda e: (e[0], e[1]))
    for _at, _o, row in events:
        eid = ids["events"]
        ids["events"] += 1
        h.seq += 1
        w.add("events", [str(eid), row[0], str(h.seq), *row[1:]])
    for code, last in counters.items():
        w.add("counters", [str(h.services[code]), dayiso, str(last)])


def generate(
    url: str,
    target: int,
    per_day: int,
    halls_n: int,
    seed: int,
    template_days: int,
    stop_after: float | None = None,
) -> None:
    import psycopg2
    from sqlalchemy.engine import make_url

    from server.domain.disclosure import ticket_ref
    from server.storage.migrate import upgrade

    t_start = _time.monotonic()
    ensure_database(url)
    print("migrating (the project's own Alembic upgrade to head) …", flush=True)
    upgrade(url)
    seed_halls(url, halls_n)
    dsn = make_url(url).render_as_string(hide_password=False).replace("+psycopg2", "")
    conn = psycopg2.connect(dsn)
    with conn.cursor() as cur:
        halls = load_halls(cur)
        hall_ids = [h.id for h in halls]
        cur.execute("SELECT count(*), min(business_day) FROM tickets WHERE hall_id = ANY(%s)", (hall_ids,))
        have, oldest = cur.fetchone()
        ids = _next_ids(cur)
    conn.commit()
    today = datetime.now(TZ).date()
    first = oldest if oldest is not None else today
    todo = target - have
    print(
        f"{len(halls)} halls; {have:,} tickets there (oldest day {oldest}); target {target:,}: "
        f"{max(0, todo):,} to generate before {first}",
        flush=True,
    )
    if todo <= 0:
        return
    cache = Path(tempfile.gettempdir()) / f"hallq-gen-template-{template_days}-{seed}.pickle"
    if cache.exists():
        tpl = pickle.loads(cache.read_bytes())
        print(f"template: {cache} (delete it to play the template again)", flush=True)
    else:
        tpl = build_template(template_days, seed)
        cache.write_bytes(pickle.dumps(tpl))
    print(f"template: {len(tpl.visits)} visits, {len(tpl.window_days)} days", flush=True)
    per_day_all = per_day * len(halls)
    n_days = -(-todo // per_day_all)
    days = working_days_before(first, n_days)
    print(f"{n_days} working days {days[-1]} … {days[0]}, {per_day} tickets a hall a day", flush=True)
    rng = random.Random(seed + have)
    w = Writer(conn)
    progress = Progress(todo, "tickets")
    done = 0
    t_gen = _time.monotonic()
    # the generated events take seq numbers after what each hall has: run it with the server stopped
    for day in days:
        if stop_after is not None and _time.monotonic() - t_gen > stop_after:
            print(
                f"\n--stop-after {stop_after:.0f} s: stopping before {day} (whole days written)", flush=True
            )
            break
        for h in halls:
            n = min(per_day, todo - done)
            if n <= 0:
                break
            generate_day(w, ids, rng, tpl, h, day, n, ticket_ref)
            done += n
            if w.rows > 200_000:
                w.flush({hh.id: hh.seq for hh in halls}, ids)
            progress(done)
    w.flush({hh.id: hh.seq for hh in halls}, ids, wait=True)
    progress(done)
    with conn.cursor() as cur:
        for table in ("tickets", "events", "print_jobs", "ratings", "ticket_transfers"):
            seq = f"pg_get_serial_sequence('{table}', 'id')"
            cur.execute(f"SELECT setval({seq}, (SELECT coalesce(max(id), 1) FROM {table}))")
    conn.commit()
    gen_s = _time.monotonic() - t_gen
    conn.autocommit = True
    print("VACUUM ANALYZE …", flush=True)
    t_vac = _time.monotonic()
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        vac_s = _time.monotonic() - t_vac
        cur.execute("SELECT pg_database_size(current_database())")
        size = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM tickets")
        total = cur.fetchone()[0]
    conn.close()
    total_s = _time.monotonic() - t_start
    print(
        f"generated {done:,} tickets in {gen_s:,.0f} s ({done / gen_s:,.0f}/s), "
        f"VACUUM ANALYZE {vac_s:,.0f} s, total {total_s:,.0f} s"
    )
    print(
        f"database {size / 2**30:.2f} GiB for {total:,} tickets: "
        f"{size / 2**30 / (total / 1e6):.2f} GiB per million"
    )
    print(
        json.dumps(
            {
                "generated": done,
                "tickets": total,
                "generate_s": round(gen_s, 1),
                "vacuum_s": round(vac_s, 1),
                "total_s": round(total_s, 1),
                "db_bytes": size,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help=f"database URL (default {DEFAULT_SERVER}/{DEFAULT_DB}, created if missing)")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument(
        "--tickets", type=int, help="generate this many tickets (on a database without generated ones)"
    )
    g.add_argument("--grow-to", type=int, help="add older days until the database holds this many tickets")
    ap.add_argument("--per-day", type=int, default=2000, help="tickets a hall a working day (default 2000)")
    ap.add_argument("--halls", type=int, default=10, help="halls (default 10: demo, city02 …)")
    ap.add_argument("--template-days", type=int, default=TEMPLATE_DAYS, help="days of the template play")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument(
        "--stop-after",
        type=float,
        metavar="SECONDS",
        help="stop generating after this long (at a day's end; the database stays consistent), "
        "then VACUUM ANALYZE as usual: grow again later with --grow-to",
    )
    args = ap.parse_args()
    url = _database_url(args)
    target = args.tickets if args.tickets is not None else args.grow_to
    generate(url, target, args.per_day, args.halls, args.seed, args.template_days, args.stop_after)


if __name__ == "__main__":
    main()
