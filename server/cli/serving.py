"""`hallq serve`, `hallq demo`, `hallq demo-seed` and `hallq agent`.

Async-mode monkey patching must happen before anything imports sockets or threads, so the app,
Flask and SQLAlchemy are imported inside the commands, after `_prepare_async` has run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from .. import config
from .base import (
    UserError,
    async_mode_option,
    database_option,
    database_origin,
    examples,
    load_settings,
    overrides,
    print_mode_option,
    width_option,
)
from .supervise import Preforked, check_port, supervise


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


#: async modes whose workers start as forks of the prepared supervisor (eventlet's hub does not
#: survive a fork: its workers start as new processes)
FORKED_MODES = ("gevent", "threading")


def _preforked(settings: dict[str, Any]) -> Preforked | None:
    """How `hallq serve --workers N` forks ready workers: the supervisor patches for the async mode
    and imports the server's modules once; each fork builds its app from the environment the
    supervisor set (as a new `hallq serve --port P` would) and serves."""
    mode, url = settings["ASYNC_MODE"], settings["DATABASE_URL"]
    if mode not in FORKED_MODES:
        return None

    def prepare() -> None:
        _prepare_async(mode, url)
        _preload(mode)

    def serve(host: str, port: int) -> None:
        from .. import create_app

        app = create_app()
        click.echo(f"hallq serving on http://{host}:{port}/ ({mode}, forked)")
        _serve(app, host, port)

    return Preforked(prepare=prepare, serve=serve)


def _preload(mode: str) -> None:
    """Import every module of the server (not the migrations: workers never migrate) and the
    Engine.IO driver of `mode`, so that a forked worker only builds its app."""
    import importlib
    import pkgutil

    from .. import __path__ as package_path

    for module in pkgutil.walk_packages(package_path, "server."):
        if module.name == "server.__main__" or ".migrat" in module.name:
            continue
        importlib.import_module(module.name)
    importlib.import_module(f"engineio.async_drivers.{mode}")


def _nodelay_handler() -> Any:
    """gevent's pywsgi writes headers and body separately: without TCP_NODELAY every reply on a
    kept-alive connection waits ~40 ms for the delayed ACK (measured, docs/performance.md)."""
    import socket

    from gevent import pywsgi

    class NoDelayHandler(pywsgi.WSGIHandler):
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
    from ..extensions import socketio

    mode = app.config["ASYNC_MODE"]
    kwargs: dict[str, Any] = {"host": host, "port": port, "use_reloader": False, "log_output": False}
    if mode == "threading":
        kwargs["allow_unsafe_werkzeug"] = True
    elif mode == "gevent":
        kwargs["handler_class"] = _nodelay_handler()
    from .. import alarm_watch, duties, print_worker
    from ..domain.leases import ALARMS, PRINT
    from ..realtime import revocation, tag_sessions

    tag_sessions(f"{app.config.get('NODE') or ''}{port}")
    backlog = print_worker.Backlog()  # one per process: the worker's and the take-over's
    runner = duties.start(app, port, take_print=lambda: backlog.take_over(app.extensions["hallq"]))
    print_worker.start(app, held=lambda: runner.holds(PRINT), backlog=backlog)
    alarm_watch.start(app, held=lambda: runner.holds(ALARMS))
    revocation.start(app)
    _watch_supervisor()
    _quiet_gc()
    socketio.run(app, **kwargs)


def _watch_supervisor() -> None:
    """A worker of `hallq serve --workers N` stops when its supervisor is gone (killed): nobody
    would restart it, and a second `hallq serve` could not take its port."""
    supervisor = os.environ.get("HALLQ_SUPERVISOR_PID")
    if not supervisor:
        return
    from ..extensions import socketio

    def watch() -> None:
        while os.getppid() == int(supervisor):
            socketio.sleep(1)
        click.echo(f"hallq serve: supervisor {supervisor} is gone; worker {os.getpid()} stops", err=True)
        os._exit(0)

    socketio.start_background_task(watch)


def _listen_options(f: Any) -> Any:
    f = click.option("--port", type=int, default=5000, show_default=True, help="TCP port.")(f)
    return click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")(f)


@click.command(
    short_help="Run the server.",
    epilog=examples(
        "hallq serve                                   # ./hallq.db, http://127.0.0.1:5000/",
        "hallq serve --host 0.0.0.0 --port 8000",
        "hallq --database-url postgresql://hallq@db/hallq serve --host 0.0.0.0",
        "HALLQ_DATABASE_URL=sqlite:////var/lib/hallq/hallq.db hallq serve",
        "HALLQ_MESSAGE_QUEUE=redis://127.0.0.1:6379/0 hallq serve --workers 2 --port 5001",
    ),
)
@_listen_options
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes, on ports PORT … PORT+N-1 (one each: Socket.IO's long-polling needs a "
    "client to stay on one process; put nginx in front, docs/deployment.md). A worker that dies "
    "is restarted. More than one needs HALLQ_MESSAGE_QUEUE=redis://…",
)
@async_mode_option
@database_option
@click.pass_obj
def serve(obj: dict[str, Any], host: str, port: int, workers: int) -> None:
    """Run the server (upgrades the database schema first unless HALLQ_AUTO_MIGRATE=false)."""
    settings = load_settings(obj)
    if workers > 1:
        supervise(settings, host, port, workers, _preforked(settings))
        return
    _prepare_async(settings["ASYNC_MODE"], settings["DATABASE_URL"])
    check_port(host, port)
    from .. import create_app

    if settings["AUTO_MIGRATE"]:  # alembic is imported only then: a supervised worker starts sooner
        from ..storage.migrate import upgrade

        upgrade(settings["DATABASE_URL"])
    app = create_app(overrides(obj))
    click.echo(f"hallq serving on http://{host}:{port}/ ({settings['ASYNC_MODE']})")
    _serve(app, host, port)


def _demo_history(ctx: Any, days: int) -> int:
    """The demo hall's past month, once (before anyone uses the hall), with a progress line."""
    from ..demo_history import has_history, seed_demo_month

    if days <= 0 or has_history(ctx, "demo"):
        return 0
    click.echo(f"hallq demo: playing the last {days} days of the hall through the services …")

    def progress(done: int, total: int) -> None:
        bar = "#" * (20 * done // total)
        click.echo(f"\r  [{bar:<20}] {done}/{total} working days", nl=done == total)

    return seed_demo_month(ctx, days=days, progress=progress)


def _traffic_day(ctx: Any, hall: str, source: str) -> Any:
    """The scenario `hallq demo --traffic` plays (learn, default or a scenario file)."""
    from ..domain.simulation import ScenarioError, scenario_from_dict
    from ..simulation_floor import check_fits_hall, hall_plans, traffic_scenario

    plans = hall_plans(ctx, hall)
    try:
        if source in ("learn", "default"):
            return traffic_scenario(ctx, hall, plans, source)
        from .simulate import _read

        day = scenario_from_dict(_read(Path(source)))
        check_fits_hall(day, plans)
        return day
    except ScenarioError as err:
        raise UserError(f"--traffic-scenario {source}: {err}") from err


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.command(
    short_help="Run the demo hall (in the database every command uses).",
    epilog=examples(
        "hallq demo                                    # demo hall in ./hallq.db on http://127.0.0.1:5000/",
        "hallq token create --role kiosk --hall demo   # then, in the same folder: one more kiosk token",
        "hallq demo --port 8000 --async-mode threading",
        "hallq demo --database-url sqlite:////tmp/try.db",
        "hallq demo --history-days 0                  # no month of history (starts at once)",
        "hallq demo --traffic                          # citizens arrive and clerks call, in real time",
        "hallq demo --traffic --traffic-speed 10       # … ten times faster",
    ),
)
@_listen_options
@async_mode_option
@database_option
@click.option(
    "--history-days",
    type=click.IntRange(0, 90),
    default=30,
    show_default=True,
    envvar="HALLQ_DEMO_HISTORY_DAYS",
    help="On first start, play this many past days of the hall through the services (the "
    "dashboard, appraisal and reports then show a real month); 0: none. Takes a minute or so.",
)
@click.option(
    "--traffic",
    is_flag=True,
    envvar="HALLQ_DEMO_TRAFFIC",
    help="Keep the hall alive: citizens take tickets and clerks sign in, call, serve and transfer "
    "through the services in real time, as the simulator plays a busy default day (or the hall's "
    "learned history), so boards, phones and consoles move.",
)
@click.option(
    "--traffic-scenario",
    default="default",
    show_default=True,
    metavar="learn|default|FILE",
    help="What --traffic plays: the default day (every service ~8 citizens an hour, all windows "
    "open: a busy hall to watch), the hall's learned month (the default day without one; the "
    "demo's month is a quiet hall), or a scenario file "
    "naming the hall's windows (docs/simulation.md).",
)
@click.option(
    "--traffic-speed",
    type=click.FloatRange(0.1, 600),
    default=1.0,
    show_default=True,
    help="Hall seconds per real second for --traffic.",
)
@click.pass_obj
def demo(
    obj: dict[str, Any],
    host: str,
    port: int,
    history_days: int,
    traffic: bool,
    traffic_scenario: str,
    traffic_speed: float,
) -> None:
    """Run the demo hall: 12 windows, an admin, a manager and 12 clerks; print its links, every
    account it made and its tokens.

    It uses the same database as every other command (hallq.db in the current folder unless
    --database-url or HALLQ_DATABASE_URL says otherwise), creates the demo hall there once, and
    prints which database it is.
    """
    settings = load_settings(obj)
    origin = database_origin(obj)
    _prepare_async(settings["ASYNC_MODE"], settings["DATABASE_URL"])
    check_port(host, port)
    from .. import create_app
    from ..demo import (
        DEMO_HALL,
        accounts_banner,
        seed_demo,
        seed_demo_bookings,
        seed_demo_cases,
        seed_demo_photos,
    )
    from ..services.accounts import create_token
    from ..storage.migrate import upgrade

    upgrade(settings["DATABASE_URL"])
    app = create_app(overrides(obj))
    ctx = app.extensions["hallq"]
    created = seed_demo(ctx)
    history = _demo_history(ctx, history_days)
    seed_demo_cases(ctx)
    seed_demo_photos(ctx)
    seed_demo_bookings(ctx)
    kiosk = create_token(ctx, "kiosk", DEMO_HALL, label="demo kiosk")
    board = create_token(ctx, "board", DEMO_HALL, label="demo board")
    clerk = create_token(ctx, "clerk", DEMO_HALL, username="clerk02", label="demo script clerk02")
    base = f"http://{host}:{port}"
    where = _shown(settings["DATABASE_URL"])
    lines = [
        f"hallq demo hall '{DEMO_HALL}' ({'created' if created else 'existing'}; database {where})",
        f"  database        {where}   ({origin}; every hallq command run here uses it)",
        f"  home page       {base}/",
        f"  kiosk           {base}/kiosk/{DEMO_HALL}?token={kiosk}",
        *(
            [f"  history         {history} tickets over {history_days} days, played through the services"]
            if history
            else []
        ),
        f"  hall board      {base}/board/{DEMO_HALL}?token={board}",
        f"  window board    {base}/board/{DEMO_HALL}/window/2?token={board}   (windows 1-12)",
        f"  clerk console   {base}/clerk/",
        f"  manager console {base}/manage/",
        f"  admin console   {base}/admin/",
        *accounts_banner(),
        f"  phone page      {base}/t/<ticket id>   (the QR code on every ticket)",
        f"  appointments    {base}/b/{DEMO_HALL}   (book 户籍/不动产/出入境; check in at the kiosk)",
        f"  API             {base}/api/v1/openapi.json   health {base}/healthz",
        f"  kiosk token     {kiosk}",
        f"  board token     {board}",
        f"  clerk02 token   {clerk}   (for scripts: sign in at window 2 or 3, then call-next)",
        f"  more tokens     hallq token create --role kiosk --hall {DEMO_HALL}   (in this folder)",
        "  kiosk printer   run the printer agent beside the kiosk (prints into a file here):",
        f"                  hallq agent --server {base} --token {kiosk} --printer file://{os.getcwd()}/hallq-demo-printer.bin",
    ]
    old = Path("hallq-demo.db")
    if old.exists() and config.sqlite_path(settings["DATABASE_URL"]) != old.resolve():
        lines.append(
            f"  note            {old.resolve()} (an older demo's database) is no longer used; "
            "open it with --database-url sqlite:///hallq-demo.db"
        )
    day = _traffic_day(ctx, DEMO_HALL, traffic_scenario) if traffic else None
    if day is not None:
        from ..domain.simulation import citizens_per_day

        lines.append(
            f"  traffic         citizens arrive and clerks call at {traffic_speed:g}× real time, "
            f"about {citizens_per_day(day):.0f} a day ({traffic_scenario}); the demo works the "
            "windows of clerk01-12"
        )
    click.echo("\n".join(lines))
    live = None
    if day is not None:
        from ..simulation_floor import start_traffic

        live = start_traffic(app, DEMO_HALL, traffic_speed, day)
    try:
        _serve(app, host, port)
    finally:
        if live is not None:
            live.stop()


@click.command(
    "demo-seed",
    short_help="Create the demo hall without serving.",
    epilog=examples(
        "hallq demo-seed                               # the demo hall in ./hallq.db, no server",
        "hallq --database-url postgresql://hallq@db/hallq demo-seed",
    ),
)
@database_option
@click.pass_obj
def demo_seed(obj: dict[str, Any]) -> None:
    """Create the demo hall in the configured database (upgrading it first), without serving."""
    from .. import create_app
    from ..demo import seed_demo, seed_demo_bookings, seed_demo_cases, seed_demo_photos
    from ..storage.migrate import upgrade

    settings = load_settings(obj)
    upgrade(settings["DATABASE_URL"])
    ctx = create_app(overrides(obj)).extensions["hallq"]
    created = seed_demo(ctx)
    seed_demo_cases(ctx)
    seed_demo_photos(ctx)
    seed_demo_bookings(ctx)
    click.echo("demo hall created" if created else "demo hall exists already")


@click.command(
    short_help="Kiosk printer agent: prints a kiosk's tickets here.",
    epilog=examples(
        "hallq agent --server http://hall-server:5000 --token KIOSK_TOKEN --printer usb://0416:5011",
        "hallq agent --server http://127.0.0.1:5000 --token KIOSK_TOKEN \\",
        "            --printer file:///dev/usb/lp0 --width 58 --mode raster --name '1号取号机'",
    ),
)
@click.option("--server", required=True, metavar="URL", help="The hallq server, e.g. http://server:5000.")
@click.option("--token", required=True, help="The kiosk's bearer token.")
@click.option(
    "--printer",
    required=True,
    metavar="SPEC",
    help="usb://VID:PID, serial:///dev/ttyS0, file:///dev/usb/lp0, …",
)
@width_option
@print_mode_option
@click.option("--name", help="Printer name shown on the manager console.")
@click.option(
    "--journal",
    default=".hallq-agent-journal",
    show_default=True,
    help="File of printed job ids (no double prints).",
)
def agent(
    server: str, token: str, printer: str, width: int, mode: str, name: str | None, journal: str
) -> int:
    """Kiosk printer agent: prints the kiosk's tickets on a printer attached to this machine."""
    from ..printing.spec import parse_spec

    try:
        parse_spec(printer)
    except ValueError as err:
        raise UserError(str(err)) from err
    from kiosk.agent import run_agent

    return run_agent(server, token, printer, width, mode, name, journal)


COMMANDS = [demo, serve, demo_seed, agent]
