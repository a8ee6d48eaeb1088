#!/usr/bin/env python3
"""Ticket-issue load: throughput and latency of ``POST /api/v1/tickets`` at concurrency N.

One asyncio process, one aiohttp session with keep-alive connections (one per worker), N
workers that each issue tickets back to back (closed loop). Prints tickets/s,
p50/p95/p99/max latency, errors, the client's (and optionally the server's) CPU, and
checks that no two responses carry the same number for the same service and day.

    python bench/issue_load.py --url http://127.0.0.1:5000 --token KIOSK_TOKEN \
        --concurrency 50 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import sys
import time
from typing import Any

import aiohttp

try:
    from bench import _benchlib as lib
except ImportError:  # run as a script: bench/ itself is on sys.path
    import _benchlib as lib  # type: ignore[no-redef]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:5000", help="server base URL")
    p.add_argument("--token", required=True, help="kiosk (or manager) bearer token")
    p.add_argument("--hall", default="demo")
    p.add_argument(
        "--services",
        default="all",
        help="comma-separated service codes issued round-robin, or 'all' (every service of "
        "the hall, read from GET /api/v1/halls/<hall>)",
    )
    p.add_argument("-c", "--concurrency", type=int, default=50, help="connections / requests in flight")
    p.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="open loop: start requests at this fixed rate (tickets/s) with at most --concurrency "
        "in flight; latency counts from the scheduled start, so time spent waiting for a free "
        "connection when the server falls behind is included. Default 0 = closed loop: every "
        "worker sends its next request as soon as the previous answer is in",
    )
    p.add_argument("-d", "--duration", type=float, default=20.0, help="measured seconds")
    p.add_argument(
        "-n",
        "--count",
        type=int,
        default=0,
        help="stop after this many measured tickets instead of --duration",
    )
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring")
    p.add_argument("--timeout", type=float, default=10.0, help="per-request timeout, seconds")
    p.add_argument("--cafile", help="trust this certificate (nginx's self-signed one) for https://")
    p.add_argument(
        "--series",
        type=float,
        default=0.0,
        help="also report latency per this many seconds of the measured run (p50/p99/max per "
        "bucket, by the time each request started), e.g. 60 for a per-minute series",
    )
    p.add_argument("--server-pid", type=int, default=0, help="also report this process tree's CPU")
    p.add_argument("--json", dest="json_out", help="write the result as JSON to this path ('-' = stdout)")
    p.add_argument("--quiet", action="store_true", help="no human-readable report")
    return p.parse_args(argv)


async def discover_services(session: aiohttp.ClientSession, url: str, hall: str) -> list[str]:
    async with session.get(f"{url}/api/v1/halls/{hall}") as r:
        r.raise_for_status()
        body = await r.json()
    return [s["code"] for s in body["services"]]


class Run:
    def __init__(self, args: argparse.Namespace, services: list[str]) -> None:
        self.args = args
        self.services = services
        self.next_service = 0
        self.measuring = False
        self.stop = False
        self.started = 0  # measured requests started (for --count)
        self.latencies: list[float] = []
        self.ok = 0
        self.warmup_ok = 0
        self.errors: collections.Counter[str] = collections.Counter()
        self.error_samples: list[str] = []
        # (service, business_day, number) -> ticket ids; every 201, warm-up included
        self.numbers: dict[tuple[str, str, str], list[str]] = collections.defaultdict(list)
        self.ids: collections.Counter[str] = collections.Counter()
        self.per_service: collections.Counter[str] = collections.Counter()
        self.slot = 0
        self.t_start = time.perf_counter()
        self.late_starts = 0  # open loop: slots that found every connection busy
        self.t_measure = 0.0  # when measuring started
        self.buckets: dict[int, list[float]] = collections.defaultdict(list)  # --series

    def pick_service(self) -> str:
        s = self.services[self.next_service % len(self.services)]
        self.next_service += 1
        return s

    def record_error(self, key: str, sample: str) -> None:
        self.errors[key] += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(f"{key}: {sample[:300]}")

    async def worker(self, session: aiohttp.ClientSession) -> None:
        url = f"{self.args.url}/api/v1/tickets"
        headers = {"Authorization": f"Bearer {self.args.token}"}
        while not self.stop:
            if self.args.rate:
                t0 = self.t_start + self.slot / self.args.rate
                self.slot += 1
                delay = t0 - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                    if self.stop:
                        return
                elif delay < -0.002 and self.measuring:
                    self.late_starts += 1
            measured = self.measuring
            if measured and self.args.count:
                if self.started >= self.args.count:
                    return
                self.started += 1
            service = self.pick_service()
            if not self.args.rate:
                t0 = time.perf_counter()
            try:
                async with session.post(url, json={"service": service}, headers=headers) as r:
                    body = await r.read()
                    dt = time.perf_counter() - t0
                    status = r.status
            except (TimeoutError, aiohttp.ClientError) as e:
                if measured:
                    self.record_error(type(e).__name__, repr(e))
                continue
            if status != 201:
                if measured:
                    self.record_error(f"HTTP {status}", body.decode("utf-8", "replace"))
                continue
            try:
                t = json.loads(body)
                key = (t["service"], t.get("business_day", ""), t["number"])
                tid = t["id"]
            except (ValueError, KeyError, TypeError) as e:
                if measured:
                    self.record_error("bad body", f"{e!r} {body[:200]!r}")
                continue
            self.numbers[key].append(tid)
            self.ids[tid] += 1
            if measured and self.measuring:
                # a request that started in the warm-up but ended later is not counted
                self.ok += 1
                self.latencies.append(dt)
                if self.args.series:
                    # by scheduled start; one scheduled in the warm-up but sent later counts in the first
                    self.buckets[max(0, int((t0 - self.t_measure) // self.args.series))].append(dt)
                self.per_service[t["service"]] += 1
            elif not measured:
                self.warmup_ok += 1


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(
        limit=args.concurrency, force_close=False, ssl=lib.ssl_context(args.cafile)
    )
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        if args.services == "all":
            services = await discover_services(session, args.url, args.hall)
        else:
            services = [s.strip() for s in args.services.split(",") if s.strip()]
        run = Run(args, services)
        tasks = [asyncio.create_task(run.worker(session)) for _ in range(args.concurrency)]
        if args.warmup > 0:
            await asyncio.sleep(args.warmup)
        run.t_measure = time.perf_counter()
        run.measuring = True
        meter = lib.CpuMeter(args.server_pid or None)
        with meter:
            if args.count:
                await asyncio.gather(*tasks)
            else:
                await asyncio.sleep(args.duration)
                run.measuring = False
                run.stop = True
        run.stop = True
        run.measuring = False
        await asyncio.gather(*tasks, return_exceptions=True)

    dups = {f"{k[0]}/{k[1]}/{k[2]}": v for k, v in run.numbers.items() if len(v) > 1}
    dup_ids = [i for i, n in run.ids.items() if n > 1]
    # informational: are the numbers each service got contiguous? (other clients or
    # requests timed out on our side but committed by the server leave gaps)
    gaps = {}
    by_service: dict[tuple[str, str], list[int]] = collections.defaultdict(list)
    for svc, day, number in run.numbers:
        digits = "".join(ch for ch in number if ch.isdigit())
        if digits:
            by_service[(svc, day)].append(int(digits))
    for (svc, day), nums in by_service.items():
        nums.sort()
        span = nums[-1] - nums[0] + 1
        if span != len(set(nums)):
            gaps[f"{svc}/{day}"] = span - len(set(nums))
    result: dict[str, Any] = {
        "benchmark": "issue_load",
        "url": args.url,
        "hall": args.hall,
        "services": services,
        "concurrency": args.concurrency,
        "loop": f"open, {args.rate:g}/s offered" if args.rate else "closed",
        "late_starts": run.late_starts,
        "mode": f"count={args.count}" if args.count else f"duration={args.duration}s",
        "warmup_s": args.warmup,
        "warmup_tickets": run.warmup_ok,
        "tickets": run.ok,
        "tickets_per_s": run.ok / meter.wall_s if meter.wall_s else 0.0,
        "latency": lib.latency_summary(run.latencies),
        "errors": sum(run.errors.values()),
        "errors_by_kind": dict(run.errors),
        "error_samples": run.error_samples,
        "tickets_checked_for_duplicates": sum(len(v) for v in run.numbers.values()),
        "duplicate_numbers": len(dups),
        "duplicate_examples": dict(list(dups.items())[:10]),
        "duplicate_ids": len(dup_ids),
        "missing_numbers_in_span": gaps,
        "per_service": dict(run.per_service),
        "series_s": args.series or None,
        "series": [
            {
                "from_s": k * args.series,
                "n": len(v),
                "p50_ms": 1000 * lib.percentile(sorted(v), 50),
                "p99_ms": 1000 * lib.percentile(sorted(v), 99),
                "max_ms": 1000 * max(v),
            }
            for k, v in sorted(run.buckets.items())
        ],
        **meter.as_dict(),
    }
    return result


def report(r: dict[str, Any]) -> None:
    lat = r["latency"]
    print(f"# issue_load  {r['url']}  hall={r['hall']}  services={','.join(r['services'])}")
    print(f"{r['loop']} loop")
    print(
        f"concurrency {r['concurrency']}, {r['mode']}, "
        f"warm-up {r['warmup_s']}s ({r['warmup_tickets']} tickets)"
    )
    print(f"tickets       {r['tickets']} in {r['wall_s']:.1f}s = {r['tickets_per_s']:.1f} tickets/s")
    if lat.get("n"):
        print(
            f"latency ms    p50 {lat['p50_ms']:.1f}  p95 {lat['p95_ms']:.1f}  "
            f"p99 {lat['p99_ms']:.1f}  max {lat['max_ms']:.1f}  (mean {lat['mean_ms']:.1f})"
        )
    print(f"errors        {r['errors']} {r['errors_by_kind'] or ''}")
    if r["late_starts"]:
        print(f"late starts   {r['late_starts']} requests waited for a free connection")
    for s in r["error_samples"][:5]:
        print(f"   e.g. {s}")
    print(
        f"duplicates    {r['duplicate_numbers']} duplicate numbers, "
        f"{r['duplicate_ids']} duplicate ids "
        f"among {r['tickets_checked_for_duplicates']} tickets"
    )
    for b in r["series"]:
        print(
            f"  from {b['from_s']:>6.0f}s  n {b['n']:>6}  p50 {b['p50_ms']:.1f}  "
            f"p99 {b['p99_ms']:.1f}  max {b['max_ms']:.1f} ms"
        )
    if r["missing_numbers_in_span"]:
        print(f"(info) numbers missing inside the span seen: {r['missing_numbers_in_span']}")
    cpu = f"client CPU    {r['client_cpu_s']:.1f}s = {r['client_cpu_pct']:.0f}% of one core"
    if "server_cpu_s" in r:
        cpu += f"; server CPU {r['server_cpu_s']:.1f}s = {r['server_cpu_pct']:.0f}% of one core"
    cpu += f"; rest of the machine {r['other_cpu_pct']:.0f}% of one core"
    print(cpu)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = asyncio.run(main_async(args))
    if not args.quiet:
        report(result)
    lib.write_json(args.json_out, result)
    return 1 if result["duplicate_numbers"] or result["duplicate_ids"] else 0


if __name__ == "__main__":
    sys.exit(main())
