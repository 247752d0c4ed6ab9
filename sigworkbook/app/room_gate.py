"""The room gate: the server answers other computers only while the facilitator's room is open.

`serve` without `--host` listens on every address, and this gate stands before every handler:
a connection made to this machine's own loopback address (127.0.0.1, ::1) is the facilitator's
and passes (its Host header must be a loopback name: no DNS rebinding); any other connection
gets a plain "not open" page, unless the room is open and it brings the room's cookie, which
the short address `/j/CODE` hands out for the current code. Changing the code or closing the
room shuts those browsers out at their next request.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tornado.escape
import tornado.ioloop
import tornado.web
from tornado.httputil import HTTPServerRequest
from tornado.iostream import IOStream

from sigworkbook.markup import Markup
from sigworkbook.room import JOIN_PATH, LOCAL_NAMES, Room, read_room

ROOM_COOKIE = "sigworkbook-room"
"""The cookie a joined browser shows: the join code it came in with, signed by the server. Its
name ends with the server's port (`cookie_name`): a browser keeps cookies per host, not per
port, so two servers on one machine would otherwise overwrite each other's."""
COOKIE_DAYS = 1
"""A joined browser's cookie is good for a day's meeting at most (the code may end it sooner)."""
WRONG_CODES_ALLOWED = 20
"""Wrong join codes one address may try per WRONG_CODE_WINDOW_S before every try is refused
(a six-letter code has 887 million values: guessing needs far more)."""
WRONG_CODE_WINDOW_S = 600.0

SWEEP_MS = 1000
"""How often other computers' open websockets are checked against the room (see RoomGate.sweep)."""

CLOSED_TITLE = "This workbook is not open to other computers"
INVALID_TITLE = "This join code is not valid"


def is_local_connection(request: HTTPServerRequest) -> bool:
    """Whether `request` came in on this machine's own loopback address 127.0.0.1 or ::1 (the
    address it was sent to, which another machine cannot use; 127.0.0.2 and the like count as
    other computers, which is how the tests play one)."""
    stream = getattr(request.connection, "stream", None)
    sock = getattr(stream, "socket", None)
    if sock is None:
        return False
    try:
        address = ipaddress.ip_address(str(sock.getsockname()[0]).split("%")[0])
    except (OSError, ValueError):
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address in (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))


def _host(request: HTTPServerRequest) -> tuple[str, str]:
    """The name in `request`'s Host header and its port ('' when it names none)."""
    match = re.match(r"^(\[[^\]]*\]|[^:]*)(?::(\d+))?$", request.host or "")
    return ((match.group(1) or "").lower(), match.group(2) or "") if match else ("", "")


def host_name(request: HTTPServerRequest) -> str:
    """The name in `request`'s Host header, without the port."""
    return _host(request)[0]


def cookie_name(request: HTTPServerRequest) -> str:
    """The room cookie's name for the server `request` came to: `sigworkbook-room-8866`, by
    the port in the address the browser used (what tells two servers of one machine apart in
    its cookie jar); `sigworkbook-room` at the default port. A name the Host header made up only
    looks for another cookie: the signature covers the name."""
    port = _host(request)[1]
    return f"{ROOM_COOKIE}-{port}" if port else ROOM_COOKIE


@dataclass
class RoomReader:
    """The room file, read again only when it changed (a stat per request)."""

    path: Path
    _seen: tuple[int, int] | None = None
    _room: Room = field(default_factory=Room)

    def room(self) -> Room:
        try:
            info = self.path.stat()
        except OSError:
            return Room()
        seen = (info.st_mtime_ns, info.st_size)
        if seen != self._seen:
            self._room, self._seen = read_room(self.path), seen
        return self._room


@dataclass
class WrongCodes:
    """Wrong join codes tried per address, in the last WRONG_CODE_WINDOW_S."""

    tries: dict[str, deque[float]] = field(default_factory=dict)

    def blocked(self, address: str, now: float) -> bool:
        recent = self.tries.get(address)
        while recent and now - recent[0] > WRONG_CODE_WINDOW_S:
            recent.popleft()
        return recent is not None and len(recent) >= WRONG_CODES_ALLOWED

    def note(self, address: str, now: float) -> None:
        self.tries.setdefault(address, deque()).append(now)


def plain_page(title: str, text: str) -> Markup:
    """A small page with no SIG data and no scripts."""
    return Markup(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{0}</title></head>"
        '<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em">'
        "<h1>{0}</h1><p>{1}</p></body></html>"
    ).format(title, text)


