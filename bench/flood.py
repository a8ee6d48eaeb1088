#!/usr/bin/env python3
"""Issuing latency beside a flooding socket (issue 9, finding 2): quiet vs flood.

For each async mode and each limits setting (`on`: the defaults; `off`: HALLQ_RATE_LIMITS=false,
what the server did before the limits): a fresh ``python -m server demo`` in a temp folder, a
kiosk token, then

1. quiet: one kiosk issues ``POST /api/v1/tickets`` at --rate per second (default 20, far
   above a real hall; latency counted from each request's scheduled start) over one
   keep-alive connection for --duration s (after a 2 s warm-up);
2. flood: the same (measured from the attacker's first frames, no warm-up), while an
   attacker on one anonymous raw websocket sends --frames ``subscribe`` frames as fast as it
   can and, whenever the server cuts it off, reconnects at once and starts again (a
   persistent attacker, not a single burst).

Prints p50/p95/p99/max issuing latency of both phases, their ratio (the goal: p99 beside the
flood ≤ 3× quiet), failed issues, and what the attacker got: frames sent, acks, connections,
times it was cut off.

    .venv/bin/python bench/flood.py                              # gevent, limits on and off
    .venv/bin/python bench/flood.py --modes gevent,threading --limits on --duration 20
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
import websocket

try:
    from bench import _benchlib as lib
    from bench.run import Server
except ImportError:  # run as a script: bench/ itself is on sys.path
    import _benchlib as lib  # type: ignore[no-redef]
    from run import Server  # type: ignore[no-redef]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--modes", default="gevent", help="comma-separated async modes")
    p.add_argument("--limits", default="on,off", help="on (the defaults), off (RATE_LIMITS=false), or both")
    p.add_argument("-d", "--duration", type=float, default=15.0, help="measured seconds per phase")
    p.add_argument(
        "--rate",
        type=float,
        default=20.0,
        help="tickets/s the kiosk issues (a busy hall issues a few per minute); 0 = back to back, "
        "which saturates the server on its own and so measures capacity, not what a kiosk sees",
    )
    p.add_argument("--frames", type=int, default=2000, help="subscribe frames per attacker connection")
    p.add_argument("--python", default=sys.executable, help="python that runs the server")
    p.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE", help="more server settings (repeatable)"
    )
    p.add_argument("--max-background", type=float, default=0.3, help="wait for the machine to be this quiet")
    p.add_argument("--json", dest="json_out", help="write the results as JSON here ('-' = stdout)")
    return p.parse_args(argv)


class Attacker(threading.Thread):
    """One anonymous websocket at a time, flooding `subscribe`; reconnects whenever cut."""

    def __init__(self, url: str, frames: int) -> None:
        super().__init__(daemon=True)
        self.ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.frames = frames
        self.stop = threading.Event()
        self.sent = self.acks = self.connections = self.cut = self.refused = 0

    def _reader(self, ws: websocket.WebSocket, done: threading.Event) -> None:
        try:
            while True:
                frame = ws.recv()
                if not frame or frame == "1":
                    break
                if frame == "2":
                    ws.send("3")
                elif frame.startswith("43"):
                    self.acks += 1
                elif frame.startswith("41"):
                    self.cut += 1
        except (websocket.WebSocketException, OSError):
            pass
        done.set()

    def run(self) -> None:
        body = json.dumps(["subscribe", {"hall": "demo", "since": None}])
        while not self.stop.is_set():
            try:
                ws = websocket.create_connection(self.ws_url, timeout=10)
                ws.recv()
                ws.send("40")
                ws.recv()
            except (websocket.WebSocketException, OSError):
                self.refused += 1
                time.sleep(0.05)
                continue
            self.connections += 1
            done = threading.Event()
            threading.Thread(target=self._reader, args=(ws, done), daemon=True).start()
            try:
                for i in range(self.frames):
                    if self.stop.is_set() or done.is_set():
                        break
                    ws.send(f"42{i}{body}")
                    self.sent += 1
            except (websocket.WebSocketException, OSError):
                pass
            done.wait(5)  # until the server cuts it (or answers what it will)
            try:
                ws.close()
            except (websocket.WebSocketException, OSError):
                pass


def issue_for(url: str, token: str, seconds: float, rate: float, warmup: float = 2.0) -> dict[str, Any]:
    """One kiosk issuing at `rate` per second (0: back to back): latencies of the measured part
    (from each request's scheduled start, so waiting behind a stalled server counts), failures."""
    lat: list[float] = []
    failed: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {token}"}
    with requests.Session() as http:
        t_start = time.perf_counter()
        t_end_warm = t_start + warmup
        t_end = t_end_warm + seconds
        n = 0
        while (now := time.perf_counter()) < t_end:
            if rate:
                slot = t_start + n / rate
                n += 1
                if slot > now:
                    time.sleep(slot - now)
                now = slot
            try:
                r = http.post(url + "/api/v1/tickets", json={"service": "A"}, headers=headers, timeout=60)
                status = str(r.status_code)
            except requests.RequestException as err:
                status = type(err).__name__
            dt = time.perf_counter() - now
            if now < t_end_warm:
                continue
            if status == "201":
                lat.append(dt)
            else:
                failed[status] = failed.get(status, 0) + 1
    return {"latency": lib.latency_summary(lat), "failed": failed}


def run_one(args: argparse.Namespace, mode: str, limits: str, out: Path) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"hallq-flood-{mode}-{limits}-", dir=out))
    server_args = argparse.Namespace(python=args.python, message_queue=None)
    server = Server(server_args, mode, f"sqlite:///{workdir}/hallq.db", workdir, workdir / "server.log")
    server.env["HALLQ_RATE_LIMITS"] = "true" if limits == "on" else "false"
    server.env.update(kv.split("=", 1) for kv in args.env)
    server.start()
    try:
        token = server.token("kiosk")
        lib.wait_for_quiet_machine(args.max_background, 60)
        with lib.CpuMeter(server.proc.pid if server.proc else None) as quiet_cpu:
            quiet = issue_for(server.url, token, args.duration, args.rate)
        attacker = Attacker(server.url, args.frames)
        attacker.start()
        deadline = time.monotonic() + 10
        while attacker.sent < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        # measured from the first frames on: no warm-up, a stall at the start counts
        with lib.CpuMeter(server.proc.pid if server.proc else None) as flood_cpu:
            flood = issue_for(server.url, token, args.duration, args.rate, warmup=0.0)
        attacker.stop.set()
        attacker.join(15)
        log = server.log_path.read_text(errors="replace")
    finally:
        server.stop()
    q99, f99 = quiet["latency"].get("p99_ms"), flood["latency"].get("p99_ms")
    return {
        "mode": mode,
        "limits": limits,
        "quiet": {**quiet, **quiet_cpu.as_dict()},
        "flood": {**flood, **flood_cpu.as_dict()},
        "p99_ratio": (f99 / q99) if q99 and f99 else None,
        "attacker": {
            "frames_sent": attacker.sent,
            "acks": attacker.acks,
            "connections": attacker.connections,
            "cut_off": attacker.cut,
            "refused": attacker.refused,
            "cut_lines_in_server_log": log.count("socket cut"),
        },
    }


