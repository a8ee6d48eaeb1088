"""CPU per issued ticket, in process: the issue path through Flask's test client on a fresh
SQLite demo hall, timed with the process's CPU clock (not the wall clock), so a busy shared
machine moves the figure far less than a load run's tickets/s. Optionally with some windows
signed in, so the wait estimates play real windows forward.

    .venv/bin/python bench/issue_cpu.py --tickets 3000 [--windows 6] [--repeat 3]

Prints the median over the repeats of CPU ms per ticket (and the wall ms for reference).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server import create_app  # noqa: E402
from server.demo import WINDOWS, seed_demo  # noqa: E402
from server.services.accounts import create_token  # noqa: E402
from server.storage.migrate import upgrade  # noqa: E402


def one_run(tickets: int, windows: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/hallq.db"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "ASYNC_MODE": "threading"})
        ctx = app.extensions["hallq"]
        seed_demo(ctx)
        client = app.test_client()
        kiosk = {"Authorization": f"Bearer {create_token(ctx, 'kiosk', 'demo', None)}"}
        for number in list(WINDOWS)[:windows]:
            clerk = {"Authorization": f"Bearer {create_token(ctx, 'clerk', 'demo', f'clerk{number:02d}')}"}
            assert client.post(f"/api/v1/windows/{number}/sign-in", headers=clerk).status_code == 200
        codes = sorted({code for services in WINDOWS.values() for code in services})
        for i in range(50):  # warm-up
            client.post("/api/v1/tickets", json={"service": codes[i % len(codes)]}, headers=kiosk)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for i in range(tickets):
            r = client.post("/api/v1/tickets", json={"service": codes[i % len(codes)]}, headers=kiosk)
            assert r.status_code == 201, r.get_data(as_text=True)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        ctx.db.dispose()
        return cpu * 1000 / tickets, wall * 1000 / tickets


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tickets", type=int, default=3000)
    p.add_argument("--windows", type=int, default=0, help="windows signed in (demo windows 1…N)")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    runs = [one_run(args.tickets, args.windows) for _ in range(args.repeat)]
    cpu = statistics.median(r[0] for r in runs)
    wall = statistics.median(r[1] for r in runs)
    print(
        f"issue CPU {cpu:.3f} ms/ticket (wall {wall:.3f} ms), {args.tickets} tickets, "
        f"{args.windows} windows signed in, median of {args.repeat}: "
        + ", ".join(f"{c:.3f}" for c, _ in runs)
    )


if __name__ == "__main__":
    main()
