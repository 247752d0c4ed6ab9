"""What `sigworkbook serve` asks of Voila: the traitlets configuration and the start URL."""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from traitlets.config import Config

from sigworkbook import settings
from sigworkbook.app.limits import Limits
from sigworkbook.app.network import is_loopback, network_address
from sigworkbook.plan.steps import APP_NOTEBOOK, STEPS

TEMPLATE_NAME = "sigworkbook"
START_NOTEBOOK = "00-start.ipynb"

# Kernels whose page is gone (crashed tab, closed laptop, lost network) are shut down after
# `settings.CULL_IDLE_TIMEOUT` without activity (its default is declared there, once); a kernel
# with an open page (a connected websocket) is kept. The culler looks this often:
CULL_INTERVAL_S = 60

POOL_API = "/sigworkbook/api/pool"
"""Path (under the server's base URL) of the pre-heated kernel pool's state, as JSON."""

MAX_PREHEAT = 8
"""Most pre-heated kernels `serve` keeps for the app page (each holds about 65 MB, see serving.md)."""
LOCAL_PREHEAT = 1
"""Pre-heated kernels `serve` keeps by default on one machine (under a hub, 0: the operator's call)."""

_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_BASE_URL = re.compile(r"^/([A-Za-z0-9._~@!$&'()*+,;=:%-]+/)*$")
"""A URL path of plain segments, with a slash at both ends (what a proxy or a hub puts us under)."""

APP_SETTING = "sigworkbook_app"
"""Key in the tornado settings: the folder served has the app page (it is served at the root)."""
HUB_SETTING = "sigworkbook_hub"
"""Key in the tornado settings: served for JupyterHub (the limits then count hub users)."""
ROOM_SETTING = "sigworkbook_room"
"""Key in the tornado settings: the room file the gate reads (None: no gate; app/room_gate.py)."""
LIMITS_SETTING = "sigworkbook_limits"
"""Key in the tornado settings of the server's `Limits` (read by app/kernel_guard.py)."""
GUARDED_KERNEL_MANAGER = "sigworkbook.app.kernel_guard.GuardedKernelManager"
GUARDED_CONNECTION = "sigworkbook.app.kernel_guard.GuardedConnection"

HUB_IDENTITY_PROVIDER = "sigworkbook.app.hub_auth.HubIdentityProvider"
"""Under JupyterHub: who a request comes from, by the hub's OAuth (see app/hub_auth.py)."""

CELL_ERROR_INSTRUCTION = (
    "Reload the page to try again. If it keeps happening, tell whoever runs this workbook."
)


@dataclass(frozen=True)
class ServeOptions:
    """Everything that decides how the Voila server is configured."""

    notebooks: Path
    port: int
    host: str
    token: str | None
    cull_idle_timeout: int = settings.CULL_IDLE_TIMEOUT.default
    cull_interval: int = CULL_INTERVAL_S
    preheat: int = 0
    """Pre-heated kernels kept waiting for the app page's next visitor; 0 turns the pool off."""
    language: str = settings.LANGUAGE.default
    """The pages' language tag, e.g. en-GB (dates, spelling and screen readers follow it)."""
    base_url: str = "/"
    """The path every page, static file and websocket is under (a proxy's or a hub's prefix)."""
    hub: bool = False
    """Served for JupyterHub: only the hub's OAuth login of the server's owner gets in."""
    limits: Limits = field(default_factory=Limits)
    """Pages per visitor and per server, kernel memory, message size, quiet kernels."""
    room: Path | None = None
    """The room file: other computers get in only through the room gate while the facilitator
    has the room open (serve's default, without --host); None: no gate."""

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"port: {self.port} is not a TCP port (1-65535)")
        if not self.host.strip():
            raise ValueError("host: must not be empty")
        segments = self.base_url.strip("/").split("/")
        if not _BASE_URL.match(self.base_url) or {".", ".."} & set(segments):
            raise ValueError(
                f"base URL: {self.base_url!r} is not a path such as /sigworkbook/ "
                "(a slash at both ends, no query)"
            )
        if self.room is not None and (self.token or self.hub):
            raise ValueError("room: the room gate replaces the token and the hub's login")
        if not is_loopback(self.host) and not self.token and not self.hub and self.room is None:
            raise ValueError(
                f"token: required when serving on {self.host!r}, which other machines can reach"
            )
        if self.cull_idle_timeout <= 0 or self.cull_interval <= 0:
            raise ValueError("cull_idle_timeout and cull_interval: must be positive seconds")
        if not _LANGUAGE_TAG.match(self.language):
            raise ValueError(
                f"language: {self.language!r} is not a language tag such as en-GB or cy"
            )
        if not 0 <= self.preheat <= MAX_PREHEAT:
            raise ValueError(f"preheat: {self.preheat} kernels is not between 0 and {MAX_PREHEAT}")