def report(results: list[dict[str, Any]]) -> None:
    print("| mode | limits | phase | issues | p50 ms | p95 ms | p99 ms | max ms | failed | rest of machine |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|---:|")
    for r in results:
        for phase in ("quiet", "flood"):
            p = r[phase]
            lat = p["latency"]
            ms = " | ".join(lib.fmt_ms(lat.get(k)) for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms"))
            print(
                f"| {r['mode']} | {r['limits']} | {phase} | {lat.get('n', 0)} | {ms} "
                f"| {p['failed'] or 0} | {p['other_cpu_pct']:.0f} % |"
            )
    print()
    for r in results:
        a = r["attacker"]
        ratio = f"{r['p99_ratio']:.1f}×" if r["p99_ratio"] else "-"
        print(
            f"{r['mode']}, limits {r['limits']}: p99 flood/quiet {ratio}; "
            f"attacker sent {a['frames_sent']} frames on {a['connections']} connections, "
            f"got {a['acks']} acks, cut off {a['cut_off']} times "
            f"({a['cut_lines_in_server_log']} 'socket cut' log lines), refused {a['refused']}"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(tempfile.mkdtemp(prefix="hallq-flood-"))
    limits = ["on", "off"] if args.limits in ("both", "on,off", "off,on") else [args.limits]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    results = [run_one(args, mode, lim, out) for mode in modes for lim in limits]
    report(results)
    lib.write_json(args.json_out, {"benchmark": "flood", "results": results})
    print(f"\nserver logs in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
