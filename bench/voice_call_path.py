#!/usr/bin/env python3
"""The cost of a call's announcement on the call path (issue 12, voice calls).

Seeds the demo hall in a fresh SQLite database and times `call-next` over HTTP (Flask's test
client, in process: no network, no socket fan-out) for N calls, alternating two variants so
both see the same machine: `before` — the announcement computation replaced by a no-op (what
`call-next` did before voice calls) — and `after` — the real code (announcement text, clip
versions query, content hash; no rendering). Prints p50/p95/mean per variant.

    .venv/bin/python bench/voice_call_path.py --calls 300
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=300)
    args = ap.parse_args()

    from server import create_app
    from server.demo import seed_demo
    from server.services import tickets
    from server.services.accounts import create_token
    from server.storage.migrate import upgrade

    tmp = Path(tempfile.mkdtemp(prefix="hallq-voice-bench-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "ASYNC_MODE": "threading"})
    ctx = app.extensions["hallq"]
    seed_demo(ctx)
    client = app.test_client()
    kiosk = {"Authorization": "Bearer " + create_token(ctx, "kiosk", "demo", None)}
    clerk = {"Authorization": "Bearer " + create_token(ctx, "clerk", "demo", "clerk02")}
    assert client.post("/api/v1/windows/2/sign-in", headers=clerk).status_code == 200

    real = tickets.announcement_data

    def noop(*_a: Any, **_k: Any) -> dict[str, Any]:
        return {}

    times: dict[str, list[float]] = {"before": [], "after": []}
    for i in range(args.calls * 2 + 10):
        variant = "before" if i % 2 else "after"
        tickets.announcement_data = noop if variant == "before" else real  # type: ignore[assignment]
        t = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
        t0 = time.perf_counter()
        r = client.post("/api/v1/windows/2/call-next", headers=clerk)
        dt = (time.perf_counter() - t0) * 1000
        assert r.status_code == 200, r.get_json()
        for action in ("start", "complete"):
            assert client.post(f"/api/v1/tickets/{t['id']}/{action}", headers=clerk).status_code == 200
        if i >= 10:  # warm-up calls are not counted
            times[variant].append(dt)
    tickets.announcement_data = real  # type: ignore[assignment]

    # the audio: rendered on its first GET (espeak-ng), then served from voice_audio
    client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    client.post("/api/v1/windows/2/call-next", headers=clerk)
    from server.storage.models import Event

    with ctx.db.read() as s:
        ev = s.query(Event).filter_by(type="ticket.called").order_by(Event.id.desc()).first()
        audio_url = ev.data["announcement"]["audio_url"] if ev else None
    if audio_url:
        for label in ("first GET (renders)", "second GET (cached)"):
            t0 = time.perf_counter()
            r = client.get(audio_url)
            print(
                f"{label}: {(time.perf_counter() - t0) * 1000:.1f} ms, {len(r.data)} bytes, {r.status_code}"
            )
    for variant, xs in times.items():
        xs.sort()
        p95 = xs[int(len(xs) * 0.95) - 1]
        p50, mean = statistics.median(xs), statistics.fmean(xs)
        print(f"{variant:6s} n={len(xs)} p50={p50:.2f} ms p95={p95:.2f} ms mean={mean:.2f} ms")


if __name__ == "__main__":
    main()
