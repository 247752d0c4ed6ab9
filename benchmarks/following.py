"""Benchmark "Follow the lead" (issue 21): five followers, each in their own browser context on the
app page, follow the lead's click to another step; per follower, from the click to the new step
on screen with an input enabled, measured by the browser's clock (the wall clock, shared).

    .venv/bin/python -m benchmarks.following [--rounds 3]

Rounds: the charter (the first time), back to the name, the charter again, each after the group
has talked `--talk` seconds on its step (meanwhile each kernel builds the step after the group's
ahead, as in a meeting). Target
on 2 CPUs: median <= 1.0 s, worst <= 1.5 s. Standalone (not a figure of `make bench` yet).
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FOLLOWERS = ("Ben", "Cai", "Dee", "Eve", "Fay")
ROUNDS = (("charter", "3. Charter"), ("name", "2. Name and description"), ("charter", "3. Charter"))
WATCH = """(key) => { window.__followed = null; const started = Date.now();
    const check = () => {
        const area = document.querySelector(".swb-app-step--" + key);
        const shown = area && getComputedStyle(area).display !== "none";
        const input = shown && area.querySelector("textarea:not(:disabled), input:not(:disabled)");
        if (input && input.offsetParent !== null) { window.__followed = Date.now(); return; }
        if (Date.now() - started < 60000) requestAnimationFrame(check);
    };
    check(); }"""


def _harness() -> Any:
    sys.path.insert(0, str(REPO / "tests"))
    return importlib.import_module("e2e.e2e_harness"), importlib.import_module("e2e.workbook_pages")


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".swb-meeting", timeout=120_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=len(ROUNDS))
    parser.add_argument(
        "--talk",
        type=float,
        default=10.0,
        help="seconds the group talks on a step before the lead moves on (as in a meeting)",
    )
    args = parser.parse_args()
    harness, pages = _harness()
    tmp = Path(tempfile.mkdtemp(prefix="follow-"))
    pages.run_cli(tmp / "workspace", "init")
    sig = pages.new_sig(tmp / "workspace", "Follow The Lead")
    server = harness.start_server(tmp, notebooks=None)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            people = {}
            for who in ("Ada", *FOLLOWERS):
                context = browser.new_context(viewport={"width": 1024, "height": 768})
                page = context.new_page()
                page.set_default_timeout(120_000)
                _open(page, server.page_url("app.ipynb", sig=sig, step="name", who=who))
                people[who] = page
            lead = people["Ada"]
            lead.get_by_role("button", name="Lead the meeting").click()
            for who in FOLLOWERS:
                people[who].wait_for_function(
                    "() => document.querySelector('.swb-meeting').innerText.includes('Led by')"
                )
            for number, (key, title) in enumerate(ROUNDS[: args.rounds], start=1):
                time.sleep(args.talk)  # the group talks; each kernel builds the next step
                for who in FOLLOWERS:
                    people[who].evaluate(WATCH, key)
                clicked = lead.evaluate("Date.now()")
                lead.locator(".swb-app-step:visible .swb-steps a", has_text=title).first.click()
                seconds = []
                for who in FOLLOWERS:
                    people[who].wait_for_function("() => window.__followed !== null")
                    seconds.append((people[who].evaluate("window.__followed") - clicked) / 1000)
                print(
                    f"round {number} ({key}): median {statistics.median(seconds):.2f} s, "
                    f"worst {max(seconds):.2f} s, each {', '.join(f'{s:.2f}' for s in seconds)}"
                )
            browser.close()
    finally:
        harness.stop_server(server)


if __name__ == "__main__":
    main()
