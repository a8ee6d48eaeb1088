#!/usr/bin/env python3
"""Call-to-board latency: "call next" → ``ticket.called`` received on N connected boards.

Connects N Socket.IO clients (python-socketio ``AsyncClient`` over aiohttp, websocket
transport only, one process, one event loop) that each ``subscribe`` to the hall. Then a
clerk, signed in at a window, repeats: issue a ticket (kiosk token), call next, wait for the
boards, start, complete. The latency of one (board, call) pair is the time from just before
the ``call-next`` request is sent to that board's receipt of the ``ticket.called`` event
carrying the called ticket's id (both ``lib.now()`` in this process). Reports
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
import os
import random
import sys
from json import loads as _json_loads
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
    p.add_argument(
        "--client-procs",
        type=int,
        default=1,
        help="board client processes: with more than 1 the boards are split over that many child "
        "processes (the clerk stays here), so that no one process handles every board's message "
        "one after another; receipt and send times are CLOCK_MONOTONIC, one clock machine-wide",
    )
    p.add_argument(
        "--reconnect",
        action="store_true",
        help="raw boards reconnect after a drop (0.25-0.75 s, doubling up to 5 s, as live.js) and "
        "subscribe with their last seq, like the browsers' client (socketio boards always do)",
    )
    p.add_argument(
        "--cafile", help="trust this certificate (nginx's self-signed one) for https:// and wss://"
    )
    p.add_argument(
        "--rss-pids",
        help="comma-separated server pids: their RSS (/proc) before and after the boards connect, "
        "and the growth per connected board in KiB",
    )
    p.add_argument("--rss-settle", type=float, default=3.0, help="seconds after connecting before RSS")
    p.add_argument("--ready-file", help="write the number of connected boards here once they are in")
    p.add_argument("--board-process", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--first-index", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--server-pid", type=int, default=0, help="also report this process tree's CPU")
    p.add_argument("--json", dest="json_out", help="write the result as JSON to this path ('-' = stdout)")
    p.add_argument("--quiet", action="store_true")
    return p.parse_args(argv)


class Tracker:
    """Counts ``ticket.called`` receipts per ticket id and wakes the clerk when all are in."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.want: dict[str, tuple[int, asyncio.Event]] = {}
        self.last_event = lib.now()

    async def quiet(self, quiet_s: float, limit_s: float = 10.0) -> float:
        """Wait until no board has received an event for `quiet_s`; return the seconds waited."""
        t0 = lib.now()
        while True:
            now = lib.now()
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
        self.tracker.last_event = lib.now()
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
        now = lib.now()
        tid = lib.board_key(env)
        if tid is None:
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
        self._phases.append(lib.now())
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


