"""Hosted on a real JupyterHub (the config `sigworkbook hub-config` prints, configurable-http-proxy,
PostgreSQL, Chromium): logins land on the start page, nobody runs code or reaches another's
server, and the database's credentials never reach a browser."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocket, expect
from postgres_server import PostgresServer

from e2e.e2e_harness import PAGE_TIMEOUT_MS, REPO, kernel_id, wait_for_widgets
from e2e.hub_harness import Hub, log_in, restart_hub, start_hub, stop_hub, user_footprint
from e2e.workbook_pages import (
    button,
    card,
    field,
    history,
    option_labels,
    shoot,
    shown,
    status,
    wait_for_value,
)
from sigworkbook.plan.steps import STEP_BY_KEY, STEPS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DB_PASSWORD = "Sup3r-secret-db-pass"
FOOTPRINT = REPO / "artifacts" / "hub-per-user.json"


@pytest.fixture(scope="module")
def database(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh database's URL, with a password (trust authentication ignores it: here it is
    the secret that must never reach a browser or a log). The module's tests share it: each
    makes SIGs of its own."""
    name = postgres_server.create_database()
    yield postgres_server.url(name, password=DB_PASSWORD)
    postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[Hub]:
    """One hub from the printed config for the module's tests (starting a hub and each user's
    server is most of their time): each test makes SIGs of its own and depends on no other's;
    users' servers started by one test are still running for the next."""
    started = start_hub(tmp_path_factory.mktemp("hub"), database)
    try:
        yield started
    finally:
        stop_hub(started)
    # The hub's log holds the user servers' output too (local processes inherit it).
    assert DB_PASSWORD not in started.log(), "the database password is never logged"


class Recorder:
    """Everything a browser context receives: response bodies and websocket frames."""

    def __init__(self) -> None:
        self.received: list[str] = []

    def attach(self, page: Page) -> None:
        page.on("response", self._response)
        page.on("websocket", self._websocket)

    def _response(self, response: object) -> None:
        try:
            body = response.body()  # type: ignore[attr-defined]
        except Exception:  # a redirect or an aborted load has no body
            return
        self.received.append(body.decode("utf-8", errors="replace"))
        self.received.append(json.dumps(dict(response.headers)))  # type: ignore[attr-defined]

    def _websocket(self, socket: WebSocket) -> None:
        socket.on("framereceived", lambda frame: self.received.append(_text(frame)))

    def contains(self, secret: str) -> bool:
        return any(secret in chunk for chunk in self.received)


def _text(frame: object) -> str:
    return frame.decode("utf-8", errors="replace") if isinstance(frame, bytes) else str(frame)


@pytest.fixture
def people(browser: Browser) -> Iterator[dict[str, tuple[Page, Recorder]]]:
    contexts: list[BrowserContext] = []
    made: dict[str, tuple[Page, Recorder]] = {}
    for name in ("alice", "bob", "ada"):
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        recorder = Recorder()
        recorder.attach(page)
        made[name] = (page, recorder)
    yield made
    for context in contexts:
        context.close()


def create_sig(page: Page, name: str) -> str:
    field(page, "Name of the new SIG").fill(name)
    button(page, "Create the SIG").click()
    created = card(page, "Start a new SIG").locator(".swb-notice--success")
    expect(created).to_contain_text("Created", timeout=PAGE_TIMEOUT_MS)
    with page.expect_navigation():
        created.get_by_role("link", name="Open it →").click()
    wait_for_widgets(page)
    return parse_qs(urlparse(page.url).query)["sig"][0]


