"""The built wheel carries what runs: installed in a fresh venv, the CLI works outside the repo."""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from repo_paths import REPO

from conftest import CliResult, run_process, script_env

pytestmark = pytest.mark.slow

SHIPPED = "sigworkbook/_shipped"
# Building may fetch hatchling and installing fetches the dependencies from PyPI.
BUILD_TIMEOUT = 600
INSTALL_TIMEOUT = 900
UV = Path(sys.executable).parent / "uv"
"""uv (the `dev` extra's) installs the wheel and its dependencies like pip, in seconds instead of
a minute (parallel downloads, its cache); without it, pip does."""


@dataclass(frozen=True)
class Installed:
    """A wheel built from this checkout, and a fresh virtual environment it is installed in."""

    wheel: Path
    bin: Path
    notebooks: frozenset[str]
    """The notebooks in the checkout's `workbooks/` when the build started."""
    outside: Path
    """A scratch folder outside the repository, to run commands from."""

    @property
    def env(self) -> dict[str, str]:
        env = script_env(self.outside / "home")
        for name in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"):
            env.pop(name, None)
        env["PATH"] = f"{self.bin}:{env.get('PATH', '')}"
        return env

    def run(self, *args: str | Path) -> CliResult:
        command: list[str | Path] = [self.bin / "sigworkbook", *args]
        return run_process(command, cwd=self.outside, env=self.env, timeout=120)


def ok(result: CliResult) -> CliResult:
    assert result.code == 0, str(result)
    assert "Traceback" not in result.err, str(result)
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("wheel")
    assert not root.resolve().is_relative_to(REPO)
    dist = root / "dist"
    notebooks = frozenset(path.name for path in (REPO / "workbooks").glob("*.ipynb"))
    built = run_process(
        [sys.executable, "-m", "build", "--wheel", "--outdir", dist, REPO],
        cwd=root,
        env=script_env(root),
        timeout=BUILD_TIMEOUT,
    )
    assert built.code == 0, str(built)
    [wheel] = dist.glob("sigworkbook-*.whl")
    venv = root / "venv"
    python = venv / "bin" / "python"
    fast = UV.is_file()
    venv_command: list[str | Path] = [sys.executable, "-m", "venv", venv]
    made = run_process(
        [*venv_command, "--without-pip"] if fast else venv_command,
        cwd=root,
        env=script_env(root),
        timeout=120,
    )
    assert made.code == 0, str(made)
    # Both install the newest releases that fit the wheel's requirements, and compile them.
    install: list[str | Path] = (
        [UV, "pip", "install", "--quiet", "--compile-bytecode", "--python", python, wheel]
        if fast
        else [python, "-m", "pip", "install", "--quiet", wheel]
    )
    done = run_process(install, cwd=root, env=script_env(root), timeout=INSTALL_TIMEOUT)
    assert done.code == 0, str(done)
    outside = root / "outside"
    (outside / "home").mkdir(parents=True)
    yield Installed(wheel, venv / "bin", notebooks, outside)