def build_config(options: ServeOptions) -> Config:
    """The Voila configuration for `options` (booleans as real booleans, never strings)."""
    c = Config()
    c.Voila.root_dir = str(options.notebooks)
    c.Voila.ip = options.host
    c.Voila.port = options.port
    c.Voila.port_retries = 0  # a taken port is an error, never a silent move to another one
    c.Voila.config_file_paths = []  # no stray voila.json from the working directory
    c.Voila.token = options.token  # None: no login needed (loopback only)
    c.Voila.base_url = options.base_url
    c.Voila.server_url = options.base_url
    # Loopback: refuse requests whose Host header is not local (DNS rebinding); remote (or
    # behind the hub's proxy): the token or the hub's login guards every page, and the Host
    # header is whatever name the visitor used.
    # With the room gate, the gate checks the Host header of this machine's own connections.
    remote = options.hub or not is_loopback(options.host)
    c.Voila.tornado_settings = {
        "allow_remote_access": remote,
        "ws_ping_timeout": WS_PONG_TIMEOUT_MS,
        # Tornado closes a websocket whose message is larger (its own default is 10 MiB).
        "websocket_max_message_size": options.limits.message_bytes,
        LIMITS_SETTING: options.limits,
        ROOM_SETTING: str(options.room) if options.room else None,
        HUB_SETTING: options.hub,
        APP_SETTING: (options.notebooks / APP_NOTEBOOK).is_file(),
    }
    c.Voila.kernel_websocket_connection_class = GUARDED_CONNECTION
    if options.hub:
        c.Voila.identity_provider_class = HUB_IDENTITY_PROVIDER

    c.VoilaConfiguration.template = TEMPLATE_NAME
    c.VoilaConfiguration.multi_kernel_manager_class = GUARDED_KERNEL_MANAGER
    c.VoilaConfiguration.theme = "light"
    c.VoilaConfiguration.allow_template_override = "NO"
    c.VoilaConfiguration.allow_theme_override = "NO"
    c.VoilaConfiguration.strip_sources = True
    c.VoilaConfiguration.show_tracebacks = False
    # A pool of kernels that have run the app page up to `wait_for_request()` (it waits there
    # before reading the workspace); no other notebook gets one (a folder without the app keeps
    # a pool per notebook). Voila refuses pools with progressive rendering and a prelaunch
    # hook; we use neither.
    c.VoilaConfiguration.preheat_kernel = options.preheat > 0
    c.VoilaConfiguration.default_pool_size = options.preheat
    if (options.notebooks / APP_NOTEBOOK).is_file():
        c.VoilaKernelManager.kernel_pools_config = {
            "default": {"pool_size": 0},
            APP_NOTEBOOK: {"pool_size": options.preheat},
        }
    c.VoilaConfiguration.progressive_rendering = False
    # Every page is <html lang="en-GB"> (or the configured tag): the template reads it from
    # here (nbconvert's own language_code takes a bare two-letter code only).
    c.VoilaConfiguration.resources = {
        "sigworkbook": {"language": options.language, "titles": page_titles()}
    }
    c.VoilaExecutor.show_tracebacks = False
    # nbclient waits 4 s by default for a cell's outputs after its reply, then drops what has
    # not arrived: on a loaded machine the app's hundreds of widget messages can take longer,
    # and the page then opened without the app. The wait ends at the kernel's idle message,
    # so a longer limit costs nothing when the outputs come at once.
    c.VoilaExecutor.iopub_timeout = IOPUB_TIMEOUT_S
    c.VoilaExecutor.cell_error_instruction = CELL_ERROR_INSTRUCTION

    if os.name == "posix":
        # Kernels talk to the server over Unix sockets in the server's own connection folder
        # (mode 0700), not over TCP on 127.0.0.1: no other local user can connect to them, and
        # ipykernel has no cause to warn "Kernel is running over TCP without encryption".
        c.KernelManager.transport = "ipc"
    c.MappingKernelManager.cull_idle_timeout = options.cull_idle_timeout
    c.MappingKernelManager.cull_interval = options.cull_interval
    c.MappingKernelManager.cull_connected = False
    c.MappingKernelManager.cull_busy = False
    return c


