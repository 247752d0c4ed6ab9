"""The server's terminal: no notebook-trust warning, no kernel ids, who opened which page."""

from __future__ import annotations

import logging

import pytest

from sigworkbook.app.quiet_log import QuietFilter, install, joined_line
from sigworkbook.app.voila_config import page_titles


def record(message: str, *args: object, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("SigworkbookVoila", level, __file__, 1, message, args, None)


@pytest.mark.parametrize(
    "message",
    [
        "Notebook %s is not trusted",
        "Using /tmp to store connection files",
        "Storing connection files in /tmp/voila_x.",
        "Voilà is running at:\nhttp://127.0.0.1:8866/",
        "Kernel started: %s",
        "Culling kernels with idle durations > %s seconds at %s second intervals ...",
        "Adapting from protocol version 5.3 (kernel %s) to 5.4 (client).",
        "Connecting to kernel %s.",
        "The websocket_ping_timeout (90000) cannot be longer than the websocket_ping_interval",
    ],
)
def test_lines_nobody_needs_are_dropped(message: str) -> None:
    level = logging.WARNING if "trusted" in message or "websocket" in message else logging.INFO
    assert not QuietFilter().filter(record(message, "x", level=level))


@pytest.mark.parametrize(
    ("message", "level"),
    [
        ("Reference %s: the error above, while serving %s", logging.ERROR),
        ("Kernel started: %s", logging.WARNING),  # a problem is never hidden
        ("Culling '%s' kernel '%s' due to inactivity.", logging.WARNING),
        ("Ana opened Charter (home-safely)", logging.INFO),
        ("Using pre-heated kernel: %s", logging.INFO),  # the pre-heat tests read it
    ],
)
def test_problems_and_our_own_lines_pass(message: str, level: int) -> None:
    assert QuietFilter().filter(record(message, "x", level=level))


def test_installed_on_the_log_and_its_handlers() -> None:
    log = logging.getLogger("test-quiet-log")
    handler = logging.StreamHandler()
    log.addHandler(handler)
    install(log)
    assert any(isinstance(f, QuietFilter) for f in log.filters)
    assert any(isinstance(f, QuietFilter) for f in handler.filters)
    log.removeHandler(handler)


def test_who_opened_which_page_in_plain_words() -> None:
    titles = page_titles()
    assert joined_line("03-charter.ipynb", "Ana", "home-safely", titles) == (
        "Ana opened Charter (home-safely)"
    )
    assert joined_line("00-start.ipynb", "", "", titles) == "Someone opened Start"
    sneaky = joined_line("03-charter.ipynb", "Ana\n[SigworkbookVoila] ERROR | x", "s\r\n", titles)
    assert "\n" not in sneaky and "\r" not in sneaky
    assert set(titles) == {
        "00-start", "01-core-group", "02-name", "03-charter", "04-schedule", "05-promotion",
        "06-review", "07-network",
    }  # fmt: skip