def test_hosted_on_jupyterhub(
    hub: Hub, people: dict[str, tuple[Page, Recorder]], database: str, tmp_path: Path
) -> None:
    alice, alice_seen = people["alice"]
    bob, bob_seen = people["bob"]

    # alice logs in, lands on the start page of her own server and creates a SIG.
    log_in(alice, hub, "alice")
    assert urlparse(alice.url).path == "/user/alice/", alice.url  # the app page
    # No join card: colleagues join through the hub with their own login, not a local link.
    expect(
        alice.get_by_role("heading", name="Only this computer can open the workbook")
    ).to_have_count(0)
    expect(alice.locator("body")).not_to_contain_text("sigworkbook serve --host")
    # The hub says who she is: her name is filled in and cannot be changed.
    expect(field(alice, "Your name")).to_have_value("alice")
    expect(field(alice, "Your name")).to_be_disabled()
    sig = create_sig(alice, "Ward Pharmacy Circle")
    shoot(alice, "hub-alice-core-group")

    # bob logs in to his own server.
    log_in(bob, hub, "bob")
    assert urlparse(bob.url).path == "/user/bob/", bob.url
    api = bob.context.request
    own = hub.url + "/user/bob"

    # What an active user costs (docs/hosting.md quotes it): their server and one open page.
    footprint = user_footprint(hub)
    assert {"alice", "bob"} <= set(footprint), footprint
    FOOTPRINT.parent.mkdir(parents=True, exist_ok=True)
    FOOTPRINT.write_text(json.dumps(footprint, indent=2), encoding="utf-8")

    # No Jupyter server API: no kernels to start, no files to read, no terminals.
    assert api.post(own + "/api/kernels", data="{}").status in (403, 404, 405)
    assert api.get(own + "/api/kernels").status in (403, 404, 405)
    assert api.get(own + "/api/contents").status in (403, 404)
    assert api.get(own + "/api/contents/00-start.ipynb").status in (403, 404)
    assert api.get(own + "/voila/files/00-start.ipynb").status in (403, 404)
    assert api.post(own + "/api/terminals", data="{}").status in (403, 404, 405)
    assert api.get(own + "/terminals/1").status in (403, 404)
    assert api.get(own + "/lab").status in (403, 404)
    assert api.get(own + "/tree").status in (403, 404)

    # Code sent down the page's own kernel websocket is dropped: the kernel answers the
    # kernel_info request sent after it, never the execute request.
    marker = tmp_path / "ran-code"
    replies = bob.evaluate(
        """async ([base, kernel, code]) => {
            const url = `ws://${location.host}${base}api/kernels/${kernel}/channels`;
            const socket = new WebSocket(url);
            await new Promise((ok, fail) => { socket.onopen = ok; socket.onerror = fail; });
            const seen = [];
            const done = new Promise((ok) => {
                socket.onmessage = (event) => {
                    const message = JSON.parse(event.data);
                    seen.push(message.header.msg_type);
                    if (message.header.msg_type === "kernel_info_reply") ok();
                };
            });
            const send = (type, content, id) => socket.send(JSON.stringify({
                header: {msg_id: id, msg_type: type, username: "", session: "s", version: "5.3",
                         date: new Date().toISOString()},
                parent_header: {}, metadata: {}, content, channel: "shell", buffers: []}));
            send("execute_request", {code, silent: false, store_history: false,
                 user_expressions: {}, allow_stdin: false, stop_on_error: true}, "x1");
            send("kernel_info_request", {}, "x2");
            await done;
            socket.close();
            return seen;
        }""",
        ["/user/bob/", kernel_id(bob), f"open({str(marker)!r}, 'w').write('ran')"],
    )
    assert "kernel_info_reply" in replies
    assert "execute_reply" not in replies and "execute_result" not in replies, replies
    assert not marker.exists(), "code sent by a visitor ran"

    # bob cannot open alice's server: the hub refuses him before her server sees him.
    refused = api.get(hub.url + f"/user/alice/voila/render/00-start.ipynb?sig={sig}")
    assert refused.status == 403, refused.status
    assert "Ward Pharmacy Circle" not in refused.text()
    bob.goto(hub.url + f"/user/alice/voila/render/01-core-group.ipynb?sig={sig}")
    expect(bob.locator("body")).not_to_contain_text("Ward Pharmacy Circle")
    assert api.post(hub.url + "/user/alice/api/kernels", data="{}").status in (403, 404, 405)

    # Nor can a hub admin, whom the hub lets through to every server: alice's server itself
    # admits only alice (her pages record everything under her name).
    ada, _ = people["ada"]
    log_in(ada, hub, "ada")
    ada.goto(hub.url + f"/user/alice/voila/render/00-start.ipynb?sig={sig}")
    with ada.expect_navigation() as arrived:
        ada.get_by_role("button", name="Authorize").click()  # the hub asks an admin to confirm
    response = arrived.value
    assert response is not None and response.status == 403, response and response.status
    assert urlparse(ada.url).path.startswith("/user/alice/"), ada.url
    expect(ada.locator("body")).not_to_contain_text("Ward Pharmacy Circle")
    assert "Refused ada: this server is alice's" in hub.log()

    # The database's credentials never reached either browser (pages, static files, frames).
    for seen in (alice_seen, bob_seen):
        assert seen.received, "the recorder saw the pages"
        assert not seen.contains(DB_PASSWORD)
        assert not seen.contains(database.split("@")[0])


def test_who_in_the_link_does_not_change_who_edits(
    hub: Hub, people: dict[str, tuple[Page, Recorder]], database: str, tmp_path: Path
) -> None:
    bob, _ = people["bob"]
    log_in(bob, hub, "bob")
    sig = create_sig(bob, "Weekend Shift Network")
    bob.goto(hub.url + f"/user/bob/voila/render/02-name.ipynb?sig={sig}&who=alice")
    wait_for_widgets(bob)
    field(bob, "Theme").fill("Staff who work nights")
    workspace = tmp_path / "lookup"
    workspace.mkdir()
    os.environ["SIGWORKBOOK_DATABASE"] = database
    try:
        wait_for_value(workspace, sig, "identity.theme", "Staff who work nights")
        authors = {change.author for change in history(workspace, sig, "identity.theme")}
    finally:
        del os.environ["SIGWORKBOOK_DATABASE"]
    assert authors == {"bob"}, authors


