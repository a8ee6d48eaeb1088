"""Fixtures: every test gets a fresh app and its own database (SQLite file, or PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from server import create_app
from server.demo import seed_demo
from server.services.core.context import Context
from server.storage.migrate import upgrade
from tests.helpers import FakeClock

POSTGRES_URL = os.environ.get("HALLQ_TEST_POSTGRES_URL")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the product's bytecode once, as an installed wheel has it. Where
    PYTHONDONTWRITEBYTECODE is set (CI's machines set it), every server process and command the
    tests start would otherwise compile every module again (~0.5 s of CPU each, dozens of times
    in a run)."""
    import compileall

    root = Path(__file__).resolve().parent.parent
    for package in ("server", "kiosk", "board"):
        compileall.compile_dir(root / package, quiet=1)


def _seeded(url: str) -> None:
    """Migrate and seed the demo hall (hashing 14 passwords: done once per session, then copied)."""
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test-secret", "ASYNC_MODE": "threading"})
    seed_demo(app.extensions["hallq"])
    app.extensions["hallq"].db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "hallq.db"
    _seeded(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A seeded PostgreSQL database that each test clones with CREATE DATABASE … TEMPLATE."""
    if not POSTGRES_URL:
        pytest.skip(
            "PostgreSQL tests need HALLQ_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1/postgres)"
        )
    name = f"hallq_tpl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = POSTGRES_URL.rpartition("/")
    try:
        _seeded(f"{base}/{name}")
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _fresh_postgres(template: str) -> Iterator[str]:
    """A copy of the seeded template for one test; dropped afterwards."""
    assert POSTGRES_URL
    name = f"hallq_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    base, _, _ = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh copy of the seeded demo database for this test."""
    shutil.copy(sqlite_template, tmp_path / "hallq.db")
    return f"sqlite:///{tmp_path}/hallq.db"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that asks for it runs on SQLite, and on PostgreSQL when HALLQ_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    yield from _fresh_postgres(request.getfixturevalue("postgres_template"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _make_app(url: str, clock: FakeClock, **extra: Any) -> Any:
    upgrade(url)  # a no-op on the seeded copy; proves the migrations are at head
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "CLOCK": clock,
            "ASYNC_MODE": "threading",
            **extra,
        }
    )
    return app


@pytest.fixture
def app(sqlite_url: str, clock: FakeClock) -> Iterator[Any]:
    """The demo hall on a fresh SQLite database, with a controllable clock."""
    application = _make_app(sqlite_url, clock)
    yield application
    application.extensions["hallq"].db.dispose()


@pytest.fixture
def any_db_app(database_url: str, clock: FakeClock) -> Iterator[Any]:
    """The demo hall on SQLite and (when configured) on PostgreSQL."""
    application = _make_app(database_url, clock)
    yield application
    application.extensions["hallq"].db.dispose()


@pytest.fixture
def ctx(app: Any) -> Context:
    return app.extensions["hallq"]  # type: ignore[no-any-return]


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()
