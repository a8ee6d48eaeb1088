#!/usr/bin/env python3
"""The hallq benchmarks through a real cluster: PostgreSQL, Redis, `hallq serve --workers N`
and a private nginx in front (TLS), as docs/deployment.md sets up a city's machine.

For each benchmark the runner makes a fresh cluster and takes it down afterwards: a new
database `hallq_bench_<bench>_<random>` on --postgres (dropped at the end; or a SQLite file in a
temp folder), the demo hall seeded (`hallq demo-seed`), tokens (`hallq token create`), the real
supervisor (`python -m server serve --workers N --port P`, HALLQ_MESSAGE_QUEUE=--redis,
HALLQ_RATE_LIMITS=false), a self-signed certificate and a private nginx (`hallq nginx-config
--standalone`) on a free loopback port. The clients talk HTTPS/WSS to nginx only.

    .venv/bin/python bench/cluster.py                                  # all four, the issue's sizes
    .venv/bin/python bench/cluster.py --bench board --clients 300 --client-procs 2 --calls 10

Benchmarks (--bench): issue, board, storm, openloop; bench/README.md says what each measures.
Everything is stopped and dropped on exit, on Ctrl-C and on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

try:
    from bench import _benchlib as lib
    from bench.call_to_board import Clerk
    from bench.run import Server, machine, pg_create, pg_drop, profile_top, pyspy_path, run_client
except ImportError:  # run as a script: bench/ itself is on sys.path
    import _benchlib as lib  # type: ignore[no-redef]
    from call_to_board import Clerk  # type: ignore[no-redef]
    from run import (  # type: ignore[no-redef]
        Server,
        machine,
        pg_create,
        pg_drop,
        profile_top,
        pyspy_path,
        run_client,
    )

NGINX = "/usr/sbin/nginx"
BENCHES = ("issue", "board", "storm", "openloop")
#: the second hall the open-loop run's boards watch (see --openloop-board-hall)
IDLE_HALL = "idle"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--bench", default=",".join(BENCHES), help="comma-separated: " + ", ".join(BENCHES))
    p.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        metavar="URL",
        help="PostgreSQL server (a database on it to connect to); each cluster creates and drops "
        "its own database there",
    )
    p.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/13",
        metavar="URL",
        help="HALLQ_MESSAGE_QUEUE of the workers",
    )
    p.add_argument("--mode", default="gevent", help="HALLQ_ASYNC_MODE")
    p.add_argument("--python", default=sys.executable, help="interpreter for the servers and the clients")
    p.add_argument("--out", help="folder for results and logs (default: a new temp folder, kept)")
    p.add_argument("--keep", action="store_true", help="keep the clusters' temp folders and databases")
    p.add_argument("--quiet-wait", type=float, default=120.0, help="see run.py")
    p.add_argument("--max-background", type=float, default=0.3, help="see run.py")
    g = p.add_argument_group("issue")
    g.add_argument(
        "--issue-setups",
        default="postgresql:1,postgresql:2,sqlite:1",
        help="DB:PROCESSES pairs, each its own cluster behind nginx",
    )
    g.add_argument("--concurrency", type=int, default=50, help="issue_load connections")
    g.add_argument("--duration", type=float, default=20.0, help="issue_load measured seconds")
    g.add_argument(
        "--clerks",
        type=int,
        default=4,
        help="clerks calling next at this many windows at once during and after the issue load "
        "(the double-call check)",
    )
    g = p.add_argument_group("board, storm, openloop")
    g.add_argument("--workers", type=int, default=2, help="server processes")
    g.add_argument("--clients", type=int, default=5000, help="subscribed raw sockets")
    g.add_argument("--client-procs", type=int, default=4, help="processes the sockets are spread over")
    g.add_argument(
        "--connect-concurrency",
        type=int,
        default=10,
        help="boards connecting at once per client process (the set-up, not measured: each "
        "subscribe reads a snapshot, and a worker's database pool holds 30 connections)",
    )
    g.add_argument("--calls", type=int, default=30, help="board: measured calls")
    g.add_argument(
        "--profile",
        type=float,
        default=0.0,
        metavar="S",
        help="board: record each worker with py-spy (--gil) for S seconds from the moment every "
        "board is subscribed, i.e. during the calls (writes board-worker-PID.speedscope.json)",
    )
    g.add_argument("--missed", type=int, default=3, help="storm: calls made after the drop")
    g.add_argument("--storm-goal", type=float, default=15.0, help="storm: seconds allowed (the goal)")
    g.add_argument("--openloop-s", type=float, default=600.0, help="openloop: seconds of issuing")
    g.add_argument("--openloop-rate", type=float, default=100.0, help="openloop: tickets per second")
    g.add_argument("--openloop-concurrency", type=int, default=50, help="openloop: connections at most")
    g.add_argument("--call-every", type=float, default=10.0, help="openloop: a clerk calls every N s")
    g.add_argument(
        "--openloop-clerks",
        type=int,
        default=0,
        help="openloop: clerks serving the issued tickets in the demo hall (call, start, complete; "
        "1 s pause when nobody waits), so the queue stays at a hall's size; 0: nobody serves",
    )
    g.add_argument("--rss-every", type=float, default=10.0, help="openloop: sample worker RSS every N s")
    g.add_argument(
        "--openloop-board-hall",
        default=IDLE_HALL,
        help=f"openloop: the hall the sockets watch. '{IDLE_HALL}' (default): a second hall where "
        "only the clerk calls, so a socket gets one event per call; 'demo': the hall being issued "
        "in, so every socket gets every ticket.issued too (100/s x 5,000 = 500,000 frames/s)",
    )
    p.add_argument("--seed-idle-hall", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def seed_idle_hall() -> None:
    """--seed-idle-hall (run with the cluster's environment): a second hall with one service, one
    window and its clerk, for boards that should not see the demo hall's issuing."""
    from sqlalchemy import select  # noqa: PLC0415

    from server import create_app  # noqa: PLC0415
    from server.services.core.credentials import create_user  # noqa: PLC0415
    from server.storage.models import Hall, Service, Window, WindowService  # noqa: PLC0415

    ctx = create_app({}).extensions["hallq"]
    with ctx.db.transaction() as s:
        if s.scalar(select(Hall).where(Hall.code == IDLE_HALL)) is not None:
            return
        hall = Hall(code=IDLE_HALL, name="基准测试大厅", timezone="Asia/Shanghai", rollover_hour=0, seq=0)
        hall.created_at = ctx.clock()
        s.add(hall)
        s.flush()
        svc = Service(
            hall_id=hall.id, code="A", prefix="A", name="综合", name_en="General", sort=0, active=True
        )
        svc.category = "综合"
        s.add(svc)
        s.flush()
        w = Window(hall_id=hall.id, number=1, name="1号窗口", status="closed")
        s.add(w)
        s.flush()
        s.add(WindowService(window_id=w.id, service_id=svc.id, position=0))
        clerk = create_user(s, "idleclerk", secrets.token_urlsafe(12), "clerk", "基准", hall)
        s.flush()
        w.a_user_id = clerk.id


def free_ports(n: int) -> int:
    """A first port of `n` consecutive free ones, below the ephemeral range."""
    for _ in range(200):
        base = 20000 + secrets.randbelow(10000)
        socks = []
        try:
            for port in range(base, base + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free ports")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost (openssl), as tests/e2e/cluster_support.py."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return cert, key


def _healthy(url: str, context: ssl.SSLContext | None = None) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2, context=context) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class Cluster(Server):
    """A database, the demo hall, `serve --workers N` and a private nginx in front of it."""

    def __init__(self, args: argparse.Namespace, name: str, db: str, workers: int, out: Path) -> None:
        self.name, self.db, self.workers = name, db, workers
        self.work = Path(tempfile.mkdtemp(prefix=f"hallq-cluster-{name}-"))
        self.pg_name: str | None = None
        if db == "postgresql":
            self.pg_name = f"hallq_bench_{name}_{secrets.token_hex(4)}".replace("-", "_")
            db_url = pg_create(args.postgres, self.pg_name)
        else:
            db_url = f"sqlite:///{self.work}/hallq.db"
        args.message_queue = args.redis if workers > 1 or db == "postgresql" else None
        super().__init__(args, args.mode, db_url, self.work, out / f"{name}-server.log")
        self.env["HALLQ_DEMO_HISTORY_DAYS"] = "0"
        self.env["HALLQ_SECRET_KEY"] = secrets.token_hex(16)
        self.port = free_ports(workers)
        self.nginx: subprocess.Popen[bytes] | None = None
        self.nginx_port = free_ports(1)
        self.url = f"https://127.0.0.1:{self.nginx_port}"
        self.backends = [f"http://127.0.0.1:{p}" for p in range(self.port, self.port + workers)]
        self.cert: Path | None = None

    def start(self, timeout: float = 120.0) -> None:
        self.cli("demo-seed", timeout=300)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.args.python, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
            + ["--workers", str(self.workers)],
            cwd=self.workdir,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.wait_workers(timeout)
        self.cert, key = self_signed(self.work)
        folder = self.work / "nginx"
        self.cli(
            "nginx-config", "--workers", str(self.workers), "--port", str(self.port),
            "--listen", f"127.0.0.1:{self.nginx_port}", "--server-name", "localhost",
            "--certificate", str(self.cert), "--certificate-key", str(key), "--standalone", str(folder),
        )  # fmt: skip
        cmd = [
            NGINX,
            "-p",
            str(folder),
            "-c",
            str(folder / "nginx.conf"),
            "-e",
            str(folder / "logs/error.log"),
        ]
        test = subprocess.run([*cmd, "-t"], capture_output=True, text=True, timeout=30)
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t: {test.stderr}")
        self.nginx = subprocess.Popen(
            [*cmd, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        context = ssl.create_default_context(cafile=str(self.cert))
        deadline = time.monotonic() + 30
        while not _healthy(self.url, context):
            if time.monotonic() > deadline or self.nginx.poll() is not None:
                raise RuntimeError(f"nginx does not answer on {self.url}")
            time.sleep(0.2)

    def wait_workers(self, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        for url in self.backends:
            while not _healthy(url):
                if self.proc.poll() is not None:
                    raise RuntimeError(f"`serve` exited with {self.proc.returncode}:\n{self.tail()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} not healthy after {timeout}s:\n{self.tail()}")
                time.sleep(0.3)

    def worker_pids(self) -> list[int]:
        """The server processes (the supervisor's children; the process itself with one)."""
        assert self.proc is not None
        return lib.children(self.proc.pid) if self.workers > 1 else [self.proc.pid]

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            try:
                os.killpg(self.nginx.pid, signal.SIGTERM)
                self.nginx.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.nginx.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.proc is not None:
            super().stop()
        if self.pg_name and not self.args.keep:
            try:
                pg_drop(self.args.postgres, self.pg_name)
            except Exception as e:  # noqa: BLE001
                print(f"could not drop {self.pg_name}: {e}", flush=True)
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)

    def client_argv(self) -> list[str]:
        return ["--url", self.url, "--cafile", str(self.cert), "--quiet"]


# -- the double-call check ------------------------------------------------------------------------


def clerks_calling(
    cluster: Cluster, tokens: list[str], stop: threading.Event, out: dict[str, Any], idle_s: float = 0.05
) -> None:
    """Clerks at several windows call next (then start, complete) as fast as they can, all at
    once, until `stop` is set and the queue they see is empty (or 10 s more); a clerk who finds
    nobody waiting asks again after `idle_s`. Every answered call-next is recorded: no ticket
    may come back twice."""

    async def run() -> None:
        import aiohttp  # noqa: PLC0415

        http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, ssl=lib.ssl_context(str(cluster.cert))),
            timeout=aiohttp.ClientTimeout(total=30),
        )
        calls: list[tuple[int, str]] = []
        errors: list[str] = []
        try:
            clerks = []
            taken: set[int] = set()
            for tok in tokens:
                ns = argparse.Namespace(
                    url=cluster.url, hall="demo", clerk_token=tok, kiosk_token="-", window=0, service=None
                )
                c = Clerk(ns, http)
                await c.setup()
                if c.window not in taken:
                    taken.add(c.window)
                    clerks.append(c)

            async def loop(c: Clerk) -> None:
                drained_at = None
                while True:
                    if stop.is_set():
                        drained_at = drained_at or time.monotonic()
                        if time.monotonic() - drained_at > 10:
                            return
                    try:
                        st, t = await c.req("POST", f"/windows/{c.window}/call-next", c.h_clerk)
                    except (aiohttp.ClientError, TimeoutError) as e:
                        errors.append(repr(e))
                        continue
                    if st == 200:
                        calls.append((c.window, t["id"]))
                        try:
                            await c.finish(t)
                        except RuntimeError as e:
                            errors.append(str(e))
                    elif stop.is_set():
                        return  # the queue is empty after the load: done
                    else:
                        await asyncio.sleep(idle_s)

            await asyncio.gather(*(loop(c) for c in clerks))
        finally:
            await http.close()
        seen: dict[str, int] = {}
        for _, tid in calls:
            seen[tid] = seen.get(tid, 0) + 1
        out.update(
            {
                "windows": sorted({w for w, _ in calls}),
                "calls": len(calls),
                "tickets_called_twice_in_answers": sum(1 for n in seen.values() if n > 1),
                "errors": len(errors),
                "error_samples": errors[:5],
            }
        )

    try:
        asyncio.run(run())
    except Exception as e:  # noqa: BLE001 - reported with the result
        out["error"] = f"{type(e).__name__}: {e}"


def double_calls_in_db(cluster: Cluster) -> int:
    """Tickets with more than one ticket.called event (recalls are ticket.recalled)."""
    query = (
        "SELECT count(*) FROM (SELECT ticket_id FROM events WHERE type = 'ticket.called' "
        "GROUP BY ticket_id HAVING count(*) > 1) AS twice"
    )
    url = cluster.env["HALLQ_DATABASE_URL"]
    if url.startswith("sqlite"):
        import sqlite3  # noqa: PLC0415

        with sqlite3.connect(url.split("///", 1)[1]) as conn:
            return int(conn.execute(query).fetchone()[0])
    import psycopg2  # noqa: PLC0415
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    u = make_url(url)
    conn = psycopg2.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database)
    try:
        with conn.cursor() as c:
            c.execute(query)
            return int(c.fetchone()[0])
    finally:
        conn.close()


