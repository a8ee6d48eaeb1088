#!/usr/bin/env python3
"""Call-to-board latency: "call next" → ``ticket.called`` received on N connected boards.

Connects N Socket.IO clients (python-socketio ``AsyncClient`` over aiohttp, websocket
transport only, one process, one event loop) that each ``subscribe`` to the hall. Then a
clerk, signed in at a window, repeats: issue a ticket (kiosk token), call next, wait for the
boards, start, complete. The latency of one (board, call) pair is the time from just before
the ``call-next`` request is sent to that board's receipt of the ``ticket.called`` event
carrying the called ticket's id (both ``time.perf_counter()`` in this process). Reports
p50/p95/p99/max over all boards and calls, and how many boards missed an event.

    python bench/call_to_board.py --url http://127.0.0.1:5000 --clerk-token CLERK \
        --kiosk-token KIOSK [--board-token BOARD] --clients 1000 --calls 30
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import sys
import time
from typing import Any

import aiohttp
import socketio

try:
    from bench import _benchlib as lib
except ImportError:  # run as a script: bench/ itself is on sys.path
    import _benchlib as lib  # type: ignore[no-redef]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:5000", help="server base URL")
    p.add_argument("--hall", default="demo")
    p.add_argument("--clerk-token", required=True, help="bearer token of a clerk of the hall")
    p.add_argument("--kiosk-token", required=True, help="bearer token of a kiosk (issues the tickets)")
    p.add_argument("--board-token", default=None, help="socket auth token of the boards (default: anonymous)")
    p.add_argument(
        "--window",
        type=int,
        default=0,
        help="window id to sign in at (default: the first that accepts)",
    )
    p.add_argument("--service", default=None, help="service code to issue (default: the window's first)")
    p.add_argument("-n", "--clients", type=int, default=1000, help="connected boards")
    p.add_argument("--calls", type=int, default=30, help="measured calls")
    p.add_argument("--warmup-calls", type=int, default=2, help="calls before measuring")
    p.add_argument(
        "--quiet-time",
        type=float,
        default=0.1,
        help="before each call-next, and after each start/complete, wait until no board has "
        "received anything for this many seconds, so every call is measured on idle boards",
    )
    p.add_argument("--interval", type=float, default=0.0, help="extra pause between calls, seconds")
    p.add_argument(
        "--event-timeout",
        type=float,
        default=5.0,
        help="a board that has not received the call after this many seconds missed it",
    )
    p.add_argument("--connect-concurrency", type=int, default=50, help="boards connecting at the same time")
    p.add_argument(
        "--connect-timeout",
        type=float,
        default=60.0,
        help="seconds allowed for all boards to connect and subscribe",
    )
    p.add_argument(
        "--client",
        choices=["socketio", "raw"],
        default="socketio",
        help="socketio (default): python-socketio AsyncClient boards; raw: a minimal Socket.IO "
        "protocol client on bare aiohttp websockets, with less client CPU per message",
    )
    p.add_argument(
        "--client-gc",
        choices=["frozen", "normal"],
        default="frozen",
        help="frozen (default): after connecting, move every object to the permanent GC "
        "generation, turn automatic collection off and collect explicitly in the quiet time "
        "after each call, so that the measuring client's own GC pauses (up to ~120 ms with "
        "1,000 sockets) never land inside a measured call; normal: Python's default GC",
    )
    p.add_argument("--server-pid", type=int, default=0, help="also report this process tree's CPU")
    p.add_argument("--json", dest="json_out", help="write the result as JSON to this path ('-' = stdout)")
    p.add_argument("--quiet", action="store_true")
    return p.parse_args(argv)


class Tracker:
    """Counts ``ticket.called`` receipts per ticket id and wakes the clerk when all are in."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.want: dict[str, tuple[int, asyncio.Event]] = {}
        self.last_event = time.perf_counter()

    async def quiet(self, quiet_s: float, limit_s: float = 10.0) -> float:
        """Wait until no board has received an event for `quiet_s`; return the seconds waited."""
        t0 = time.perf_counter()
        while True:
            now = time.perf_counter()
            idle = now - self.last_event
            if idle >= quiet_s or now - t0 > limit_s:
                return now - t0
            await asyncio.sleep(quiet_s - idle + 0.001)

    def got(self, tid: str) -> None:
        self.counts[tid] += 1
        w = self.want.get(tid)
        if w and self.counts[tid] >= w[0]:
            w[1].set()

    async def wait(self, tid: str, n: int, timeout: float) -> bool:
        if self.counts[tid] >= n:
            return True
        ev = asyncio.Event()
        self.want[tid] = (n, ev)
        try:
            await asyncio.wait_for(ev.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self.want.pop(tid, None)


class Board:
    def __init__(
        self, idx: int, args: argparse.Namespace, http: aiohttp.ClientSession, tracker: Tracker
    ) -> None:
        self.idx = idx
        self.args = args
        self.tracker = tracker
        self.sio = socketio.AsyncClient(
            reconnection=True,
            reconnection_delay=0.5,
            http_session=http,
            handle_sigint=False,
            request_timeout=30,
        )
        self.called: dict[str, float] = {}
        self.last_seq: int | None = None
        self.seq_gaps = 0
        self.seq_stale = 0
        self.events = 0
        self.disconnects = 0
        self.resubscribes = 0
        self.subscribed = False
        self.sio.on("ticket.called", self.on_called)
        self.sio.on("*", self.on_any)
        self.sio.on("connect", self.on_connect)
        self.sio.on("disconnect", self.on_disconnect)

    # -- handlers (plain functions: called inline by python-socketio, no extra task) --
    def note_seq(self, env: Any) -> None:
        self.events += 1
        self.tracker.last_event = time.perf_counter()
        seq = env.get("seq") if isinstance(env, dict) else None
        if not isinstance(seq, int):
            return
        if self.last_seq is not None:
            if seq <= self.last_seq:
                self.seq_stale += 1
                return
            if seq > self.last_seq + 1:
                self.seq_gaps += 1
        self.last_seq = seq

    def on_called(self, env: Any) -> None:
        now = time.perf_counter()
        try:
            tid = env["data"]["ticket"]["id"]
        except (KeyError, TypeError):
            return
        self.note_seq(env)
        if tid not in self.called:
            self.called[tid] = now
            self.tracker.got(tid)

    def on_any(self, event: str, env: Any = None) -> None:
        self.note_seq(env)

    def on_connect(self) -> None:
        if self.subscribed:  # a reconnect: catch up from the last seq, like a real board
            self.resubscribes += 1
            self.sio.start_background_task(self.subscribe)

    def on_disconnect(self, reason: Any = None) -> None:
        self.disconnects += 1

    async def subscribe(self) -> None:
        ack = await self.sio.call("subscribe", {"hall": self.args.hall, "since": self.last_seq}, timeout=30)
        if not isinstance(ack, dict) or "error" in ack:
            raise RuntimeError(f"subscribe refused: {ack!r}")
        for env in ack.get("events") or []:
            if env.get("type") == "ticket.called":
                self.on_called(env)
            else:
                self.note_seq(env)
        if isinstance(ack.get("seq"), int) and (self.last_seq is None or ack["seq"] > self.last_seq):
            self.last_seq = ack["seq"]
        self.subscribed = True

    async def start(self) -> None:
        auth = {"token": self.args.board_token} if self.args.board_token else None
        await self.sio.connect(self.args.url, auth=auth, transports=["websocket"], wait_timeout=20)
        await self.subscribe()

    async def stop(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


class RawBoard(Board):
    """A board speaking Engine.IO 4 / Socket.IO 5 over a bare aiohttp websocket.

    It does what a socketio.AsyncClient board does (connect with auth, subscribe, record
    `ticket.called`, answer pings) with far less client CPU per message, so that the client's
    own serial work on 1,000 boards weighs less in the measured latency. No reconnection: a
    dropped board counts as a disconnect and misses what follows.
    """

    def __init__(
        self, idx: int, args: argparse.Namespace, http: aiohttp.ClientSession, tracker: Tracker
    ) -> None:
        self.idx = idx
        self.args = args
        self.http = http
        self.tracker = tracker
        self.called: dict[str, float] = {}
        self.last_seq: int | None = None
        self.seq_gaps = self.seq_stale = self.events = self.disconnects = self.resubscribes = 0
        self.subscribed = False
        self.closing = False
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task[None] | None = None

    async def _recv(self) -> str:
        assert self.ws is not None
        msg = await self.ws.receive(timeout=30)
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"websocket {msg.type.name}: {msg.data!r}")
        return str(msg.data)

    async def start(self) -> None:
        url = self.args.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.http.ws_connect(url, autoping=True, max_msg_size=0)
        opening = await self._recv()
        if not opening.startswith("0"):
            raise ConnectionError(f"no engine.io open packet: {opening[:100]}")
        auth = {"token": self.args.board_token} if self.args.board_token else None
        await self.ws.send_str("40" + (json.dumps(auth) if auth else ""))
        while True:
            m = await self._recv()
            if m.startswith("40"):
                break
            if m.startswith("44"):
                raise ConnectionError(f"connection refused: {m[2:200]}")
            self.on_text(m)
        await self.ws.send_str("420" + json.dumps(["subscribe", {"hall": self.args.hall, "since": None}]))
        while True:
            m = await self._recv()
            if m.startswith("430"):
                ack = json.loads(m[3:])[0]
                break
            self.on_text(m)
        if not isinstance(ack, dict) or "error" in ack:
            raise RuntimeError(f"subscribe refused: {ack!r}")
        for env in ack.get("events") or []:
            self.on_event(env.get("type"), env)
        if isinstance(ack.get("seq"), int) and (self.last_seq is None or ack["seq"] > self.last_seq):
            self.last_seq = ack["seq"]
        self.subscribed = True
        self.reader = asyncio.create_task(self.read_loop())

    async def read_loop(self) -> None:
        assert self.ws is not None
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.on_text(msg.data)
            else:
                break
        if not self.closing:
            self.disconnects += 1

    def on_text(self, m: str) -> None:
        if m.startswith("42"):
            now = time.perf_counter()
            try:
                event, env = json.loads(m[2:])[:2]
            except (ValueError, TypeError):
                return
            self.on_event(event, env, now)
        elif m == "2" and not self.closing:  # engine.io ping
            asyncio.ensure_future(self._pong())

    async def _pong(self) -> None:
        try:
            if self.ws is not None and not self.ws.closed:
                await self.ws.send_str("3")
        except (aiohttp.ClientError, ConnectionError):
            pass

    def on_event(self, event: str | None, env: Any, now: float | None = None) -> None:
        if event == "ticket.called":
            if now is None:
                now = time.perf_counter()
            try:
                tid = env["data"]["ticket"]["id"]
            except (KeyError, TypeError):
                tid = None
            if tid is not None and tid not in self.called:
                self.called[tid] = now
                self.tracker.got(tid)
        self.note_seq(env)

    async def stop(self) -> None:
        self.closing = True
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


async def connect_all(boards: list[Board], concurrency: int) -> list[str]:
    sem = asyncio.Semaphore(concurrency)
    errors: list[str] = []

    async def one(b: Board) -> None:
        async with sem:
            for attempt in range(3):
                try:
                    await b.start()
                    return
                except Exception as e:  # noqa: BLE001 - report whatever went wrong
                    try:
                        await b.stop()
                    except Exception:  # noqa: BLE001
                        pass
                    if attempt == 2:
                        errors.append(f"board {b.idx}: {type(e).__name__}: {e}")
                    else:
                        await asyncio.sleep(0.5)

    await asyncio.gather(*(one(b) for b in boards))
    return errors


class Clerk:
    def __init__(self, args: argparse.Namespace, http: aiohttp.ClientSession) -> None:
        self.args = args
        self.http = http
        self.h_clerk = {"Authorization": f"Bearer {args.clerk_token}"}
        self.h_kiosk = {"Authorization": f"Bearer {args.kiosk_token}"}
        self.window: int = 0
        self.service: str = ""

    async def req(self, method: str, path: str, headers: dict[str, str], json: Any = None) -> tuple[int, Any]:
        async with self.http.request(
            method, f"{self.args.url}/api/v1{path}", headers=headers, json=json
        ) as r:
            body = await r.json(content_type=None) if r.status != 204 else None
            return r.status, body

    async def setup(self) -> None:
        st, snap = await self.req("GET", f"/halls/{self.args.hall}/snapshot", self.h_clerk)
        if st != 200:
            raise RuntimeError(f"snapshot: HTTP {st} {snap}")
        windows = snap["windows"]
        if self.args.window:
            windows = [w for w in windows if w["id"] == self.args.window]
        last = None
        for w in windows:
            st, body = await self.req("POST", f"/windows/{w['id']}/sign-in", self.h_clerk)
            if st == 200:
                self.window = w["id"]
                services = body.get("services") or w.get("services") or []
                self.service = self.args.service or services[0]
                break
            last = (w["id"], st, body)
        else:
            raise RuntimeError(f"could not sign in at any window; last answer {last}")
        # a ticket left at the window by an earlier run would make call-next answer 409
        st, win = await self.req("GET", f"/windows/{self.window}", self.h_clerk)
        cur = (win or {}).get("current") if st == 200 else None
        if cur:
            await self.finish(cur)

    async def finish(self, ticket: dict[str, Any]) -> None:
        if ticket.get("status") == "called":
            st, body = await self.req("POST", f"/tickets/{ticket['id']}/start", self.h_clerk)
            if st != 200:
                raise RuntimeError(f"start: HTTP {st} {body}")
        st, body = await self.req("POST", f"/tickets/{ticket['id']}/complete", self.h_clerk)
        if st != 200:
            raise RuntimeError(f"complete: HTTP {st} {body}")

    async def issue(self) -> dict[str, Any]:
        st, body = await self.req("POST", "/tickets", self.h_kiosk, json={"service": self.service})
        if st != 201:
            raise RuntimeError(f"issue: HTTP {st} {body}")
        return body


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    fd_limit = lib.raise_fd_limit(args.clients * 2 + 256)
    board_http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    clerk_http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=4), timeout=aiohttp.ClientTimeout(total=30)
    )
    tracker = Tracker()
    board_class = RawBoard if args.client == "raw" else Board
    boards = [board_class(i, args, board_http, tracker) for i in range(args.clients)]
    result: dict[str, Any] = {
        "benchmark": "call_to_board",
        "url": args.url,
        "hall": args.hall,
        "clients_requested": args.clients,
        "client": args.client,
        "fd_limit": fd_limit,
    }
    try:
        clerk = Clerk(args, clerk_http)
        t0 = time.perf_counter()
        c0 = lib.self_cpu_s()
        connect_errors = await asyncio.wait_for(
            connect_all(boards, args.connect_concurrency), args.connect_timeout
        )
        result["connect_s"] = time.perf_counter() - t0
        result["connect_client_cpu_s"] = lib.self_cpu_s() - c0
        live = [b for b in boards if b.subscribed]
        result["clients_connected"] = len(live)
        result["connect_errors"] = len(connect_errors)
        result["connect_error_samples"] = connect_errors[:5]
        if not live:
            raise RuntimeError("no board could connect: " + "; ".join(connect_errors[:3]))
        await clerk.setup()
        gc_pauses: list[float] = []
        gc_t0 = [0.0]

        def gc_cb(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_t0[0] = time.perf_counter()
            else:
                gc_pauses.append(time.perf_counter() - gc_t0[0])

        if args.client_gc == "frozen":
            gc.collect()
            gc.freeze()
            gc.disable()
        gc.callbacks.append(gc_cb)
        result["window"] = clerk.window
        result["service"] = clerk.service

        latencies: list[float] = []
        first_receipt: list[float] = []
        last_receipt: list[float] = []
        http_call_next: list[float] = []
        per_call: list[dict[str, Any]] = []
        missed_events = 0
        boards_missing: set[int] = set()
        calls_done = 0
        meter = lib.CpuMeter(args.server_pid or None)
        for i in range(args.warmup_calls + args.calls):
            measured = i >= args.warmup_calls
            if measured and calls_done == 0:
                meter.__enter__()
            await clerk.issue()
            await tracker.quiet(args.quiet_time)
            expected = [b for b in live]
            t_send = time.perf_counter()
            async with clerk_http.post(
                f"{args.url}/api/v1/windows/{clerk.window}/call-next", headers=clerk.h_clerk
            ) as r:
                status = r.status
                body = await r.json(content_type=None) if status != 204 else None
            t_http = time.perf_counter() - t_send
            if status != 200:
                raise RuntimeError(f"call-next: HTTP {status} {body}")
            tid = body["id"]
            await tracker.wait(tid, len(expected), args.event_timeout)
            if measured:
                calls_done += 1
                http_call_next.append(t_http)
                got = []
                for b in expected:
                    t = b.called.get(tid)
                    if t is None:
                        missed_events += 1
                        boards_missing.add(b.idx)
                    else:
                        got.append(t - t_send)
                latencies.extend(got)
                if got:
                    first_receipt.append(min(got))
                    last_receipt.append(max(got))
                got.sort()
                per_call.append(
                    {
                        "ticket": tid,
                        "http_ms": round(1000 * t_http, 2),
                        "first_ms": round(1000 * got[0], 2) if got else None,
                        "p50_ms": round(1000 * lib.percentile(got, 50), 2) if got else None,
                        "last_ms": round(1000 * got[-1], 2) if got else None,
                        "missed": len(expected) - len(got),
                    }
                )
            await clerk.finish(body)
            await tracker.quiet(args.quiet_time)
            if args.client_gc == "frozen":
                gc.collect()
            if args.interval:
                await asyncio.sleep(args.interval)
        meter.__exit__(None, None, None)
        if args.client_gc == "frozen":
            gc.enable()
        gc.callbacks.remove(gc_cb)
        result["client_gc"] = {
            "mode": args.client_gc,
            "collections": len(gc_pauses),
            "max_pause_ms": 1000 * max(gc_pauses, default=0.0),
            "total_pause_ms": 1000 * sum(gc_pauses),
        }

        result.update(
            {
                "calls": calls_done,
                "warmup_calls": args.warmup_calls,
                "latency": lib.latency_summary(latencies),
                "first_board_latency": lib.latency_summary(first_receipt),
                "last_board_latency": lib.latency_summary(last_receipt),
                "call_next_http": lib.latency_summary(http_call_next),
                "expected_receipts": calls_done * len(live),
                "missed_events": missed_events,
                "boards_that_missed": len(boards_missing),
                "disconnects": sum(b.disconnects for b in boards),
                "resubscribes": sum(b.resubscribes for b in boards),
                "seq_gaps": sum(b.seq_gaps for b in boards),
                "seq_stale": sum(b.seq_stale for b in boards),
                "events_received": sum(b.events for b in boards),
                # the client handles the boards' messages one after another: this much CPU
                # per message is the client's own share of the last board's latency
                "client_cpu_us_per_event": 1e6 * meter.client_cpu_s / max(1, sum(b.events for b in boards)),
                **meter.as_dict(),
                "per_call": per_call,
            }
        )
    finally:
        sem = asyncio.Semaphore(200)

        async def close(b: Board) -> None:
            async with sem:
                try:
                    await asyncio.wait_for(b.stop(), 5)
                except Exception:  # noqa: BLE001
                    pass

        await asyncio.gather(*(close(b) for b in boards))
        await board_http.close()
        await clerk_http.close()
    return result


def report(r: dict[str, Any]) -> None:
    print(
        f"# call_to_board  {r['url']}  hall={r['hall']}  window={r.get('window')} service={r.get('service')}"
    )
    print(
        f"boards        {r['clients_connected']}/{r['clients_requested']} connected+subscribed in "
        f"{r['connect_s']:.1f}s ({r['connect_errors']} failed)"
    )
    for s in r["connect_error_samples"]:
        print(f"   e.g. {s}")
    lat = r["latency"]
    print(f"calls         {r['calls']} measured (+{r['warmup_calls']} warm-up)")
    if lat.get("n"):
        print(
            f"latency ms    p50 {lat['p50_ms']:.1f}  p95 {lat['p95_ms']:.1f}  "
            f"p99 {lat['p99_ms']:.1f}  max {lat['max_ms']:.1f}  "
            f"(mean {lat['mean_ms']:.1f}; n={lat['n']} receipts)"
        )
    for key, label in (
        ("first_board_latency", "first board"),
        ("last_board_latency", "last board"),
        ("call_next_http", "call-next HTTP"),
    ):
        s = r[key]
        if s.get("n"):
            print(f"{label:<13} p50 {s['p50_ms']:.1f}  p99 {s['p99_ms']:.1f}  max {s['max_ms']:.1f} ms")
    print(
        f"missed        {r['missed_events']} of {r['expected_receipts']} receipts; "
        f"{r['boards_that_missed']} boards missed at least one"
    )
    print(
        f"socket health {r['disconnects']} disconnects, {r['resubscribes']} resubscribes, "
        f"{r['seq_gaps']} seq gaps, {r['seq_stale']} stale events, "
        f"{r['events_received']} events received"
    )
    cpu = f"client CPU    {r['client_cpu_s']:.1f}s = {r['client_cpu_pct']:.0f}% of one core"
    if "server_cpu_s" in r:
        cpu += f"; server CPU {r['server_cpu_s']:.1f}s = {r['server_cpu_pct']:.0f}% of one core"
    cpu += f"; rest of the machine {r['other_cpu_pct']:.0f}% of one core"
    cpu += f"\n              client {r['client_cpu_us_per_event']:.0f} us CPU per received event"
    print(cpu)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = asyncio.run(main_async(args))
    if not args.quiet:
        report(result)
    lib.write_json(args.json_out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
