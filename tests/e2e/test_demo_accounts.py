"""Issue 9, finding 5 (demo): `hallq demo` made an `admin / hallq-demo` account its banner never
mentioned. Every account in the demo's database must be named in the banner, with the password."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from server.demo import DEMO_PASSWORD
from tests.e2e.conftest import ROOT, free_port

pytestmark = pytest.mark.e2e


def test_the_demo_banner_names_every_account_it_made(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HALLQ_ASYNC_MODE": "threading",
        "PYTHONUNBUFFERED": "1",
        "HALLQ_DEMO_HISTORY_DAYS": "0",
    }
    env.pop("HALLQ_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "demo", "--host", "127.0.0.1", "--port", str(free_port())],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    banner: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            banner.append(line)
            if "kiosk printer" in line or len(banner) > 200:
                break
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
    text = "".join(banner)
    with sqlite3.connect(tmp_path / "hallq.db") as db:
        users = [u for (u,) in db.execute("SELECT username FROM users")]
    db.close()
    assert "admin" in users and len(users) == 14
    unnamed = [u for u in users if not re.search(rf"(?<![\w]){re.escape(u)}(?![\w])", text)]
    assert unnamed == [], f"accounts the banner does not name: {unnamed}\n{text}"
    assert DEMO_PASSWORD in text
