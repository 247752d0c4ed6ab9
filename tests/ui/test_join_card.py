"""The join card: the link (with its token) and QR code others open, or how to let them join."""

from __future__ import annotations

import html
import re
import socket
from pathlib import Path

import ipywidgets as widgets
import pytest
from widget_tree import walk

from sigworkbook.app.network import network_address
from sigworkbook.app.voila_config import ServeOptions, join_url, reachable_host
from sigworkbook.joining import JOIN_URL_ENV, SERVE_HOST_ENV, Served, environment_for, served
from sigworkbook.live.session import Session
from sigworkbook.plan.steps import STEP_BY_KEY
from sigworkbook.ui.join_card import QR_TITLE, join_card, join_card_html
from sigworkbook.ui.page import Page
from sigworkbook.ui.pages.start import build
from sigworkbook.workspace import Workspace

LINK = "http://10.1.2.3:8866/voila/render/00-start.ipynb?token=s3cret-Token_1"


def options(host: str, token: str | None = None, port: int = 8866) -> ServeOptions:
    return ServeOptions(notebooks=Path("."), port=port, host=host, token=token)


def shown_link(markup: str) -> tuple[str, str]:
    """(href, text) of the card's one link, as the browser reads them."""
    (found,) = re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', markup)
    return html.unescape(found[0]), html.unescape(found[1])


# --- what serve hands the pages -------------------------------------------------------------


def test_the_join_link_is_the_start_page_at_an_address_others_reach() -> None:
    assert join_url(options("127.0.0.1")) is None
    assert join_url(options("localhost")) is None
    assert join_url(options("192.168.1.5", "tok", 9000)) == ("http://192.168.1.5:9000/?token=tok")
    wildcard = join_url(options("0.0.0.0", "a b&c"))
    assert wildcard == (f"http://{reachable_host('0.0.0.0')}:8866/?token=a+b%26c")
    assert reachable_host("0.0.0.0") in (network_address(), socket.gethostname())


def test_serve_tells_the_kernels_how_others_join() -> None:
    assert environment_for("0.0.0.0", LINK) == {SERVE_HOST_ENV: "0.0.0.0", JOIN_URL_ENV: LINK}
    assert environment_for("127.0.0.1", None) == {SERVE_HOST_ENV: "127.0.0.1"}
    assert served(environment_for("0.0.0.0", LINK)) == Served("0.0.0.0", LINK)
    assert served(environment_for("127.0.0.1", None)) == Served("127.0.0.1", None)
    assert served({}) is None
    assert served({SERVE_HOST_ENV: "0.0.0.0", JOIN_URL_ENV: "javascript:alert(1)"}) == Served(
        "0.0.0.0", None
    )


# --- the card -------------------------------------------------------------------------------


def test_a_reachable_server_shows_the_link_with_its_token_and_a_qr_code() -> None:
    markup = join_card_html(Served("0.0.0.0", LINK))
    assert shown_link(markup) == (LINK, LINK)
    assert "Join on your own phone or laptop" in markup
    svg = re.search(r"<svg[^>]*>.*</svg>", markup, re.S)
    assert svg is not None
    assert f"<title>{QR_TITLE}</title>" in svg.group(0)
    assert "viewBox" in svg.group(0) and "<script" not in markup


def test_the_link_opens_the_chosen_sig() -> None:
    markup = join_card_html(Served("0.0.0.0", LINK), "frailty-friends")
    expected = LINK + "&sig=frailty-friends"
    assert shown_link(markup) == (expected, expected)


def test_the_qr_code_holds_the_link() -> None:
    """The SVG is segno's drawing of exactly the shown link (a different link, a different code)."""
    import segno

    markup = join_card_html(Served("0.0.0.0", LINK), "x")
    expected = segno.make_qr(LINK + "&sig=x", error="m").svg_inline(
        scale=1, border=4, omitsize=True, title=QR_TITLE, dark="#000", light="#fff"
    )
    assert expected in markup
    assert (
        segno.make_qr(LINK, error="m").svg_inline(
            scale=1, border=4, omitsize=True, title=QR_TITLE, dark="#000", light="#fff"
        )
        not in markup
    )


def test_on_loopback_the_card_says_how_to_let_others_join() -> None:
    markup = join_card_html(Served("127.0.0.1", None), "frailty-friends")
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    assert "Only this computer can open the workbook" in text
    assert "start it again without --host (sigworkbook serve)" in text
    assert "<svg" not in markup and "<a " not in markup and "token" not in markup


def test_no_card_when_not_served_by_sigworkbook() -> None:
    assert join_card(env={}) is None
    card = join_card("s", env=environment_for("0.0.0.0", LINK))
    assert isinstance(card, widgets.HTML)
    assert shown_link(card.value)[0] == LINK + "&sig=s"


@pytest.mark.parametrize(
    ("env", "says"),
    [
        (environment_for("0.0.0.0", LINK), LINK + "&sig=home-safely"),
        (environment_for("127.0.0.1", None), "Only this computer can open the workbook"),
    ],
)
def test_the_start_page_shows_the_card(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], says: str
) -> None:
    for name in (SERVE_HOST_ENV, JOIN_URL_ENV):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    content = build(Page(STEP_BY_KEY["start"], Session(ws, "home-safely", author="Ada")))
    cards = [w for w in walk(content) if "swb-join-card" in getattr(w, "_dom_classes", ())]
    assert len(cards) == 1
    assert says in html.unescape(cards[0].value)