def test_wheel_carries_data_notebooks_and_templates(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as archive:
        names = set(archive.namelist())
    assert "sigworkbook/data/catalogues.toml" in names
    assert "sigworkbook/data/demo-plan.json" in names
    assert "sigworkbook/cli.py" in names
    shipped = {
        name.removeprefix(f"{SHIPPED}/workbooks/")
        for name in names
        if name.startswith(f"{SHIPPED}/workbooks/") and name.endswith(".ipynb")
    }
    assert installed.notebooks <= shipped  # (a notebook may be added while the build runs)
    templates = sorted(
        path.relative_to(REPO / "templates").as_posix()
        for path in (REPO / "templates").rglob("*")
        if path.is_file()
    )
    if templates:
        assert {f"{SHIPPED}/templates/{name}" for name in templates} <= names
    assert not [name for name in names if "__pycache__" in name or name.startswith("tests/")]


def test_installed_package_is_not_the_checkout(installed: Installed) -> None:
    found = run_process(
        [installed.bin / "python", "-c", "import sigworkbook; print(sigworkbook.__file__)"],
        cwd=installed.outside,
        env=installed.env,
    )
    location = Path(ok(found).out.strip()).resolve()
    assert location.is_relative_to(installed.bin.parent.resolve())
    assert not location.is_relative_to(REPO)
    listing = (
        "from importlib.resources import files\n"
        "shipped = files('sigworkbook') / '_shipped'\n"
        "print(sorted(p.name for p in (shipped / 'workbooks').iterdir()))"
    )
    listed = run_process(
        [installed.bin / "python", "-c", listing], cwd=installed.outside, env=installed.env
    )
    assert set(installed.notebooks) <= set(json.loads(ok(listed).out.replace("'", '"')))


def test_cli_from_the_installed_wheel(installed: Installed) -> None:
    first = installed.outside / "first"
    second = installed.outside / "second"
    demo = ok(installed.run("--workspace", first, "init", "--demo")).out
    sig_id = demo.rsplit("with id ", 1)[1].strip()

    listed = ok(installed.run("--workspace", first, "list")).out
    assert listed.startswith(f"{sig_id}\t")

    checked = ok(installed.run("--workspace", first, "check", "--strict", sig_id)).out
    assert checked.startswith("No gaps")

    exported = installed.outside / "exports" / f"{sig_id}.json"
    ok(installed.run("--workspace", first, "export", sig_id, "--format", "json", "-o", exported))
    plan = json.loads(exported.read_text(encoding="utf-8"))
    assert plan["id"] == sig_id
    documents = installed.outside / "documents"
    ok(installed.run("--workspace", first, "export", sig_id, "--all", "-o", documents))
    assert (documents / "charter.docx").read_bytes()[:2] == b"PK"  # python-docx, installed
    assert (documents / "listing.docx").read_bytes()[:2] == b"PK"
    assert b"X-Unsent: 1\r\n" in (documents / "invitation.eml").read_bytes()

    ok(installed.run("--workspace", second, "init"))
    imported = ok(installed.run("--workspace", second, "import", exported)).out
    assert imported == f"Imported '{sig_id}' (revision 1)\n"

    ok(installed.run("--workspace", second, "set", sig_id, "identity.name", "Renamed"))
    history = ok(installed.run("--workspace", second, "history", sig_id)).out.splitlines()
    assert [line.split()[0] for line in history] == ["2", "1"]

    restored = ok(installed.run("--workspace", second, "restore", sig_id, "1")).out
    assert restored == "Restored the plan to revision 1 (now revision 3)\n"
    shown = ok(installed.run("--workspace", second, "show", sig_id, "--json")).out
    assert json.loads(shown) == plan

    error = installed.run("--workspace", second, "show", "no-such-sig")
    assert (error.code, len(error.err.splitlines())) == (2, 1)
    assert "Traceback" not in error.err

    # A member directory as Excel in a European locale writes it (pandas reads it).
    directory = installed.outside / "directory.csv"
    directory.write_bytes(
        'name;organisation;interests\n"Zoë Müller";Café Carers;"frailty; older people"\n'.encode(
            "cp1252"
        )
    )
    found = ok(installed.run("directory", directory, "frailty")).out
    assert found == "1. Zoë Müller — Café Carers: found “frailty” in interests\n"


def test_serve_from_the_installed_wheel(installed: Installed) -> None:
    """`serve` from the wheel, outside the repo: the start page runs its notebook with our
    template and the demo SIG, and Ctrl-C stops the server cleanly."""
    import signal
    import subprocess
    import time
    import urllib.request

    from sigworkbook.app.network import free_port

    workspace = installed.outside / "served"
    demo = ok(installed.run("--workspace", workspace, "init", "--demo")).out
    sig_id = demo.rsplit("with id ", 1)[1].strip()
    port = free_port()
    log = installed.outside / "serve.log"
    command = [installed.bin / "sigworkbook", "--workspace", workspace, "serve"]
    command += ["--no-browser", "--port", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=installed.outside, env=installed.env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text(encoding="utf-8")
            try:
                with urllib.request.urlopen(
                    base + "voila/templates/sigworkbook/static/sigworkbook.css"
                ):
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
                time.sleep(0.3)
        url = f"{base}voila/render/00-start.ipynb?sig={sig_id}&who=Ada"
        with urllib.request.urlopen(url, timeout=120) as reply:
            page = reply.read().decode("utf-8")
        assert 'id="swb-connection"' in page, "our template, not Voila's default"
        assert "application/vnd.jupyter.widget-view+json" in page, "the form's widgets"
        assert "SigworkbookError" not in page and "Traceback" not in page, page[-2000:]
    finally:
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=60)
    assert code == 0, log.read_text(encoding="utf-8")


def test_postgres_from_the_installed_wheel(installed: Installed, postgres_url: str) -> None:
    """Every verb with --database postgresql://..., and migrate to an SQLite file and back."""
    folder = installed.outside / "pg"

    def run(*args: str | Path) -> str:
        return ok(installed.run("--workspace", folder, "--database", postgres_url, *args)).out

    sig_id = run("init", "--demo").rsplit("with id ", 1)[1].strip()
    assert run("list").startswith(f"{sig_id}\t")
    assert run("check", sig_id)
    exported = installed.outside / "pg-plan.json"
    run("export", sig_id, "--format", "json", "-o", exported)
    run("set", sig_id, "identity.name", "Renamed")
    run("import", exported, "--replace")
    assert [line.split()[0] for line in run("history", sig_id).splitlines()] == ["3", "2", "1"]
    run("restore", sig_id, "2")
    handed = installed.outside / "handed-over.db"
    assert "every revision" in run("migrate", "--to", handed)
    listed = ok(
        installed.run("--workspace", folder, "--database", f"sqlite:///{handed}", "list")
    ).out
    assert listed.startswith(f"{sig_id}\t") and "revision 4" in listed


SHARED_TEMPLATE = "share/jupyter/voila/templates/sigworkbook"


def test_plain_voila_finds_the_installed_template(installed: Installed) -> None:
    """The wheel installs our template as Jupyter shared data: plain `voila` (and so
    JupyterLab's Voila preview) renders a notebook with it, no `serve` and no JUPYTER_PATH."""
    import signal
    import subprocess
    import time
    import urllib.request

    import nbformat

    from sigworkbook.app.network import free_port

    with zipfile.ZipFile(installed.wheel) as archive:
        names = set(archive.namelist())
    data = f"sigworkbook-0.1.0.data/data/{SHARED_TEMPLATE}"
    assert {f"{data}/conf.json", f"{data}/index.html.j2", f"{data}/static/sigworkbook.css"} <= names
    assert (installed.bin.parent / SHARED_TEMPLATE / "index.html.j2").is_file()

    notebook = installed.outside / "hello.ipynb"
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hello from voila')")]),
        notebook,
    )
    port = free_port()
    env = {k: v for k, v in installed.env.items() if k != "JUPYTER_PATH"}
    log = installed.outside / "voila.log"
    command = [installed.bin / "voila", "--no-browser", f"--port={port}", "--template=sigworkbook"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*command, notebook.name],
            cwd=installed.outside,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text(encoding="utf-8")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=120) as reply:
                    page = reply.read().decode("utf-8")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
                time.sleep(0.3)
        assert 'id="swb-connection"' in page, "our template, not Voila's default"
        assert "hello from voila" in page
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
