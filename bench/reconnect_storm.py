#!/usr/bin/env python3
"""Reconnect storm: N boards drop at once, calls happen meanwhile, then all N reconnect together.

Connects N lightweight boards (Engine.IO/Socket.IO over bare aiohttp websockets, as
call_to_board.py's `raw` client), each remembering the `seq` of its subscribe ack. All boards
then disconnect; a clerk calls K tickets while they are away; then every board reconnects at
the same instant and subscribes with its last `seq`. Measures the time from the storm's start
until each board has its ack, whether every ack holds all K missed calls (events, not a
snapshot), and the time until the last board is resynced (the bar: 1,000 boards within
10 s).

    python bench/reconnect_storm.py --url http://127.0.0.1:5000 --clerk-token C --kiosk-token K \
        --board-token B --clients 1000 --missed 3

With --drop-command the server drops the boards instead (e.g. `kill -TERM <worker pids>`: the
supervisor restarts them): the boards are call_to_board.py's raw boards with --reconnect (spread
over --client-procs processes); they come back by themselves (0.25-0.75 s, doubling up to 5 s) and
subscribe with their last seq. The clerk makes --missed calls as soon as the API answers again,
while the boards are still coming back. A board is resynced when it holds every one of those
calls (from its resubscribe ack or live); the time counts from the drop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import aiohttp

try:
    from bench import _benchlib as lib
    from bench.call_to_board import Clerk, group_stats, make_groups
except ImportError:  # run as a script: bench/ itself is on sys.path
    import _benchlib as lib  # type: ignore[no-redef]
    from call_to_board import Clerk, group_stats, make_groups  # type: ignore[no-redef]


class StormBoard:
    def __init__(self, args: argparse.Namespace, http: aiohttp.ClientSession) -> None:
        self.args, self.http = args, http
        self.seq: int | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None

    async def _recv(self) -> str:
        assert self.ws is not None
        msg = await self.ws.receive(timeout=60)
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"websocket {msg.type.name}")
        return str(msg.data)

    async def session(self) -> dict[str, Any]:
        """Connect, authenticate, subscribe with the last seq; return the ack."""
        url = self.args.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.http.ws_connect(url, autoping=True, max_msg_size=0)
        if not (await self._recv()).startswith("0"):
            raise ConnectionError("no engine.io open packet")
        auth = {"token": self.args.board_token} if self.args.board_token else None
        await self.ws.send_str("40" + (json.dumps(auth) if auth else ""))
        while not (m := await self._recv()).startswith("40"):
            if m.startswith("44"):
                raise ConnectionError(m[2:200])
        await self.ws.send_str("420" + json.dumps(["subscribe", {"hall": self.args.hall, "since": self.seq}]))
        while not (m := await self._recv()).startswith("430"):
            if m == "2":
                await self.ws.send_str("3")
        ack = json.loads(m[3:])[0]
        if "error" in ack:
            raise RuntimeError(ack["error"])
        self.seq = ack["seq"]
        return ack

    async def close(self) -> None:
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    lib.raise_fd_limit(args.clients * 2 + 256)
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, ssl=lib.ssl_context(args.cafile)))
    clerk_http = aiohttp.ClientSession()
    boards = [StormBoard(args, http) for _ in range(args.clients)]
    try:
        sem = asyncio.Semaphore(50)

        async def first(b: StormBoard) -> None:
            async with sem:
                await b.session()

        await asyncio.gather(*(first(b) for b in boards))
        clerk = Clerk(args, clerk_http)
        await clerk.setup()
        await asyncio.gather(*(b.close() for b in boards))
        missed = []
        for _ in range(args.missed):
            await clerk.issue()
            st, t = await clerk.req("POST", f"/windows/{clerk.window}/call-next", clerk.h_clerk)
            if st != 200:
                raise RuntimeError(f"call-next: HTTP {st} {t}")
            missed.append(lib.ticket_ref(t["id"]))  # boards see tickets by ref
            await clerk.finish(t)

        t0 = time.perf_counter()
        done: list[float] = []
        failures: list[str] = []
        complete = 0

        async def storm(b: StormBoard) -> None:
            nonlocal complete
            try:
                ack = await b.session()
            except Exception as e:  # noqa: BLE001 - count and report every failure
                failures.append(f"{type(e).__name__}: {e}")
                return
            done.append(time.perf_counter() - t0)
            called = {lib.board_key(e) for e in ack.get("events") or [] if e.get("type") == "ticket.called"}
            if "events" in ack and set(missed) <= called:
                complete += 1

        await asyncio.gather(*(storm(b) for b in boards))
        await asyncio.gather(*(b.close() for b in boards))
        done.sort()
        return {
            "clients": args.clients,
            "missed_calls": args.missed,
            "resynced": len(done),
            "with_all_missed_calls": complete,
            "failures": len(failures),
            "failure_samples": failures[:5],
            "last_resynced_s": done[-1] if done else None,
            "p50_s": lib.percentile(done, 50) if done else None,
            "p99_s": lib.percentile(done, 99) if done else None,
        }
    finally:
        await http.close()
        await clerk_http.close()


async def retry(what: str, step: Any, deadline: float) -> Any:
    """Run `step` until it answers (the workers are coming back meanwhile)."""
    last: object = f"{deadline - lib.now():.1f} s left"
    while lib.now() < deadline:
        try:
            return await step()
        except (aiohttp.ClientError, TimeoutError, RuntimeError, ValueError) as e:
            last = e
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{what}: no answer before the deadline ({last!r})")


async def server_storm(args: argparse.Namespace) -> dict[str, Any]:
    """--drop-command: the server drops every board; they reconnect with their last seq."""
    args.client, args.reconnect = "raw", True
    lib.raise_fd_limit(args.clients * 2 + 256)
    groups = make_groups(args)
    clerk_http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=4, ssl=lib.ssl_context(args.cafile)),
        timeout=aiohttp.ClientTimeout(total=10),
    )
    try:
        connected = await asyncio.gather(*(g.connect() for g in groups))
        live = sum(c["connected"] for c in connected)
        clerk = Clerk(args, clerk_http)
        await clerk.setup()
        cpu_at_drop = lib.cpu_by_pid()
        t_drop = lib.now()
        deadline = t_drop + args.storm_timeout
        drop = await asyncio.create_subprocess_shell(args.drop_command)
        await drop.wait()
        print(f"{lib.now() - t_drop:.2f}s dropped ({args.drop_command})", file=sys.stderr, flush=True)
        back_at: list[float] = []
        cpu_at_back: dict[int, tuple[str, float]] = {}

        async def probe() -> None:
            """When nginx first answers /healthz with 200 again: a worker is serving."""
            while lib.now() < deadline:
                try:
                    async with clerk_http.get(args.url + "/healthz") as r:
                        if r.status == 200:
                            back_at.append(lib.now() - t_drop)
                            cpu_at_back.update(lib.cpu_by_pid())
                            print(f"{back_at[0]:.2f}s /healthz answers", file=sys.stderr, flush=True)
                            return
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.1)

        prober = asyncio.create_task(probe())
        missed: list[str] = []
        call_at: list[float] = []

        async def issue() -> Any:
            return await clerk.issue()

        async def call() -> Any:
            st, t = await clerk.req("POST", f"/windows/{clerk.window}/call-next", clerk.h_clerk)
            if st == 409 and t.get("error", {}).get("code") == "window_busy":
                # an earlier try was committed but its answer lost (a time-out): that is the call
                st, w = await clerk.req("GET", f"/windows/{clerk.window}", clerk.h_clerk)
                if st == 200 and w.get("current"):
                    return w["current"]
            if st != 200:
                raise RuntimeError(f"call-next: HTTP {st} {t}")
            return t

        for _ in range(args.missed):
            await retry("issue", issue, deadline)
            t = await retry("call-next", call, deadline)
            call_at.append(lib.now() - t_drop)
            print(f"{call_at[-1]:.2f}s called {t['number']}", file=sys.stderr, flush=True)
            missed.append(lib.ticket_ref(t["id"]))

            async def finish(t: Any = t) -> None:
                await clerk.finish(t)

            await retry("start/complete", finish, deadline)
        per_board: list[float | None] | None = None
        for tid in missed:
            times = [
                t
                for got in await asyncio.gather(
                    *(g.wait(tid, max(0.1, deadline - lib.now())) for g in groups)
                )
                for t in got
            ]
            if per_board is None:
                per_board = times
            else:
                per_board = [
                    None if a is None or b is None else max(a, b)
                    for a, b in zip(per_board, times, strict=True)
                ]
        resync = sorted(t - t_drop for t in per_board or [] if t is not None)
        stats = await group_stats(groups)
        back = sorted(t - t_drop for t in stats.get("resubscribed_at", []))
        cpu_at_end, t_end = lib.cpu_by_pid(), lib.now() - t_drop
        prober.cancel()
        cpu: dict[str, Any] = {
            "till_healthz": None,
            "after_healthz": None,
            "whole": None,
            "end_s": round(t_end, 2),
        }
        cpu["whole"] = lib.cpu_between(cpu_at_drop, cpu_at_end)
        if cpu_at_back:
            cpu["till_healthz"] = lib.cpu_between(cpu_at_drop, cpu_at_back)
            cpu["after_healthz"] = lib.cpu_between(cpu_at_back, cpu_at_end)
        phases = _phase_summary(stats.get("resume_phases", []), t_drop)
        tries = sorted(stats.get("resume_tries", []))
        return {
            "clients": args.clients,
            "connected": live,
            "client_procs": len(groups),
            "drop_command": args.drop_command,
            "missed_calls": len(missed),
            "calls_made_at_s": [round(x, 2) for x in call_at],
            "healthz_back_s": round(back_at[0], 2) if back_at else None,
            # CPU seconds per party (workers, nginx, the clients, PostgreSQL, Redis, other): from
            # the drop until /healthz answered, and from then until every board was resynced
            "cpu_s": cpu,
            "resynced": len(resync),
            "with_all_missed_calls": len(resync),
            "failures": live - len(resync),
            "disconnects": stats.get("disconnects", 0),
            "resubscribes": stats.get("resubscribes", 0),
            "snapshot_resyncs": stats.get("snapshot_resyncs", 0),
            # when the boards had their resubscribe acks (connected again and caught up to then)
            "resubscribed_p50_s": lib.percentile(back, 50) if back else None,
            "resubscribed_p99_s": lib.percentile(back, 99) if back else None,
            "resubscribed_last_s": back[-1] if back else None,
            "last_resynced_s": resync[-1] if resync else None,
            "p50_s": lib.percentile(resync, 50) if resync else None,
            "p99_s": lib.percentile(resync, 99) if resync else None,
            "storm_timeout_s": args.storm_timeout,
            # each board's successful reconnect, phase by phase (seconds from the drop when the
            # phase ended, and how long it took), the tries it needed, and why the others failed
            "phases": phases,
            "tries_p50": lib.percentile(tries, 50) if tries else None,
            "tries_max": tries[-1] if tries else None,
            "try_errors": stats.get("try_errors", {}),
        }
    finally:
        await asyncio.gather(*(g.close() for g in groups), return_exceptions=True)
        await clerk_http.close()


#: what a reconnect's timestamps mark (call_to_board.RawBoard.resume_phases)
PHASE_ENDS = ("try began", "websocket upgraded", "engine.io open", "socket.io connected", "subscribe acked")


def _phase_summary(rows: list[list[float]], t_drop: float) -> list[dict[str, Any]]:
    """Per phase: when it ended (s from the drop: p50, p99, last) and how long it took."""
    out = []
    for i, name in enumerate(PHASE_ENDS):
        ends = sorted(r[i] - t_drop for r in rows if len(r) > i)
        took = sorted(r[i] - r[i - 1] for r in rows if len(r) > i) if i else []
        out.append(
            {
                "phase": name,
                "ended_first_s": ends[0] if ends else None,
                "ended_p50_s": lib.percentile(ends, 50) if ends else None,
                "ended_p99_s": lib.percentile(ends, 99) if ends else None,
                "ended_last_s": ends[-1] if ends else None,
                "took_p50_s": lib.percentile(took, 50) if took else None,
                "took_p99_s": lib.percentile(took, 99) if took else None,
                "took_max_s": took[-1] if took else None,
            }
        )
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:5000")
    p.add_argument("--hall", default="demo")
    p.add_argument("--clerk-token", required=True)
    p.add_argument("--kiosk-token", required=True)
    p.add_argument("--board-token", default=None)
    p.add_argument("--window", type=int, default=0, help="window id (default: first that works)")
    p.add_argument("--service", default=None)
    p.add_argument("-n", "--clients", type=int, default=1000)
    p.add_argument("--missed", type=int, default=3, help="calls made while the boards are away")
    p.add_argument(
        "--drop-command",
        help="shell command that makes the server drop every board (e.g. kill -TERM <worker pids>); "
        "without it the boards drop themselves",
    )
    p.add_argument("--storm-timeout", type=float, default=60.0, help="--drop-command: give up after this")
    p.add_argument("--client-procs", type=int, default=1, help="--drop-command: board client processes")
    p.add_argument("--cafile", help="trust this certificate (nginx's self-signed one)")
    p.add_argument("--connect-concurrency", type=int, default=50)
    p.add_argument("--connect-timeout", type=float, default=120.0)
    p.add_argument("--client-gc", default="frozen", help=argparse.SUPPRESS)
    p.add_argument("--json", dest="json_out", help="also write the result as JSON to this path")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.drop_command:
        r = asyncio.run(
            asyncio.wait_for(server_storm(args), timeout=args.storm_timeout + args.connect_timeout + 120)
        )
    else:
        r = asyncio.run(asyncio.wait_for(main_async(args), timeout=300))
    print(json.dumps(r, indent=2))
    lib.write_json(args.json_out, r)
    return 0 if r["failures"] == 0 and r["with_all_missed_calls"] == r["clients"] else 1


if __name__ == "__main__":
    sys.exit(main())
