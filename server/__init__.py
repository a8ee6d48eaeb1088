"""hallq: queue ticketing for government service halls.

`create_app(test_config)` builds the Flask app: configuration, database, i18n, login and
CSRF, the JSON API, the realtime layer and the pages, each by its own `init_*` step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported inside create_app: `hallq serve` must monkey-patch first
    from flask import Flask

from .version import __version__

__all__ = ["__version__", "create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    from flask import Flask

    from . import config as config_mod
    from .paths import STATIC, TEMPLATES

    settings = config_mod.load(test_config)
    app = Flask(__name__, template_folder=TEMPLATES, static_folder=STATIC, static_url_path="/static")
    app.config.update(settings)
    app.config["SECRET_KEY"] = settings["SECRET_KEY"]
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    init_context(app)
    init_i18n(app)
    init_auth(app)
    init_api(app)
    init_realtime(app)
    init_pages(app)
    init_security(app)
    return app


def init_context(app: Flask) -> None:
    from .services.core.context import Context
    from .storage.db import Database
    from .web.links import RequestLinks

    db = Database(app.config["DATABASE_URL"])
    ctx = Context(
        db=db,
        citizen_key_secret=("citizen:" + app.config["SECRET_KEY"]).encode(),
        base_url=app.config.get("BASE_URL"),
    )
    if app.config.get("CLOCK") is not None:
        ctx.clock = app.config["CLOCK"]
    ctx.links = RequestLinks(ctx.base_url)
    app.extensions["hallq"] = ctx


def init_i18n(app: Flask) -> None:
    from .i18n import init_i18n as _init

    _init(app)


def init_auth(app: Flask) -> None:
    from .auth import init_auth as _init

    _init(app)


def init_api(app: Flask) -> None:
    from .api import init_api as _init

    _init(app)


def init_realtime(app: Flask) -> None:
    from .realtime import init_realtime as _init

    _init(app)


def init_security(app: Flask) -> None:
    """Headers, cookies, Socket.IO's allowed origins, /healthz and the 503 for a database that
    cannot write: last, so that its header middleware also wraps Socket.IO's."""
    from .web.health import init_health
    from .web.security import init_security as _init

    _init(app)
    init_health(app)


def init_pages(app: Flask) -> None:
    """The device pages (kiosk/, board/: the product's top-level packages), the citizens' phone
    pages, the staff consoles (server/consoles/) and the home page."""
    from board import bp as board_bp
    from board.photos import bp as photos_bp
    from board.voice import bp as voice_bp
    from kiosk import bp as kiosk_bp
    from kiosk.booking_page import bp as booking_bp
    from kiosk.case_page import bp as case_bp
    from kiosk.complaint_page import bp as complaint_bp
    from kiosk.guide import guide_bp as kiosk_guide_bp
    from kiosk.notice_page import bp as notice_bp
    from kiosk.ticket_page import bp as ticket_bp

    from .consoles import admin, appraisal, clerk, guides, manage
    from .web.home import init_home

    for bp in (
        kiosk_bp,
        kiosk_guide_bp,
        ticket_bp,
        notice_bp,
        case_bp,
        complaint_bp,
        board_bp,
        photos_bp,
        voice_bp,
    ):
        app.register_blueprint(bp)
    app.register_blueprint(booking_bp)  # appointments (预约) on the phone: /b/<hall>
    for console in (clerk, manage, guides, admin, appraisal):
        app.register_blueprint(console.bp)
    init_home(app)
