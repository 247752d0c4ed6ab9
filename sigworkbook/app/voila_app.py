"""The Voila application as sigworkbook runs it (imports Voila: load it only to start serving).

Twelve changes to stock Voila 0.5, each small:

* `/` is the app page (every step in one page, the step in `?step=`), with the SIG given to
  `serve --sig`; Voila's file list under `/voila/tree` and the step notebooks' own addresses
  (`/voila/render/03-charter.ipynb?sig=...`, bookmarked before the app) lead there: nobody
  meets a raw list of `.ipynb` files or a notebook's file name. (A folder without the app
  notebook, as `serve --notebooks` may serve, keeps its start page at `/`.)

* Pages set Voila's `_xsrf` cookie, so the shutdown beacon a page sends when it closes passes
  the XSRF check and the page's kernel is shut down (upstream voila issue 1458).
* Errors reach visitors as a friendly sentence with a reference; the details, under the same
  reference, go to the server log only.
* Ctrl-C and SIGTERM stop the server the same way: the event loop stops, then every kernel the
  server started is shut down, including one still starting (stock Voila's stop fails on that
  one with a 404 and exits with an error, leaving it running).
* Voila's login and logout pages (and the hub's OAuth callback) move under the base URL with
  everything else (Voila adds them at the root, whatever the base URL).
* With pre-heated kernels, the log says when a pooled kernel is ready for a visitor, and
  `GET /sigworkbook/api/pool` tells how many are ready per notebook (for tests and benchmarks).
* The websocket a pooled kernel fetches its page request from answers only this server's own
  kernels (stock Voila answers anyone who names a kernel id).
* Without `--host`, the room gate (app/room_gate.py) stands before every handler: only this
  machine's loopback gets in until the facilitator opens the room; then the short address
  `/j/CODE` lets other computers in.
* The widget extensions' script files, whose names carry a hash of their content, are cached
  by the browser for a year (app/assets.py); Voila has every page ask for each of them again.
* A page's kernel websocket sends each message at once (`kernel_guard.NoDelay`).
* The page templates are compiled once per server (app/page_templates.py), not for every page.
* A page load over the server's limits (pages open per visitor and per server, page loads per
  visitor per minute) gets a plain "too many open pages" answer (429), not a new kernel; the
  kernels and their websockets are guarded by app/kernel_guard.py.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import json
import logging
import os
import re
import secrets
import shutil
import signal
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, ClassVar
from urllib.parse import urlencode

import tornado.ioloop
import tornado.web
import voila.handler
import voila.notebook_renderer
from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import APIHandler, FileFindHandler, JupyterHandler
from jupyter_server.utils import url_path_join
from traitlets.config import Config
from voila.app import Voila
from voila.execute import VoilaExecutor
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from sigworkbook.app import quiet_log
from sigworkbook.app.assets import HashedAssetHandler
from sigworkbook.app.kernel_guard import NoDelay, current_claim, new_reference
from sigworkbook.app.limits import Refused
from sigworkbook.app.page_templates import CompiledOnceExporter
from sigworkbook.app.room_gate import RoomGate, RoomReader, install
from sigworkbook.app.voila_config import (
    APP_SETTING,
    HUB_SETTING,
    POOL_API,
    ROOM_SETTING,
    START_NOTEBOOK,
    page_titles,
)
from sigworkbook.plan.steps import APP_NOTEBOOK, STEP_BY_KEY, STEP_BY_NOTEBOOK
from sigworkbook.ui.request import KERNEL_KEY_ENV, KERNEL_KEY_HEADER

FRIENDLY_ERROR_NAME = "SigworkbookError"
"""`ename` of a cell error output once its details have gone to the log; the template shows it."""

KERNEL_START_WAIT_S = 60.0
"""How long stopping waits for kernels still starting or pre-heating before it shuts all down."""
STOP_ATTEMPTS = 5
"""Voila's pool may start a kernel while others stop; shutting all down is tried this often."""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_page_path: contextvars.ContextVar[str] = contextvars.ContextVar("page_path", default="?")


