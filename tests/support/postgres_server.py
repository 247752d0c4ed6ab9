"""A throwaway PostgreSQL server for tests and benchmarks: its own folder, a Unix socket, no TCP.

As root (every session and CI here) `initdb` refuses to run, so the data folder belongs to the
`postgres` user and the server programs run through `runuser -u postgres`. Clients connect as
the database user `sig` with trust authentication, through the socket in the server's folder.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

PG_BIN_ENV: Final = "SIGWORKBOOK_PG_BIN"
"""Folder of initdb and pg_ctl, when they are not in /usr/lib/postgresql/15/bin."""
REQUIRE_ENV: Final = "SIGWORKBOOK_REQUIRE_POSTGRES"
USER: Final = "sig"
HOW_TO_GET_IT: Final = (
    "PostgreSQL 15 is not installed here (initdb and pg_ctl not found in "
    "/usr/lib/postgresql/15/bin or ${env}): install it with 'apt-get install postgresql-15' "
    "(or 'make system'), or set ${env} to the folder holding initdb and pg_ctl"
).replace("${env}", "$" + PG_BIN_ENV)


class PostgresMissing(RuntimeError):
    """The PostgreSQL server programs are not on this machine."""


def postgres_required() -> bool:
    """Whether a missing server must fail the tests (CI, or asked for) instead of skipping them."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get(REQUIRE_ENV) == "1"


def find_bin(candidates: Sequence[str] | None = None) -> Path:
    """The folder holding initdb and pg_ctl, or PostgresMissing saying how to get them."""
    if candidates is None:
        candidates = [os.environ.get(PG_BIN_ENV, ""), "/usr/lib/postgresql/15/bin"]
        on_path = shutil.which("pg_ctl")
        if on_path:
            candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        folder = Path(candidate)
        if candidate and (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresMissing(HOW_TO_GET_IT)


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, listening only on a Unix socket there."""

    def __init__(self, bin_dir: Path | None = None, port: int = 5432) -> None:
        self.bin = bin_dir or find_bin()
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="sigpg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder
        self.log = self.folder / "server.log"
        self._as_root = os.geteuid() == 0
        self._names = itertools.count(1)
        atexit.register(self.close)  # a server is never left running after the tests
        if self._as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8")
        conf = self.data / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as handle:
            handle.write(
                "\nlisten_addresses = ''\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                f"port = {self.port}\n"
                "max_connections = 200\n"
                "synchronous_commit = on\n"
                "fsync = on\n"
            )
        self.start()

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin / program), *args]
        return ["runuser", "-u", "postgres", "--", *command] if self._as_root else command

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            self._command(program, *args),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.folder,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{program} {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; ``mode="immediate"`` is a crash (no checkpoint, no goodbye)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        done = subprocess.run(
            self._command("pg_ctl", "-D", str(self.data), "status"),
            capture_output=True,
            cwd=self.folder,
        )
        return done.returncode == 0

    def conninfo(self, dbname: str = "postgres") -> str:
        """A libpq keyword string for `dbname` on this server."""
        return f"host={self.socket_dir} port={self.port} user={USER} dbname={dbname}"

    def url(self, dbname: str = "postgres", password: str | None = None) -> str:
        """A postgresql:// URL for `dbname` (trust authentication ignores any password)."""
        secret = f":{password}" if password else ""
        return f"postgresql://{USER}{secret}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def create_database(self, prefix: str = "t") -> str:
        """Create a new, empty database and return its name."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still in it."""
        import psycopg

        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Stop the server (if it runs) and remove its folder; calling it twice is harmless."""
        if not self.folder.exists():
            return
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError, OSError):
            if self.data.exists() and self.running():
                self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A server for the duration of the block (PostgresMissing if the programs are missing)."""
    server = PostgresServer()
    try:
        yield server
    finally:
        server.close()
