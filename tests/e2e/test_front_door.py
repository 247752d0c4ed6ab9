"""The server's front door: `/` is the start page, and no page asks anything of another server."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from e2e.e2e_harness import Server, start_server, stop_server, wait_for_widgets
from e2e.workbook_pages import DEMO_SIG, field, open_step
from sigworkbook.app.assets import HASHED_NAME, IMMUTABLE
from sigworkbook.plan.steps import STEPS

pytestmark = pytest.mark.e2e

START_PATH = "/voila/render/00-start.ipynb"
"""The start page of a folder of notebooks without the app page (`serve --notebooks`)."""


def test_the_root_address_is_the_app_on_its_start_page(page: Page, workbook_server: Server) -> None:
    page.goto(workbook_server.base_url)
    wait_for_widgets(page)
    assert urlsplit(page.url).path == "/"
    expect(page.locator(".swb-app-step--start")).to_be_visible()
    expect(field(page, "Your name")).to_be_visible()
    assert ".ipynb" not in page.locator("body").inner_text()


def test_the_file_list_is_out_of_sight(page: Page, workbook_server: Server) -> None:
    page.goto(workbook_server.url("voila/tree"))
    wait_for_widgets(page)
    assert urlsplit(page.url).path == "/"
    expect(page.locator(".swb-app-step--start")).to_be_visible()


@pytest.fixture(scope="module")
def sig_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server started with `--sig demo-sig` (fixture notebooks: only its addresses matter)."""
    running = start_server(tmp_path_factory.mktemp("sig-serve"), extra_args=["--sig", DEMO_SIG])
    yield running
    stop_server(running)


def _redirect(server: Server, path: str) -> tuple[str, dict[str, list[str]]]:
    """Where the server sends a browser that asks for `path`: (path, query)."""
    import urllib.request

    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(Keep)
    try:
        opener.open(server.base_url + path.lstrip("/"), timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code in (301, 302), f"{path}: {error.code}, not a redirect"
        target = urlsplit(error.headers["Location"])
        return target.path, parse_qs(target.query)
    raise AssertionError(f"{path}: answered without a redirect")


def test_the_root_address_carries_the_sig_given_to_serve(sig_server: Server) -> None:
    assert _redirect(sig_server, "/") == (START_PATH, {"sig": [DEMO_SIG]})
    # An address that names a SIG (or a participant) keeps its own.
    assert _redirect(sig_server, "/?sig=other&who=Priya") == (
        START_PATH,
        {"sig": ["other"], "who": ["Priya"]},
    )


def test_no_page_requests_anything_from_another_server(
    page: Page, workbook_server: Server, tmp_path: Path
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(workbook_server.base_url)
    wait_for_widgets(page)
    for step in STEPS:
        open_step(page, workbook_server, step.key, sig=DEMO_SIG, who="Priya")
    page.goto(workbook_server.url("voila/render/no-such-page.ipynb"))
    expect(page.locator("h1")).to_have_text("This page does not exist")

    assert requested, "the browser made no requests at all"
    outside = [
        url
        for url in requested
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert outside == []


def test_the_widget_bundles_are_cached_and_other_files_checked_again(
    page: Page, workbook_server: Server
) -> None:
    """The widget extensions' scripts, named by a hash of their content, are kept by the
    browser (every page asked for each of them again); a file named without a hash is not."""
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    page.goto(workbook_server.base_url)
    wait_for_widgets(page)
    bundles = sorted({url for url in loaded if "/voila/labextensions/" in url})
    assert any("jupyterlab-manager" in url for url in bundles), bundles
    assert all(HASHED_NAME.search(urlsplit(url).path) for url in bundles), bundles

    def cache_control(url: str) -> str | None:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.headers.get("Cache-Control")

    assert {url: cache_control(url) for url in bundles} == dict.fromkeys(bundles, IMMUTABLE)
    manifest = workbook_server.url("voila/labextensions/anywidget/package.json")
    assert cache_control(manifest) == "no-cache"