class FriendlyErrorExecutor(VoilaExecutor):  # type: ignore[misc]
    """Voila's executor, but a failed cell logs its traceback and shows only a reference, and
    what a cell printed goes to the log instead of the page."""

    def strip_code_cell_errors(self, cell: Any) -> Any:
        if cell["cell_type"] != "code":
            return cell
        printed = [output for output in cell["outputs"] if output["output_type"] == "stream"]
        for output in printed:
            self.log.warning(
                "Reference %s: %s, kernel %s, cell %s wrote to %s (kept from the page):\n%s",
                new_reference(),
                _page_path.get(),
                getattr(self.km, "kernel_id", "?"),
                cell.get("execution_count"),
                output.get("name"),
                str(output.get("text", "")).rstrip("\n"),
            )
        cell["outputs"] = [output for output in cell["outputs"] if output not in printed]
        for output in cell["outputs"]:
            if output["output_type"] != "error" or output.get("ename") == FRIENDLY_ERROR_NAME:
                continue
            reference = new_reference()
            details = _ANSI.sub("", "\n".join(output.get("traceback") or []))
            self.log.error(
                "Reference %s: %s, kernel %s, cell %s failed: %s: %s\n%s",
                reference,
                _page_path.get(),
                getattr(self.km, "kernel_id", "?"),
                cell.get("execution_count"),
                output.get("ename"),
                output.get("evalue"),
                details,
            )
            output["ename"] = FRIENDLY_ERROR_NAME
            output["evalue"] = reference
            output["traceback"] = [
                f"Something went wrong on this page (reference {reference}). "
                f"{self.cell_error_instruction}"
            ]
        return cell


class RenderHandler(TornadoVoilaHandler):  # type: ignore[misc]
    """Voila's page handler, plus the XSRF cookie and friendly error pages."""

    _reference: str | None = None

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        if self.settings.get(APP_SETTING) and path is not None:
            step = STEP_BY_NOTEBOOK.get(path)
            if step is not None or path == APP_NOTEBOOK:
                # An address from before the app, or the app notebook's own: the app's address.
                self.redirect(
                    redirect_address(self, self.base_url, step=step.key if step else None)
                )
                return
        await self.render_page(path)

    async def render_page(self, path: str | None) -> None:
        """Render the notebook at `path` (the handler's own notebook when None)."""
        # Reading xsrf_token sets the `_xsrf` cookie; the page's unload beacon sends it back.
        _ = self.xsrf_token
        _page_path.set(self.request.path)
        admission = getattr(self.kernel_manager, "admission", None)
        if admission is None:
            self._log_visit(path)
            await super().get(path)
            return
        try:
            claim = admission.admit(self.visitor(), set(self.kernel_manager.list_kernel_ids()))
        except Refused as refused:
            self.log.warning("Refused %s: %s", self.request.path, refused)
            raise tornado.web.HTTPError(429, reason="Too many open pages") from None
        self._log_visit(path)
        token = current_claim.set(claim)
        try:
            await super().get(path)
        finally:
            current_claim.reset(token)
            admission.release(claim)

    def _log_visit(self, path: str | None) -> None:
        """One plain line on the terminal: who opened which page of which SIG."""
        page = path or self.notebook_path or ""
        if page == APP_NOTEBOOK:
            page = STEP_BY_KEY.get(
                self.get_query_argument("step", ""), STEP_BY_KEY["start"]
            ).notebook
        self.log.info(
            "%s",
            quiet_log.joined_line(
                page,
                self.get_query_argument("who", ""),
                self.get_query_argument("sig", ""),
                page_titles(),
            ),
        )

    def visitor(self) -> str:
        """Who the limits count this request as: the hub user when hosted (each server has one
        user), else the client's address."""
        user = self.current_user
        if self.settings.get(HUB_SETTING) and getattr(user, "username", None):
            return f"user {user.username}"
        return f"address {self.request.remote_ip}"

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        super().log_exception(typ, value, tb)
        if not isinstance(value, tornado.web.HTTPError):
            self._reference = new_reference()
            self.log.error(
                "Reference %s: the error above, while serving %s",
                self._reference,
                self.request.path,
            )

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        reference = self._reference if status_code >= 500 else None
        self.set_header("Content-Type", "text/html")
        self.write(
            self.render_template(
                "error.html",
                status_code=status_code,
                status_message=self._reason,
                reference=reference,
                base_url=self.base_url,
            )
        )


