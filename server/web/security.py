"""What every answer and every socket handshake carries for the browser's protections.

* Headers on every response (pages, API, static files, Socket.IO's polling answers): a strict
  Content-Security-Policy (`CSP`: no inline script or style, no plugin, no framing, forms and
  sockets to this origin only), `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`
  and `Referrer-Policy: no-referrer` (the phone page's address is the ticket's only secret:
  no other site may see it in a Referer).
* Cookies: the session cookie (and Flask-Login's remember cookie; Flask-WTF keeps its CSRF
  token inside the session) are `HttpOnly; SameSite=Lax`, and `Secure` when the hall runs
  behind TLS: HALLQ_SECURE_COOKIES = auto (on when HALLQ_BASE_URL starts with https://),
  true or false.
* Socket.IO origins (`origin_allowed`): a browser's handshake is accepted from the page's own
  origin, HALLQ_BASE_URL's and the origins listed in HALLQ_ALLOWED_ORIGINS; any other Origin
  gets 400 before a socket exists. Clients that send no Origin (agents, scripts) are not
  browsers and are authenticated by their token as before.
* Storage failures: a full disk, a read-only database or a database server that is away
  (stopped, restarting: the connection refused or cut) during a request answers 503
  `storage_unavailable` (the transaction was rolled back: nothing is half-done).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, request

from ..config import ConfigError
from ..services.core.errors import StorageUnavailable
from .errors import error_response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: one policy for every page: scripts and styles only from our files (no inline code, no
#: eval), no plugins, sockets and fetches to this origin ('self' covers ws:/wss: to the same
#: host in CSP level 3), forms posted here only, and no framing by anyone
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "media-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CSP),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def secure_cookies(config: dict[str, Any] | Any) -> bool:
    """HALLQ_SECURE_COOKIES: true, false, or auto (= HALLQ_BASE_URL is an https:// URL)."""
    value = config.get("SECURE_COOKIES", "auto")
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "auto").strip().lower()
    if text in ("", "auto"):
        return str(config.get("BASE_URL") or "").lower().startswith("https://")
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"HALLQ_SECURE_COOKIES must be auto, true or false, got {value!r}")


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a URL as browsers send it in Origin (None if it has none)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(config: dict[str, Any] | Any) -> tuple[frozenset[str], bool]:
    """The configured origins (HALLQ_BASE_URL's and HALLQ_ALLOWED_ORIGINS) and whether "*"
    (any origin: only for a test bench, never a hall) was asked for."""
    raw = config.get("ALLOWED_ORIGINS") or ""
    items: Iterable[str] = raw.replace(",", " ").split() if isinstance(raw, str) else raw
    origins: set[str] = set()
    any_origin = False
    for item in items:
        if str(item).strip() == "*":
            any_origin = True
            continue
        origin = origin_of(str(item))
        if origin is None:
            raise ConfigError(f"HALLQ_ALLOWED_ORIGINS: {item!r} is not an http:// or https:// origin")
        origins.add(origin)
    base = origin_of(str(config.get("BASE_URL") or ""))
    if base:
        origins.add(base)
    return frozenset(origins), any_origin


def origin_check(config: dict[str, Any] | Any) -> Any:  # Flask-SocketIO's hints miss callables
    """Engine.IO's `cors_allowed_origins` callable for this app's settings.

    Engine.IO checks only requests that carry an Origin (browsers); with this callable it asks
    us, and a refused handshake is answered 400 before any socket or session exists. (Its
    default, same origin only, is what the Host header says: right, but it knows nothing of
    HALLQ_BASE_URL; the [] hallq passed before switched the check off.)"""
    configured, any_origin = allowed_origins(config)

    def allowed(origin: str | None, environ: dict[str, Any] | None = None) -> bool:
        if any_origin:
            return True
        if not origin:
            return False
        origin = origin.lower()
        if origin in configured:
            return True
        host = (environ or {}).get("HTTP_HOST", "").lower()
        # the page's own origin: the host the browser asked for, over http or https (a TLS
        # proxy in front forwards https://host to a backend that itself sees http)
        return bool(host) and origin in (f"http://{host}", f"https://{host}")

    check: Callable[[str | None, dict[str, Any] | None], bool] = allowed
    return check


class SecurityHeaders:
    """WSGI middleware: the headers on every response, Flask's and Socket.IO's alike (Engine.IO
    answers its polling requests without Flask). A header a view set itself is kept."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not status.startswith("101"):
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in HEADERS if h[0].lower() not in present)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def init_security(app: Flask) -> None:
    """Cookies, headers and the storage-failure answer. Called last by `create_app`, so that
    the header middleware wraps Socket.IO's too."""
    secure = secure_cookies(app.config)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        # Flask-WTF's HTTPS check wants a Referer from our own pages, which no-referrer never
        # sends: the CSRF token and SameSite=Lax stand in for it
        WTF_CSRF_SSL_STRICT=False,
    )
    allowed_origins(app.config)  # a bad HALLQ_ALLOWED_ORIGINS fails at start, not at a handshake
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]

    @app.errorhandler(StorageUnavailable)
    def _storage(err: StorageUnavailable) -> Any:
        app.logger.error("storage unavailable (%s): %s", err.reason, err.detail)
        zh, en = _STORAGE_MESSAGES.get(err.reason, _STORAGE_MESSAGES["unavailable"])
        if request.path.startswith("/api/"):
            return error_response("storage_unavailable", zh, en, 503, reason=err.reason)
        return f"{zh} / {en}", 503, {"Content-Type": "text/plain; charset=utf-8"}


def storage_message(reason: str) -> tuple[str, str]:
    """What a citizen or clerk is told, in Chinese and English, when the database cannot take
    the action (nothing was done)."""
    return _STORAGE_MESSAGES.get(reason, _STORAGE_MESSAGES["unavailable"])


#: what a citizen or clerk is told when the database cannot take the action (nothing was done)
_STORAGE_MESSAGES = {
    "full": (
        "服务器存储空间已满，本次操作未执行，请联系管理员",
        "the server's storage is full: nothing was done, please tell the administrator",
    ),
    "read_only": (
        "服务器数据库只读，本次操作未执行，请联系管理员",
        "the server's database is read-only: nothing was done, please tell the administrator",
    ),
    "unavailable": (
        "服务器数据库暂不可用，本次操作未执行，请稍后重试",
        "the server's database is unavailable: nothing was done, please try again later",
    ),
}
