"""Language: Chinese by default, English on request (?lang=en, remembered in a cookie)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from flask_babel import get_locale

from .paths import TRANSLATIONS

LANGUAGES = ("zh_CN", "en")
DEFAULT = "zh_CN"
COOKIE = "hallq_lang"


def select_locale() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE)
    return remembered if remembered in LANGUAGES else DEFAULT


def is_english() -> bool:
    return str(get_locale()).startswith("en")


def init_i18n(app: Flask) -> None:
    from .extensions import babel

    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS)
    babel.init_app(app, locale_selector=select_locale)

    @app.after_request
    def remember_language(resp: Response) -> Response:
        asked = request.args.get("lang")
        if asked in LANGUAGES:
            resp.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
        return resp

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"current_lang": str(get_locale()), "languages": LANGUAGES, "local": local}


def local(obj: Any, key: str = "name") -> Any:
    """A name a hall configured, in the page's language: `obj[key + "_en"]` on an English page
    where the hall set it, else the Chinese `obj[key]` (templates: {{ local(service) }})."""
    if not isinstance(obj, Mapping):
        return ""
    english = obj.get(f"{key}_en") if is_english() else None
    return english if english else obj.get(key, "")
