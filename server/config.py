"""Configuration: HALLQ_* environment variables, an optional TOML file, then defaults.

| variable | default | meaning |
|---|---|---|
| HALLQ_CONFIG | – | path of a TOML file with the same keys in lower case (database_url = "…") |
| HALLQ_DATABASE_URL | sqlite:///hallq.db | SQLAlchemy URL (SQLite file or postgresql://…) |
| HALLQ_MESSAGE_QUEUE | – | redis://… to fan events out across several server processes |
| HALLQ_REALTIME_CHANNEL | hallq-db<N> | Redis pub/sub channel (default: per database index of the queue) |
| HALLQ_ASYNC_MODE | gevent | gevent, eventlet or threading (gevent measured fastest: docs/performance.md) |
| HALLQ_SECRET_KEY | generated into .hallq-secret beside the database | session and CSRF key |
| HALLQ_PUBLIC_BOARDS | true | anonymous read-only hall boards and phone pages |
| HALLQ_BASE_URL | – | absolute URL prefix for ticket links behind a proxy |
| HALLQ_SECURE_COOKIES | auto | `Secure` session cookie: auto = on when HALLQ_BASE_URL starts with https:// |
| HALLQ_ALLOWED_ORIGINS | – | other origins (comma-separated) whose pages may open Socket.IO |
| HALLQ_HEALTH_MIN_FREE_MB | 64 | /healthz answers 503 when the SQLite database's disk has less free space |
| HALLQ_AUTO_MIGRATE | true | `hallq serve` upgrades the database schema on start |
| HALLQ_NODE | host name | this machine's name in duty leases and Socket.IO session ids (deployment.md) |
| HALLQ_DUTY_LEASE_S | 10 | seconds a background duty's lease lasts: a dead holder's duty moves within that |
| HALLQ_TIMEZONE | Asia/Shanghai | timezone of halls created by the CLI |
| HALLQ_ARCHIVE_AFTER_DAYS | 62 | `hallq archive` moves older days (this month and the last stay hot) |
| HALLQ_TRUSTED_PROXIES | 127.0.0.1, ::1 | proxies (addresses, networks) whose X-Forwarded-For counts |
| HALLQ_RATE_LIMITS | true | the abuse limits below (off only for load tests) |
| HALLQ_LIMIT_SOCKET_EVENTS | 40/2s | Socket.IO events per socket (N/Ts: N at once, N more per T); over: cut |
| HALLQ_LIMIT_SOCKET_SUBSCRIBES | 10/10s | `subscribe` per socket (each can cost a snapshot); over: cut |
| HALLQ_LIMIT_ADDRESS_EVENTS | 400/2s | Socket.IO events per client address, all its sockets together |
| HALLQ_LIMIT_ADDRESS_SUBSCRIBES | 120/10s | `subscribe` events per client address |
| HALLQ_LIMIT_ADDRESS_SOCKETS | 200 | Socket.IO connections one client address may hold open at once |
| HALLQ_LIMIT_ADDRESS_CONNECTS | 60/10s | Socket.IO connections one client address may open |
| HALLQ_LIMIT_ADDRESS_CUTS | 3/30s/15m | sockets of an address cut for flooding before it may not connect |
| HALLQ_LIMIT_LOGIN_USER | 5/30s/15m | failed logins per user name: free/first lock/longest (doubling) |
| HALLQ_LIMIT_LOGIN_ADDRESS | 20/30s/15m | failed logins per client address (in memory, per process) |
| HALLQ_LIMIT_CODE_ADDRESS | 10/10s/5m | unknown notice codes typed per client address |
| HALLQ_LIMIT_CODE_TOKEN | 10/10s/5m | unknown notice codes typed per kiosk token |
| HALLQ_LIMIT_BOOKING_ADDRESS | 10/1m/1h | bookings made or tried per client address (free/lock/longest) |

The default database, hallq.db in the current folder, is the same for every `hallq` command,
`hallq demo` included.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ASYNC_MODES = ("threading", "eventlet", "gevent")

#: the one default database: this file in the current folder, for every command (the demo too)
DEFAULT_DATABASE_FILE = "hallq.db"

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": f"sqlite:///{DEFAULT_DATABASE_FILE}",
    "MESSAGE_QUEUE": None,
    "REALTIME_CHANNEL": None,
    "ASYNC_MODE": "gevent",
    "SECRET_KEY": None,
    "PUBLIC_BOARDS": True,
    "BASE_URL": None,
    "SECURE_COOKIES": "auto",
    "ALLOWED_ORIGINS": "",
    "HEALTH_MIN_FREE_MB": 64,
    "AUTO_MIGRATE": True,
    "NODE": None,
    "DUTY_LEASE_S": 10,
    "TIMEZONE": "Asia/Shanghai",
    "ARCHIVE_AFTER_DAYS": 62,
    # abuse limits (docs/security.md); rates are N/Ts, backoffs FREE/FIRST/LONGEST
    # an nginx on the same host; "" trusts no one (X-Forwarded-For is then always ignored)
    "TRUSTED_PROXIES": "127.0.0.1, ::1",
    "RATE_LIMITS": True,
    "LIMIT_SOCKET_EVENTS": "40/2s",
    "LIMIT_SOCKET_SUBSCRIBES": "10/10s",
    "LIMIT_ADDRESS_EVENTS": "400/2s",
    "LIMIT_ADDRESS_SUBSCRIBES": "120/10s",
    "LIMIT_ADDRESS_SOCKETS": 200,
    "LIMIT_ADDRESS_CONNECTS": "60/10s",
    "LIMIT_ADDRESS_CUTS": "3/30s/15m",
    "LIMIT_LOGIN_USER": "5/30s/15m",
    "LIMIT_LOGIN_ADDRESS": "20/30s/15m",
    "LIMIT_CODE_ADDRESS": "10/10s/5m",
    "LIMIT_CODE_TOKEN": "10/10s/5m",
    "LIMIT_BOOKING_ADDRESS": "10/1m/1h",
}

_BOOL = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


class ConfigError(ValueError):
    """A setting that cannot be used (bad value, unreadable HALLQ_CONFIG file)."""


def _coerce(key: str, value: Any) -> Any:
    if isinstance(DEFAULTS.get(key), bool) and isinstance(value, str):
        if value.lower() not in _BOOL:
            raise ConfigError(f"HALLQ_{key} must be true or false, got {value!r}")
        return _BOOL[value.lower()]
    default = DEFAULTS.get(key)
    if isinstance(default, int) and not isinstance(default, bool) and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"HALLQ_{key} must be a whole number, got {value!r}") from None
    return value


def _read_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return {k.upper(): v for k, v in tomllib.load(fh).items()}
    except OSError as err:
        raise ConfigError(f"cannot read HALLQ_CONFIG file {path}: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"HALLQ_CONFIG file {path} is not valid TOML: {err}") from err


def _layers(
    overrides: dict[str, Any] | None, env: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The merged settings and, for each key, where its value came from."""
    cfg = dict(DEFAULTS)
    source = dict.fromkeys(DEFAULTS, "default")
    path = env.get("HALLQ_CONFIG")
    if path:
        from_file = _read_file(path)
        cfg.update(from_file)
        source.update(dict.fromkeys(from_file, f"HALLQ_CONFIG file {path}"))
    for key in DEFAULTS:
        if f"HALLQ_{key}" in env:
            cfg[key] = _coerce(key, env[f"HALLQ_{key}"])
            source[key] = f"HALLQ_{key}"
    cfg.update(overrides or {})
    source.update(dict.fromkeys(overrides or {}, "override"))
    if cfg["ASYNC_MODE"] not in ASYNC_MODES:
        raise ConfigError(
            f"HALLQ_ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}, got {cfg['ASYNC_MODE']!r}"
        )
    cfg["DATABASE_URL"] = absolute_sqlite_url(cfg["DATABASE_URL"])
    return cfg, source