#: a reconnect's phases, each named by what it waits for (RawBoard.resume_phases)
_PHASES = ("upgrade", "open", "connect", "subscribe")


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
        self.snapshot_resyncs = 0  # resubscribes answered with a snapshot, not the missed events
        self.resubscribed_at: float | None = None  # lib.now() of the last resubscribe's ack
        #: the last reconnect, phase by phase (lib.now() when each ended): the try began, the
        #: websocket was upgraded (TCP, TLS, HTTP 101), Engine.IO's open, Socket.IO's connect
        #: ack, the subscribe's ack; and how many tries it took, and why the others failed
        self.resume_phases: list[float] | None = None
        self.resume_tries = 0
        self.try_errors: collections.Counter[str] = collections.Counter()
        self._phases: list[float] = []
        self.subscribed = False
        self.closing = False
        self.reconnecting: asyncio.Task[None] | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task[None] | None = None

    async def _recv(self) -> str:
        assert self.ws is not None
        msg = await self.ws.receive(timeout=30)
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"websocket {msg.type.name}: {msg.data!r}")
        return str(msg.data)

    async def start(self) -> None:
        self._phases = [lib.now()]
        url = self.args.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.http.ws_connect(url, autoping=True, max_msg_size=0)
        self._phases.append(lib.now())
        opening = await self._recv()
        if not opening.startswith("0"):
            raise ConnectionError(f"no engine.io open packet: {opening[:100]}")
        self._phases.append(lib.now())
        auth = {"token": self.args.board_token} if self.args.board_token else None
        await self.ws.send_str("40" + (json.dumps(auth) if auth else ""))
        while True:
            m = await self._recv()
            if m.startswith("40"):
                break
            if m.startswith("44"):
                raise ConnectionError(f"connection refused: {m[2:200]}")
            self.on_text(m)
        self._phases.append(lib.now())
        since = self.last_seq  # None the first time; after a drop, catch up like a real board
        await self.ws.send_str("420" + json.dumps(["subscribe", {"hall": self.args.hall, "since": since}]))
        while True:
            m = await self._recv()
            if m.startswith("430"):
                ack = json.loads(m[3:])[0]
                break
            self.on_text(m)
        if not isinstance(ack, dict) or "error" in ack:
            raise RuntimeError(f"subscribe refused: {ack!r}")
        self._phases.append(lib.now())
        if since is not None and "events" not in ack:
            self.snapshot_resyncs += 1
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
            if getattr(self.args, "reconnect", False):
                self.reconnecting = asyncio.create_task(self.reconnect())

    async def reconnect(self) -> None:
        """Come back after a drop as the boards' Socket.IO client does (static/js/lib/live.js:
        reconnectionDelay 500 ms doubling up to 5 s, each ±50 % at random), then subscribe with
        the last seq."""
        delay = 0.5
        tries = 0
        while not self.closing:
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))
            tries += 1
            try:
                await self.start()
                self.resubscribes += 1
                self.resubscribed_at = lib.now()
                self.resume_phases, self.resume_tries = list(self._phases), tries
                return
            except Exception as err:  # noqa: BLE001 - the server may still be coming up: try again
                phase = _PHASES[min(len(self._phases) - 1, len(_PHASES) - 1)]
                self.try_errors[f"{phase}: {type(err).__name__}"] += 1
                if self.ws is not None and not self.ws.closed:
                    await self.ws.close()
            delay = min(5.0, delay * 2)

    def on_text(self, m: str) -> None:
        if m.startswith("42"):
            now = lib.now()
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
                now = lib.now()
            tid = lib.board_key(env)
            if tid is not None and tid not in self.called:
                self.called[tid] = now
                self.tracker.got(tid)
        self.note_seq(env)

    async def stop(self) -> None:
        self.closing = True
        if self.reconnecting is not None:
            self.reconnecting.cancel()
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
            if r.status == 204:
                return r.status, None
            text = await r.text()
            try:
                return r.status, _json_loads(text)
            except ValueError:  # nginx's own error page (502, 504): say what it was
                raise RuntimeError(f"{method} {path}: HTTP {r.status}, not JSON: {text[:120]!r}") from None

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


class LocalGroup:
    """Boards in this process (indexes `first` … `first + count - 1`)."""

    def __init__(self, args: argparse.Namespace, count: int, first: int = 0) -> None:
        self.args = args
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, ssl=lib.ssl_context(args.cafile))
        )
        self.tracker = Tracker()
        board_class = RawBoard if args.client == "raw" else Board
        self.boards: list[Board] = [
            board_class(first + i, args, self.http, self.tracker) for i in range(count)
        ]
        self.live: list[Board] = []
        self.c0 = lib.self_cpu_s()

    async def connect(self) -> dict[str, Any]:
        t0 = lib.now()
        c0 = lib.self_cpu_s()
        errors = await asyncio.wait_for(
            connect_all(self.boards, self.args.connect_concurrency), self.args.connect_timeout
        )
        self.live = [b for b in self.boards if b.subscribed]
        return {
            "connected": len(self.live),
            "errors": len(errors),
            "error_samples": errors[:5],
            "connect_s": lib.now() - t0,
            "connect_cpu_s": lib.self_cpu_s() - c0,
        }

    async def quiet(self, quiet_s: float) -> None:
        await self.tracker.quiet(quiet_s)

    async def wait(self, tid: str, timeout: float) -> list[float | None]:
        """Receipt times (lib.now()) of `tid` on every live board, None where it did not come."""
        await self.tracker.wait(tid, len(self.live), timeout)
        return [b.called.get(tid) for b in self.live]

    def reset_cpu(self) -> None:
        self.c0 = lib.self_cpu_s()

    def stats(self) -> dict[str, Any]:
        return {
            "disconnects": sum(b.disconnects for b in self.boards),
            "resubscribes": sum(b.resubscribes for b in self.boards),
            "snapshot_resyncs": sum(getattr(b, "snapshot_resyncs", 0) for b in self.boards),
            "resubscribed_at": [
                t for b in self.boards if (t := getattr(b, "resubscribed_at", None)) is not None
            ],
            "resume_phases": [p for b in self.boards if (p := getattr(b, "resume_phases", None)) is not None],
            "resume_tries": [n for b in self.boards if (n := getattr(b, "resume_tries", 0))],
            "try_errors": dict(
                sum(
                    (getattr(b, "try_errors", collections.Counter()) for b in self.boards),
                    collections.Counter(),
                )
            ),
            "seq_gaps": sum(b.seq_gaps for b in self.boards),
            "seq_stale": sum(b.seq_stale for b in self.boards),
            "events": sum(b.events for b in self.boards),
            "cpu_s": lib.self_cpu_s() - self.c0,
        }

    async def close(self) -> None:
        sem = asyncio.Semaphore(200)

        async def close(b: Board) -> None:
            async with sem:
                try:
                    await asyncio.wait_for(b.stop(), 5)
                except Exception:  # noqa: BLE001
                    pass

        await asyncio.gather(*(close(b) for b in self.boards))
        await self.http.close()