def waiting_in(cluster: Cluster, hall: str) -> int | None:
    """Tickets waiting in `hall` now (PostgreSQL clusters; None elsewhere or on error)."""
    url = cluster.env["HALLQ_DATABASE_URL"]
    if url.startswith("sqlite"):
        return None
    import psycopg2  # noqa: PLC0415
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    u = make_url(url)
    try:
        conn = psycopg2.connect(
            host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database
        )
    except psycopg2.Error:
        return None
    try:
        with conn.cursor() as c:
            c.execute(
                "SELECT count(*) FROM tickets t JOIN halls h ON h.id = t.hall_id"
                " WHERE h.code = %s AND t.status = 'waiting'",
                (hall,),
            )
            return int(c.fetchone()[0])
    finally:
        conn.close()


# -- the benchmarks -------------------------------------------------------------------------------


def bench_issue(args: argparse.Namespace, out: Path) -> list[dict[str, Any]]:
    results = []
    for setup in [s.strip() for s in args.issue_setups.split(",") if s.strip()]:
        db, _, n = setup.partition(":")
        workers = int(n or 1)
        name = f"issue-{db}-{workers}"
        res: dict[str, Any] = {"setup": name, "db": db, "processes": workers, "via": "nginx (HTTPS)"}
        results.append(res)
        cluster = None
        try:
            cluster = Cluster(args, name.replace("postgresql", "pg"), db, workers, out)
            print(f"\n## {name}: {cluster.url} -> {', '.join(cluster.backends)}", flush=True)
            cluster.start()
            assert cluster.proc is not None
            kiosk = cluster.token("kiosk")
            clerks = [cluster.token("clerk", f"clerk{i:02d}") for i in range(1, args.clerks + 1)]
            lib.wait_for_quiet_machine(args.max_background, args.quiet_wait)
            stop = threading.Event()
            calling: dict[str, Any] = {}
            thread = threading.Thread(target=clerks_calling, args=(cluster, clerks, stop, calling))
            thread.start()
            try:
                res["issue"] = run_client(
                    args,
                    "issue_load.py",
                    [
                        *cluster.client_argv(), "--server-pid", str(cluster.proc.pid), "--token", kiosk,
                        "--concurrency", str(args.concurrency), "--duration", str(args.duration),
                    ],
                    out / f"{name}.json",
                    args.duration + 120,
                    out / f"{name}.stderr",
                )  # fmt: skip
            finally:
                stop.set()
                thread.join(120)
            res["clerks"] = calling
            res["double_calls_in_db"] = double_calls_in_db(cluster)
        except Exception as e:  # noqa: BLE001 - report and go on
            res["error"] = f"{type(e).__name__}: {e}"[-3000:]
            print(res["error"], flush=True)
        finally:
            if cluster is not None:
                cluster.stop()
    return results


