"""Small helpers shared by the hallq benchmarks: percentiles, CPU accounting, output."""

from __future__ import annotations

import json
import math
import os
import resource
import sys
import time
from collections.abc import Sequence
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK")


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Linear-interpolated percentile (numpy's default) of already sorted values."""
    if not sorted_values:
        return math.nan
    if len(sorted_values) == 1:
        return sorted_values[0]
    k = (len(sorted_values) - 1) * p / 100.0
    lo = math.floor(k)
    hi = math.ceil(k)
    if lo == hi:
        return sorted_values[lo]
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def latency_summary(values_s: Sequence[float]) -> dict[str, float | int]:
    """p50/p95/p99/max/mean in milliseconds of latencies given in seconds."""
    v = sorted(values_s)
    if not v:
        return {"n": 0}
    return {
        "n": len(v),
        "mean_ms": 1000 * sum(v) / len(v),
        "p50_ms": 1000 * percentile(v, 50),
        "p95_ms": 1000 * percentile(v, 95),
        "p99_ms": 1000 * percentile(v, 99),
        "max_ms": 1000 * v[-1],
        "min_ms": 1000 * v[0],
    }


def self_cpu_s() -> float:
    """CPU seconds (user + system) used by this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def machine_busy_cpu_s() -> float:
    """CPU seconds all CPUs of the machine have spent busy (not idle/iowait) since boot."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:]
    # user nice system idle iowait irq softirq steal (guest time is inside user)
    v = [int(x) for x in fields[:8]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / CLK_TCK


def wait_for_quiet_machine(max_busy_cores: float = 0.3, timeout_s: float = 60.0) -> float:
    """Sample the machine's CPU use each second until under `max_busy_cores` (other work on a
    shared box would skew a benchmark); return the last sample, in cores."""
    deadline = time.monotonic() + timeout_s
    busy = math.inf
    while True:
        b0, t0 = machine_busy_cpu_s(), time.monotonic()
        time.sleep(1.0)
        busy = (machine_busy_cpu_s() - b0) / (time.monotonic() - t0)
        if busy <= max_busy_cores or time.monotonic() > deadline:
            return busy


def _proc_children(pid: int) -> list[int]:
    kids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            kids.append(int(name))
    return kids


def tree_cpu_s(pid: int | None) -> float | None:
    """CPU seconds (user + system) used so far by a live process and its live descendants."""
    if not pid:
        return None
    total = 0.0
    todo = [pid]
    seen = set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the command: state(0) ppid(1) ... utime(11) stime(12)
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        todo.extend(_proc_children(p))
    return total


#: who a process is, by its command line (cpu_by_pid): first match wins
PARTIES = (
    ("hallq workers", ("-m server serve", "bin/hallq serve")),
    ("nginx", ("nginx",)),
    ("clients", ("bench/", "call_to_board", "reconnect_storm", "issue_load")),
    ("PostgreSQL", ("postgres",)),
    ("Redis", ("redis-server",)),
)


def cpu_by_pid() -> dict[int, tuple[str, float]]:
    """Every process's party (PARTIES, else 'other') and CPU seconds so far (user + system)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, tuple[str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        party = next((name for name, marks in PARTIES if any(m in cmd for m in marks)), "other")
        out[int(entry)] = (party, (int(fields[11]) + int(fields[12])) / tick)
    return out


def cpu_between(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
) -> dict[str, float]:
    """CPU seconds per party between two cpu_by_pid() readings (a process started in between
    counts whole; one that ended in between is lost, as its last moments are)."""
    spent: dict[str, float] = {}
    for pid, (party, cpu) in after.items():
        was = before.get(pid)
        spent[party] = spent.get(party, 0.0) + cpu - (was[1] if was and was[0] == party else 0.0)
    return {k: round(v, 2) for k, v in sorted(spent.items())}


def raise_fd_limit(want: int) -> int:
    """Raise RLIMIT_NOFILE towards `want` (bounded by the hard limit); return the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


class CpuMeter:
    """Measures wall time and the CPU of this process (and optionally of a server pid)."""

    def __init__(self, server_pid: int | None = None) -> None:
        self.server_pid = server_pid

    def __enter__(self) -> CpuMeter:
        self.t0 = time.perf_counter()
        self.c0 = self_cpu_s()
        self.s0 = tree_cpu_s(self.server_pid)
        self.m0 = machine_busy_cpu_s()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall_s = time.perf_counter() - self.t0
        self.client_cpu_s = self_cpu_s() - self.c0
        s1 = tree_cpu_s(self.server_pid)
        self.server_cpu_s = None if s1 is None or self.s0 is None else s1 - self.s0
        self.machine_cpu_s = machine_busy_cpu_s() - self.m0

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "wall_s": self.wall_s,
            "client_cpu_s": self.client_cpu_s,
            "client_cpu_pct": 100 * self.client_cpu_s / self.wall_s if self.wall_s else None,
        }
        if self.server_cpu_s is not None:
            d["server_cpu_s"] = self.server_cpu_s
            d["server_cpu_pct"] = 100 * self.server_cpu_s / self.wall_s if self.wall_s else None
        # everything else the machine did meanwhile (other users' jobs, the kernel's network
        # work for our sockets is partly in here too): a skew indicator on a shared box
        other = self.machine_cpu_s - self.client_cpu_s - (self.server_cpu_s or 0.0)
        d["other_cpu_pct"] = 100 * max(other, 0.0) / self.wall_s if self.wall_s else None
        return d


def write_json(path: str | None, data: dict[str, Any]) -> None:
    if not path:
        return
    if path == "-":
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    with open(path, "w") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")


def fmt_ms(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.1f}"


def now() -> float:
    """CLOCK_MONOTONIC seconds: one clock for every process of this machine (Linux), so receipt
    times taken in several client processes compare with a send time taken in another."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def ssl_context(cafile: str | None) -> Any:
    """For aiohttp's `ssl=`: a context trusting `cafile` (nginx's self-signed certificate), or
    None (the default checks) when no file is given."""
    if not cafile:
        return None
    import ssl  # noqa: PLC0415

    return ssl.create_default_context(cafile=cafile)


def rss_kib(pid: int) -> int | None:
    """Resident set size of a process in KiB (VmRSS from /proc), None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    """The live direct children of a process."""
    return sorted(_proc_children(pid))


def ticket_ref(public_id: str) -> str:
    """The key boards see a ticket by (they never get its id): server/domain/disclosure.py's
    `ticket_ref`, which the boards' own pages use too."""
    import hashlib  # noqa: PLC0415

    return hashlib.sha256(b"hallq-ref:" + public_id.encode()).hexdigest()[:12]


def board_key(env: Any) -> str | None:
    """The ticket of an event as a board sees it: its `ref` (or the ref of its id, for staff)."""
    try:
        t = env["data"]["ticket"]
    except (KeyError, TypeError):
        return None
    if not isinstance(t, dict):
        return None
    if isinstance(t.get("ref"), str):
        return str(t["ref"])
    return ticket_ref(str(t["id"])) if t.get("id") is not None else None
