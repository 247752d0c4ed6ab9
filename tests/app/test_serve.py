"""`sigworkbook serve` without a browser: options, config, ports, tokens, request helpers, paths."""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import types
import zipfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import websockets
from jupyter_server.base.websocket import WebSocketMixin
from repo_paths import REPO
from tornado.ioloop import IOLoop

from sigworkbook import resources, settings
from sigworkbook.app import serve
from sigworkbook.app.limits import Limits
from sigworkbook.app.network import free_port, is_loopback, local_address, port_in_use
from sigworkbook.app.voila_config import (
    MAX_PREHEAT,
    ROOM_SETTING,
    WS_PING_MS,
    ServeOptions,
    build_config,
    display_host,
    join_url,
    start_url,
)
from sigworkbook.ui import request

VOILA_ENV = (
    "VOILA_PREHEAT",
    "VOILA_REQUEST_URL",
    "VOILA_KERNEL_ID",
    "VOILA_APP_IP",
    "VOILA_APP_PORT",
    "VOILA_SERVER_URL",
    "VOILA_WS_BASE_URL",
    "QUERY_STRING",
    "SCRIPT_NAME",
)


# ---- resources -------------------------------------------------------------------------------


def test_source_checkout_paths_are_the_repo_folders() -> None:
    assert resources.workbooks_dir() == REPO / "workbooks"
    assert resources.templates_dir() == REPO / "templates"


def test_voila_share_dir_holds_our_template_extending_lab() -> None:
    template = resources.voila_share_dir() / "voila" / "templates" / "sigworkbook"
    conf = json.loads((template / "conf.json").read_text(encoding="utf-8"))
    assert conf["base_template"] == "lab"
    for name in ("index.html.j2", "error.html", "static/sigworkbook.css", "static/sigworkbook.js"):
        assert (template / name).is_file(), name


def test_css_documents_every_class_the_notebooks_use() -> None:
    css = (
        resources.voila_share_dir() / "voila/templates/sigworkbook/static/sigworkbook.css"
    ).read_text(encoding="utf-8")
    header = css[: css.index("*/")]
    for name in (
        ".swb-header",
        ".swb-steps",
        ".swb-step",
        ".swb-step--current",
        ".swb-step--done",
        ".swb-progress",
        ".swb-saved",
        ".swb-error",
        ".swb-help",
        ".swb-card",
        ".swb-notice",
    ):
        assert name in header, f"{name} is not documented at the top of the CSS"
        assert f"{name} {{" in css or f"{name}," in css or f"{name}::" in css, f"{name} unstyled"


# ---- network ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"]
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org", ""])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_port_in_use_sees_a_listening_socket() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert port_in_use("127.0.0.1", port)
    assert not port_in_use("127.0.0.1", port)


def test_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", port))


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.0.0.2", "127.0.0.2"),
        ("0.0.0.0", "127.0.0.1"),
        ("", "127.0.0.1"),
        ("::", "[::1]"),
        ("::1", "[::1]"),
        ("[::1]", "[::1]"),
        ("192.168.1.20", "192.168.1.20"),
        ("fd00::2", "[fd00::2]"),
        ("localhost", "localhost"),
        ("my-laptop.local", "my-laptop.local"),
    ],
)
def test_local_address_of_a_listening_host(host: str, address: str) -> None:
    assert local_address(host) == address


def _this_machines_addresses() -> list[str]:
    """Non-loopback addresses of this machine's interfaces (may be none)."""

    found = []
    for addresses in psutil.net_if_addrs().values():
        for entry in addresses:
            usable = entry.family in (socket.AF_INET, socket.AF_INET6)
            link_local = "%" in entry.address or entry.address.startswith("fe80")
            if usable and not link_local and not is_loopback(entry.address):
                found.append(entry.address)
    return found


def test_local_address_reaches_a_real_listener_on_each_kind_of_host() -> None:
    """Bind like tornado does (IPv6 sockets IPv6-only), then connect where local_address says."""
    hosts = ["127.0.0.1", "0.0.0.0", *_this_machines_addresses()]
    if socket.has_ipv6:
        hosts += ["::1", "::"]
    for host in hosts:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as listener:
            if family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                listener.bind((host, 0))
            except OSError as error:  # e.g. no IPv6 on this machine's loopback
                assert host in ("::1", "::"), f"{host}: {error}"
                continue
            listener.listen()
            port = listener.getsockname()[1]
            target = local_address(host).strip("[]")
            with socket.create_connection((target, port), timeout=5):
                pass


