"""Where templates and static files are: beside the package when installed, at the repo top in a checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _pick(installed: str, checkout: str) -> str:
    inside = _PKG / installed
    return str(inside if inside.is_dir() else _PKG.parent / checkout)


TEMPLATES = _pick("_templates", "templates")
STATIC = _pick("_static", "static")
TRANSLATIONS = str(_PKG / "translations")