def load(overrides: dict[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The effective settings (keys without the HALLQ_ prefix): overrides > env > file > defaults."""
    cfg, _ = _layers(overrides, os.environ if environ is None else environ)
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = _stored_secret(cfg["DATABASE_URL"])
    return cfg


def database_url(
    overrides: dict[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """The database URL `load` would use and where it comes from ("default", "HALLQ_DATABASE_URL",
    "HALLQ_CONFIG file …" or "override"), without touching the disk."""
    cfg, source = _layers(overrides, os.environ if environ is None else environ)
    return cfg["DATABASE_URL"], source["DATABASE_URL"]


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or ":memory:" in url or "mode=memory" in url:
        return None
    return Path(url[len(prefix) :].split("?", 1)[0])


def absolute_sqlite_url(url: str) -> str:
    """Pin a relative SQLite path to the folder the server was started from."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(Path(url[len(prefix) :]).resolve())
    return url


def _stored_secret(database_url: str) -> str:
    """A secret kept beside a SQLite database (or in the working folder), made once."""
    folder = Path.cwd()
    if database_url.startswith("sqlite:////"):
        folder = Path(database_url[len("sqlite:///") :]).parent
    path = folder / ".hallq-secret"
    if not path.exists():
        # Written private (0600) under another name, then linked in place: never readable by
        # others, and a second process starting at the same time reads the whole secret.
        tmp = path.with_name(f".hallq-secret.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a stale file of that name keeps its mode otherwise
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:  # one an older version wrote world-readable
        path.chmod(0o600)
    return path.read_text().strip()
