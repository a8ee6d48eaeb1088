"""The `hallq` command line: one default database for every command, help with examples, and
user errors as one line on stderr with exit status 2.

Most commands run in this process through `server.cli.main` (`hallq`): the folder, the HALLQ_*
environment, stdout and stderr (warnings logged too) are the command's own, as in a process.
What is about the process itself runs `python -m server` in a subprocess (`hallq_process`):
the imports of `server.cli`, `python -m server --help`, exit status 2 and the one stderr line of
a refusal with a fresh interpreter (a missing database, a database without tables), and `hallq demo`.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import requests
from sqlalchemy import create_engine, text

import server
from server import config
from server.cli import cli, main

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("HALLQ_TEST_POSTGRES_URL")


def _env(**extra: str) -> dict[str, str]:
    """The test's environment without any HALLQ_* setting, so the defaults apply."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLQ_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return {**env, **extra}


def hallq_process(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m server ARGS` in a fresh interpreter (pays ~2 s of imports)."""
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def hallq(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`hallq ARGS` run in this process by `main`, in `cwd`, with no HALLQ_* setting but `env`:
    its exit status, stdout and stderr (with any log record of WARNING or above, which a process
    would print there). The databases its commands opened are closed afterwards."""
    out, err = io.StringIO(), io.StringIO()
    opened: list[Any] = []
    real_create_app = server.create_app

    def create_app(*a: Any, **kw: Any) -> Any:
        app = real_create_app(*a, **kw)
        opened.append(app)
        return app

    logged = logging.StreamHandler(err)
    logged.setLevel(logging.WARNING)
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("HALLQ_")]:
            mp.delenv(key)
        for key, value in env.items():
            mp.setenv(key, value)
        mp.chdir(cwd)
        mp.setattr(server, "create_app", create_app)  # the commands import it when they run
        logging.getLogger().addHandler(logged)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = main(list(args))
        finally:
            logging.getLogger().removeHandler(logged)
            for app in opened:
                app.extensions["hallq"].db.dispose()
    return subprocess.CompletedProcess(["hallq", *args], status, out.getvalue(), err.getvalue())


def assert_user_error(out: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit status 2, nothing on stdout, one line on stderr naming `words`, no traceback."""
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in out.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


# -- imports and help


def test_importing_the_cli_imports_neither_flask_nor_the_app() -> None:
    """`hallq serve`/`demo`/`agent` must monkey-patch before Flask, SQLAlchemy or the app load."""
    code = (
        "import sys, server.cli\n"
        "loaded = [m for m in ('flask', 'sqlalchemy', 'gevent', 'eventlet', 'socketio', 'server.extensions',"
        " 'server.services', 'server.storage', 'kiosk.agent') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _command_paths(command, (*prefix, name))
        else:
            yield (*prefix, name)


def test_every_command_keeps_its_name_and_its_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    paths = list(_command_paths(cli))
    for path in [
        ("demo",),
        ("serve",),
        ("demo-seed",),
        ("db", "upgrade"),
        ("token", "create"),
        ("printer", "add"),
        ("print-test",),
        ("agent",),
        ("calendar", "import"),
        ("calendar", "show"),
        ("archive",),
    ]:
        assert path in paths
    for path in paths:
        assert main([*path, "--help"]) == 0
        shown = capsys.readouterr().out
        assert f"Usage: hallq {' '.join(path)}".rstrip() in shown
        assert "Examples:" in shown, path
        after = shown.split("Examples:", 1)[1]
        assert "\n    hallq " in after or "\n    HALLQ_" in after, f"examples keep their line breaks: {path}"


def test_the_options_keep_their_names(capsys: pytest.CaptureFixture[str]) -> None:
    expected = {
        (): ["--database-url", "--async-mode"],
        ("serve",): ["--host", "--port"],
        ("demo",): ["--host", "--port"],
        ("token", "create"): ["--role", "--hall", "--user", "--window", "--label"],
        ("printer", "add"): ["--hall", "--name", "--spec", "--width", "--mode", "--kiosk-token", "--window"],
        ("print-test",): ["--printer", "--mode", "--width", "--out"],
        ("agent",): ["--server", "--token", "--printer", "--width", "--mode", "--name", "--journal"],
        ("calendar", "import"): ["--hall", "--source"],
        ("calendar", "show"): ["--hall"],
        ("archive",): ["--before", "--dry-run"],
    }
    for path, options in expected.items():
        assert main([*path, "--help"]) == 0
        shown = capsys.readouterr().out
        for option in options:
            assert option in shown, (path, option)


def test_python_dash_m_server_help(tmp_path: Path) -> None:
    out = hallq_process("--help", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Usage: hallq" in out.stdout and "Examples:" in out.stdout
    assert "token create --role kiosk --hall demo" in out.stdout


# -- one default database


def test_the_default_database_is_one_file_in_the_current_folder(tmp_path: Path) -> None:
    assert config.database_url(environ={}) == (f"sqlite:///{Path('hallq.db').resolve()}", "default")
    env = {"HALLQ_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    assert config.database_url(environ=env) == (f"sqlite:///{tmp_path}/x.db", "HALLQ_DATABASE_URL")
    given = {"DATABASE_URL": f"sqlite:///{tmp_path}/y.db"}
    assert config.database_url(given, environ=env) == (f"sqlite:///{tmp_path}/y.db", "override")


def test_token_create_after_the_demo_seeding_in_the_same_folder_prints_a_token(tmp_path: Path) -> None:
    seeded = hallq("demo-seed", cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout.strip() == "demo hall created"
    assert (tmp_path / "hallq.db").exists() and not (tmp_path / "hallq-demo.db").exists()
    out = hallq("token", "create", "--role", "kiosk", "--hall", "demo", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith("hq_") and out.stderr == ""


def test_database_url_option_and_variable_override_the_default(tmp_path: Path, sqlite_template: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(sqlite_template, other / "hallq.db")  # the demo hall, seeded once per session
    url = f"sqlite:///{other}/hallq.db"
    create = ["token", "create", "--role", "board", "--hall", "demo"]
    by_variable = hallq(*create, cwd=tmp_path, HALLQ_DATABASE_URL=url)
    assert by_variable.returncode == 0 and by_variable.stdout.startswith("hq_"), by_variable.stderr
    for args in (["--database-url", url, *create], [*create, "--database-url", url]):
        by_option = hallq(*args, cwd=tmp_path, HALLQ_DATABASE_URL=f"sqlite:///{tmp_path}/missing.db")
        assert by_option.returncode == 0 and by_option.stdout.startswith("hq_"), by_option.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere"], "nothing opened in the folder"


# -- user errors: one line on stderr, exit status 2


def test_token_create_in_an_empty_folder_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    out = hallq_process("token", "create", "--role", "kiosk", "--hall", "demo", cwd=tmp_path)
    assert_user_error(out, str(tmp_path / "hallq.db"), "hallq demo", "hallq db upgrade")
    assert list(tmp_path.iterdir()) == [], "no empty database file, no secret left behind"


def test_token_create_on_a_database_without_tables_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "hallq.db").touch()
    out = hallq_process("token", "create", "--role", "kiosk", "--hall", "demo", cwd=tmp_path)
    assert_user_error(out, "no hallq tables", "hallq db upgrade")


@pytest.mark.postgres
def test_token_create_on_an_empty_postgres_database_is_one_line(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip("needs HALLQ_TEST_POSTGRES_URL")
    name = f"hallq_cli_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = f"{POSTGRES_URL.rpartition('/')[0]}/{name}"
        out = hallq(
            "token", "create", "--role", "kiosk", "--hall", "demo", cwd=tmp_path, HALLQ_DATABASE_URL=url
        )
        assert_user_error(out, "no hallq tables", "hallq db upgrade")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["token", "create", "--role", "kiosk", "--hall", "nowhere"], ["hall"]),
        (["token", "create", "--role", "clerk", "--hall", "demo"], ["--user"]),
        (["token", "create", "--role", "clerk", "--hall", "demo", "--user", "nobody"], ["user"]),
        (["token", "create", "--role", "pad", "--hall", "demo"], ["--window"]),
        (["token", "create", "--role", "pad", "--hall", "demo", "--window", "99999"], ["window"]),
        (["token", "create", "--role", "kiosk", "--hall", "demo", "--window", "2"], ["window"]),
        (["printer", "add", "--hall", "demo", "--name", "x", "--spec", "lpt://x"], ["spec", "lpt"]),
    ],
)
def test_refusals_on_the_demo_database_are_one_line(
    tmp_path: Path, sqlite_template: Path, args: list[str], words: list[str]
) -> None:
    shutil.copy(sqlite_template, tmp_path / "hallq.db")
    assert_user_error(hallq(*args, cwd=tmp_path), *words)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["token", "create", "--role", "janitor", "--hall", "demo"], ["--role", "janitor"]),
        (["token", "create", "--hall", "demo"], ["--role"]),
        (["token", "make"], ["make"]),
        (["serve", "--port", "many"], ["--port"]),
        (["--async-mode", "asyncio", "serve"], ["--async-mode"]),
        (["print-test", "--width", "99"], ["--width"]),
        (["print-test", "--printer", "lpt://nowhere"], ["lpt"]),
        (["agent", "--server", "http://127.0.0.1:9", "--token", "t", "--printer", "lpt://x"], ["lpt"]),
        (["--database-url", "nosuchdb://x", "db", "upgrade"], ["database URL"]),
    ],
)
def test_bad_input_is_one_line_with_exit_status_2(tmp_path: Path, args: list[str], words: list[str]) -> None:
    assert_user_error(hallq(*args, cwd=tmp_path), *words)


def test_a_bad_setting_is_one_line(tmp_path: Path) -> None:
    out = hallq("db", "upgrade", cwd=tmp_path, HALLQ_CONFIG=str(tmp_path / "missing.toml"))
    assert_user_error(out, "HALLQ_CONFIG")
    out = hallq("db", "upgrade", cwd=tmp_path, HALLQ_ASYNC_MODE="asyncio")
    assert_user_error(out, "HALLQ_ASYNC_MODE")


# -- the demo itself, served


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.e2e
def test_hallq_demo_and_token_create_open_the_same_database(tmp_path: Path) -> None:
    """The acceptance line: `hallq token create --role kiosk --hall demo` right after `hallq demo`
    in the same folder prints a token that works on the demo's server."""
    port = _free_port()
    log = tmp_path / "demo.log"
    with open(log, "wb") as fh:
        demo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server",
                "demo",
                "--port",
                str(port),
                "--async-mode",
                "threading",
                "--history-days",
                "0",
                "--traffic",  # the living hall: a default day at 600× real time
                "--traffic-speed",
                "600",
            ],
            cwd=tmp_path,
            env=_env(PYTHONUNBUFFERED="1"),
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert demo.poll() is None, log.read_text()
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        shown = log.read_text()
        database = f"sqlite:///{tmp_path / 'hallq.db'}"
        assert f"database        {database}   (the default, hallq.db in the current folder" in shown

        out = hallq_process("token", "create", "--role", "kiosk", "--hall", "demo", cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        token = out.stdout.strip()
        assert token.startswith("hq_")
        issued = requests.post(
            f"{base}/api/v1/tickets",
            json={"service": "A"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert issued.status_code == 201, issued.text

        taken = hallq_process("demo", "--port", str(port), cwd=tmp_path)
        assert_user_error(taken, f"port {port}", "--port")

        # --traffic: the demo's clerks call the citizens it sends to the kiosk (bounded wait)
        assert "traffic         citizens arrive and clerks call at 600×" in shown
        import sqlite3

        def served() -> int:
            with sqlite3.connect(tmp_path / "hallq.db") as db:
                return int(db.execute("SELECT count(*) FROM tickets WHERE status = 'done'").fetchone()[0])

        deadline = time.monotonic() + 60
        while served() < 3:
            assert demo.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        demo.terminate()
        demo.wait(20)


# -- the working-day calendar


def test_calendar_import_then_show_on_the_demo_database(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "hallq.db")
    assert "not covered" in hallq("calendar", "show", "2027", cwd=tmp_path).stdout
    (tmp_path / "2027.yaml").write_text(
        "year: 2027\nholidays:\n  - {day: 2027-01-01, name: 元旦}\n  - {day: 2027-02-06, name: 春节}\n"
        "workdays:\n  - {day: 2027-01-30, name: 春节调休}\n",
        encoding="utf-8",
    )
    out = hallq("calendar", "import", "2027.yaml", "--source", "国办发明电〔2026〕测试", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "2027: 2 holidays, 1 make-up workdays for every hall" in out.stdout
    shown = hallq("calendar", "show", "2027", "--hall", "demo", cwd=tmp_path).stdout
    assert "from all_halls (国办发明电〔2026〕测试)" in shown
    assert "2027-01-30  workday  春节调休" in shown and "2027-01-01  holiday  元旦" in shown


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (
            '{"holidays": [{"day": "2027-01-01"}], "workdays": [{"day": "2027-01-05"}]}',
            ["workdays[0].day", "weekday"],
        ),
        ('{"holidays": [{"day": "2027-01-01"}, {"day": "2028-01-01"}]}', ["holidays[1].day", "2027"]),
        ("{not json", ["not JSON"]),
    ],
)
def test_a_bad_calendar_file_is_one_line_and_imports_nothing(
    tmp_path: Path, sqlite_template: Path, document: str, words: list[str]
) -> None:
    shutil.copy(sqlite_template, tmp_path / "hallq.db")
    (tmp_path / "bad.json").write_text(document, encoding="utf-8")
    assert_user_error(hallq("calendar", "import", "bad.json", cwd=tmp_path), *words)
    assert "not covered" in hallq("calendar", "show", "2027", cwd=tmp_path).stdout


def test_calendar_import_for_an_unknown_hall_is_one_line(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "hallq.db")
    (tmp_path / "y.json").write_text('{"holidays": [{"day": "2027-01-01"}]}', encoding="utf-8")
    assert_user_error(
        hallq("calendar", "import", "y.json", "--hall", "nowhere", cwd=tmp_path), "no such hall"
    )


def test_a_pad_token_is_bound_to_the_window_it_names(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "hallq.db")
    out = hallq("token", "create", "--role", "pad", "--hall", "demo", "--window", "2", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.strip().startswith("hq_"), out.stderr
