"""The `hallq` command (also `python -m server`).

Async-mode monkey patching must happen before anything imports sockets or threads, so this
module imports the app only after `_prepare_async` has run.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def _prepare_async(mode: str, database_url: str) -> None:
    """Patch the standard library for eventlet or gevent (and psycopg2 with psycogreen)."""
    if mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
        if database_url.startswith("postgresql"):
            from psycogreen.eventlet import patch_psycopg

            patch_psycopg()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
        if database_url.startswith("postgresql"):
            from psycogreen.gevent import patch_psycopg

            patch_psycopg()


def _settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    from . import config

    return config.load(overrides)


def _nodelay_handler() -> Any:
    """gevent's pywsgi writes headers and body separately: without TCP_NODELAY every reply on a
    kept-alive connection waits ~40 ms for the delayed ACK (measured, docs/performance.md)."""
    import socket

    from gevent import pywsgi

    class NoDelayHandler(pywsgi.WSGIHandler):  # type: ignore[misc]
        def __init__(self, sock: Any, *args: Any, **kwargs: Any) -> None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().__init__(sock, *args, **kwargs)

    return NoDelayHandler


def _quiet_gc() -> None:
    """Move the startup objects out of the collector's way and collect less often: full
    collections with 1,000 sockets paused the server 140-190 ms (docs/performance.md)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _serve(app: Any, host: str, port: int) -> None:
    from .extensions import socketio

    mode = app.config["ASYNC_MODE"]
    kwargs: dict[str, Any] = {"host": host, "port": port, "use_reloader": False, "log_output": False}
    if mode == "threading":
        kwargs["allow_unsafe_werkzeug"] = True
    elif mode == "gevent":
        kwargs["handler_class"] = _nodelay_handler()
    from . import alarm_watch, print_worker

    print_worker.start(app)
    alarm_watch.start(app)
    _quiet_gc()
    socketio.run(app, **kwargs)


