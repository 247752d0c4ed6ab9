"""`sigworkbook serve`: run the workbooks as a web app with Voila, on this machine or the network."""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from sigworkbook import settings
from sigworkbook.app.limits import Limits
from sigworkbook.app.network import is_loopback, local_address, port_in_use
from sigworkbook.app.voila_config import (
    CULL_INTERVAL_S,
    LOCAL_PREHEAT,
    MAX_PREHEAT,
    START_NOTEBOOK,
    ServeOptions,
    build_config,
    join_url,
    normalize_base_url,
    start_url,
)
from sigworkbook.joining import JOIN_URL_ENV, ROOM_ENV, SERVE_HOST_ENV, environment_for
from sigworkbook.plan.steps import APP_NOTEBOOK
from sigworkbook.resources import voila_share_dir, workbooks_dir
from sigworkbook.room import room_file
from sigworkbook.ui.request import APP_PATH_ENV, KERNEL_KEY_ENV

REQUEST_HOST_ENV = "VOILA_APP_IP"
"""Voila's variable for the address at which pre-heated kernels fetch their page's request."""

EXIT_USAGE = 2
ROOM_HOST = "0.0.0.0"
"""Where serve listens without --host: every IPv4 address, behind the room gate."""


def _fail(message: str) -> int:
    print(f"sigworkbook serve: {message}", file=sys.stderr)
    return EXIT_USAGE


def access_token(host: str) -> str | None:
    """The token visitors must present when serving on `host`: none on loopback, else
    $SIGWORKBOOK_TOKEN when set, else a new random one."""
    if is_loopback(host):
        return None
    return settings.TOKEN.read() or secrets.token_urlsafe(24)


def cull_timing(limits: Limits | None = None) -> tuple[int, int]:
    """(idle timeout, check interval) in seconds, from $SIGWORKBOOK_CULL_IDLE_TIMEOUT if set;
    the check comes often enough for the quiet kernel timeout of `limits` too."""
    timeout = settings.CULL_IDLE_TIMEOUT.read()
    shortest = min(timeout, limits.quiet_kernel_timeout_s) if limits else timeout
    return timeout, max(1, min(CULL_INTERVAL_S, shortest // 4))


def can_open_browser(env: Mapping[str, str], platform: str) -> bool:
    """Whether opening a browser can show a window: on Linux and BSD only with a display (else
    Python's webbrowser may start a text browser in this terminal), or when $BROWSER says how."""
    if env.get("BROWSER"):
        return True
    if platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    return True


def _prepend_jupyter_path(folder: Path) -> None:
    current = os.environ.get("JUPYTER_PATH", "")
    parts = [p for p in current.split(os.pathsep) if p and Path(p) != folder]
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(folder), *parts])


def _announce(options: ServeOptions, sig: str | None) -> None:
    url = start_url(options, sig)
    if options.room is not None:
        print(f"sigworkbook is running at {url}", flush=True)
        print(
            "Only this computer can open it until you open the room to the group on the start "
            "page.",
            flush=True,
        )
    elif options.token:
        print(
            f"sigworkbook is reachable from other machines on {options.host}:{options.port}; "
            "visitors need the access token, which this link carries:",
            flush=True,
        )
        print(f"    {url}", flush=True)
    else:
        print(f"sigworkbook is running at {url}", flush=True)
    print("Press Ctrl-C to stop the server (its kernels stop with it).", flush=True)


