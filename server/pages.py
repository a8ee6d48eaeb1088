"""The HTML side: the home page and the blueprints of the kiosk, boards, phone page and consoles."""

from __future__ import annotations

from flask import Flask, current_app, render_template

from .services.halls import list_halls


def init_pages(app: Flask) -> None:
    from board import bp as board_bp
    from kiosk import bp as kiosk_bp
    from kiosk.guide import guide_bp as kiosk_guide_bp
    from kiosk.notice_page import bp as notice_bp
    from kiosk.ticket_page import bp as ticket_bp

    from .admin_pages import bp as admin_pages_bp
    from .clerk import bp as clerk_bp
    from .guide_admin import bp as guide_admin_bp
    from .manage import bp as manage_bp

    blueprints = (
        kiosk_bp,
        kiosk_guide_bp,
        ticket_bp,
        notice_bp,
        board_bp,
        clerk_bp,
        manage_bp,
        guide_admin_bp,
        admin_pages_bp,
    )
    for bp in blueprints:
        app.register_blueprint(bp)

    @app.get("/")
    def index() -> str:
        return render_template("index.html", halls=list_halls(current_app.extensions["hallq"]))
