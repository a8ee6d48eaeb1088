#!/usr/bin/env python3
"""Run the hallq benchmarks against fresh local servers and print a markdown summary.

For each async mode: a new temp folder, a new database (SQLite file in that folder, or a
new PostgreSQL database created on the server given by --postgres and dropped afterwards),
``python -m server demo --port P`` on 127.0.0.1, tokens from ``python -m server token
create``, then call_to_board.py and issue_load.py, then the server is stopped. Every step
has a time limit; the server is always stopped (SIGTERM, then SIGKILL).

    .venv/bin/python bench/run.py                       # threading, eventlet, gevent on SQLite
    .venv/bin/python bench/run.py --modes eventlet --postgres postgresql://bench@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

try:
    from bench import _benchlib as lib
except ImportError:  # run as a script: bench/ itself is on sys.path
    import _benchlib as lib  # type: ignore[no-redef]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--modes", default="threading,eventlet,gevent", help="comma-separated async modes")
    p.add_argument(
        "--postgres",
        metavar="URL",
        help="PostgreSQL server URL (a database on it to connect to); "
        "each run creates and drops its own database there",
    )
    p.add_argument(
        "--message-queue",
        metavar="URL",
        help="set HALLQ_MESSAGE_QUEUE (e.g. redis://127.0.0.1:6379/0)",
    )
    p.add_argument("--python", default=sys.executable, help="interpreter for the server and the clients")
    p.add_argument("--bench", default="board,issue", help="which benchmarks: board,issue")
    p.add_argument("--concurrency", type=int, default=50, help="issue_load concurrency")
    p.add_argument("--duration", type=float, default=20.0, help="issue_load measured seconds")
    p.add_argument(
        "--issue-rate",
        type=float,
        default=500.0,
        help="after the closed-loop issue run, an open-loop run at this many tickets/s "
        "(latency at the bar's rate); 0 = skip",
    )
    p.add_argument(
        "--single-duration",
        type=float,
        default=5.0,
        help="seconds of issue load over a single keep-alive connection (the latency one kiosk or "
        "console sees on an idle server); 0 = skip",
    )
    p.add_argument("--services", default="all", help="issue_load services (see issue_load.py)")
    p.add_argument(
        "--board-clients",
        default="socketio,raw",
        help="call_to_board client kinds to run, in order: socketio (python-socketio AsyncClient), "
        "raw (minimal protocol client, less client CPU)",
    )
    p.add_argument("--clients", type=int, default=1000, help="call_to_board sockets")
    p.add_argument("--calls", type=int, default=30, help="call_to_board measured calls")
    p.add_argument(
        "--profile",
        action="store_true",
        help="record the server with py-spy during issue_load (needs py-spy; writes "
        "<out>/<mode>-issue.speedscope.json and a top-functions table)",
    )
    p.add_argument(
        "--out",
        default=None,
        help="folder for JSON results, server logs and profiles (default: a new temp folder, kept)",
    )
    p.add_argument("--keep", action="store_true", help="keep the per-run temp folders (databases)")
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="seconds to wait at most for --max-background before each benchmark",
    )
    p.add_argument(
        "--max-background",
        type=float,
        default=0.3,
        help="before each benchmark wait (up to --quiet-wait s) until the rest of the machine uses less "
        "than this many cores; the CPU other processes used during a run is reported either way",
    )
    return p.parse_args(argv)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> dict[str, str]:
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        commit = (
            subprocess.run(
                ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
            or "-"
        )
    except (OSError, subprocess.SubprocessError):
        commit = "-"
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "ram": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "commit": commit,
    }


class Server:
    """One `python -m server demo` child in its own session, logging to a file."""

    def __init__(self, args: argparse.Namespace, mode: str, db_url: str, workdir: Path, log: Path) -> None:
        self.args = args
        self.mode = mode
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.log_path = log
        self.env = dict(os.environ)
        self.env.update(
            {
                "HALLQ_DATABASE_URL": db_url,
                "HALLQ_ASYNC_MODE": mode,
                "PYTHONPATH": str(ROOT) + os.pathsep + self.env.get("PYTHONPATH", ""),
                "PYTHONUNBUFFERED": "1",
                # a thousand boards from one address are a load test here, not an attack:
                # the abuse limits (docs/security.md) would refuse them; bench/flood.py tests those
                "HALLQ_RATE_LIMITS": "false",
            }
        )
        if args.message_queue:
            self.env["HALLQ_MESSAGE_QUEUE"] = args.message_queue
        else:
            self.env.pop("HALLQ_MESSAGE_QUEUE", None)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> None:
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [
                self.args.python,
                "-m",
                "server",
                "demo",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=self.workdir,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"server not healthy after {timeout}s:\n{self.tail()}")

    def cli(self, *argv: str, timeout: float = 60.0) -> str:
        r = subprocess.run(
            [self.args.python, "-m", "server", *argv],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if r.returncode != 0:
            raise RuntimeError(f"`server {' '.join(argv)}` failed ({r.returncode}): {r.stderr[-2000:]}")
        return r.stdout

    def token(self, role: str, user: str | None = None) -> str:
        argv = ["token", "create", "--role", role, "--hall", "demo"]
        if user:
            argv += ["--user", user]
        out = self.cli(*argv)
        lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
        if not lines:
            raise RuntimeError(f"no token printed by `server {' '.join(argv)}`")
        # the token is the last word of the last line (bare token, or "token: XYZ")
        return lines[-1].split()[-1]

    def stop(self) -> None:
        if not self.proc:
            return
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)  # the server's own session (start_new_session)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.log.close()

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def pg_create(url: str, name: str) -> str:
    import psycopg2  # noqa: PLC0415 - only needed with --postgres
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    u = make_url(url)
    conn = psycopg2.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname=u.database or "postgres",
    )
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return u.set(drivername="postgresql+psycopg2", database=name).render_as_string(hide_password=False)


def pg_drop(url: str, name: str) -> None:
    import psycopg2  # noqa: PLC0415
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    u = make_url(url)
    conn = psycopg2.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname=u.database or "postgres",
    )
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def run_client(
    args: argparse.Namespace,
    script: str,
    argv: list[str],
    json_out: Path,
    timeout: float,
    log: Path,
) -> dict[str, Any]:
    cmd = [args.python, str(HERE / script), *argv, "--json", str(json_out)]
    print("$ " + " ".join(_redact(cmd)), flush=True)
    with open(log, "w") as f:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=f, text=True, timeout=timeout)
    sys.stdout.write(r.stdout)
    sys.stdout.flush()
    if not json_out.exists():
        raise RuntimeError(f"{script} failed ({r.returncode}); see {log}:\n{log.read_text()[-2000:]}")
    return json.loads(json_out.read_text())


def _redact(cmd: list[str]) -> list[str]:
    out = []
    hide = False
    for a in cmd:
        out.append("<token>" if hide else a)
        hide = a.endswith("-token") or a == "--token"
    return out


def profile_top(speedscope: Path, n: int = 15) -> list[tuple[str, float, float]]:
    """(function, self %, total %): hallq's heaviest functions by total, then the heaviest
    frames by self time, from a py-spy speedscope file."""
    data = json.loads(speedscope.read_text())
    frames = data["shared"]["frames"]
    self_w: dict[int, float] = {}
    total_w: dict[int, float] = {}
    grand = 0.0
    for prof in data["profiles"]:
        for stack, w in zip(prof["samples"], prof["weights"], strict=False):
            grand += w
            if stack:
                self_w[stack[-1]] = self_w.get(stack[-1], 0.0) + w
            for f in set(stack):
                total_w[f] = total_w.get(f, 0.0) + w
    if not grand:
        return []

    def name(i: int) -> str:
        f = frames[i]
        file = f.get("file", "")
        for marker in ("site-packages/", str(ROOT) + "/", "lib/python3"):
            if marker in file:
                file = file.split(marker, 1)[1]
                break
        return f"{f['name']} ({file}:{f.get('line', '?')})"

    ours = [i for i in total_w if frames[i].get("file", "").startswith(str(ROOT / "server"))]
    rows = sorted(ours, key=lambda i: -total_w[i])[:n]
    rows += [i for i in sorted(self_w, key=lambda i: -self_w[i]) if i not in rows][:n]
    return [(name(i), 100 * self_w.get(i, 0.0) / grand, 100 * total_w[i] / grand) for i in rows]


def pyspy_path(python: str) -> str:
    beside = Path(python).parent / "py-spy"
    return str(beside) if beside.exists() else (shutil.which("py-spy") or "py-spy")


def run_mode(args: argparse.Namespace, mode: str, out: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"mode": mode, "db": "postgresql" if args.postgres else "sqlite"}
    work = Path(tempfile.mkdtemp(prefix=f"hallq-bench-{mode}-"))
    pg_name = None
    server = None
    try:
        if args.postgres:
            pg_name = f"hallq_bench_{mode}_{secrets.token_hex(4)}"
            db_url = pg_create(args.postgres, pg_name)
        else:
            db_url = f"sqlite:///{work}/hallq.db"
        server = Server(args, mode, db_url, work, out / f"{mode}-server.log")
        print(f"\n## {mode} ({res['db']}) on {server.url}, data in {work}", flush=True)
        server.start()
        assert server.proc is not None
        pid = server.proc.pid
        kiosk = server.token("kiosk")
        board = server.token("board")
        clerk = server.token("clerk", "clerk01")
        common = ["--url", server.url, "--server-pid", str(pid), "--quiet"]
        for client in [c.strip() for c in args.board_clients.split(",") if c.strip()]:
            if "board" not in args.bench:
                break
            key = "board" if client == "socketio" else f"board_{client}"
            lib.wait_for_quiet_machine(args.max_background, args.quiet_wait)
            try:
                res[key] = run_client(
                    args,
                    "call_to_board.py",
                    [
                        *common,
                        "--client",
                        client,
                        "--clerk-token",
                        clerk,
                        "--kiosk-token",
                        kiosk,
                        "--board-token",
                        board,
                        "--clients",
                        str(args.clients),
                        "--calls",
                        str(args.calls),
                    ],
                    out / f"{mode}-{key}.json",
                    110 + args.calls * 2,
                    out / f"{mode}-{key}.stderr",
                )
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                res[f"{key}_error"] = str(e)[-1500:]
                print(f"call_to_board --client {client} failed: {res[f'{key}_error']}", flush=True)
            if server.proc.poll() is not None:
                raise RuntimeError(f"server died during call_to_board:\n{server.tail()}")
        if "issue" in args.bench:
            lib.wait_for_quiet_machine(args.max_background, args.quiet_wait)
            spy = None
            if args.profile:
                prof = out / f"{mode}-issue.speedscope.json"
                spy = subprocess.Popen(
                    [
                        pyspy_path(args.python),
                        "record",
                        "--pid",
                        str(pid),
                        "--duration",
                        str(int(args.duration) + 2),
                        "--rate",
                        "200",
                        "--gil",
                        "--function",
                        "--format",
                        "speedscope",
                        "--output",
                        str(prof),
                        "--nonblocking",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=open(out / f"{mode}-pyspy.log", "w"),
                )
            try:
                res["issue"] = run_client(
                    args,
                    "issue_load.py",
                    [
                        *common,
                        "--token",
                        kiosk,
                        "--concurrency",
                        str(args.concurrency),
                        "--duration",
                        str(args.duration),
                        "--services",
                        args.services,
                    ],
                    out / f"{mode}-issue.json",
                    args.duration + 90,
                    out / f"{mode}-issue.stderr",
                )
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                res["issue_error"] = str(e)[-1500:]
                print(f"issue_load failed: {res['issue_error']}", flush=True)
            if spy:
                try:
                    spy.wait(30)
                except subprocess.TimeoutExpired:
                    spy.kill()
                if prof.exists():
                    res["profile"] = {"file": str(prof), "top": profile_top(prof)}
            if args.single_duration and server.proc.poll() is None:
                lib.wait_for_quiet_machine(args.max_background, args.quiet_wait)
                try:
                    res["issue_single"] = run_client(
                        args,
                        "issue_load.py",
                        [
                            *common,
                            "--token",
                            kiosk,
                            "--concurrency",
                            "1",
                            "--duration",
                            str(args.single_duration),
                            "--services",
                            args.services,
                        ],
                        out / f"{mode}-issue-single.json",
                        args.single_duration + 90,
                        out / f"{mode}-issue-single.stderr",
                    )
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    res["issue_single_error"] = str(e)[-1500:]
                    print(f"issue_load -c 1 failed: {res['issue_single_error']}", flush=True)
            if args.issue_rate and server.proc.poll() is None:
                lib.wait_for_quiet_machine(args.max_background, args.quiet_wait)
                try:
                    res["issue_open"] = run_client(
                        args,
                        "issue_load.py",
                        [
                            *common,
                            "--token",
                            kiosk,
                            "--concurrency",
                            str(args.concurrency),
                            "--rate",
                            str(args.issue_rate),
                            "--duration",
                            str(args.duration),
                            "--services",
                            args.services,
                        ],
                        out / f"{mode}-issue-open.json",
                        args.duration + 90,
                        out / f"{mode}-issue-open.stderr",
                    )
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    res["issue_open_error"] = str(e)[-1500:]
                    print(f"issue_load --rate failed: {res['issue_open_error']}", flush=True)
        res["server_alive_at_end"] = server.proc.poll() is None
    except Exception as e:  # noqa: BLE001 - report and go on with the next mode
        res["error"] = f"{type(e).__name__}: {e}"[-3000:]
        print(res["error"], flush=True)
    finally:
        if server:
            server.stop()
        if pg_name:
            try:
                pg_drop(args.postgres, pg_name)
            except Exception as e:  # noqa: BLE001
                print(f"could not drop {pg_name}: {e}", flush=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return res


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown(m: dict[str, str], args: argparse.Namespace, results: list[dict[str, Any]]) -> str:
    f = lib.fmt_ms
    db = "PostgreSQL" if args.postgres else "SQLite (file in a fresh temp folder)"
    if args.message_queue:
        db += f", message queue {args.message_queue}"
    lines = [
        "# hallq benchmark",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram']} RAM, Linux {m['kernel']}, "
        f"Python {m['python']}, commit {m['commit']}. Database: {db}.",
        "",
        f"### Ticket issue: `POST /api/v1/tickets`, {args.concurrency} concurrent, "
        f"{args.duration:g} s, services {args.services}",
        "",
        _row(
            "mode",
            "load",
            "tickets/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "errors",
            "duplicates",
            "server CPU",
            "client CPU",
            "rest of machine CPU",
        ),
        _row("---", "---", *["---:"] * 10),
    ]
    runs = [("issue", "closed loop")]
    if args.single_duration:
        runs.append(("issue_single", "1 connection, closed loop"))
    if args.issue_rate:
        runs.append(("issue_open", f"open loop, {args.issue_rate:g}/s offered"))
    for r in results:
        for key, label in runs:
            i = r.get(key)
            if not i:
                why = r.get(f"{key}_error") or r.get("error") or "not run"
                lines.append(_row(r["mode"], label, f"failed: {why[:120]}".replace("\n", " "), *[""] * 9))
                continue
            lat = i["latency"]
            lines.append(
                _row(
                    r["mode"],
                    label,
                    f"{i['tickets_per_s']:.0f}",
                    f(lat.get("p50_ms")),
                    f(lat.get("p95_ms")),
                    f(lat.get("p99_ms")),
                    f(lat.get("max_ms")),
                    i["errors"],
                    f"{i['duplicate_numbers'] + i['duplicate_ids']} of {i['tickets_checked_for_duplicates']}",
                    f"{i.get('server_cpu_pct', 0):.0f}%",
                    f"{i['client_cpu_pct']:.0f}%",
                    f"{i['other_cpu_pct']:.0f}%",
                )
            )
    lines += [
        "",
        f"### Call-to-board: `call-next` to `ticket.called` on {args.clients} sockets, {args.calls} calls",
        "",
        _row(
            "mode",
            "client",
            "connected",
            "connect s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "last board p50 ms",
            "missed",
            "disconnects",
            "call-next HTTP p50 ms",
            "server CPU",
            "client CPU",
            "rest of machine CPU",
        ),
        _row("---", "---", *["---:"] * 13),
    ]
    clients = [c.strip() for c in args.board_clients.split(",") if c.strip()]
    for r in results:
        for client in clients:
            key = "board" if client == "socketio" else f"board_{client}"
            b = r.get(key)
            if not b:
                why = (r.get(f"{key}_error") or r.get("error") or "not run")[:120].replace("\n", " ")
                lines.append(_row(r["mode"], client, f"failed: {why}", *[""] * 12))
                continue
            lat = b.get("latency", {})
            lines.append(
                _row(
                    r["mode"],
                    client,
                    f"{b['clients_connected']}/{b['clients_requested']}",
                    f"{b['connect_s']:.1f}",
                    f(lat.get("p50_ms")),
                    f(lat.get("p95_ms")),
                    f(lat.get("p99_ms")),
                    f(lat.get("max_ms")),
                    f(b["last_board_latency"].get("p50_ms")),
                    f"{b['missed_events']} of {b['expected_receipts']}",
                    b["disconnects"],
                    f(b["call_next_http"].get("p50_ms")),
                    f"{b.get('server_cpu_pct', 0):.0f}%",
                    f"{b['client_cpu_pct']:.0f}%",
                    f"{b['other_cpu_pct']:.0f}%",
                )
            )
    for r in results:
        if r.get("profile"):
            lines += [
                "",
                f"### py-spy, server during issue_load, {r['mode']} (self % / total % of samples)",
                "",
                _row("function", "self %", "total %"),
                _row("---", "---:", "---:"),
            ]
            for name, s, t in r["profile"]["top"]:
                lines.append(_row(f"`{name}`", f"{s:.1f}", f"{t:.1f}"))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="hallq-bench-results-"))
    out.mkdir(parents=True, exist_ok=True)
    m = machine()
    results = []
    for mode in [x.strip() for x in args.modes.split(",") if x.strip()]:
        results.append(run_mode(args, mode, out))
    (out / "results.json").write_text(
        json.dumps({"machine": m, "args": vars(args), "results": results}, indent=2, ensure_ascii=False)
    )
    md = markdown(m, args, results)
    (out / "summary.md").write_text(md)
    print("\n" + md)
    print(f"(results, server logs and profiles in {out})")
    ok = all(r.get("issue") or "issue" not in args.bench for r in results) and all(
        r.get("board") or "board" not in args.bench for r in results
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