def test_pre_heated_kernels_under_the_hub(
    tmp_path: Path, database: str, people: dict[str, tuple[Page, Recorder]]
) -> None:
    """`serve --hub --preheat 1` (an operator's choice, at about 90 MB per page and user): the
    pooled kernels fetch their page's request under the user's prefix, and the page works."""
    started = start_hub(tmp_path / "hub", database, 'c.Spawner.cmd.append("--preheat=1")\n')
    try:
        alice, _ = people["alice"]
        log_in(alice, started, "alice")
        api = alice.context.request
        pool = api.get(started.url + "/user/alice/sigworkbook/api/pool").json()
        assert pool["size"] == 1, pool
        sig = create_sig(alice, "Pooled Group")
        alice.goto(started.url + f"/user/alice/voila/render/02-name.ipynb?sig={sig}")
        wait_for_widgets(alice)
        expect(field(alice, "Name")).to_have_value("Pooled Group")
        assert "is ready for a visitor" in started.log()
    finally:
        stop_hub(started)


NO_ACCESS = "You don't have access to this SIG"


@pytest.fixture
def log_in_as(hub: Hub, browser: Browser) -> Iterator[Callable[[str], Page]]:
    """Log a user in to the hub in a browser of their own; their landing page."""
    contexts: list[BrowserContext] = []

    def open_as(user: str) -> Page:
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        log_in(page, hub, user)
        return page

    yield open_as
    for context in contexts:
        context.close()


def open_step(page: Page, hub: Hub, user: str, step: str, sig: str | None = None) -> None:
    """Open a step of the workbook on `user`'s own server (the only one they can reach)."""
    query = f"?sig={sig}" if sig else ""
    page.goto(f"{hub.url}/user/{user}/voila/render/{STEP_BY_KEY[step].notebook}{query}")
    wait_for_widgets(page)