class KernelSocket(NoDelay, VoilaKernelWebsocketHandler):  # type: ignore[misc]
    """Voila's websocket between a page and its kernel, sending each message at once."""


class RequestInfoHandler(RequestInfoSocketHandler):  # type: ignore[misc]
    """Voila's websocket that hands a pre-heated kernel its page request, noting who waits, and
    refusing anyone but this server's own kernels.

    A pooled kernel connects here from `wait_for_request()` once it has run its notebook that
    far, and stays connected until a visitor is given the kernel: connected means heated.
    Stock Voila asks for no login here, so anyone who could guess a kernel id could read that
    page's request, or take its place and leave the kernel waiting for good.
    """

    waiting: ClassVar[set[str]] = set()
    _kernel_id: str | None = None

    async def get(self, *args: Any, **kwargs: Any) -> None:
        expected = os.environ.get(KERNEL_KEY_ENV, "")
        shown = self.request.headers.get(KERNEL_KEY_HEADER, "")
        if not expected or not secrets.compare_digest(shown.encode(), expected.encode()):
            _log().warning("Refused a request for a page request from %s", self.request.remote_ip)
            raise tornado.web.HTTPError(403)
        await super().get(*args, **kwargs)

    @classmethod
    def send_updates(cls, msg: dict[str, Any]) -> None:
        # Voila's page handler calls this with the pre-heated kernel it gives the page: from
        # now on that kernel is the visitor's.
        claim = current_claim.get()
        if claim is not None:
            claim.started(msg["kernel_id"])
        super().send_updates(msg)

    def open(self, kernel_id: str) -> None:
        self._kernel_id = kernel_id
        RequestInfoHandler.waiting.add(kernel_id)
        notebooks = getattr(self.settings.get("kernel_manager"), "notebook_data", {})
        notebook = next(
            (name for name, data in notebooks.items() if kernel_id in data.get("kernel_ids", ())),
            "?",
        )
        _log().info("Pre-heated kernel %s for %s is ready for a visitor", kernel_id, notebook)
        super().open(kernel_id)

    def on_close(self) -> None:
        if self._kernel_id is not None:
            RequestInfoHandler.waiting.discard(self._kernel_id)
        super().on_close()


async def shut_down_every_kernel(manager: Any, log: logging.Logger) -> None:
    """Shut down every kernel of `manager`, once the kernels it is still starting or pre-heating
    have got that far.

    Three upstream behaviours make stock Voila's stop fail or hang here. jupyter_server's
    `shutdown_all` lists a kernel that is still starting, then refuses it as unknown (404) and
    stops half-way. jupyter_client keeps a kernel whose start failed among the starting ones for
    good. A pool still running its notebook in a kernel that is shut down waits for an answer
    that never comes (so its tasks are awaited, not shut down under it nor cancelled: a
    cancelled start leaves its kernel process running, untracked).
    """
    pools: dict[str, list[asyncio.Future[Any]]] = getattr(manager, "_pools", {})
    pending: dict[str, asyncio.Future[Any]] = manager._pending_kernels
    for attempt in range(1, STOP_ATTEMPTS + 1):
        unfinished = [task for pool in pools.values() for task in pool if not task.done()]
        unfinished += [task for task in pending.values() if not task.done()]
        if unfinished:
            await asyncio.wait(unfinished, timeout=KERNEL_START_WAIT_S)
        for kernel_id, task in list(pending.items()):
            if task.done() and kernel_id not in manager:
                del pending[kernel_id]
        try:
            await ensure_async(manager.shutdown_all())
        except tornado.web.HTTPError as error:
            if attempt == STOP_ATTEMPTS:
                raise
            log.info("Stopping kernels: %s; trying again", error.log_message)
        else:
            return


def _log() -> Any:
    return SigworkbookVoila.instance().log