def cmd_serve(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    settings = _settings(overrides)
    _prepare_async(settings["ASYNC_MODE"], settings["DATABASE_URL"])
    from . import create_app
    from .storage.migrate import upgrade

    if settings["AUTO_MIGRATE"]:
        upgrade(settings["DATABASE_URL"])
    app = create_app(overrides)
    print(f"hallq serving on http://{args.host}:{args.port}/ ({settings['ASYNC_MODE']})", flush=True)
    _serve(app, args.host, args.port)
    return 0


def cmd_demo(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    if "HALLQ_DATABASE_URL" not in os.environ:
        overrides.setdefault("DATABASE_URL", "sqlite:///hallq-demo.db")
    settings = _settings(overrides)
    _prepare_async(settings["ASYNC_MODE"], settings["DATABASE_URL"])
    from . import create_app
    from .demo import DEMO_HALL, DEMO_PASSWORD, seed_demo
    from .services.accounts import create_token
    from .storage.migrate import upgrade

    upgrade(settings["DATABASE_URL"])
    app = create_app(overrides)
    ctx = app.extensions["hallq"]
    created = seed_demo(ctx)
    kiosk = create_token(ctx, "kiosk", DEMO_HALL, label="demo kiosk")
    board = create_token(ctx, "board", DEMO_HALL, label="demo board")
    clerk = create_token(ctx, "clerk", DEMO_HALL, username="clerk02", label="demo script clerk02")
    base = f"http://{args.host}:{args.port}"
    where = settings["DATABASE_URL"]
    lines = [
        f"hallq demo hall '{DEMO_HALL}' ({'created' if created else 'existing'}; database {where})",
        f"  home page       {base}/",
        f"  kiosk           {base}/kiosk/{DEMO_HALL}?token={kiosk}",
        f"  hall board      {base}/board/{DEMO_HALL}?token={board}",
        f"  window board    {base}/board/{DEMO_HALL}/window/2?token={board}   (windows 1-12)",
        f"  clerk console   {base}/clerk/   log in as clerk01 … clerk12, password {DEMO_PASSWORD}",
        f"  manager console {base}/manage/   manager / {DEMO_PASSWORD}",
        f"  phone page      {base}/t/<ticket id>   (the QR code on every ticket)",
        f"  API             {base}/api/v1/openapi.json   health {base}/healthz",
        f"  kiosk token     {kiosk}",
        f"  board token     {board}",
        f"  clerk02 token   {clerk}   (for scripts: sign in at window 2 or 3, then call-next)",
        "  kiosk printer   run the printer agent beside the kiosk (prints into a file here):",
        f"                  hallq agent --server {base} --token {kiosk} --printer file://{os.getcwd()}/hallq-demo-printer.bin",
    ]
    print("\n".join(lines), flush=True)
    _serve(app, args.host, args.port)
    return 0


def cmd_db_upgrade(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from .storage.migrate import upgrade

    settings = _settings(overrides)
    upgrade(settings["DATABASE_URL"])
    print(f"database at {settings['DATABASE_URL']} is up to date")
    return 0


def cmd_token_create(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from . import create_app
    from .domain.errors import RuleViolation
    from .services.accounts import create_token

    app = create_app(overrides)
    try:
        token = create_token(app.extensions["hallq"], args.role, args.hall, args.user, args.label or "")
    except RuleViolation as err:
        print(f"error: {err.message_en}", file=sys.stderr)
        return 2
    print(token)
    return 0


def cmd_printer_add(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from . import create_app
    from .domain.errors import RuleViolation
    from .services.print_jobs import add_printer

    app = create_app(overrides)
    try:
        p = add_printer(
            app.extensions["hallq"],
            args.hall,
            args.name,
            args.spec,
            args.width,
            args.mode,
            args.kiosk_token,
            args.window,
        )
    except RuleViolation as err:
        print(f"error: {err.message_en}", file=sys.stderr)
        return 2
    where = f"{p['width_mm']} mm, {p['mode']}, driven by the {p['driver']}"
    print(f"printer {p['id']} '{p['name']}' {p['spec']} ({where})")
    return 0


def cmd_print_test(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from .printing.preview import print_test

    try:
        print(print_test(args.printer, args.mode, args.width, args.out))
    except Exception as err:  # a CLI answers with the reason, not a traceback
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def cmd_agent(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from kiosk.agent import run_agent

    return run_agent(args.server, args.token, args.printer, args.width, args.mode, args.name, args.journal)


def cmd_demo_seed(args: argparse.Namespace, overrides: dict[str, Any]) -> int:
    from . import create_app
    from .demo import seed_demo
    from .storage.migrate import upgrade

    settings = _settings(overrides)
    upgrade(settings["DATABASE_URL"])
    created = seed_demo(create_app(overrides).extensions["hallq"])
    print("demo hall created" if created else "demo hall exists already")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hallq", description="hallq — queue ticketing for service halls")
    p.add_argument("--database-url", help="overrides HALLQ_DATABASE_URL")
    p.add_argument(
        "--async-mode", choices=["threading", "eventlet", "gevent"], help="overrides HALLQ_ASYNC_MODE"
    )
    sub = p.add_subparsers(dest="command", required=True)

    for name, helptext in (
        ("demo", "run the demo hall (SQLite in this folder)"),
        ("serve", "run the server"),
    ):
        sp = sub.add_parser(name, help=helptext)
        sp.add_argument("--host", default="127.0.0.1")
        sp.add_argument("--port", type=int, default=5000)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="create or upgrade the tables")

    sub.add_parser("demo-seed", help="create the demo hall in the configured database, without serving")

    tok = sub.add_parser("token", help="device and script tokens")
    tok_sub = tok.add_subparsers(dest="token_command", required=True)
    create = tok_sub.add_parser("create", help="create a bearer token and print it")
    create.add_argument("--role", required=True, choices=["admin", "manager", "clerk", "kiosk", "board"])
    create.add_argument("--hall", help="hall code (all roles but admin)")
    create.add_argument("--user", help="the user a clerk or manager token acts as")
    create.add_argument("--label", help="a note to recognise the token by")
    printer = sub.add_parser("printer", help="thermal printers")
    printer_sub = printer.add_subparsers(dest="printer_command", required=True)
    padd = printer_sub.add_parser("add", help="register a printer driven by the server (tcp://) or an agent")
    padd.add_argument("--hall", required=True)
    padd.add_argument("--name", required=True)
    padd.add_argument(
        "--spec",
        required=True,
        help="tcp://host:9100, usb://VID:PID, serial:///dev/ttyS0, file:///dev/usb/lp0, dummy://",
    )
    padd.add_argument("--width", type=int, default=80, choices=[58, 80])
    padd.add_argument("--mode", default="text", choices=["text", "raster"])
    padd.add_argument("--kiosk-token", help="the kiosk whose tickets this printer prints")
    padd.add_argument("--window", type=int, help="the window number whose slips (notices) it prints")

    pt = sub.add_parser("print-test", help="print a sample ticket, or write its bytes / PNG preview")
    pt.add_argument("--printer", help="printer spec to print on")
    pt.add_argument("--mode", default="text", choices=["text", "raster"])
    pt.add_argument("--width", type=int, default=80, choices=[58, 80])
    pt.add_argument("--out", help="write ESC/POS bytes (or a PNG preview for *.png) to this file")

    ag = sub.add_parser("agent", help="kiosk printer agent: prints the kiosk's tickets on a local printer")
    ag.add_argument("--server", required=True, help="http://server:5000")
    ag.add_argument("--token", required=True, help="the kiosk's bearer token")
    ag.add_argument(
        "--printer", required=True, help="usb://VID:PID, serial:///dev/ttyS0, file:///dev/usb/lp0, …"
    )
    ag.add_argument("--width", type=int, default=80, choices=[58, 80])
    ag.add_argument("--mode", default="text", choices=["text", "raster"])
    ag.add_argument("--name", help="printer name shown on the manager console")
    ag.add_argument(
        "--journal", default=".hallq-agent-journal", help="file of printed job ids (no double prints)"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides: dict[str, Any] = {}
    if args.database_url:
        overrides["DATABASE_URL"] = args.database_url
    if args.async_mode:
        overrides["ASYNC_MODE"] = args.async_mode
    if args.command == "serve":
        return cmd_serve(args, overrides)
    if args.command == "demo":
        return cmd_demo(args, overrides)
    if args.command == "demo-seed":
        return cmd_demo_seed(args, overrides)
    if args.command == "db":
        return cmd_db_upgrade(args, overrides)
    if args.command == "token":
        return cmd_token_create(args, overrides)
    if args.command == "printer":
        return cmd_printer_add(args, overrides)
    if args.command == "print-test":
        return cmd_print_test(args, overrides)
    if args.command == "agent":
        return cmd_agent(args, overrides)
    return 2


if __name__ == "__main__":
    sys.exit(main())
