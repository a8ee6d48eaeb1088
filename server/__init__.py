"""hallq: queue ticketing for government service halls.

`create_app(test_config)` builds the Flask app: configuration, database, i18n, login and
CSRF, the JSON API, the realtime layer and the pages, each by its own `init_*` step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported inside create_app: `hallq serve` must monkey-patch first
    from flask import Flask

__version__ = "0.1.0"


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
    return app


def init_context(app: Flask) -> None:
    from .services.core.context import Context
    from .storage.db import Database

    db = Database(app.config["DATABASE_URL"])
    ctx = Context(
        db=db,
        citizen_key_secret=("citizen:" + app.config["SECRET_KEY"]).encode(),
        base_url=app.config.get("BASE_URL"),
    )
    if app.config.get("CLOCK") is not None:
        ctx.clock = app.config["CLOCK"]
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


def init_pages(app: Flask) -> None:
    from .pages import init_pages as _init

    _init(app)
