"""How participants join a served workbook: the link others open, handed from serve to the pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from sigworkbook.room import JOIN_PATH

JOIN_URL_ENV = "SIGWORKBOOK_JOIN_URL"
"""The start page's address as others reach it, with the access token: set by `serve` for the
kernels when it listens on an address other machines can reach."""
SERVE_HOST_ENV = "SIGWORKBOOK_SERVE_HOST"
"""The address `serve` listens on, for the kernels (the start page says who can join)."""
ROOM_ENV = "SIGWORKBOOK_ROOM"
"""Set (to 1) by `serve` behind the room gate: the start page opens and closes the room, whose
file is in the workspace (sigworkbook/room.py)."""


@dataclass(frozen=True)
class Served:
    """How the workbook is served, as the pages learn it from `serve`."""

    host: str
    join_url: str | None
    """None when only this computer can open the workbook (a loopback address); behind the room
    gate, the server's address for others (`http://192.168.1.23:8866/`), without a token."""
    room: bool = False
    """Behind the room gate: others join by the short address while the room is open."""

    def short_address(self, code: str) -> str | None:
        """The room's short address for `code` without its scheme, as a person types it."""
        if not self.room or self.join_url is None:
            return None
        return f"{self.join_url.split('://', 1)[-1]}{JOIN_PATH}{code}"

    def link(self, sig: str | None = None) -> str | None:
        """The link participants open: the start page, of `sig` when given."""
        if self.join_url is None:
            return None
        if not sig:
            return self.join_url
        separator = "&" if "?" in self.join_url else "?"
        return f"{self.join_url}{separator}{urlencode({'sig': sig})}"


def environment_for(host: str, join_url: str | None, *, gated: bool = False) -> dict[str, str]:
    """The variables `serve` gives its kernels so that pages know how others join."""
    return {
        SERVE_HOST_ENV: host,
        **({JOIN_URL_ENV: join_url} if join_url else {}),
        **({ROOM_ENV: "1"} if gated else {}),
    }


def served(env: Mapping[str, str]) -> Served | None:
    """How the workbook is served, from the variables `serve` set; None when not by `serve`
    (a notebook run in JupyterLab or by the tests)."""
    host = env.get(SERVE_HOST_ENV, "").strip()
    if not host:
        return None
    url = env.get(JOIN_URL_ENV, "").strip()
    return Served(
        host,
        url if url.startswith(("http://", "https://")) else None,
        room=env.get(ROOM_ENV) == "1",
    )


def qr_svg(text: str, title: str) -> str:
    """A QR code of `text` as inline SVG that scales to its box (segno: pure Python)."""
    import segno  # only for a page that shows a join link

    code = segno.make_qr(text, error="m")
    svg: str = code.svg_inline(
        scale=1, border=4, omitsize=True, title=title, dark="#000", light="#fff"
    )
    return svg