#: the options a board process (--board-process) takes over from its parent
_CHILD_OPTIONS = (
    "url", "hall", "board_token", "client", "connect_concurrency", "connect_timeout", "cafile", "reconnect",
)  # fmt: skip


class RemoteGroup:
    """Boards in a child process (this script with --board-process), driven over its stdin and
    stdout one JSON line per request and answer. Receipt times are lib.now() there: CLOCK_MONOTONIC
    is one clock for the whole machine, so they compare with the send time taken here."""

    def __init__(self, args: argparse.Namespace, count: int, first: int) -> None:
        self.args, self.count, self.first = args, count, first
        self.proc: asyncio.subprocess.Process | None = None
        self.lock = asyncio.Lock()

    async def ask(self, request: dict[str, Any], timeout: float = 120.0) -> Any:
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        async with self.lock:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            await self.proc.stdin.drain()
            line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not line:
            raise RuntimeError(f"board process for boards {self.first}+ exited")
        return json.loads(line)

    async def connect(self) -> dict[str, Any]:
        argv = [sys.executable, os.path.abspath(__file__), "--board-process", "--clients", str(self.count)]
        argv += ["--first-index", str(self.first), "--clerk-token", "-", "--kiosk-token", "-"]
        for name in _CHILD_OPTIONS:
            value = getattr(self.args, name)
            if value is True:
                argv.append("--" + name.replace("_", "-"))
            elif value not in (None, False):
                argv += ["--" + name.replace("_", "-"), str(value)]
        self.proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**24
        )
        result: dict[str, Any] = await self.ask({"op": "connect"}, self.args.connect_timeout + 30)
        return result

    async def quiet(self, quiet_s: float) -> None:
        await self.ask({"op": "quiet", "s": quiet_s})

    async def wait(self, tid: str, timeout: float) -> list[float | None]:
        got: list[float | None] = await self.ask({"op": "wait", "tid": tid, "timeout": timeout}, timeout + 60)
        return got

    def reset_cpu(self) -> None:
        pass  # the child's CPU is counted from its last `reset` request

    async def reset(self) -> None:
        await self.ask({"op": "reset"})

    async def gc(self) -> None:
        await self.ask({"op": "gc"})

    async def remote_stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = await self.ask({"op": "stats"})
        return stats

    async def close(self) -> None:
        if self.proc is None:
            return
        try:
            await self.ask({"op": "close"}, 60)
        except Exception:  # noqa: BLE001 - it is going away either way
            pass
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


Group = LocalGroup | RemoteGroup