def _heated(pooled: asyncio.Future[Any]) -> bool:
    """Whether a pool entry is a kernel that has run its notebook as far as it can unvisited:
    up to `wait_for_request()`, or to the end for a notebook that never waits."""
    if not pooled.done() or pooled.cancelled() or pooled.exception() is not None:
        return False
    entry: dict[str, Any] = pooled.result()
    render: asyncio.Future[Any] | None = entry.get("task")
    return entry.get("kernel_id") in RequestInfoHandler.waiting or bool(render and render.done())


def pool_status(kernel_manager: Any) -> dict[str, dict[str, int]]:
    """Per notebook: kernels in its pool, and how many of them are heated, ready for a visitor.

    Reads Voila's pool (`_pools`: notebook -> tasks that each start a kernel and then run the
    notebook in it); check this on a Voila upgrade (pinned at 0.5.13).
    """
    pools: dict[str, list[asyncio.Future[Any]]] = getattr(kernel_manager, "_pools", {})
    return {
        notebook: {"pooled": len(pool), "ready": sum(1 for task in pool if _heated(task))}
        for notebook, pool in pools.items()
    }


class PoolHandler(APIHandler):
    """`GET`: the pool size per notebook and each notebook's pooled and ready kernels."""

    def initialize(self, size: int) -> None:
        self.size = size

    @tornado.web.authenticated
    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        body = {"size": self.size, "notebooks": pool_status(self.kernel_manager)}
        self.finish(json.dumps(body, sort_keys=True))


def redirect_address(
    handler: JupyterHandler, target: str, *, step: str | None = None, sig: str | None = None
) -> str:
    """`target` with `handler`'s query kept (the SIG, the person), the step `step` and the SIG
    `sig` (unless the query names one) added, and an access token that logged the browser in
    dropped, so that the address bar never shows it."""
    query = [
        (name, value.decode("utf-8", "replace"))
        for name, values in handler.request.query_arguments.items()
        for value in values
        if not (name == "step" and step)
    ]
    if step:
        query.append(("step", step))
    if sig and not any(name == "sig" for name, _ in query):
        query.append(("sig", sig))
    if handler.current_user is not None:  # the login cookie is set: the address needs no token
        query = [(name, value) for name, value in query if name != "token"]
    return target + (f"?{urlencode(query)}" if query else "")


class AppPage(RenderHandler):
    """`GET` the base URL: the app page, every step in one page and one kernel (the step in the
    query's `step`); first a redirect that adds the SIG `serve --sig` named, or drops an access
    token from the address once the browser is logged in."""

    def initialize(self, **kwargs: Any) -> None:
        self.start_sig: str | None = kwargs.pop("sig", None)
        super().initialize(**kwargs)

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        arguments = self.request.query_arguments
        # The bare address gets `serve --sig`'s SIG; a link to a step without one does not.
        missing_sig = self.start_sig is not None and not {"sig", "step"} & set(arguments)
        if missing_sig or (self.current_user is not None and "token" in arguments):
            self.redirect(redirect_address(self, self.base_url, sig=self.start_sig))
            return
        await self.render_page(None)


class StartPageRedirect(JupyterHandler):
    """`GET`: redirect to the start page (the app page, where the folder has it), keeping the
    query and adding the SIG `serve --sig` named unless the address names one already."""

    def initialize(self, target: str, sig: str | None) -> None:
        self.target = target
        self.sig = sig

    def get(self, path: str | None = None) -> None:
        self.redirect(redirect_address(self, self.target, sig=self.sig))