# ---- options and Voila config ----------------------------------------------------------------


def _options(**changes: object) -> ServeOptions:
    values: dict[str, object] = {
        "notebooks": Path("/nb"),
        "port": 8866,
        "host": "127.0.0.1",
        "token": None,
    }
    values.update(changes)
    return ServeOptions(**values)  # type: ignore[arg-type]


def test_config_is_strict_about_ports_errors_and_kernels() -> None:
    c = build_config(_options())
    assert c.Voila.port == 8866 and c.Voila.ip == "127.0.0.1"
    assert c.Voila.port_retries == 0
    assert c.Voila.root_dir == "/nb"
    assert c.Voila.token is None
    assert c.Voila.config_file_paths == []
    assert c.VoilaConfiguration.template == "sigworkbook"
    for section, name, value in [
        ("VoilaConfiguration", "strip_sources", True),
        ("VoilaConfiguration", "show_tracebacks", False),
        ("VoilaConfiguration", "preheat_kernel", False),
        ("VoilaExecutor", "show_tracebacks", False),
        ("MappingKernelManager", "cull_connected", False),
        ("MappingKernelManager", "cull_busy", False),
    ]:
        setting = c[section][name]
        assert setting is value, f"{section}.{name} is {setting!r}, not the boolean {value}"
    assert c.MappingKernelManager.cull_idle_timeout > 0
    assert 0 < c.MappingKernelManager.cull_interval <= c.MappingKernelManager.cull_idle_timeout
    assert c.VoilaConfiguration.allow_template_override == "NO"
    assert c.Voila.tornado_settings["allow_remote_access"] is False
    assert c.Voila.tornado_settings["websocket_max_message_size"] == 6_000_000


def test_config_pre_heats_only_when_asked() -> None:
    off = build_config(_options())
    assert off.VoilaConfiguration.preheat_kernel is False
    assert off.VoilaConfiguration.default_pool_size == 0
    on = build_config(_options(preheat=3))
    assert on.VoilaConfiguration.preheat_kernel is True
    assert on.VoilaConfiguration.default_pool_size == 3
    assert on.VoilaConfiguration.progressive_rendering is False, "Voila refuses it with preheat"
    assert "prelaunch_hook" not in on.VoilaConfiguration, "Voila refuses it with preheat"


def test_config_off_loopback_requires_the_token() -> None:
    c = build_config(_options(host="0.0.0.0", token="s3cret"))
    assert c.Voila.token == "s3cret"
    assert c.Voila.tornado_settings["allow_remote_access"] is True


def test_behind_the_room_gate_no_token_and_the_facilitator_at_loopback() -> None:
    room = Path("/ws/room.json")
    options = _options(host="0.0.0.0", token=None, room=room)
    c = build_config(options)
    assert c.Voila.token is None and c.Voila.ip == "0.0.0.0"
    assert c.Voila.tornado_settings[ROOM_SETTING] == str(room)
    assert c.Voila.tornado_settings["allow_remote_access"] is True  # the gate checks Host
    assert build_config(_options()).Voila.tornado_settings[ROOM_SETTING] is None
    # The facilitator's address is loopback (the gate's "this machine"), never the host name.
    assert start_url(options, "my-sig") == "http://127.0.0.1:8866/?sig=my-sig"
    url = join_url(options)
    assert url is not None and url.endswith(":8866/") and "token" not in url
    with pytest.raises(ValueError, match="room"):
        _options(host="0.0.0.0", token="tok", room=room)


def test_serve_without_host_listens_everywhere_behind_the_gate() -> None:
    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    assert parser.parse_args([]).host is None  # serve(): ROOM_HOST with the room gate
    assert serve.ROOM_HOST == "0.0.0.0"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
        ({"host": " "}, "host"),
        ({"host": "0.0.0.0", "token": None}, "token"),
        ({"host": "192.168.1.5", "token": ""}, "token"),
        ({"cull_idle_timeout": 0}, "cull_idle_timeout"),
        ({"preheat": -1}, "preheat"),
        ({"preheat": MAX_PREHEAT + 1}, "preheat"),
    ],
)
def test_bad_options_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        _options(**changes)


