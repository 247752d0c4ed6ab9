"""The served pages in a real browser: widgets, typing, loading, errors, kernels, accessibility."""

from __future__ import annotations

import time
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from e2e.e2e_harness import (
    Server,
    http_status,
    kernel_id,
    screenshot,
    wait_for_widgets,
)

pytestmark = pytest.mark.e2e

START = "00-start.ipynb"
BROKEN = "90-broken.ipynb"


def wait_until(condition, timeout: float, message: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(0.1)


def test_page_renders_widgets_and_no_code(page: Page, server: Server) -> None:
    page.goto(server.page_url(START, sig="demo-sig"))
    wait_for_widgets(page)

    expect(page.locator(".swb-appbar")).to_contain_text("sigworkbook")
    expect(page.get_by_label("Your name")).to_be_visible()
    expect(page.get_by_label("Core statement")).to_be_visible()
    # The query string reached the kernel, and so did the workspace folder.
    expect(page.locator("#fixture-sig")).to_have_text("demo-sig")
    assert page.locator("#fixture-workspace").text_content() == str(server.workspace.resolve())
    # No code: no input areas, and none of the cells' source text anywhere in the page.
    assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor, .cm-editor").count() == 0
    html = page.content()
    for source in ("query_param(", "import ipywidgets", "name.observe("):
        assert source not in html
    screenshot(page, "start-page")


def test_typing_in_a_widget_reaches_the_kernel(page: Page, server: Server) -> None:
    page.goto(server.page_url(START))
    wait_for_widgets(page)

    page.get_by_label("Your name").fill("Ada")
    expect(page.locator("#fixture-greeting")).to_have_text("Hello, Ada!")
    page.get_by_label("Core statement").fill("We help new teams share what works.")
    expect(page.get_by_label("Core statement")).to_have_value("We help new teams share what works.")
    screenshot(page, "typed")


def test_loading_indicator_shows_until_the_page_is_ready(page: Page, server: Server) -> None:
    page.goto(server.page_url(START), wait_until="commit")
    loading = page.locator("#loading")
    expect(loading).to_be_visible()
    expect(loading).to_contain_text("Preparing your workbook…")
    screenshot(page, "loading")
    wait_for_widgets(page)
    expect(loading).to_have_count(0)


def test_failing_cell_shows_a_reference_and_logs_the_details(page: Page, server: Server) -> None:
    page.goto(server.page_url(BROKEN))
    wait_for_widgets(page, widgets=False)

    notice = page.locator(".swb-cell-error")
    expect(notice).to_be_visible()
    text = page.locator("#rendered_cells").inner_text()
    for secret in ("secret detail 4242", "Traceback", "ValueError", "show_tracebacks"):
        assert secret not in text
    assert "never reached" not in text  # Voila stops at the failing cell
    reference = page.locator(".swb-reference").inner_text().strip()
    assert len(reference) == 8 and reference.isalnum()
    log = server.log()
    assert f"Reference {reference}" in log
    logged = log[log.index(f"Reference {reference}") :]
    assert "ValueError: fixture failure: secret detail 4242" in logged
    screenshot(page, "cell-error")


def test_missing_page_is_a_friendly_404(page: Page, server: Server) -> None:
    response = page.goto(server.page_url("no-such-page.ipynb"))
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("This page does not exist")
    assert "Traceback" not in page.content()
    screenshot(page, "not-found")


def test_closing_the_page_shuts_its_kernel_down(context: BrowserContext, server: Server) -> None:
    page = context.new_page()
    page.goto(server.page_url(START))
    wait_for_widgets(page)
    kid = kernel_id(page)
    kernel_url = server.url(f"api/kernels/{kid}")
    assert http_status(kernel_url) == 200
    mine = [p for p in server.kernel_processes() if kid in " ".join(p.cmdline())]
    assert len(mine) == 1, "expected one kernel process for the page"

    page.close(run_before_unload=True)

    wait_until(
        lambda: http_status(kernel_url) == 404, 10, "the kernel outlived its page (still listed)"
    )
    wait_until(lambda: not mine[0].is_running(), 10, "the kernel process outlived its page")


def test_banner_offers_reload_when_the_kernel_goes_away(page: Page, server: Server) -> None:
    page.goto(server.page_url(START))
    wait_for_widgets(page)
    banner = page.locator("#swb-connection")
    expect(banner).to_be_hidden()

    # Shut the kernel down from the server side, as the idle culler would.
    status = page.evaluate(
        """async (kernel) => {
            const form = new FormData();
            form.append("_xsrf", document.cookie.match("\\\\b_xsrf=([^;]*)\\\\b")[1]);
            const reply = await fetch(`/voila/api/shutdown/${kernel}`, {method: "POST", body: form});
            return reply.status;
        }""",
        kernel_id(page),
    )
    assert status == 204
    expect(banner).to_be_visible(timeout=15_000)
    expect(banner).to_contain_text("Connection lost")
    expect(banner).to_have_attribute("role", "alert")
    screenshot(page, "connection-lost")

    page.get_by_role("button", name="Reload").click()
    wait_for_widgets(page)
    expect(page.locator("#swb-connection")).to_be_hidden()


@pytest.mark.parametrize("notebook", [START, BROKEN])
def test_axe_finds_no_serious_or_critical_violations(
    page: Page, server: Server, notebook: str
) -> None:
    page.goto(server.page_url(notebook, sig="demo-sig"))
    wait_for_widgets(page, widgets=notebook == START)
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in bad
    )
    assert not bad, f"axe-core found serious/critical violations:\n{report}"


def test_foreign_host_header_is_refused_on_loopback(server: Server) -> None:
    # A page on another site that rebinds its DNS name to 127.0.0.1 arrives with its own Host.
    # (The server's root is enough to see the check: it redirects to the start page, no kernel.)
    assert http_status(server.url(""), {"Host": f"evil.example:{server.port}"}) == 403
    assert http_status(server.url(""), {"Host": f"localhost:{server.port}"}) == 302


def test_template_assets_are_served(server: Server) -> None:
    for asset in ("sigworkbook.css", "sigworkbook.js"):
        url = server.url(f"voila/templates/sigworkbook/static/{asset}")
        with urllib.request.urlopen(url, timeout=10) as reply:
            assert reply.status == 200
            assert len(reply.read()) > 1000
