"""Shared test fixtures: a temporary workspace, a page kernel's environment on a visit, and the CLI
run in-process or as the real script."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from postgres_server import PostgresMissing, PostgresServer, postgres_required

from sigworkbook import cli
from sigworkbook.plan import catalogues
from sigworkbook.workspace import Workspace

# Property tests check behaviour, never speed: on a busy 2-core machine one example can take
# longer than Hypothesis's 200 ms deadline, which would fail a correct test (speed targets
# live in the benchmarks).
settings.register_profile(
    "sigworkbook", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("sigworkbook")

SCRIPT = Path(sys.executable).parent / "sigworkbook"
"""The `sigworkbook` console script installed beside the interpreter running the tests."""

ENV_VARS = (
    "SIGWORKBOOK_WORKSPACE",
    "SIGWORKBOOK_CATALOGUES",
    "SIGWORKBOOK_DATABASE",
    "JUPYTERHUB_USER",
    "SIGWORKBOOK_USER_GROUPS",
    "SIGWORKBOOK_USER_DISPLAY_NAME",
)


@dataclass(frozen=True)
class CliResult:
    """What one run of the command line did: exit status, standard output and standard error."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}--- stderr\n{self.err}"


RunCli = Callable[..., CliResult]


PINNED_TODAY = "2026-01-01"
"""The day the checks count from in tests: the fixed dates of the test plans (2026, 2027) stay
ahead of it whenever the tests run."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests run last. pytest-playwright keeps an asyncio loop running in this
    thread from its first browser test to the end of the session: a test after it that runs an
    event loop of its own, or Playwright's sync API, would fail for that reason alone."""
    items.sort(key=lambda item: "e2e" in item.path.parts)


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """What a test, or code it runs in-process (`serve` hands settings to its kernels through
    os.environ), puts in the environment is gone after it: no test sees another's database."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGWORKBOOK_TODAY", PINNED_TODAY)


@pytest.fixture(autouse=True)
def _default_catalogues() -> Iterator[None]:
    """Every test starts and ends with the packaged catalogues (a workspace may switch them)."""
    catalogues.use(None)
    yield
    catalogues.use(None)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SIGWORKBOOK_* variables, and HOME in a temporary folder; returns that HOME."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


REQUEST_VARIABLES = ("SIGWORKBOOK_SIG", "SIGWORKBOOK_AUTHOR", "VOILA_REQUEST_URL", "VOILA_PREHEAT")
"""What would choose a page's SIG or participant from outside the visit's own address."""


@pytest.fixture
def no_request(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No SIG or participant from the environment or a query string."""
    for name in REQUEST_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def kernel_root(tmp_path: Path, no_request: pytest.MonkeyPatch) -> Path:
    """A page's kernel as on a visit (see `no_request`), with its workspace in `tmp_path`
    (returned, not created)."""
    no_request.setenv("SIGWORKBOOK_WORKSPACE", str(tmp_path))
    return tmp_path


@pytest.fixture
def workspace_dir(tmp_path: Path) -> Path:
    """Where a test's workspace lives (not created: `init` or `workspace` creates it)."""
    return tmp_path / "workspace"


@pytest.fixture
def workspace(workspace_dir: Path) -> Iterator[Workspace]:
    """A new, empty workspace in a temporary folder, closed after the test."""
    with Workspace.open(workspace_dir, create=True) as opened:
        yield opened


DEMO_SIG = "home-safely"
BLANK_SIG = "Blank Group"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    """A workspace for the page tests: the demo SIG (`DEMO_SIG`) and a new, empty one named
    `BLANK_SIG`; closed after the test."""
    from sigworkbook.demo import add_demo

    with Workspace.open(tmp_path / "ws", create=True) as opened:
        add_demo(opened)
        opened.new_sig(BLANK_SIG)
        yield opened


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> RunCli:
    """Run `sigworkbook.cli.main(args)` in this process; `env` adds environment variables."""

    def run(*args: str | Path, env: Mapping[str, str] | None = None) -> CliResult:
        # Text streams with a byte buffer beneath, like the real ones: exports write bytes.
        out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
        out = io.TextIOWrapper(out_bytes, encoding="utf-8", write_through=True)
        err = io.TextIOWrapper(err_bytes, encoding="utf-8", write_through=True)
        with monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            with redirect_stdout(out), redirect_stderr(err):
                try:
                    code = cli.main([str(arg) for arg in args])
                except SystemExit as exit_:  # argparse's own errors, --help, --version
                    code = exit_.code if isinstance(exit_.code, int) else int(bool(exit_.code))
                finally:
                    out.flush()
                    err.flush()
        return CliResult(code, out_bytes.getvalue().decode(), err_bytes.getvalue().decode())

    return run


@pytest.fixture
def cli_ws(run_cli: RunCli, workspace_dir: Path) -> RunCli:
    """Like `run_cli`, with `--workspace` set to the test's workspace folder."""

    def run(*args: str | Path, env: Mapping[str, str] | None = None) -> CliResult:
        return run_cli("--workspace", workspace_dir, *args, env=env)

    return run


def script_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child process: ours without SIGWORKBOOK_*, HOME set to `home`."""
    env = {name: value for name, value in os.environ.items() if name not in ENV_VARS}
    env["HOME"] = str(home)
    env.update(extra or {})
    return env


def run_process(
    command: list[str | Path],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = 120,
) -> CliResult:
    """Run a command to the end and return what it did."""
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def run_script(tmp_path: Path) -> RunCli:
    """Run the real `sigworkbook` console script as a child process, from a temporary folder."""
    home = tmp_path / "script-home"
    home.mkdir(exist_ok=True)

    def run(
        *args: str | Path, env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> CliResult:
        return run_process([SCRIPT, *args], cwd=cwd or tmp_path, env=script_env(home, env))

    return run


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole test session, on a Unix socket in a temporary folder.

    Skipped where PostgreSQL is not installed, except on CI (CI=true) or with
    SIGWORKBOOK_REQUIRE_POSTGRES=1, where a missing server fails the tests.
    """
    try:
        server = PostgresServer()
    except PostgresMissing as missing:
        if postgres_required():
            pytest.fail(
                f"{missing} (CI=true or SIGWORKBOOK_REQUIRE_POSTGRES=1: these tests must run)"
            )
        pytest.skip(str(missing))
    yield server
    server.close()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty database on the test server, dropped after the test."""
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)
