"""How participants join a served workbook: the link others open, handed from serve to the pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

JOIN_URL_ENV = "SIGWORKBOOK_JOIN_URL"
"""The start page's address as others reach it, with the access token: set by `serve` for the
kernels when it listens on an address other machines can reach."""
SERVE_HOST_ENV = "SIGWORKBOOK_SERVE_HOST"
"""The address `serve` listens on, for the kernels (the start page says who can join)."""


@dataclass(frozen=True)
class Served:
    """How the workbook is served, as the pages learn it from `serve`."""

    host: str
    join_url: str | None
    """None when only this computer can open the workbook (a loopback address)."""

    def link(self, sig: str | None = None) -> str | None:
        """The link participants open: the start page, of `sig` when given."""
        if self.join_url is None:
            return None
        if not sig:
            return self.join_url
        separator = "&" if "?" in self.join_url else "?"
        return f"{self.join_url}{separator}{urlencode({'sig': sig})}"


def environment_for(host: str, join_url: str | None) -> dict[str, str]:
    """The variables `serve` gives its kernels so that pages know how others join."""
    return {SERVE_HOST_ENV: host, **({JOIN_URL_ENV: join_url} if join_url else {})}


def served(env: Mapping[str, str]) -> Served | None:
    """How the workbook is served, from the variables `serve` set; None when not by `serve`
    (a notebook run in JupyterLab or by the tests)."""
    host = env.get(SERVE_HOST_ENV, "").strip()
    if not host:
        return None
    url = env.get(JOIN_URL_ENV, "").strip()
    return Served(host, url if url.startswith(("http://", "https://")) else None)


def qr_svg(text: str, title: str) -> str:
    """A QR code of `text` as inline SVG that scales to its box (segno: pure Python)."""
    import segno  # only for a page that shows a join link

    code = segno.make_qr(text, error="m")
    svg: str = code.svg_inline(
        scale=1, border=4, omitsize=True, title=title, dark="#000", light="#fff"
    )
    return svg