def test_start_url_carries_token_and_sig_encoded() -> None:
    assert start_url(_options()) == "http://127.0.0.1:8866/"  # no notebook's file name
    assert start_url(_options(), "a b&c") == "http://127.0.0.1:8866/?sig=a+b%26c"
    remote = _options(host="10.0.0.5", port=9000, token="tok")
    assert start_url(remote, "my-sig") == "http://10.0.0.5:9000/?token=tok&sig=my-sig"


def test_display_host() -> None:
    assert display_host("0.0.0.0") == socket.gethostname()
    assert display_host("::1") == "[::1]"
    assert display_host("example.org") == "example.org"


# ---- serve(): refusals before anything starts ------------------------------------------------


def test_serve_refuses_a_taken_port_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = serve.serve(tmp_path / "ws", port=port, notebooks=tmp_path, open_browser=False)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and f"port {port}" in err[0]
    assert not (tmp_path / "ws").exists(), "a refused start left a workspace folder behind"


def test_serve_refuses_a_missing_notebooks_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope"
    assert serve.serve(tmp_path / "ws", notebooks=missing, open_browser=False) == 2
    assert str(missing) in capsys.readouterr().err


def test_serve_refuses_a_workspace_that_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "ws"
    file.write_text("not a folder", encoding="utf-8")
    assert serve.serve(file, notebooks=tmp_path, open_browser=False) == 2
    assert "is a file" in capsys.readouterr().err


def test_serve_refuses_a_bad_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.serve(tmp_path / "ws", port=0, notebooks=tmp_path, open_browser=False) == 2
    assert "port" in capsys.readouterr().err


def test_serve_refuses_a_bad_preheat(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = serve.serve(tmp_path / "ws", notebooks=tmp_path, open_browser=False, preheat=-2)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "preheat" in err[0] and "-2" in err[0]
    assert not (tmp_path / "ws").exists(), "a refused start left a workspace folder behind"


def test_cli_refuses_a_bad_preheat_before_touching_the_workspace(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "sigworkbook.cli", "--workspace", str(workspace)),
            *("serve", "--no-browser", "--preheat", str(MAX_PREHEAT + 1)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--preheat" in lines[0] and str(MAX_PREHEAT + 1) in lines[0]
    assert not workspace.exists()


def test_access_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.TOKEN.env, raising=False)
    assert serve.access_token("127.0.0.1") is None
    first, second = serve.access_token("0.0.0.0"), serve.access_token("0.0.0.0")
    assert first and second and first != second and len(first) >= 32
    monkeypatch.setenv(settings.TOKEN.env, "  chosen  ")
    assert serve.access_token("192.168.1.5") == "chosen"
    assert serve.access_token("localhost") is None


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({}, "linux", False),
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({"BROWSER": "firefox"}, "linux", True),
        ({}, "darwin", True),
        ({}, "win32", True),
    ],
)
def test_can_open_browser(env: dict[str, str], platform: str, expected: bool) -> None:
    assert serve.can_open_browser(env, platform) is expected


def test_cull_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.CULL_IDLE_TIMEOUT.env, raising=False)
    assert serve.cull_timing() == (600, 60)
    monkeypatch.setenv(settings.CULL_IDLE_TIMEOUT.env, "8")
    assert serve.cull_timing() == (8, 2)
    monkeypatch.setenv(settings.CULL_IDLE_TIMEOUT.env, "3600")
    assert serve.cull_timing() == (3600, 60)
    # A short quiet_kernel_timeout is checked for as often as it needs.
    assert serve.cull_timing(Limits(quiet_kernel_timeout_s=8)) == (3600, 2)
    for bad in ("soon", "0", "-5"):
        monkeypatch.setenv(settings.CULL_IDLE_TIMEOUT.env, bad)
        with pytest.raises(ValueError, match=settings.CULL_IDLE_TIMEOUT.env):
            serve.cull_timing()


def test_serve_refuses_a_bad_cull_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(settings.CULL_IDLE_TIMEOUT.env, "later")
    assert serve.serve(tmp_path / "ws", notebooks=tmp_path, open_browser=False) == 2
    assert settings.CULL_IDLE_TIMEOUT.env in capsys.readouterr().err


