#!/usr/bin/env python3
"""Measure the everyday queries on a big generated database (bench/gen_data.py), and fit them.

    .venv/bin/python bench/data_queries.py --json /tmp/q-1m.json          # on hallq_gen
    .venv/bin/python bench/data_queries.py --url postgresql://postgres@127.0.0.1:5432/other
    .venv/bin/python bench/data_queries.py --fit /tmp/q-1m.json /tmp/q-2.5m.json /tmp/q-5m.json

Starts a real server on the database (bench/run.py's `Server`: `python -m server demo` with
HALLQ_DATABASE_URL, which runs the project's migrations first and finds the demo hall there),
makes tokens with `python -m server token create`, puts a morning's queue into the demo hall
today (`--queue` tickets through `POST /api/v1/tickets`; cancelled again at the end, so runs on a
growing database start from the same today), then measures, one request at a time
over one keep-alive connection, p50/p99 of

* the hall snapshot: `GET /api/v1/halls/demo/snapshot` (board token; what a board loads),
* the phone page of a ticket of today: `GET /t/<ticket id>` (the citizen's page, no token),
* call-next: a clerk signed in at a window, per sample issue → `POST /windows/<id>/call-next`
  (timed) → start → complete,
* a month's evaluation: `GET /api/v1/halls/demo/evaluation?from=…&to=…&by=window` (manager
  token; the last whole calendar month),

and prints a markdown table and JSON with the ticket count, the load average and the CPU the
rest of the machine used beside every figure, and the database's size (total, per table).

`--fit` reads such JSON files (taken at different ticket counts) and fits each figure against the
ticket count (least squares, linear; log(count) when that fits better), and prints the projection
to `--project` tickets (default 25 M: a city of 50 halls for a year), labelled as a projection.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
try:
    from bench import _benchlib as lib
    from bench.run import Server
except ImportError:  # run as a script: bench/ itself is on sys.path
    import _benchlib as lib  # type: ignore[no-redef]
    from run import Server  # type: ignore[no-redef]

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/hallq_gen"
QUERIES = [
    ("snapshot", "hall snapshot (GET /api/v1/halls/demo/snapshot)"),
    ("phone", "phone page of a ticket of today (GET /t/<id>)"),
    ("call_next", "call-next (POST /api/v1/windows/<id>/call-next)"),
    ("evaluation", "a month's evaluation (GET /api/v1/halls/demo/evaluation)"),
]


class Client:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, base: str) -> None:
        u = urlsplit(base)
        self.host, self.port = u.hostname or "127.0.0.1", u.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def req(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> tuple[int, Any, float]:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                t0 = time.perf_counter()
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                raw = r.read()
                dt = time.perf_counter() - t0
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt == 2:
                    raise
        ctype = r.getheader("Content-Type") or ""
        parsed: Any = json.loads(raw) if raw and "json" in ctype else raw
        return r.status, parsed, dt


def _check(st: int, body: Any, what: str, ok: tuple[int, ...] = (200,)) -> Any:
    if st not in ok:
        raise RuntimeError(f"{what}: HTTP {st} {str(body)[:500]}")
    return body


def measure(name: str, server_pid: int | None, fn: Any, n: int) -> dict[str, Any]:
    """`n` samples of `fn()` (which returns the seconds to count), with the machine's state."""
    load0 = os.getloadavg()[0]
    samples: list[float] = []
    with lib.CpuMeter(server_pid) as cpu:
        for _ in range(n):
            samples.append(fn())
    out = {"name": name, **lib.latency_summary(samples), **cpu.as_dict()}
    out["load1_before"] = load0
    out["load1_after"] = os.getloadavg()[0]
    print(
        f"  {name:<11} n={n:<4} p50 {out['p50_ms']:8.1f} ms  p99 {out['p99_ms']:8.1f} ms  "
        f"load {load0:.2f}→{out['load1_after']:.2f}  rest of machine {out['other_cpu_pct']:.0f} % CPU",
        flush=True,
    )
    return out


def db_facts(url: str) -> dict[str, Any]:
    import psycopg2

    conn = psycopg2.connect(url.replace("+psycopg2", ""))
    with conn.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        size = cur.fetchone()[0]
        cur.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), c.reltuples::bigint "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 2 DESC LIMIT 8"
        )
        tables = [
            {"table": t, "total_bytes": tot, "heap_bytes": heap, "rows": rows}
            for t, tot, heap, rows in cur.fetchall()
        ]
        cur.execute("SELECT count(*), min(business_day), max(business_day) FROM tickets")
        count, lo, hi = cur.fetchone()
        cur.execute("SELECT version_num FROM alembic_version")
        head = cur.fetchone()[0]
    conn.close()
    return {
        "db_bytes": size,
        "tables": tables,
        "tickets": count,
        "first_day": str(lo),
        "last_day": str(hi),
        "migration": head,
    }


