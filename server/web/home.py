"""The home page: every hall with the links to its kiosk, boards and consoles."""

from __future__ import annotations

from flask import Flask, render_template

from ..services.halls import list_halls
from .helpers import hall_ctx


def init_home(app: Flask) -> None:
    @app.get("/")
    def index() -> str:
        return render_template("index.html", halls=list_halls(hall_ctx()))