def _board_cluster(args: argparse.Namespace, name: str, out: Path) -> Cluster:
    cluster = Cluster(args, name, "postgresql", args.workers, out)
    print(f"\n## {name}: {cluster.url} -> {', '.join(cluster.backends)}", flush=True)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()  # a cluster that failed to come up leaves no supervisor, nginx or database
        raise
    return cluster


def bench_board(args: argparse.Namespace, out: Path) -> dict[str, Any]:
    res: dict[str, Any] = {
        "processes": args.workers,
        "clients": args.clients,
        "client_procs": args.client_procs,
    }
    cluster = None
    try:
        cluster = _board_cluster(args, "board", out)
        assert cluster.proc is not None
        kiosk, board, clerk = (
            cluster.token("kiosk"),
            cluster.token("board"),
            cluster.token("clerk", "clerk01"),
        )
        pids = cluster.worker_pids()
        lib.wait_for_quiet_machine(args.max_background, args.quiet_wait)
        ready = out / "board.ready"
        ready.unlink(missing_ok=True)
        spies = _profile_when_ready(args, pids, ready, out) if args.profile else []
        res["board"] = run_client(
            args,
            "call_to_board.py",
            [
                *cluster.client_argv(), "--server-pid", str(cluster.proc.pid), "--client", "raw",
                "--client-procs", str(args.client_procs), "--clerk-token", clerk, "--kiosk-token", kiosk,
                "--board-token", board, "--clients", str(args.clients), "--calls", str(args.calls),
                "--rss-pids", ",".join(map(str, pids)),
                "--connect-timeout", "600", "--connect-concurrency", str(args.connect_concurrency),
                "--ready-file", str(ready),
            ],
            out / "board.json",
            1500,
            out / "board.stderr",
        )  # fmt: skip
        for t in spies:
            t.join(args.profile + 60)
        profiles = sorted(out.glob("board-worker-*.speedscope.json"))
        if profiles:
            res["profile"] = {str(p): profile_top(p) for p in profiles}
    except Exception as e:  # noqa: BLE001
        res["error"] = f"{type(e).__name__}: {e}"[-3000:]
        print(res["error"], flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    return res


def _profile_when_ready(
    args: argparse.Namespace, pids: list[int], ready: Path, out: Path
) -> list[threading.Thread]:
    """Threads that wait for `ready` (the boards are all subscribed), then run py-spy on each
    worker for --profile seconds."""

    def spy(pid: int) -> None:
        deadline = time.monotonic() + 1500
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        argv = [
            pyspy_path(args.python), "record", "--pid", str(pid), "--duration", str(int(args.profile)),
            "--rate", "100", "--gil", "--function", "--format", "speedscope", "--nonblocking",
            "--output", str(out / f"board-worker-{pid}.speedscope.json"),
        ]  # fmt: skip
        with open(out / f"board-pyspy-{pid}.log", "w") as log:
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=log, check=False)

    threads = [threading.Thread(target=spy, args=(pid,), daemon=True) for pid in pids]
    for t in threads:
        t.start()
    return threads


