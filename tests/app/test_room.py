"""The meeting room: join codes, the room file, the gate before the server and the join card."""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import logging
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import tornado.httpserver
import tornado.ioloop
import tornado.web
import tornado.websocket
import websockets.sync.client
from threaded_server import threaded_server
from websockets.exceptions import ConnectionClosed

from sigworkbook.app.room_gate import (
    CLOSED_TITLE,
    INVALID_TITLE,
    ROOM_COOKIE,
    WRONG_CODES_ALLOWED,
    RoomGate,
    RoomReader,
    install,
)
from sigworkbook.joining import Served, environment_for, served
from sigworkbook.room import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Room,
    change_code,
    close_room,
    is_local_page,
    new_code,
    open_room,
    read_room,
    room_file,
    short_address,
    write_room,
)
from sigworkbook.ui.join_card import CLOSE_LABEL, NEW_CODE_LABEL, OPEN_LABEL, RoomCard

SECRET = b"test-cookie-secret"
SIG_DATA = "SIG data: frailty-friends"

# ---- join codes and the room file ------------------------------------------------------------


def test_codes_are_six_unambiguous_letters_and_differ() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("01OIL")


def test_a_missing_or_damaged_room_file_reads_as_closed(tmp_path: Path) -> None:
    path = room_file(tmp_path)
    assert read_room(path) == Room()
    for body in [
        "",
        "[]",
        '{"open": true}',
        '{"open": true, "code": "abc"}',
        '{"open": "yes", "code": "K7P2QX"}',
    ]:
        path.write_text(body, encoding="utf-8")
        assert not read_room(path).open, body
        assert not read_room(path).admits("K7P2QX")


def test_open_change_and_close_the_room(tmp_path: Path) -> None:
    path = room_file(tmp_path)
    opened = open_room(path, "frailty-friends")
    assert opened.open and opened.sig == "frailty-friends"
    assert read_room(path) == opened
    assert opened.admits(opened.code) and opened.admits(f" {opened.code.lower()} ")
    assert not opened.admits("") and not opened.admits(new_code() + "X")
    assert open_room(path, None) == opened  # opening again keeps the code and the SIG
    changed = change_code(path)
    assert changed.open and changed.code != opened.code
    assert not read_room(path).admits(opened.code) and read_room(path).admits(changed.code)
    closed = close_room(path)
    assert not closed.open and not closed.admits(changed.code) and not closed.admits(closed.code)
    reopened = open_room(path, "frailty-friends")
    assert not reopened.admits(changed.code)  # closing and reopening never brings old codes back
    assert list(tmp_path.iterdir()) == [path]  # written atomically: no temporary file left


def test_the_room_file_is_private(tmp_path: Path) -> None:
    path = room_file(tmp_path)
    write_room(path, Room(True, "K7P2QX", None))
    assert path.stat().st_mode & 0o077 == 0


def test_short_address_fits_a_projector() -> None:
    longest = short_address("255.255.255.255", 65535, "/", "K7P2QX")
    assert longest == "255.255.255.255:65535/j/K7P2QX" and len(longest) <= 30
    how = served(environment_for("0.0.0.0", "http://192.168.1.23:8866/", gated=True))
    assert how == Served("0.0.0.0", "http://192.168.1.23:8866/", room=True)
    assert how.short_address("K7P2QX") == "192.168.1.23:8866/j/K7P2QX"
    assert "token" not in how.short_address("K7P2QX")  # type: ignore[operator]


def test_only_loopback_names_are_local_pages() -> None:
    for name in ["127.0.0.1", "localhost", "[::1]", "::1", "LOCALHOST"]:
        assert is_local_page(name), name
    for name in ["127.0.0.2", "192.168.1.23", "", "example.org", "127.0.0.1.nip.io"]:
        assert not is_local_page(name), name


# ---- the gate, before a real tornado server on every address --------------------------------


class SigPage(tornado.web.RequestHandler):
    def get(self) -> None:
        self.finish(SIG_DATA)


class Echo(tornado.websocket.WebSocketHandler):
    def on_message(self, message: str | bytes) -> None:
        self.write_message(message)


