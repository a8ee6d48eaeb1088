"""`GET /healthz`: whether this process can serve a hall, writes included.

200 `{"status": "ok", "database": "ok", "writes": "ok", "disk": "ok"}`; otherwise 503 with
`"status": "error"`, the failed checks in `failed` and each check's state:

* `database`: a read answers (`down` if not);
* `writes`: a write would succeed now — a probe table created in a transaction that is
  always rolled back (`full`, `read_only` or `unavailable`), so a disk that is full or a
  database that went read-only is reported before citizens meet it at the kiosk;
* `disk` (SQLite only): the database's disk has at least HALLQ_HEALTH_MIN_FREE_MB free
  (`low` if not), since SQLite may still fit a few writes into pages it already has.

Only states, never an error text or a path: anyone may ask.

`GET /healthz/realtime`: `{"realtime": "ok"}` or `{"realtime": "degraded"}` (always 200: the
process serves, writes included; only its pushes to the other processes' sockets, or theirs to
its own, are not getting through the message queue — boards resync by seq when it is back).
The manager console polls it to show 实时推送降级.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..config import ConfigError
from ..services.core.errors import StorageUnavailable


def init_health(app: Flask) -> None:
    try:
        min_free = int(app.config.get("HEALTH_MIN_FREE_MB") or 0) * 1024 * 1024
    except ValueError as err:
        raise ConfigError(f"HALLQ_HEALTH_MIN_FREE_MB must be a number of megabytes: {err}") from err

    @app.get("/healthz/realtime")
    def realtime_health() -> Any:
        try:
            state = app.extensions["hallq"].realtime_state()
        except Exception:  # the probe must answer, whatever the message queue does
            state = "degraded"
        return {"realtime": state}, 200, {"Cache-Control": "no-store"}

    @app.get("/healthz")
    def healthz() -> Any:
        db = app.extensions["hallq"].db
        checks: dict[str, str] = {}
        try:
            checks["database"] = "ok" if db.ping() else "down"
        except Exception:  # the probe must answer, whatever the database does
            checks["database"] = "down"
        try:
            db.check_writes()
            checks["writes"] = "ok"
        except StorageUnavailable as err:
            checks["writes"] = err.reason
        except Exception:
            checks["writes"] = "unavailable"
        free = db.free_bytes()
        if free is not None:
            checks["disk"] = "ok" if free >= min_free else "low"
        failed = [name for name, state in checks.items() if state != "ok"]
        if failed:
            app.logger.error("healthz: %s", ", ".join(f"{n}={checks[n]}" for n in failed))
            return {"status": "error", **checks, "failed": failed}, 503
        return {"status": "ok", **checks}, 200