def bench_storm(args: argparse.Namespace, out: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"processes": args.workers, "clients": args.clients, "goal_s": args.storm_goal}
    cluster = None
    try:
        cluster = _board_cluster(args, "storm", out)
        kiosk, board, clerk = (
            cluster.token("kiosk"),
            cluster.token("board"),
            cluster.token("clerk", "clerk01"),
        )
        pids = cluster.worker_pids()
        lib.wait_for_quiet_machine(args.max_background, args.quiet_wait)
        # every worker gets SIGTERM at once; the supervisor starts each again at once
        res["storm"] = run_client(
            args,
            "reconnect_storm.py",
            [
                "--url", cluster.url, "--cafile", str(cluster.cert), "--clerk-token", clerk,
                "--kiosk-token", kiosk, "--board-token", board, "--clients", str(args.clients),
                "--client-procs", str(args.client_procs), "--missed", str(args.missed),
                "--drop-command", "kill -TERM " + " ".join(map(str, pids)),
                "--storm-timeout", str(max(60.0, 4 * args.storm_goal)),
                "--connect-timeout", "600", "--connect-concurrency", str(args.connect_concurrency),
            ],
            out / "storm.json",
            1500,
            out / "storm.stderr",
        )  # fmt: skip
        res["workers_before"] = pids
        res["workers_after"] = cluster.worker_pids()
        s = res["storm"]
        res["goal_met"] = bool(
            s["failures"] == 0
            and s["last_resynced_s"] is not None
            and s["last_resynced_s"] <= args.storm_goal
        )
    except Exception as e:  # noqa: BLE001
        res["error"] = f"{type(e).__name__}: {e}"[-3000:]
        print(res["error"], flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    return res


def bench_openloop(args: argparse.Namespace, out: Path) -> dict[str, Any]:
    hall = args.openloop_board_hall
    res: dict[str, Any] = {
        "processes": args.workers,
        "clients": args.clients,
        "rate": args.openloop_rate,
        "seconds": args.openloop_s,
        "board_hall": hall,
    }
    cluster = None
    boards: subprocess.Popen[str] | None = None
    try:
        cluster = _board_cluster(args, "openloop", out)
        assert cluster.proc is not None
        if hall == IDLE_HALL:
            r = subprocess.run(
                [args.python, str(HERE / "cluster.py"), "--seed-idle-hall"],
                env=cluster.env,
                cwd=cluster.workdir,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if r.returncode != 0:
                raise RuntimeError(f"seeding the idle hall: {r.stderr[-2000:]}")
            board_clerk = ("clerk", "idleclerk")
        else:
            board_clerk = ("clerk", "clerk01")
        kiosk = cluster.token("kiosk")
        argv = ["token", "create", "--role", "board", "--hall", hall]
        board = cluster.cli(*argv).strip().splitlines()[-1].split()[-1]
        argv = ["token", "create", "--role", "kiosk", "--hall", hall]
        board_kiosk = cluster.cli(*argv).strip().splitlines()[-1].split()[-1]
        argv = ["token", "create", "--role", board_clerk[0], "--hall", hall, "--user", board_clerk[1]]
        clerk = cluster.cli(*argv).strip().splitlines()[-1].split()[-1]
        lib.wait_for_quiet_machine(args.max_background, args.quiet_wait)
        ready = out / "openloop-boards.ready"
        ready.unlink(missing_ok=True)
        calls = max(1, int(args.openloop_s / args.call_every))
        cmd = [
            args.python, str(HERE / "call_to_board.py"), *cluster.client_argv(), "--hall", hall,
            "--client", "raw", "--client-procs", str(args.client_procs), "--clerk-token", clerk,
            "--kiosk-token", board_kiosk, "--board-token", board, "--clients", str(args.clients),
            "--calls", str(calls), "--warmup-calls", "1", "--interval", str(args.call_every),
            "--connect-timeout", "600", "--connect-concurrency", str(args.connect_concurrency),
            "--ready-file", str(ready),
            "--json", str(out / "openloop-boards.json"),
        ]  # fmt: skip
        with open(out / "openloop-boards.stderr", "w") as err:
            boards = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, text=True)
        deadline = time.monotonic() + 600
        while not ready.exists():
            if boards.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the boards did not connect; see openloop-boards.stderr")
            time.sleep(0.5)
        pids = cluster.worker_pids()
        samples: list[dict[str, Any]] = []
        stop = threading.Event()

        def sample() -> None:
            t0 = time.monotonic()
            while True:
                samples.append(
                    {
                        "t_s": round(time.monotonic() - t0, 1),
                        **{str(p): lib.rss_kib(p) for p in pids},
                        "waiting": waiting_in(cluster, "demo"),
                    }
                )
                if stop.wait(args.rss_every):
                    return

        sampler = threading.Thread(target=sample)
        sampler.start()
        calling: dict[str, Any] = {}
        serving = None
        if args.openloop_clerks:
            tokens = [cluster.token("clerk", f"clerk{i:02d}") for i in range(1, args.openloop_clerks + 1)]
            serving = threading.Thread(target=clerks_calling, args=(cluster, tokens, stop, calling, 1.0))
            serving.start()
        try:
            res["issue"] = run_client(
                args,
                "issue_load.py",
                [
                    *cluster.client_argv(), "--server-pid", str(cluster.proc.pid), "--token", kiosk,
                    "--concurrency", str(args.openloop_concurrency), "--rate", str(args.openloop_rate),
                    "--duration", str(args.openloop_s), "--series", "60",
                ],
                out / "openloop-issue.json",
                args.openloop_s + 180,
                out / "openloop-issue.stderr",
            )  # fmt: skip
        finally:
            stop.set()
            sampler.join()
            if serving is not None:
                serving.join(120)
        res["rss_kib"] = samples
        if args.openloop_clerks:
            res["clerks"] = calling
        res["worker_pids"] = pids
        try:
            boards.wait(max(60.0, 3 * args.call_every))
        except subprocess.TimeoutExpired:
            boards.send_signal(signal.SIGINT)
        if (out / "openloop-boards.json").exists():
            res["boards"] = json.loads((out / "openloop-boards.json").read_text())
    except Exception as e:  # noqa: BLE001
        res["error"] = f"{type(e).__name__}: {e}"[-3000:]
        print(res["error"], flush=True)
    finally:
        if boards is not None and boards.poll() is None:
            boards.terminate()
            try:
                boards.wait(30)
            except subprocess.TimeoutExpired:
                boards.kill()
        if cluster is not None:
            cluster.stop()
    return res


# -- the report -----------------------------------------------------------------------------------


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown(m: dict[str, str], args: argparse.Namespace, r: dict[str, Any]) -> str:
    f = lib.fmt_ms
    lines = [
        "# hallq cluster benchmark",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram']} RAM, Linux {m['kernel']}, "
        f"Python {m['python']}, "
        f"commit {m['commit']}. `hallq serve --workers N` ({args.mode}) behind a private nginx (TLS); "
        f"PostgreSQL {args.postgres.rsplit('@', 1)[-1]}, Redis {args.redis}.",
    ]
    if "issue" in r:
        lines += [
            "",
            f"### Ticket issue: closed loop, {args.concurrency} connections, {args.duration:g} s, "
            "through nginx",
            "",
            _row(
                "setup", "tickets/s", "p50 ms", "p99 ms", "max ms", "errors", "duplicate numbers",
                "clerk calls", "double calls (answers / DB)", "server CPU", "rest of machine CPU",
            ),
            _row("---", *["---:"] * 10),
        ]  # fmt: skip
        for s in r["issue"]:
            i = s.get("issue")
            if not i:
                lines.append(_row(s["setup"], f"failed: {(s.get('error') or '?')[:150]}", *[""] * 9))
                continue
            c = s.get("clerks", {})
            lat = i["latency"]
            lines.append(
                _row(
                    s["setup"], f"{i['tickets_per_s']:.0f}", f(lat.get("p50_ms")), f(lat.get("p99_ms")),
                    f(lat.get("max_ms")), i["errors"],
                    f"{i['duplicate_numbers'] + i['duplicate_ids']} of {i['tickets_checked_for_duplicates']}",
                    f"{c.get('calls', '?')} at {len(c.get('windows', []))} windows",
                    f"{c.get('tickets_called_twice_in_answers', '?')} / {s.get('double_calls_in_db', '?')}",
                    f"{i.get('server_cpu_pct', 0):.0f}%", f"{i['other_cpu_pct']:.0f}%",
                )
            )  # fmt: skip
    if "board" in r:
        b = r["board"].get("board")
        lines += [
            "",
            f"### Call-to-board: {args.clients} raw sockets, {args.workers} processes, through nginx",
            "",
        ]
        if not b:
            lines.append(f"failed: {r['board'].get('error')}")
        else:
            lat = b.get("latency", {})
            lines += [
                _row(
                    "connected", "p50 ms", "p99 ms", "max ms", "last board p99 ms", "missed", "disconnects",
                    "KiB per socket", "client procs", "server CPU", "rest of machine CPU",
                ),
                _row(*["---:"] * 11),
                _row(
                    f"{b['clients_connected']}/{b['clients_requested']}", f(lat.get("p50_ms")),
                    f(lat.get("p99_ms")), f(lat.get("max_ms")), f(b["last_board_latency"].get("p99_ms")),
                    f"{b['missed_events']} of {b['expected_receipts']}", b["disconnects"],
                    f"{b.get('rss_per_socket_kib', float('nan')):.1f}", b["client_procs"],
                    f"{b.get('server_cpu_pct', 0):.0f}%", f"{b['other_cpu_pct']:.0f}%",
                ),
                "",
                f"Goal p99 < 100 ms: {'met' if lat.get('p99_ms', 1e9) < 100 else 'missed'}. "
                "Latency: call-next "
                "sent (clerk process) to ticket.called read by each board (its board process), both "
                "CLOCK_MONOTONIC. RSS: VmRSS of each worker before and after connecting "
                f"({b.get('rss_before_kib')} -> {b.get('rss_after_kib')} KiB).",
            ]  # fmt: skip
    if "storm" in r:
        s = r["storm"].get("storm")
        lines += ["", f"### Reconnect storm: {args.clients} sockets, both workers restarted (SIGTERM)", ""]
        if not s:
            lines.append(f"failed: {r['storm'].get('error')}")
        else:
            lines += [
                _row("connected", "resynced with all missed calls", "p50 s", "p99 s", "last s",
                     "calls made at s", "resubscribed p50 / p99 / last s",
                     "snapshot resyncs", f"goal {args.storm_goal:g} s"),
                _row(*["---:"] * 9),
                _row(
                    f"{s['connected']}/{s['clients']}", s["resynced"], f"{s['p50_s'] or float('nan'):.2f}",
                    f"{s['p99_s'] or float('nan'):.2f}", f"{s['last_resynced_s'] or float('nan'):.2f}",
                    ", ".join(map(str, s["calls_made_at_s"])),
                    " / ".join(f"{s.get(k) or float('nan'):.2f}" for k in
                               ("resubscribed_p50_s", "resubscribed_p99_s", "resubscribed_last_s")),
                    s["snapshot_resyncs"],
                    "met" if r["storm"].get("goal_met") else "missed",
                ),
            ]  # fmt: skip
            if s.get("phases"):
                lines += [
                    "",
                    f"/healthz answered through nginx again at {s.get('healthz_back_s')} s. "
                    f"Each board's reconnect, phase by phase (tries: p50 {s.get('tries_p50')}, "
                    f"max {s.get('tries_max')}; failed tries by the phase they failed in: "
                    f"{s.get('try_errors') or 'none'}):",
                    "",
                    _row(
                        "phase ended",
                        "first at s",
                        "p50 s",
                        "p99 s",
                        "last s",
                        "took p50 s",
                        "p99 s",
                        "max s",
                    ),
                    _row("---", *["---:"] * 7),
                ]
                for ph in s["phases"]:
                    lines.append(
                        _row(
                            ph["phase"],
                            *(f"{ph[k]:.2f}" if ph.get(k) is not None else "–" for k in
                              ("ended_first_s", "ended_p50_s", "ended_p99_s", "ended_last_s",
                               "took_p50_s", "took_p99_s", "took_max_s")),
                        )
                    )  # fmt: skip
                cpu = s.get("cpu_s") or {}
                if cpu.get("whole"):
                    parties = sorted(cpu["whole"])
                    lines += ["", "CPU seconds by party (2 cores: 2 s of CPU per second of wall time):", ""]
                    lines += [_row("span", *parties), _row("---", *["---:"] * len(parties))]
                    spans = (
                        (f"drop → /healthz ({s.get('healthz_back_s')} s)", "till_healthz"),
                        (f"/healthz → all resynced ({cpu.get('end_s')} s)", "after_healthz"),
                    )
                    for label, k in spans:
                        if cpu.get(k):
                            lines.append(_row(label, *(f"{cpu[k].get(p, 0):.1f}" for p in parties)))
    if "openloop" in r:
        o = r["openloop"]
        lines += [
            "",
            f"### Open loop: {args.openloop_rate:g} tickets/s for {args.openloop_s:g} s beside "
            f"{args.clients} sockets (watching hall `{o['board_hall']}`, a call every {args.call_every:g} s)",
            "",
        ]
        i = o.get("issue")
        if not i:
            lines.append(f"failed: {o.get('error')}")
        else:
            lat = i["latency"]
            lines += [
                f"Whole run: {i['tickets']} tickets, {i['tickets_per_s']:.1f}/s, "
                f"p50 {f(lat.get('p50_ms'))} ms, "
                f"p99 {f(lat.get('p99_ms'))} ms, max {f(lat.get('max_ms'))} ms, {i['errors']} errors, "
                f"{i['duplicate_numbers']} duplicate numbers.",
                "",
                _row("minute from", "tickets", "p50 ms", "p99 ms", "max ms"),
                _row(*["---:"] * 5),
            ]
            for b in i.get("series", []):
                lines.append(
                    _row(f"{b['from_s']:.0f} s", b["n"], f(b["p50_ms"]), f(b["p99_ms"]), f(b["max_ms"]))
                )
            pids = [str(p) for p in o.get("worker_pids", [])]
            lines += [
                "",
                _row("t s", *[f"worker {p} RSS MiB" for p in pids], "waiting in demo"),
                _row(*["---:"] * (2 + len(pids))),
            ]
            for smp in o.get("rss_kib", []):
                lines.append(
                    _row(
                        smp["t_s"],
                        *[f"{smp[p] / 1024:.1f}" if smp.get(p) else "-" for p in pids],
                        smp.get("waiting", "-"),
                    )
                )
            if "clerks" in o:
                c = o["clerks"]
                lines += [
                    "",
                    f"Clerks serving the demo hall: {c.get('calls')} calls at windows {c.get('windows')}, "
                    f"{c.get('tickets_called_twice_in_answers')} called twice, {c.get('errors')} errors"
                    + (f" ({c['error']})" if c.get("error") else "")
                    + ".",
                ]
            bd = o.get("boards")
            if bd and bd.get("latency", {}).get("n"):
                lines += [
                    "",
                    f"Boards meanwhile: {bd['clients_connected']} connected, {bd['calls']} calls, "
                    "call-to-board "
                    f"p50 {f(bd['latency']['p50_ms'])} ms, p99 {f(bd['latency']['p99_ms'])} ms, "
                    f"{bd['missed_events']} missed, {bd['disconnects']} disconnects.",
                ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.seed_idle_hall:
        seed_idle_hall()
        return 0
    benches = [b.strip() for b in args.bench.split(",") if b.strip()]
    unknown = set(benches) - set(BENCHES)
    if unknown:
        print(f"unknown --bench {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    if not Path(NGINX).exists():
        print(f"needs nginx at {NGINX} (apt-get install nginx)", file=sys.stderr)
        return 2
    # the runner's own children (the clients) inherit the raised limit
    lib.raise_fd_limit(4 * args.clients + 1024)
    # the server's bytecode, as an installed wheel has it: where PYTHONDONTWRITEBYTECODE is set (as
    # on the CI machines) every worker start would compile the whole package again (~2 s of CPU
    # in a reconnect storm's restart)
    subprocess.run([args.python, "-m", "compileall", "-q", str(ROOT / "server")], check=True)

    def terminated(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt  # unwinds through every `finally`: clusters stop, databases drop

    signal.signal(signal.SIGTERM, terminated)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="hallq-cluster-results-"))
    out.mkdir(parents=True, exist_ok=True)
    m = machine()
    results: dict[str, Any] = {}
    try:
        for b in benches:
            if b == "issue":
                results["issue"] = bench_issue(args, out)
            elif b == "board":
                results["board"] = bench_board(args, out)
            elif b == "storm":
                results["storm"] = bench_storm(args, out)
            elif b == "openloop":
                results["openloop"] = bench_openloop(args, out)
    except KeyboardInterrupt:
        print("interrupted: clusters stopped, databases dropped", file=sys.stderr)
        results["interrupted"] = True
    (out / "results.json").write_text(
        json.dumps({"machine": m, "args": vars(args), "results": results}, indent=2, ensure_ascii=False)
    )
    md = markdown(m, args, results)
    (out / "summary.md").write_text(md)
    print("\n" + md)
    print(f"(results and logs in {out})")
    return 1 if results.get("interrupted") else 0


if __name__ == "__main__":
    sys.exit(main())