@contextlib.contextmanager
def gated_server(path: Path) -> Iterator[int]:
    """A tornado server on 0.0.0.0 whose every page is SIG data, behind the room gate of the
    room at `path`; its port."""

    def make_app() -> tornado.web.Application:
        app = tornado.web.Application([(r"/ws", Echo), (r"/.*", SigPage)], cookie_secret=SECRET)
        install(app, RoomGate(RoomReader(path), SECRET, "/"))
        return app

    with threaded_server(make_app, "0.0.0.0") as port:
        yield port


@pytest.fixture
def gated(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A gated server (`gated_server`) and its room file."""
    path = room_file(tmp_path)
    with gated_server(path) as port:
        yield port, path


def _get(
    address: str, port: int, path: str, *, host: str | None = None, cookie: str | None = None
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(address, port, timeout=10)
    headers = {"Host": host or f"{address}:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    return response


def _body(address: str, port: int, path: str, **kwargs: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection(address, port, timeout=10)
    headers = {"Host": kwargs.get("host", f"{address}:{port}")}
    if "cookie" in kwargs:
        headers["Cookie"] = kwargs["cookie"]
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    return response.status, response.read().decode()


def _join(port: int, code: str) -> str:
    """The room cookie that /j/CODE hands 127.0.0.2 (asserting it leads to the SIG)."""
    response = _get("127.0.0.2", port, f"/j/{code}")
    assert response.status == 302, response.status
    assert response.getheader("Location") == "/?sig=frailty-friends"
    cookie = response.getheader("Set-Cookie") or ""
    assert cookie.startswith(f"{ROOM_COOKIE}-{port}=") and "HttpOnly" in cookie, cookie
    assert "token" not in (response.getheader("Location") or "")
    return cookie.split(";", 1)[0]


def test_the_gate_lets_only_this_machine_in_until_the_room_opens(gated: tuple[int, Path]) -> None:
    port, path = gated
    assert _body("127.0.0.1", port, "/?sig=frailty-friends") == (200, SIG_DATA)
    assert _body("127.0.0.1", port, "/", host=f"localhost:{port}") == (200, SIG_DATA)
    status, text = _body("127.0.0.2", port, "/?sig=frailty-friends")
    assert status == 403 and CLOSED_TITLE in text and SIG_DATA not in text
    # DNS rebinding: a page of another site that resolves to 127.0.0.1 is refused.
    assert _body("127.0.0.1", port, "/", host=f"evil.example:{port}")[0] == 403
    # Another computer that claims to be this machine in its Host header is refused.
    assert _body("127.0.0.2", port, "/", host=f"127.0.0.1:{port}")[0] == 403
    # No code works while the room is closed, not even the one it will open with.
    closed_code = close_room(path).code
    status, text = _body("127.0.0.2", port, f"/j/{closed_code}")
    assert status == 403 and INVALID_TITLE in text


def test_the_short_address_lets_others_in_until_the_code_changes_or_the_room_closes(
    gated: tuple[int, Path],
) -> None:
    port, path = gated
    room = open_room(path, "frailty-friends")
    status, text = _body("127.0.0.2", port, f"/j/{new_code()}")
    assert status == 403 and INVALID_TITLE in text
    cookie = _join(port, room.code.lower())  # typed in lower case: still the code
    assert _body("127.0.0.2", port, "/?sig=frailty-friends", cookie=cookie) == (200, SIG_DATA)
    assert _body("127.0.0.2", port, "/anything", cookie=cookie) == (200, SIG_DATA)
    forged = f"{ROOM_COOKIE}-{port}={room.code}"  # unsigned: refused
    assert _body("127.0.0.2", port, "/", cookie=forged)[0] == 403
    renewed = change_code(path)
    assert _body("127.0.0.2", port, "/", cookie=cookie)[0] == 403  # the old code's browsers
    assert _body("127.0.0.2", port, f"/j/{room.code}")[0] == 403
    cookie = _join(port, renewed.code)
    assert _body("127.0.0.2", port, "/", cookie=cookie)[0] == 200
    close_room(path)
    assert _body("127.0.0.2", port, "/", cookie=cookie)[0] == 403
    assert _body("127.0.0.1", port, "/")[0] == 200  # this machine stays in


def test_two_servers_on_one_machine_keep_a_browsers_two_joins_apart(tmp_path: Path) -> None:
    """Two `make run` on one machine, each with its room: a browser (one cookie jar, which like
    a browser's keeps cookies per host, not per port) joins both and stays in both."""
    rooms = [room_file(tmp_path / name) for name in ("first", "second")]
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    )
    with gated_server(rooms[0]) as first, gated_server(rooms[1]) as second:
        for path in rooms:
            path.parent.mkdir()
        codes = [open_room(path, "frailty-friends").code for path in rooms]
        for port, code in zip((first, second), codes, strict=True):
            with browser.open(f"http://127.0.0.2:{port}/j/{code}", timeout=10) as page:
                assert page.read().decode() == SIG_DATA  # joined, and on to the SIG
        assert len(jar) == 2, [cookie.name for cookie in jar]
        for port in (first, second):
            with browser.open(f"http://127.0.0.2:{port}/?sig=frailty-friends", timeout=10) as page:
                assert page.status == 200 and page.read().decode() == SIG_DATA


def test_the_join_code_never_reaches_the_log(
    gated: tuple[int, Path], caplog: pytest.LogCaptureFixture
) -> None:
    port, path = gated
    room = open_room(path, "frailty-friends")
    caplog.set_level(logging.DEBUG)
    _join(port, room.code)
    wrong = new_code()
    assert _get("127.0.0.2", port, f"/j/{wrong}").status == 403
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/j/(code)" in logged and room.code not in logged and wrong not in logged


@pytest.mark.parametrize("shut", [change_code, close_room])
def test_an_open_page_of_another_computer_stops_when_the_code_changes_or_the_room_closes(
    gated: tuple[int, Path], shut: Callable[[Path], Room]
) -> None:
    port, path = gated
    room = open_room(path, "frailty-friends")
    cookie = _join(port, room.code)
    with websockets.sync.client.connect(
        f"ws://127.0.0.2:{port}/ws",
        additional_headers={"Cookie": cookie},
        proxy=None,
        origin=None,
    ) as socket:
        socket.send("still here")
        assert socket.recv(timeout=10) == "still here"
        shut(path)
        with pytest.raises(ConnectionClosed):  # closed by the gate within its sweep
            socket.recv(timeout=10)
    with websockets.sync.client.connect(f"ws://127.0.0.1:{port}/ws", proxy=None) as local:
        local.send("this machine")  # this machine's own pages go on
        assert local.recv(timeout=10) == "this machine"


def test_guessing_codes_is_cut_short(gated: tuple[int, Path]) -> None:
    port, path = gated
    room = open_room(path, "frailty-friends")
    for _ in range(WRONG_CODES_ALLOWED):
        assert _get("127.0.0.2", port, f"/j/{new_code()}").status == 403
    assert _get("127.0.0.2", port, f"/j/{room.code}").status == 403  # blocked now, even right


# ---- the join card's buttons, in the kernel -------------------------------------------------


def test_the_card_opens_renews_and_closes_the_room_on_this_machine_only(tmp_path: Path) -> None:
    how = Served("0.0.0.0", "http://192.168.1.23:8866/", room=True)
    path = room_file(tmp_path)
    card = RoomCard(how, path, "frailty-friends", local=True)
    assert [b.description for b in card.buttons.children] == [OPEN_LABEL]
    assert "Only this computer" in card.shown.value
    card.opener.click()
    room = read_room(path)
    assert room.open and room.sig == "frailty-friends"
    assert f"192.168.1.23:8866/j/{room.code}" in card.shown.value
    assert "token" not in card.shown.value
    assert [b.description for b in card.buttons.children] == [NEW_CODE_LABEL, CLOSE_LABEL]
    card.renewer.click()
    assert read_room(path).code != room.code and read_room(path).code in card.shown.value
    card.closer.click()
    assert not read_room(path).open and "Only this computer" in card.shown.value

    open_room(path, "frailty-friends")
    other = RoomCard(how, path, "frailty-friends", local=False)
    assert other.buttons.children == ()
    before = read_room(path)
    other.closer.click()  # refused in the kernel, not only hidden
    other.renewer.click()
    assert read_room(path) == before