def last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def run(args: argparse.Namespace) -> dict[str, Any]:
    facts = db_facts(args.url)
    print(
        f"database: {facts['tickets']:,} tickets ({facts['first_day']} … {facts['last_day']}), "
        f"{facts['db_bytes'] / 2**30:.2f} GiB, migration {facts['migration']}",
        flush=True,
    )
    ns = argparse.Namespace(python=args.python, message_queue=None)
    work = Path(tempfile.mkdtemp(prefix="hallq-dataq-"))
    server = Server(ns, args.async_mode, args.url, work, work / "server.log")
    server.env["HALLQ_DEMO_HISTORY_DAYS"] = "0"
    t0 = time.monotonic()
    server.start(timeout=300)
    print(
        f"server up in {time.monotonic() - t0:.0f} s ({server.url}, {args.async_mode}; log {server.log_path})"
    )
    before = facts["migration"]
    facts["migration"] = db_facts(args.url)["migration"]  # the server upgrades the schema first
    if facts["migration"] != before:
        print(f"the server migrated the database {before} → {facts['migration']} on start", flush=True)
        facts["migrated_from"] = before
    try:
        board = server.token("board")
        kiosk = server.token("kiosk")
        clerk = server.token("clerk", "clerk01")
        manager = server.token("manager", "manager")
        pid = server.proc.pid if server.proc else None
        c = Client(server.url)
        hall = _check(*c.req("GET", "/api/v1/halls/demo", board)[:2], "hall")
        services = [s["code"] for s in hall["services"]]
        # a morning's queue today, so the snapshot and the phone page have something to show
        today_ids = []
        for i in range(args.queue):
            st, body, _ = c.req("POST", "/api/v1/tickets", kiosk, {"service": services[i % len(services)]})
            today_ids.append(_check(st, body, "issue", (201,))["id"])
        # a window for call-next: the clerk's own (window 1) serves G
        snap = _check(*c.req("GET", "/api/v1/halls/demo/snapshot", board)[:2], "snapshot")
        window = next(w for w in snap["windows"] if w["number"] == 1)
        st, body, _ = c.req("POST", f"/api/v1/windows/{window['id']}/sign-in", clerk)
        _check(st, body, "sign-in")
        wsvc = window["services"][0]
        st, win, _ = c.req("GET", f"/api/v1/windows/{window['id']}", clerk)
        cur = (win or {}).get("current") if st == 200 else None
        if cur:
            finish(c, clerk, cur)
        results = []
        lib.wait_for_quiet_machine(args.max_background, args.quiet_wait)

        def snapshot() -> float:
            st, body, dt = c.req("GET", "/api/v1/halls/demo/snapshot", board)
            _check(st, body, "snapshot")
            return dt

        k = iter(range(10**9))

        def phone() -> float:
            tid = today_ids[next(k) % len(today_ids)]
            st, body, dt = c.req("GET", f"/t/{tid}")
            _check(st, body, "phone page")
            return dt

        issued: list[str] = []

        def call_next() -> float:
            t = _check(*c.req("POST", "/api/v1/tickets", kiosk, {"service": wsvc})[:2], "issue", (201,))
            issued.append(t["id"])
            st, body, dt = c.req("POST", f"/api/v1/windows/{window['id']}/call-next", clerk)
            t = _check(st, body, "call-next")
            finish(c, clerk, t.get("ticket") or t)
            return dt

        frm, to = last_month(date.today())

        def evaluation() -> float:
            st, body, dt = c.req(
                "GET", f"/api/v1/halls/demo/evaluation?from={frm}&to={to}&by=window", manager
            )
            _check(st, body, "evaluation")
            return dt

        for name, fn, n in (
            ("snapshot", snapshot, args.samples),
            ("phone", phone, args.samples),
            ("call_next", call_next, args.samples),
            ("evaluation", evaluation, args.eval_samples),
        ):
            fn()  # one warm-up, not counted
            results.append(measure(name, pid, fn, n))
        st, body, _ = c.req("POST", f"/api/v1/windows/{window['id']}/sign-out", clerk)
        # leave no queue behind: the next run (a grown database) starts from the same today
        for tid in today_ids + issued:
            c.req("POST", f"/api/v1/tickets/{tid}/cancel", manager)
    finally:
        server.stop()
    return {
        "label": args.label or f"{facts['tickets'] / 1e6:.2f} M",
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "async_mode": args.async_mode,
        "queue_today": args.queue,
        "evaluation_range": [str(frm), str(to)],
        **facts,
        "results": results,
    }


def finish(c: Client, token: str, ticket: dict[str, Any]) -> None:
    if ticket.get("status") == "called":
        _check(*c.req("POST", f"/api/v1/tickets/{ticket['id']}/start", token)[:2], "start")
    _check(
        *c.req("POST", f"/api/v1/tickets/{ticket['id']}/complete", token, {"outcome": "done"})[:2], "complete"
    )


