"""A private PostgreSQL server for the fault tests: its own data folder and spare loopback port.

The machine's PostgreSQL (HALLQ_TEST_POSTGRES_URL) is shared by every test and must never be
stopped; a test that takes PostgreSQL away starts one of its own here and stops, restarts and
removes only that one.

initdb refuses to run as root: as root the server's tools run as the `postgres` user (runuser),
in a folder under /tmp that user owns (pytest's tmp_path is root's and 0700); as any other user
they run as that user. fsync is off: the tests restart the server cleanly (fast shutdown writes
everything), they never crash the machine.

    pg = OwnPostgres.create()      # skips (fails in CI) when the tools are missing
    pg.start(); url = pg.copy_from(template_url, "hallq"); pg.stop(); pg.start(); pg.remove()
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.e2e.cluster_support import REQUIRED, wait_until
from tests.e2e.conftest import free_port

#: the server's own tools (Debian's postgresql-NN packages), newest version first
BIN_DIRS = sorted(
    glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
)
#: the user the server runs as when the tests run as root
SERVER_USER = "postgres"


def missing_tools() -> list[str]:
    """What this machine lacks to run a private PostgreSQL (empty: nothing)."""
    missing = []
    if not BIN_DIRS:
        missing.append(
            "PostgreSQL's server tools (apt-get install postgresql): no /usr/lib/postgresql/*/bin/initdb"
        )
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            missing.append("runuser (util-linux), to run initdb as the postgres user")
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            missing.append(f"a {SERVER_USER!r} user to run the server as (root may not)")
    return missing


class OwnPostgres:
    """One private PostgreSQL server: `start`, `stop`, `restart`, and `remove` at the end."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.data, self.sockets, self.logfile = folder / "data", folder / "sockets", folder / "server.log"
        self.bin = Path(BIN_DIRS[0])

    @classmethod
    def create(cls) -> OwnPostgres:
        """initdb in a fresh folder under /tmp; skip the test (fail it in CI) without the tools."""
        missing = missing_tools()
        if missing:
            reason = "a private PostgreSQL needs " + ", ".join(missing)
            if REQUIRED:
                pytest.fail(reason)
            pytest.skip(reason)
        folder = Path(tempfile.mkdtemp(prefix="hallq-own-pg-", dir="/tmp"))
        server = cls(folder, free_port())
        server.sockets.mkdir()
        if os.geteuid() == 0:
            user = pwd.getpwnam(SERVER_USER)
            for path in (folder, server.sockets):
                os.chown(path, user.pw_uid, user.pw_gid)
        folder.chmod(0o700)
        server._run(
            "initdb", "-D", str(server.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--no-locale", "--no-sync", "--no-instructions",
        )  # fmt: skip
        return server

    def _run(self, tool: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", SERVER_USER, "--", *cmd]
        done = subprocess.run(cmd, cwd=self.folder, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(
                f"{tool} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{self.log_tail()}"
            )
        return done

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockets} "
            "-c fsync=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-o", options, "-w", "-t", "60", "start"
        )
        wait_until(self.answers, "the private PostgreSQL answers")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: every session is ended and its transaction rolled back)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        cmd = [str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", SERVER_USER, "--", *cmd]
        return subprocess.run(cmd, cwd=self.folder, capture_output=True, timeout=30).returncode == 0

    def answers(self) -> bool:
        done = subprocess.run(
            [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"], timeout=30
        )
        return done.returncode == 0

    def copy_from(self, source_url: str, database: str) -> str:
        """A new database here holding a copy of `source_url`'s (pg_dump into psql: faster than
        migrating and seeding again); its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", database)
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "--no-owner", "--no-privileges", "-d", source_url],
            capture_output=True,
            timeout=120,
            check=True,
        )
        load = subprocess.run(
            [str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(database)],
            input=dump.stdout,
            capture_output=True,
            timeout=120,
        )
        if load.returncode != 0:
            raise RuntimeError(
                f"psql failed to load the copy:\n{load.stderr.decode(errors='replace')[-3000:]}"
            )
        return self.url(database)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.logfile.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def remove(self) -> None:
        """Stop the server if it runs (immediately: nothing of it is kept) and delete its folder."""
        try:
            if self.data.exists() and self.running():
                self.stop("immediate")
        finally:
            for _ in range(3):
                shutil.rmtree(self.folder, ignore_errors=True)
                if not self.folder.exists():
                    break
                time.sleep(0.5)
