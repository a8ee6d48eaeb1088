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
    from bench.call_to_board import Clerk
except ImportError:  # run as a script: bench/ itself is on sys.path
    import _benchlib as lib  # type: ignore[no-redef]
    from call_to_board import Clerk  # type: ignore[no-redef]


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
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
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
            missed.append(t["id"])
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
            called = {
                e["data"]["ticket"]["id"] for e in ack.get("events") or [] if e.get("type") == "ticket.called"
            }
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
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    r = asyncio.run(asyncio.wait_for(main_async(args), timeout=300))
    print(json.dumps(r, indent=2))
    return 0 if r["failures"] == 0 and r["with_all_missed_calls"] == r["clients"] else 1


if __name__ == "__main__":
    sys.exit(main())