class SigworkbookVoila(Voila):  # type: ignore[misc]
    """Voila with the page handler above and a hook that runs once the port is open."""

    name = "sigworkbook"
    on_listening: Callable[[], None] | None = None
    browser_url: str | None = None
    start_sig: str | None = None

    def init_handlers(self) -> list[Any]:
        replaced = {
            TornadoVoilaHandler: RenderHandler,
            RequestInfoSocketHandler: RequestInfoHandler,
            FileFindHandler: HashedAssetHandler,
            VoilaKernelWebsocketHandler: KernelSocket,
        }
        has_app = bool(self.tornado_settings.get(APP_SETTING))
        start = {
            "target": self.server_url
            if has_app
            else url_path_join(self.server_url, "voila/render", START_NOTEBOOK),
            "sig": self.start_sig,
        }
        handlers: list[Any] = []
        for pattern, handler, *rest in super().init_handlers():
            if not pattern.startswith(self.server_url):
                # Voila adds its login and logout handlers at the root, whatever the base URL.
                pattern = url_path_join(self.server_url, pattern)
            if handler is TornadoVoilaTreeHandler:
                if has_app and pattern == self.server_url:
                    handlers.append((pattern, AppPage, self._app_page_arguments()))
                else:
                    handlers.append((pattern, StartPageRedirect, start))
            else:
                handlers.append((pattern, replaced.get(handler, handler), *rest))
        configuration = self.voila_configuration
        size = configuration.default_pool_size if configuration.preheat_kernel else 0
        handlers.append((url_path_join(self.server_url, POOL_API), PoolHandler, {"size": size}))
        return handlers

    def _app_page_arguments(self) -> dict[str, Any]:
        return {
            "notebook_path": APP_NOTEBOOK,
            "template_paths": self.template_paths,
            "config": self.config,
            "voila_configuration": self.voila_configuration,
            "sig": self.start_sig,
        }

    def listen(self) -> None:
        room = self.tornado_settings.get(ROOM_SETTING)
        if room:  # before the port opens: no request ever passes ungated
            secret = self.app.settings["cookie_secret"]
            install(self.app, RoomGate(RoomReader(Path(room)), secret, self.server_url))
        super().listen()

    def launch_browser(self) -> None:
        # Voila calls this right after it has opened the port, before serving; `run` always sets
        # open_browser so this is our "listening" hook.
        if self.on_listening is not None:
            self.on_listening()
        if self.browser_url:
            threading.Thread(
                target=webbrowser.open, args=(self.browser_url,), name="open-browser", daemon=True
            ).start()

    def stop(self) -> None:
        shutil.rmtree(self.connection_dir, ignore_errors=True)
        # On the server's own (now stopped) loop: the kernels' and the pools' tasks live there;
        # jupyter_core's run_sync, which Voila uses, picks another loop that cannot await them.
        loop: Any = getattr(self, "ioloop", None) or tornado.ioloop.IOLoop.current()
        loop.asyncio_loop.run_until_complete(shut_down_every_kernel(self.kernel_manager, self.log))

    def stop_from_signal(self, signum: int, _frame: FrameType | None) -> None:
        """Stop serving; a second Ctrl-C interrupts at once."""
        signal.signal(signal.SIGINT, signal.default_int_handler)
        loop = getattr(self, "ioloop", None)
        if loop is None:
            raise KeyboardInterrupt
        self.log.info("Stopping on signal %d: shutting down the server and its kernels", signum)
        loop.asyncio_loop.call_soon_threadsafe(loop.stop)


def run(
    config: Config,
    *,
    on_listening: Callable[[], None] | None = None,
    browser_url: str | None = None,
    sig: str | None = None,
) -> int:
    """Run Voila with `config` until Ctrl-C or SIGTERM; the exit code (0, or 2 if it cannot listen)."""
    voila.notebook_renderer.VoilaExecutor = FriendlyErrorExecutor
    voila.notebook_renderer.VoilaExporter = CompiledOnceExporter
    voila.handler.RequestInfoSocketHandler = RequestInfoHandler  # see its send_updates
    config = copy.deepcopy(config)
    config.Voila.open_browser = True  # see SigworkbookVoila.launch_browser
    # As a singleton (like Voila's own launcher), so that Voila's parts log through the app.
    app = SigworkbookVoila.instance(config=config)
    app.on_listening = on_listening
    app.browser_url = browser_url
    app.start_sig = sig
    quiet_log.install(app.log)  # no "Notebook ... is not trusted" at every visit, no kernel ids
    app.initialize([])
    signal.signal(signal.SIGINT, app.stop_from_signal)
    signal.signal(signal.SIGTERM, app.stop_from_signal)
    try:
        app.start()
    except SystemExit as exit_:
        # Voila exits this way only when it cannot open its port (we never let it retry).
        print(
            f"sigworkbook serve: could not listen on port {app.port} on {app.ip}", file=sys.stderr
        )
        return 2 if exit_.code else 0
    return 0