def test_importing_the_package_and_cli_does_not_import_voila() -> None:
    code = (
        "import sys, sigworkbook, sigworkbook.cli, sigworkbook.app.serve, sigworkbook.ui.request;"
        "print(sorted(m for m in sys.modules if m == 'voila' or m.startswith('voila.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


# ---- request helpers -------------------------------------------------------------------------


@pytest.fixture
def no_voila_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in VOILA_ENV:
        # set, then delete: so the undo also removes what Voila's helper writes into os.environ
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setattr(request, "_request_ready", False)
    return monkeypatch


def test_outside_voila_there_is_no_request(no_voila_env: pytest.MonkeyPatch) -> None:
    no_voila_env.setenv("QUERY_STRING", "sig=ignored")  # e.g. a CGI-ish shell variable
    assert not request.in_voila()
    assert request.query_param("sig") is None


def test_query_param_reads_the_query_string(no_voila_env: pytest.MonkeyPatch) -> None:
    no_voila_env.setenv("VOILA_PREHEAT", "False")
    no_voila_env.setenv("QUERY_STRING", "sig=home%20safely&x=1&x=2&empty=&plus=a+b")
    assert request.in_voila()
    assert request.query_param("sig") == "home safely"
    assert request.query_param("x") == "1"
    assert request.query_param("plus") == "a b"
    assert request.query_param("empty") is None
    assert request.query_param("missing") is None


REQUEST_INFO = {
    "QUERY_STRING": "sig=from-the-request",
    "SCRIPT_NAME": "/voila/render/02-name.ipynb",
    "SERVER_SOFTWARE": "voila/0.5.13",
}
"""What Voila's request endpoint sends a kernel (a subset of the CGI-style variables)."""
REPLIES = {"k-garbled": "not json", "k-list": "[1, 2]", "k-no-query": '{"SCRIPT_NAME": "/x"}'}
"""Replies for kernels whose id asks for a broken one."""


@pytest.fixture
def request_info_server() -> Iterator[tuple[int, list[str]]]:
    """A real websocket server shaped like Voila's request-info endpoint for pre-heated kernels."""
    paths: list[str] = []
    ready = threading.Event()
    state: dict[str, object] = {}

    async def handler(connection: websockets.ServerConnection) -> None:
        paths.append(connection.request.path if connection.request else "")
        reply = REPLIES.get(paths[-1].rsplit("/", 1)[-1], json.dumps(REQUEST_INFO))
        await connection.send(reply)

    async def main() -> None:
        async with websockets.serve(handler, "127.0.0.1", 0) as server:
            state["port"] = next(iter(server.sockets)).getsockname()[1]
            stop = asyncio.get_running_loop().create_future()
            state["stop"] = (asyncio.get_running_loop(), stop)
            ready.set()
            await stop

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield int(state["port"]), paths  # type: ignore[call-overload]
    loop, stop = state["stop"]  # type: ignore[misc]
    loop.call_soon_threadsafe(stop.set_result, None)
    thread.join(10)


def test_pre_heated_kernel_waits_for_the_request(
    no_voila_env: pytest.MonkeyPatch, request_info_server: tuple[int, list[str]]
) -> None:
    port, paths = request_info_server
    no_voila_env.setenv("VOILA_PREHEAT", "True")
    no_voila_env.setenv("VOILA_APP_PORT", str(port))
    no_voila_env.setenv("VOILA_SERVER_URL", "/")
    no_voila_env.setenv("VOILA_KERNEL_ID", "k-123")
    assert request.query_param("sig") == "from-the-request"
    assert paths == ["/voila/query/k-123"]
    assert request.query_param("sig") == "from-the-request"
    assert len(paths) == 1, "the request is awaited once, not on every call"
    assert os.environ["QUERY_STRING"] == "sig=from-the-request"
    assert os.environ["SCRIPT_NAME"] == "/voila/render/02-name.ipynb"


def test_the_request_replaces_what_the_kernel_inherited(
    no_voila_env: pytest.MonkeyPatch, request_info_server: tuple[int, list[str]]
) -> None:
    port, _ = request_info_server
    for name, value in {
        "VOILA_PREHEAT": "True",
        "VOILA_APP_IP": "127.0.0.1",
        "VOILA_APP_PORT": str(port),
        "VOILA_SERVER_URL": "/",
        "VOILA_KERNEL_ID": "k-1",
        "QUERY_STRING": "sig=stale-from-the-server-environment",
    }.items():
        no_voila_env.setenv(name, value)
    assert request.query_param("sig") == "from-the-request"


def test_a_plain_voila_kernel_does_not_wait(no_voila_env: pytest.MonkeyPatch) -> None:
    no_voila_env.setenv("VOILA_PREHEAT", "False")
    no_voila_env.setenv("VOILA_APP_PORT", str(free_port()))  # nothing listens there
    no_voila_env.setenv("QUERY_STRING", "sig=given")
    request.wait_for_request()
    assert request.query_param("sig") == "given"


def test_an_unreachable_request_endpoint_is_an_error_naming_it(
    no_voila_env: pytest.MonkeyPatch,
) -> None:
    port = free_port()  # nothing listens there: the connection is refused
    no_voila_env.setenv("VOILA_PREHEAT", "True")
    no_voila_env.setenv("VOILA_APP_PORT", str(port))
    no_voila_env.setenv("VOILA_KERNEL_ID", "k-9")
    with pytest.raises(request.RequestError) as raised:
        request.query_param("sig")
    message = str(raised.value)
    assert f"ws://127.0.0.1:{port}/voila/query/k-9" in message
    assert "which SIG" in message
    assert "QUERY_STRING" not in os.environ
    with pytest.raises(request.RequestError):
        request.wait_for_request()  # still not ready: it does not pretend to have a request


def test_a_pre_heated_kernel_without_its_id_is_an_error(no_voila_env: pytest.MonkeyPatch) -> None:
    no_voila_env.setenv("VOILA_PREHEAT", "True")
    with pytest.raises(request.RequestError, match="VOILA_KERNEL_ID"):
        request.wait_for_request()


@pytest.mark.parametrize(
    ("kernel", "problem"),
    [
        ("k-garbled", "never received"),
        ("k-list", "not a page request"),
        ("k-no-query", "without QUERY_STRING"),
    ],
)
def test_a_broken_request_is_an_error(
    no_voila_env: pytest.MonkeyPatch,
    request_info_server: tuple[int, list[str]],
    kernel: str,
    problem: str,
) -> None:
    port, paths = request_info_server
    no_voila_env.setenv("VOILA_PREHEAT", "True")
    no_voila_env.setenv("VOILA_APP_PORT", str(port))
    no_voila_env.setenv("VOILA_SERVER_URL", "/")
    no_voila_env.setenv("VOILA_KERNEL_ID", kernel)
    with pytest.raises(request.RequestError, match=problem):
        request.wait_for_request()
    assert paths == [f"/voila/query/{kernel}"]


# ---- the built wheel -------------------------------------------------------------------------


def test_wheel_ships_the_template_and_finds_its_folders(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="building the wheel offline needs hatchling installed")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = tmp_path.glob("sigworkbook-*.whl")
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    template = target / "sigworkbook/share/voila/templates/sigworkbook"
    for name in ("conf.json", "index.html.j2", "error.html", "static/sigworkbook.css"):
        assert (template / name).is_file(), f"{name} is missing from the wheel"
    code = (
        "from sigworkbook import resources as r;"
        "print(r.workbooks_dir()); print(r.templates_dir()); print(r.voila_share_dir())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(target)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    shipped = target / "sigworkbook"
    assert result.stdout.splitlines() == [
        str(shipped / "_shipped" / "workbooks"),
        str(shipped / "_shipped" / "templates"),
        str(shipped / "share"),
    ]


def test_serve_imports_voila_without_the_slow_optional_grammar_module() -> None:
    code = (
        "import sys\n"
        "from sigworkbook.app.serve import skip_slow_optional_imports\n"
        "skip_slow_optional_imports()\n"
        "import sigworkbook.app.voila_app\n"
        "import jsonschema\n"
        "print(sys.modules.get('rfc3987_syntax') is None)\n"
        "jsonschema.validate({'a': 1}, {'type': 'object'}, format_checker=jsonschema.FormatChecker())\n"
        "print('iri' in jsonschema.FormatChecker().checkers)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]


Arranged = tuple[list[str], asyncio.Future[Any] | None]
"""What a stop scenario set up: the kernel ids it singled out, and a start still under way."""


def test_stopping_shuts_down_a_kernel_that_is_still_starting(tmp_path: Path) -> None:
    """A kernel pool may be starting a kernel at the moment the server stops; stopping waits for
    it and shuts it down too instead of failing on it (and leaving its process running)."""

    async def arrange(manager: Any) -> Arranged:
        await manager.start_kernel()
        starting = asyncio.ensure_future(manager.start_kernel())
        while not manager._pending_kernels:
            await asyncio.sleep(0)
        return [k for k in manager._pending_kernels if k not in manager], starting

    still_starting = _stop_after(tmp_path, arrange)
    assert len(still_starting) == 1, "the second kernel should still have been starting"


def test_stopping_is_not_stopped_by_a_kernel_that_failed_to_start(tmp_path: Path) -> None:
    """jupyter_client keeps a kernel whose start failed among the starting ones; stopping still
    shuts the running kernels down (stock shutdown_all refuses the failed one as unknown)."""
    from jupyter_client.kernelspec import NoSuchKernel

    async def arrange(manager: Any) -> Arranged:
        with pytest.raises(NoSuchKernel):
            await manager.start_kernel(kernel_name="no-such-kernel")
        failed = [k for k in manager._pending_kernels if k not in manager]
        await manager.start_kernel()
        return failed, None

    failed = _stop_after(tmp_path, arrange)
    assert len(failed) == 1, "the failed start should have stayed among the starting kernels"


def _stop_after(tmp_path: Path, arrange: Callable[[Any], Awaitable[Arranged]]) -> list[str]:
    """Let `arrange` start kernels on a real kernel manager, then stop them all as `serve` does,
    on an event loop of its own; check that none is left. Returns the ids `arrange` singled out."""
    import logging

    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    from sigworkbook.app.voila_app import shut_down_every_kernel

    async def scenario() -> tuple[list[str], list[str], list[psutil.Process]]:
        manager = AsyncMappingKernelManager(connection_dir=str(tmp_path), root_dir=str(tmp_path))
        singled_out, unfinished = await arrange(manager)
        kernels = _kernel_processes(tmp_path)
        await shut_down_every_kernel(manager, logging.getLogger("test"))
        if unfinished is not None:
            await asyncio.gather(unfinished, return_exceptions=True)
        kernels += [k for k in _kernel_processes(tmp_path) if k not in kernels]
        return singled_out, manager.list_kernel_ids(), kernels

    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        singled_out, left, kernels = thread.submit(asyncio.run, scenario()).result()
    assert left == []
    assert kernels, "no kernel process was seen"
    _gone, alive = psutil.wait_procs(kernels, timeout=10)
    assert not alive, f"kernel processes left running: {alive}"
    assert _kernel_processes(tmp_path) == [], "a kernel started during the stop is still running"
    return singled_out


def _kernel_processes(connection_dir: Path) -> list[psutil.Process]:
    """The kernels started with their connection files in `connection_dir` (a test's own)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            command = " ".join(child.cmdline())
            if "ipykernel_launcher" in command and str(connection_dir) in command:
                found.append(child)
    return found


class _PingingSocket(WebSocketMixin):
    """jupyter_server's keep-alive pinging of a page's websocket, with the server's settings and
    no socket under it: what it would close."""

    def __init__(self, settings: dict[str, Any], *, pinged_s_ago: float, pong_s_ago: float):
        self.settings = settings
        self.log = logging.getLogger("test-pinging")
        self.ws_connection = types.SimpleNamespace(client_terminated=False)
        now = IOLoop.current().time()
        self.last_ping, self.last_pong = now - pinged_s_ago, now - pong_s_ago
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def ping(self, data: bytes = b"") -> None:
        pass


def test_a_page_that_answers_every_ping_keeps_its_connection() -> None:
    """At each ping jupyter_server closes a websocket whose last pong is older than the pong
    timeout. The pong came a few ms after the last ping, one interval ago, and the interval's
    timer fires a little late: a timeout of one interval closed every page's connection about
    30 s after it opened, and every 30 s after (a message on its way lost with it)."""
    settings = build_config(_options()).Voila.tornado_settings
    interval = WS_PING_MS / 1000
    answering = _PingingSocket(settings, pinged_s_ago=interval + 0.002, pong_s_ago=interval)
    answering.send_ping()
    assert not answering.closed
    # At its first ping, the last pong is when the page opened.
    opened = _PingingSocket(settings, pinged_s_ago=interval + 0.002, pong_s_ago=interval + 0.002)
    opened.send_ping()
    assert not opened.closed
    # A page that has not answered for three pings is gone: its connection is closed.
    silent = _PingingSocket(settings, pinged_s_ago=interval, pong_s_ago=3 * interval + 0.1)
    silent.send_ping()
    assert silent.closed