def test_one_sig_through_the_hub_owner_editor_viewer_stranger_and_network_team(
    hub: Hub, log_in_as: Callable[[str], Page], database: str, tmp_path: Path
) -> None:
    """The issue's story with real logins: alice's SIG, bob edits it while she watches, carol
    reads it, dave finds no trace of it, and the network team sees it and alice's listing."""
    name = "Ward Medicines Circle"
    described = "Pharmacists and nurses making medicines safer on the wards"

    # alice creates the SIG and, on its start page, makes bob an editor and carol a reader.
    alice = log_in_as("alice")
    sig = create_sig(alice, name)
    open_step(alice, hub, "alice", "start", sig)
    panel = alice.locator(".swb-members-panel")
    for user, role in (("Bob", "Core group (edits)"), ("carol", "Reader (reads only)")):
        panel.get_by_label("Hub user name", exact=True).fill(user)
        panel.get_by_label("Role", exact=True).select_option(label=role)
        panel.get_by_role("button", name="Add or change").click()
        expect(panel.get_by_role("status")).to_contain_text(f"{user.lower()} is now")
    expect(panel.locator("table")).to_contain_text("carol")
    shoot(alice, "hub-story-alice-members")
    open_step(alice, hub, "alice", "name", sig)  # alice watches the name page

    # bob finds the SIG on his own start page and describes it on the name page.
    bob = log_in_as("bob")
    assert name in option_labels(field(bob, "SIG"))
    open_step(bob, hub, "bob", "name", sig)
    expect(field(bob, "Name")).to_have_value(name)
    field(bob, "Brief description").fill(described)
    expect(status(bob)).to_contain_text("Saved at", timeout=30_000)

    # alice sees it arrive without reloading, with bob named as who changed it.
    expect(field(alice, "Brief description")).to_have_value(described, timeout=30_000)
    expect(alice.locator(".swb-changed").first).to_contain_text("Changed by bob")
    shoot(alice, "hub-story-alice-sees-bob")

    # carol reads it and can change nothing.
    carol = log_in_as("carol")
    open_step(carol, hub, "carol", "name", sig)
    expect(field(carol, "Brief description")).to_have_value(described)
    expect(field(carol, "Brief description")).to_be_disabled()
    expect(carol.locator(".swb-read-only")).to_contain_text("You can read this SIG but not change")
    assert shown(carol).locator("textarea:enabled, input[type=text]:enabled").count() == 0
    shoot(carol, "hub-story-carol-reads")

    # alice sends it to the network team for listing.
    open_step(alice, hub, "alice", "review", sig)
    button(alice, "Send to the network team for listing").click()
    expect(alice.get_by_text("Sent to the network team on")).to_contain_text("by alice")

    # dave, a member of neither, finds no trace of it: not on his start page, not behind a
    # direct link to any step, not on (or in the list of) the network page.
    dave = log_in_as("dave")
    expect(dave.locator(".swb-no-sig")).to_contain_text("You are not a member of any SIG yet")
    expect(field(dave, "SIG")).to_be_hidden()  # no empty list to choose from
    assert not any(name in label for label in option_labels(field(dave, "SIG")))
    for step in STEPS:
        open_step(dave, hub, "dave", step.key, sig)
        expect(dave.get_by_role("alert").first).to_contain_text(NO_ACCESS)
        text = dave.locator("body").inner_text()
        assert name not in text and described not in text, step.key
        if step.key == "start":  # his own start page, which can still make a SIG of his own
            assert name not in option_labels(field(dave, "SIG"))
            shoot(dave, "hub-story-dave-start")
        else:
            assert dave.locator("textarea, input, select").count() == 0, step.key
    dave.goto(f"{hub.url}/user/dave/voila/render/07-network.ipynb")
    wait_for_widgets(dave)
    expect(dave.get_by_role("alert")).to_contain_text("You don't have access to this page")
    assert dave.locator("a[download='network-sigs.csv']").count() == 0
    assert name not in dave.locator("body").inner_text()
    shoot(dave, "hub-story-dave-network")
    assert f"refused: dave may not open a page of SIG '{sig}'" in hub.log()

    # nina, in the network team's hub group, sees the SIG with alice's submission, first.
    nina = log_in_as("nina")
    nina.goto(f"{hub.url}/user/nina/voila/render/07-network.ipynb")
    wait_for_widgets(nina)
    first = nina.locator("table.swb-network tbody tr").first
    expect(first).to_contain_text(name)
    expect(first).to_contain_text("alice")
    expect(first).to_contain_text("by alice")
    with nina.expect_download() as downloading:
        nina.locator("a[download='network-sigs.csv']").click()
    listed = Path(downloading.value.path()).read_text(encoding="utf-8-sig")
    assert name in listed and described in listed, listed
    shoot(nina, "hub-story-nina-network")

    # The history names bob for his edit (read from the database the servers share).
    lookup = tmp_path / "lookup"
    lookup.mkdir()
    os.environ["SIGWORKBOOK_DATABASE"] = database
    try:
        authors = [c.author for c in history(lookup, sig, "identity.description")]
    finally:
        del os.environ["SIGWORKBOOK_DATABASE"]
    assert authors[0] == "bob", authors


def test_hub_and_database_restarted_while_bob_types(
    hub: Hub,
    people: dict[str, tuple[Page, Recorder]],
    database: str,
    postgres_server: PostgresServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing acknowledged is lost and bob's page recovers: the hub (and its proxy) restarted,
    then the database stopped and started while he types."""
    monkeypatch.setenv("SIGWORKBOOK_DATABASE", database)  # for this test's own look-ups
    lookup = tmp_path / "lookup"
    lookup.mkdir()
    bob, _ = people["bob"]
    log_in(bob, hub, "bob")
    sig = create_sig(bob, "Night Shift Network")
    name_page = hub.url + f"/user/bob/voila/render/02-name.ipynb?sig={sig}"
    bob.goto(name_page)
    wait_for_widgets(bob)
    field(bob, "Theme").fill("Nights")
    wait_for_value(lookup, sig, "identity.theme", "Nights")
    expect(status(bob)).to_contain_text("Saved at")

    restart_hub(hub)  # the proxy restarts with it: bob's page loses its connection
    banner = bob.locator("#swb-connection")
    expect(banner).to_be_visible(timeout=30_000)
    button(banner, "Reload").click()
    wait_for_widgets(bob)
    assert urlparse(bob.url).path == "/user/bob/", bob.url
    assert parse_qs(urlparse(bob.url).query)["step"] == ["name"], bob.url
    expect(field(bob, "Theme")).to_have_value("Nights")

    postgres_server.stop("immediate")
    try:
        field(bob, "Theme").fill("Nights and weekends")
        expect(status(bob)).to_contain_text("Not saved", timeout=30_000)
    finally:
        postgres_server.start()
    wait_for_value(lookup, sig, "identity.theme", "Nights and weekends", timeout=60)
    expect(status(bob)).to_contain_text("Saved at", timeout=30_000)
    values = [change.value for change in history(lookup, sig, "identity.theme")]
    assert values[:2] == ["Nights and weekends", "Nights"], values
    shoot(bob, "hub-after-restarts")