def markdown(r: dict[str, Any]) -> str:
    lines = [
        f"**{r['tickets']:,} tickets** ({r['first_day']} … {r['last_day']}), database "
        f"{r['db_bytes'] / 2**30:.2f} GiB, migration {r['migration']}, {r['when']}, {r['async_mode']}",
        "",
        "| query | n | p50 ms | p99 ms | max ms | load avg (1 min) | rest of machine CPU | server CPU |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    names = dict(QUERIES)
    for q in r["results"]:
        lines.append(
            f"| {names[q['name']]} | {q['n']} | {q['p50_ms']:.1f} | {q['p99_ms']:.1f} | {q['max_ms']:.1f} | "
            f"{q['load1_before']:.2f} → {q['load1_after']:.2f} | {q['other_cpu_pct']:.0f} % | "
            f"{q.get('server_cpu_pct', 0):.0f} % |"
        )
    lines += ["", "| table | rows | total (with indexes, TOAST) | heap |", "| --- | ---: | ---: | ---: |"]
    for t in r["tables"]:
        lines.append(
            f"| {t['table']} | {t['rows']:,} | {t['total_bytes'] / 2**20:,.0f} MiB | "
            f"{t['heap_bytes'] / 2**20:,.0f} MiB |"
        )
    return "\n".join(lines)


def _lsq(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Least squares y = a + b·x; returns (a, b, r²)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    a = my - b * mx
    ss = sum((y - my) ** 2 for y in ys)
    res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=True))
    return a, b, (1 - res / ss) if ss else 1.0


def fit(paths: list[str], project: int) -> dict[str, Any]:
    runs = sorted((json.loads(Path(p).read_text()) for p in paths), key=lambda r: r["tickets"])
    counts = [r["tickets"] for r in runs]
    out: dict[str, Any] = {"counts": counts, "project_to": project, "fits": []}
    names = dict(QUERIES)
    lines = [
        f"Fit over {', '.join(f'{c / 1e6:.2f} M' for c in counts)} tickets; **projection** to "
        f"{project / 1e6:.0f} M tickets (extrapolated from the measured curve, not measured):",
        "",
        f"| query | figure | measured (ms) | curve | r² | **projection at {project / 1e6:.0f} M** (ms) |",
        "| --- | --- | --- | --- | ---: | ---: |",
    ]
    for key, _label in QUERIES:
        for fig in ("p50_ms", "p99_ms"):
            ys = [next(q[fig] for q in r["results"] if q["name"] == key) for r in runs]
            xs_m = [c / 1e6 for c in counts]
            lin = _lsq(xs_m, ys)
            log = _lsq([math.log(x) for x in xs_m], ys)
            if lin[1] <= 0:  # no growth measured: the differences are noise (load), not data
                r2 = math.nan
                proj = max(ys)
                curve = "flat (no growth measured; projection = the highest measured)"
            elif len(runs) > 2 and log[2] > lin[2] and log[1] > 0:
                a, b, r2 = log
                curve = f"{a:.1f} + {b:.2f}·ln(M)"
                proj = a + b * math.log(project / 1e6)
            else:
                a, b, r2 = lin
                curve = f"{a:.1f} + {b:.3f}·M"
                proj = a + b * project / 1e6
            out["fits"].append(
                {"query": key, "figure": fig, "measured": ys, "curve": curve, "r2": r2, "projection_ms": proj}
            )
            lines.append(
                f"| {names[key]} | {fig[:3]} | {' / '.join(f'{y:.1f}' for y in ys)} | {curve} | {r2:.2f} | "
                f"**{proj:.1f}** (projection) |"
            )
    lines.append("")
    lines.append(
        "M = millions of tickets in the database. A projection assumes the curve holds; the "
        "measurements were taken on a shared, loaded machine (see the load columns)."
    )
    out["markdown"] = "\n".join(lines)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=DEFAULT_URL, help=f"the generated database (default {DEFAULT_URL})")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--async-mode", default="gevent", help="the server's HALLQ_ASYNC_MODE (default gevent)")
    ap.add_argument("--samples", type=int, default=200, help="samples of the snapshot, phone page, call-next")
    ap.add_argument("--eval-samples", type=int, default=10, help="samples of the month's evaluation")
    ap.add_argument("--queue", type=int, default=60, help="tickets issued today before measuring")
    ap.add_argument("--max-background", type=float, default=0.3)
    ap.add_argument("--quiet-wait", type=float, default=30.0, help="seconds to wait for a quieter machine")
    ap.add_argument("--label")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--fit", nargs="+", metavar="JSON", help="fit these results instead of measuring")
    ap.add_argument("--project", type=int, default=25_000_000, help="project the fit to this many tickets")
    args = ap.parse_args(argv)
    if args.fit:
        f = fit(args.fit, args.project)
        print(f["markdown"])
        lib.write_json(args.json, f)
        return 0
    r = run(args)
    print()
    print(markdown(r))
    lib.write_json(args.json, r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