def make_groups(args: argparse.Namespace) -> list[Group]:
    """One group in this process (--client-procs 1), else that many child processes sharing the
    boards, so that no client process handles more than its share of each call's messages."""
    procs = max(1, args.client_procs)
    if procs == 1:
        return [LocalGroup(args, args.clients)]
    sizes = [args.clients // procs + (1 if i < args.clients % procs else 0) for i in range(procs)]
    starts = [sum(sizes[:i]) for i in range(procs)]
    return [RemoteGroup(args, n, first) for n, first in zip(sizes, starts, strict=True) if n]


async def group_stats(groups: list[Group]) -> dict[str, Any]:
    total: dict[str, Any] = collections.Counter()
    times: list[float] = []  # resubscribed_at: lists, joined rather than summed
    phases: list[list[float]] = []
    tries: list[int] = []
    errors: collections.Counter[str] = collections.Counter()
    for g in groups:
        s = g.stats() if isinstance(g, LocalGroup) else await g.remote_stats()
        times += s.pop("resubscribed_at", [])
        phases += s.pop("resume_phases", [])
        tries += s.pop("resume_tries", [])
        errors.update(s.pop("try_errors", {}))
        total.update(s)
    return {
        **total,
        "resubscribed_at": times,
        "resume_phases": phases,
        "resume_tries": tries,
        "try_errors": dict(errors),
    }


async def group_gc(groups: list[Group]) -> None:
    for g in groups:
        if isinstance(g, LocalGroup):
            gc.collect()
        else:
            await g.gc()


async def board_process(args: argparse.Namespace) -> None:
    """--board-process: hold `--clients` boards and answer the parent's requests (RemoteGroup)."""
    lib.raise_fd_limit(args.clients * 2 + 256)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    group = LocalGroup(args, args.clients, args.first_index)

    def answer(value: Any) -> None:
        sys.stdout.write(json.dumps(value) + "\n")
        sys.stdout.flush()

    try:
        while line := await reader.readline():
            req = json.loads(line)
            op = req["op"]
            if op == "connect":
                answer(await group.connect())
                if args.client_gc == "frozen":
                    gc.collect()
                    gc.freeze()
                    gc.disable()
            elif op == "quiet":
                await group.quiet(req["s"])
                answer(True)
            elif op == "wait":
                answer(await group.wait(req["tid"], req["timeout"]))
            elif op == "gc":
                gc.collect()
                answer(True)
            elif op == "reset":
                group.reset_cpu()
                answer(True)
            elif op == "stats":
                answer(group.stats())
            elif op == "close":
                await group.close()
                answer(True)
                return
    finally:
        if not group.http.closed:
            await group.close()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    fd_limit = lib.raise_fd_limit(args.clients * 2 + 256)
    clerk_http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=4, ssl=lib.ssl_context(args.cafile)),
        timeout=aiohttp.ClientTimeout(total=30),
    )
    groups = make_groups(args)
    result: dict[str, Any] = {
        "benchmark": "call_to_board",
        "url": args.url,
        "hall": args.hall,
        "clients_requested": args.clients,
        "client": args.client,
        "client_procs": len(groups),
        "clock": "CLOCK_MONOTONIC (system-wide): send time in the clerk's process, receipt in the board's",
        "fd_limit": fd_limit,
    }
    rss_pids = [int(p) for p in args.rss_pids.split(",") if p.strip()] if args.rss_pids else []
    try:
        clerk = Clerk(args, clerk_http)
        result["rss_before_kib"] = {str(p): lib.rss_kib(p) for p in rss_pids}
        t0 = lib.now()
        c0 = lib.self_cpu_s()
        connected = await asyncio.gather(*(g.connect() for g in groups))
        result["connect_s"] = lib.now() - t0
        result["connect_client_cpu_s"] = lib.self_cpu_s() - c0 + sum(c["connect_cpu_s"] for c in connected)
        live = sum(c["connected"] for c in connected)
        result["clients_connected"] = live
        result["connect_errors"] = sum(c["errors"] for c in connected)
        result["connect_error_samples"] = [e for c in connected for e in c["error_samples"]][:5]
        if not live:
            raise RuntimeError("no board could connect: " + "; ".join(result["connect_error_samples"][:3]))
        if rss_pids:
            await asyncio.sleep(args.rss_settle)
            after = {str(p): lib.rss_kib(p) for p in rss_pids}
            result["rss_after_kib"] = after
            grown = sum((after[k] or 0) - (result["rss_before_kib"][k] or 0) for k in after)
            result["rss_per_socket_kib"] = grown / live
        await clerk.setup()
        gc_pauses: list[float] = []
        gc_t0 = [0.0]

        def gc_cb(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_t0[0] = lib.now()
            else:
                gc_pauses.append(lib.now() - gc_t0[0])

        if args.client_gc == "frozen":
            gc.collect()
            gc.freeze()
            gc.disable()
        gc.callbacks.append(gc_cb)
        result["window"] = clerk.window
        result["service"] = clerk.service
        if args.ready_file:  # bench/cluster.py starts its other load once the boards are in
            with open(args.ready_file, "w") as f:
                f.write(str(live))

        latencies: list[float] = []
        first_receipt: list[float] = []
        last_receipt: list[float] = []
        http_call_next: list[float] = []
        per_call: list[dict[str, Any]] = []
        missed_events = 0
        boards_missing: set[tuple[int, int]] = set()
        calls_done = 0
        call_failures: list[str] = []
        meter = lib.CpuMeter(args.server_pid or None)
        for i in range(args.warmup_calls + args.calls):
            measured = i >= args.warmup_calls
            if measured and calls_done == 0:
                meter.__enter__()
                for g in groups:
                    if isinstance(g, RemoteGroup):
                        await g.reset()
                    else:
                        g.reset_cpu()
            try:
                await clerk.issue()
                await asyncio.gather(*(g.quiet(args.quiet_time) for g in groups))
                t_send = lib.now()
                async with clerk_http.post(
                    f"{args.url}/api/v1/windows/{clerk.window}/call-next", headers=clerk.h_clerk
                ) as r:
                    status = r.status
                    body = await r.json(content_type=None) if status != 204 else None
                t_http = lib.now() - t_send
                if status != 200:
                    raise RuntimeError(f"call-next: HTTP {status} {body}")
                tid = lib.ticket_ref(body["id"])  # boards see tickets by ref, never by id
                receipts = await asyncio.gather(*(g.wait(tid, args.event_timeout) for g in groups))
                if measured:
                    calls_done += 1
                    http_call_next.append(t_http)
                    got = []
                    for gi, times in enumerate(receipts):
                        for bi, t in enumerate(times):
                            if t is None:
                                missed_events += 1
                                boards_missing.add((gi, bi))
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
                            "missed": sum(len(t) for t in receipts) - len(got),
                        }
                    )
                await clerk.finish(body)
            except (aiohttp.ClientError, TimeoutError, RuntimeError) as e:
                if not args.interval:
                    raise
                # beside a load (cluster.py openloop): an overloaded server may time a call out;
                # count it and go on rather than drop every board
                call_failures.append(f"{type(e).__name__}: {e}"[:200])
                await asyncio.sleep(args.interval)
                continue
            await asyncio.gather(*(g.quiet(args.quiet_time) for g in groups))
            if args.client_gc == "frozen":
                await group_gc(groups)
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
        stats = await group_stats(groups)
        remote_cpu = stats["cpu_s"] if len(groups) > 1 else 0.0
        cpu = meter.as_dict()
        if remote_cpu:
            # the board processes' CPU is the client's too (and not "the rest of the machine")
            cpu["client_cpu_s"] += remote_cpu
            cpu["client_cpu_pct"] = 100 * cpu["client_cpu_s"] / cpu["wall_s"]
            cpu["other_cpu_pct"] = max(0.0, cpu["other_cpu_pct"] - 100 * remote_cpu / cpu["wall_s"])
        result.update(
            {
                "calls": calls_done,
                "warmup_calls": args.warmup_calls,
                "latency": lib.latency_summary(latencies),
                "first_board_latency": lib.latency_summary(first_receipt),
                "last_board_latency": lib.latency_summary(last_receipt),
                "call_next_http": lib.latency_summary(http_call_next),
                "expected_receipts": calls_done * live,
                "missed_events": missed_events,
                "call_failures": len(call_failures),
                "call_failure_samples": call_failures[:5],
                "boards_that_missed": len(boards_missing),
                "disconnects": stats["disconnects"],
                "resubscribes": stats["resubscribes"],
                "seq_gaps": stats["seq_gaps"],
                "seq_stale": stats["seq_stale"],
                "events_received": stats["events"],
                # the client handles the boards' messages one after another: this much CPU
                # per message is the client's own share of the last board's latency
                "client_cpu_us_per_event": 1e6
                * (stats["cpu_s"] if len(groups) > 1 else meter.client_cpu_s)
                / max(1, stats["events"]),
                **cpu,
                "per_call": per_call,
            }
        )
    finally:
        await asyncio.gather(*(g.close() for g in groups), return_exceptions=True)
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
    if "rss_per_socket_kib" in r:
        print(
            f"server RSS    {r['rss_before_kib']} KiB before, {r['rss_after_kib']} KiB after connecting: "
            f"{r['rss_per_socket_kib']:.1f} KiB per socket"
        )
    cpu = f"client CPU    {r['client_cpu_s']:.1f}s = {r['client_cpu_pct']:.0f}% of one core"
    if "server_cpu_s" in r:
        cpu += f"; server CPU {r['server_cpu_s']:.1f}s = {r['server_cpu_pct']:.0f}% of one core"
    cpu += f"; rest of the machine {r['other_cpu_pct']:.0f}% of one core"
    cpu += f"\n              client {r['client_cpu_us_per_event']:.0f} us CPU per received event"
    cpu += f" ({r['client_procs']} client process(es))"
    print(cpu)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.board_process:
        asyncio.run(board_process(args))
        return 0
    result = asyncio.run(main_async(args))
    if not args.quiet:
        report(result)
    lib.write_json(args.json_out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