def display_host(host: str) -> str:
    """The host name to show in a URL: the machine's name for a wildcard address."""
    if host in ("", "0.0.0.0", "::", "*"):
        return socket.gethostname()
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host


def reachable_host(host: str) -> str:
    """The name or address at which other machines reach a server listening on `host`: this
    machine's network address for the IPv4 wildcard (a name may not resolve on a hospital's
    network), else the host as `display_host` shows it."""
    if host in ("", "0.0.0.0", "*"):
        address = network_address()
        if address:
            return address
    return display_host(host)


def normalize_base_url(raw: str) -> str:
    """`raw` with a slash at both ends ('' and '/' are both the root)."""
    path = raw.strip()
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


IOPUB_TIMEOUT_S = 60
"""How long Voila waits for a cell's outputs after the kernel has run it (see above)."""
WS_PING_MS = 30_000
"""jupyter_server's websocket ping interval (its WS_PING_INTERVAL)."""
WS_PONG_TIMEOUT_MS = 3 * WS_PING_MS
"""How old a page's last pong may be at a ping before jupyter_server closes its websocket:
three pings, jupyter_server's own default, said here because it must stay well over the
interval. At the interval itself, every page's connection was closed about 30 s after it opened
and every 30 s after (the timer fires a little late, the pong came a little after the ping), and
a message on its way was lost with it. (Tornado, which reads the same numbers as seconds,
warns that a timeout is longer than the interval: quiet_log.py drops that line.)"""

NETWORK_NOTEBOOK = "07-network"
"""The network team's page, which is not one of the steps."""


def page_titles() -> dict[str, str]:
    """Each page's title in the browser tab before it shows the SIG's name, by notebook name
    (never '03-charter'); the page then sets 'Charter · <SIG name>' itself."""
    titles = {step.notebook.removesuffix(".ipynb"): step.title for step in STEPS}
    return {**titles, NETWORK_NOTEBOOK: "The network's SIGs"}


def start_path(options: ServeOptions) -> str:
    """The address people are given: the base URL itself, which takes them to the start page
    (and drops the access token from the address once the browser holds its login cookie), so
    nobody reads or types a notebook's file name."""
    return options.base_url


def join_url(options: ServeOptions) -> str | None:
    """The start page's address as participants on other machines open it, with the access
    token; None on a loopback address, which only this machine reaches."""
    if is_loopback(options.host):
        return None
    url = f"http://{reachable_host(options.host)}:{options.port}{start_path(options)}"
    if options.room is not None:  # the room gate: the short address carries the join code
        return url
    return f"{url}?{urlencode({'token': options.token})}" if options.token else url


def start_url(options: ServeOptions, sig: str | None = None) -> str:
    """The URL of the start page, with the token and the SIG id in the query when given."""
    query: dict[str, str] = {}
    if options.token:
        query["token"] = options.token
    if sig:
        query["sig"] = sig
    # Behind the room gate, this machine is the facilitator's only at its loopback address.
    host = "127.0.0.1" if options.room is not None else display_host(options.host)
    url = f"http://{host}:{options.port}{start_path(options)}"
    return f"{url}?{urlencode(query)}" if query else url