class GateRefusal(tornado.web.RequestHandler):
    """Every method: a plain page that says the workbook is not open to this computer."""

    def initialize(self, title: str, text: str, status: int) -> None:
        self.title, self.text, self.status = title, text, status

    def prepare(self) -> None:
        self.set_status(self.status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(plain_page(self.title, self.text))


class JoinHandler(tornado.web.RequestHandler):
    """`GET /j/CODE`: with the open room's code, the room's cookie and on to the SIG's app
    page; else the plain "not valid" page."""

    def initialize(self, gate: RoomGate, code: str) -> None:
        self.gate, self.code = gate, code

    def get(self) -> None:
        code = self.code
        # The code never reaches a log: the request line logged after this names none.
        self.request.uri = self.request.path = f"{self.gate.base_url}{JOIN_PATH}(code)"
        self.set_header("Cache-Control", "no-store")
        room = self.gate.reader.room()
        address = self.request.remote_ip or "?"
        now = time.monotonic()
        if self.gate.wrong.blocked(address, now) or not room.admits(code):
            self.gate.wrong.note(address, now)
            self.set_status(403)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(
                plain_page(
                    INVALID_TITLE,
                    "Check the address on the facilitator's screen and type it again: the "
                    "code may have been changed, or the room closed.",
                )
            )
            return
        self.set_signed_cookie(
            cookie_name(self.request),
            room.code,
            expires_days=COOKIE_DAYS,
            path=self.gate.base_url,
            httponly=True,
            samesite="Lax",
        )
        query = f"?sig={tornado.escape.url_escape(room.sig)}" if room.sig else ""
        self.redirect(self.gate.base_url + query)


@dataclass
class RoomGate:
    """The gate's state: the room file, the cookie key, the wrong codes tried."""

    reader: RoomReader
    secret: bytes
    base_url: str = "/"
    wrong: WrongCodes = field(default_factory=WrongCodes)

    live: dict[IOStream, str] = field(default_factory=dict)
    """Other computers' open websockets, with the code they came in with (see `sweep`)."""

    def joined(self, request: HTTPServerRequest, room: Room) -> str | None:
        """The open room's current code when `request` brings a cookie for it, else None."""
        name = cookie_name(request)
        raw = request.cookies.get(name)
        if raw is None:
            return None
        value = tornado.web.decode_signed_value(
            self.secret, name, raw.value, max_age_days=COOKIE_DAYS
        )
        code = value.decode("utf-8", "replace") if value is not None else ""
        return room.code if room.admits(code) else None

    def sweep(self) -> None:
        """Close the open websockets of other computers whose code is no longer the open
        room's: a page that joined stops at once when the code changes or the room closes,
        not only at its next request."""
        room = self.reader.room()
        for stream, code in list(self.live.items()):
            if stream.closed():
                del self.live[stream]
            elif not room.admits(code):
                del self.live[stream]
                stream.close()

    def route(
        self, request: HTTPServerRequest
    ) -> tuple[type[tornado.web.RequestHandler], dict[str, Any]] | None:
        """The handler (and its arguments) that answers `request` instead of the app's own, or
        None to let it through."""
        path = request.path or ""
        join = re.fullmatch(re.escape(self.base_url + JOIN_PATH) + r"([A-Za-z0-9]{1,16})/?", path)
        local = is_local_connection(request)
        if local and host_name(request) not in LOCAL_NAMES:
            return GateRefusal, {
                "title": "Wrong address",
                "text": "Open the workbook at 127.0.0.1 or localhost on this computer.",
                "status": 403,
            }
        if not local and host_name(request) in LOCAL_NAMES:
            # Only a forged Host header names loopback on another connection: pages trust it.
            return GateRefusal, {"title": CLOSED_TITLE, "text": "", "status": 403}
        if join:
            return JoinHandler, {"gate": self, "code": join.group(1)}
        if local:
            return None
        room = self.reader.room()
        code = self.joined(request, room)
        if code is not None:
            stream = getattr(request.connection, "stream", None)
            upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
            if upgrade and isinstance(stream, IOStream):
                self.live[stream] = code
            return None
        return GateRefusal, {
            "title": CLOSED_TITLE,
            "text": "The facilitator has not opened the meeting to other computers, or has "
            "closed it or changed its join code. Ask for the address on their screen.",
            "status": 403,
        }


def install(app: tornado.web.Application, gate: RoomGate) -> None:
    """Put `gate` before every handler of `app`."""
    find: Callable[..., Any] = app.find_handler

    def gated_find_handler(request: HTTPServerRequest, **kwargs: Any) -> Any:
        instead = gate.route(request)
        if instead is None:
            return find(request, **kwargs)
        handler, arguments = instead
        return app.get_handler_delegate(request, handler, arguments)

    app.find_handler = gated_find_handler  # type: ignore[method-assign]
    tornado.ioloop.PeriodicCallback(gate.sweep, SWEEP_MS).start()