def serve(
    workspace: Path,
    *,
    port: int = 8866,
    host: str | None = None,
    open_browser: bool = True,
    notebooks: Path | None = None,
    sig: str | None = None,
    preheat: int | None = None,
    base_url: str = "/",
    hub: bool = False,
) -> int:
    """Serve the workbooks until Ctrl-C or SIGTERM; return the exit code (0 ok, 2 usage error).

    `preheat` kernels are kept running the app page up to the point where it waits for its
    request (0: every visit starts a kernel; None: one on this machine, none under a hub). `base_url` is the path everything is
    served under. Without `host`, the server listens on every address behind the room gate:
    only this machine gets in until the facilitator opens the room (app/room_gate.py). With `hub`, JupyterHub's variables say where to listen and under which path,
    and only the hub's login of this server's owner gets in (no token, no browser).
    """
    if hub:
        from sigworkbook.app.hub import HubEnvironmentError, hub_place

        try:
            place = hub_place(os.environ)
        except HubEnvironmentError as error:
            return _fail(str(error))
        host, port, base_url, open_browser = place.host, place.port, place.base_url, False
    gated = host is None
    if host is None:
        host = ROOM_HOST
    if preheat is None:
        preheat = 0 if hub else LOCAL_PREHEAT
    try:
        folder = (notebooks or workbooks_dir()).expanduser().resolve()
    except FileNotFoundError as error:
        return _fail(str(error))
    if not folder.is_dir():
        return _fail(f"notebooks folder {folder} does not exist")

    workspace = workspace.expanduser().resolve()
    if workspace.exists() and not workspace.is_dir():
        return _fail(f"workspace {workspace} is a file, not a folder")

    try:
        limits = Limits.from_settings()
        idle_timeout, interval = cull_timing(limits)
        options = ServeOptions(
            notebooks=folder,
            port=port,
            host=host,
            token=None if hub or gated else access_token(host),
            cull_idle_timeout=idle_timeout,
            cull_interval=interval,
            preheat=preheat,
            language=settings.LANGUAGE.read(),
            base_url=normalize_base_url(base_url),
            hub=hub,
            limits=limits,
            room=room_file(workspace) if gated else None,
        )
    except ValueError as error:
        return _fail(str(error))
    try:
        taken = port_in_use(host, port)
    except socket.gaierror:
        return _fail(f"host {host!r} is not a name or address of this machine")
    except OSError as error:
        return _fail(f"cannot listen on port {port} on {host}: {error.strerror}")
    if taken:
        return _fail(f"port {port} on {host} is already in use; choose another with --port")

    try:
        workspace.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return _fail(f"workspace {workspace} cannot be created: {error.strerror}")
    if not (folder / START_NOTEBOOK).is_file():
        print(f"sigworkbook serve: warning: {folder} has no {START_NOTEBOOK}", file=sys.stderr)
    os.environ[settings.WORKSPACE.env] = str(workspace)
    # The start page's join card: the kernels inherit these (the token is in the link; it is
    # shown on that card only, never written to a log).
    os.environ.pop(JOIN_URL_ENV, None)
    os.environ.pop(SERVE_HOST_ENV, None)
    os.environ.pop(ROOM_ENV, None)
    if not hub:  # under a hub, colleagues open the workbook through it with their own login
        os.environ.update(environment_for(host, join_url(options), gated=gated))
    os.environ.pop(APP_PATH_ENV, None)
    if (folder / APP_NOTEBOOK).is_file():  # steps link to the app page (ui/layout.py)
        os.environ[APP_PATH_ENV] = options.base_url
    if preheat:
        # Voila's pre-heated kernels inherit this process's environment and fetch their request
        # from 127.0.0.1 unless told otherwise: wrong when the server listens on one address.
        os.environ[REQUEST_HOST_ENV] = local_address(host)
        os.environ[KERNEL_KEY_ENV] = secrets.token_urlsafe(32)
    _prepend_jupyter_path(voila_share_dir())

    show_browser = can_open_browser(os.environ, sys.platform)
    if open_browser and not show_browser:
        print("sigworkbook serve: no display here; open the link below yourself", file=sys.stderr)

    skip_slow_optional_imports()
    from sigworkbook.app.voila_app import run  # slow import: only when really serving

    return run(
        build_config(options),
        on_listening=lambda: _announce(options, sig),
        browser_url=start_url(options, sig) if open_browser and show_browser else None,
        sig=sig,
    )


SLOW_OPTIONAL_MODULES = ("rfc3987_syntax",)
"""Optional modules the server never needs and that are slow to import. jsonschema (through
jupyter_events, through jupyter_server) imports rfc3987_syntax only to check strings of the
"iri" formats, and importing it builds a grammar: 3-4 s, most of Voila's start-up (upstream
jupyter_server issue 1559). No schema jupyter_server, jupyter_events or Voila checks uses
those formats."""


def skip_slow_optional_imports() -> None:
    """Make importing the SLOW_OPTIONAL_MODULES fail fast (their users treat them as optional)."""
    for name in SLOW_OPTIONAL_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: "not importable"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add serve's options to `parser` (the same ones `sigworkbook serve` takes)."""
    parser.add_argument("--workspace", type=Path, help="workspace folder")
    parser.add_argument("--port", type=int, default=8866, help="port to listen on (default 8866)")
    add_host_argument(parser)
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--notebooks", type=Path, help="serve this folder of notebooks instead")
    parser.add_argument("--sig", help="open this SIG's start page")
    add_preheat_argument(parser)
    add_hosting_arguments(parser)


def add_host_argument(parser: argparse.ArgumentParser) -> None:
    """The --host option (`sigworkbook serve` takes it too)."""
    parser.add_argument(
        "--host",
        default=None,
        help="listen on this address only: 127.0.0.1 for this computer alone, another address "
        "with an access token (default: every address, behind the room gate the start page "
        "opens; docs/serving.md)",
    )


def add_preheat_argument(parser: argparse.ArgumentParser) -> None:
    """The --preheat option (`sigworkbook serve` takes it too)."""
    parser.add_argument(
        "--preheat",
        type=int,
        default=None,
        metavar="N",
        help=f"keep N pre-heated kernels ready for the next visitors of the app, 0 to "
        f"{MAX_PREHEAT} (default {LOCAL_PREHEAT}, 0 with --hub; each holds about 65 MB; "
        "see docs/serving.md)",
    )


def add_hosting_arguments(parser: argparse.ArgumentParser) -> None:
    """The options for serving behind a proxy or a hub (`sigworkbook serve` takes them too)."""
    parser.add_argument(
        "--base-url",
        default="/",
        metavar="PATH",
        help="serve everything under this path, e.g. /sigworkbook/ behind a proxy (default /)",
    )
    parser.add_argument(
        "--hub",
        action="store_true",
        help="run as a JupyterHub user's server: listen where the hub says, under its prefix, "
        "for the hub's login of this server's user only (docs/hosting.md)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m sigworkbook.app.serve`."""
    parser = argparse.ArgumentParser(prog="python -m sigworkbook.app.serve", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    workspace = args.workspace or settings.WORKSPACE.read()
    return serve(
        workspace,
        port=args.port,
        host=args.host,
        open_browser=not args.no_browser,
        notebooks=args.notebooks,
        sig=args.sig,
        preheat=args.preheat,
        base_url=args.base_url,
        hub=args.hub,
    )


if __name__ == "__main__":
    sys.exit(main())
