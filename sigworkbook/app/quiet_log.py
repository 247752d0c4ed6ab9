"""What the server's terminal is spared: warnings about nothing a facilitator can or need act on."""

from __future__ import annotations

import logging
from collections.abc import Mapping

UNTRUSTED = "Notebook %s is not trusted"
"""jupyter_server's warning each time a page's notebook is read. Trust only decides whether the
outputs saved in a notebook may run their scripts when shown; Voila never shows saved outputs
(it runs every notebook afresh, with its code hidden), so the warning is noise, and signing the
packaged notebooks would need each user's own Jupyter secret. Filtered, not fixed."""


SAID_ELSEWHERE = (
    "Storing connection files in ",
    "Serving static files from ",
    "Voilà is running at:",  # `sigworkbook serve` has printed the address to open
    "Kernel started: ",  # a kernel id: the line below says who opened which page instead
    "Kernel shutdown: ",
    "Culling kernels with idle durations",  # the settings it runs with, not a problem
    "Adapting from protocol version ",  # a page's browser and kernel agreeing on a version
    "Connecting to kernel ",
    "Disconnecting from kernel ",
    "Starting buffering for ",
    "Discarding ",  # ... buffered messages of a closed page
)
"""Voila's and jupyter_server's start-up and kernel lines that say nothing a facilitator reads.
('Using pre-heated kernel: ...' stays: it is how the log shows a page got a warm kernel.)"""
TORNADO_PING_UNITS = "The websocket_ping_timeout ("
"""Tornado's warning at the first page that the pong timeout is longer than the ping interval:
jupyter_server gives tornado both in milliseconds, which tornado reads as seconds, so tornado's
own pinging never runs; jupyter_server's does (voila_config.py `WS_PONG_TIMEOUT_MS`)."""
CONNECTION_FOLDER = " to store connection files"
"""The end of Voila's 'Using /tmp to store connection files'."""


TORNADO_LOGGER = "tornado.general"
"""Where tornado's own warnings go."""


class QuietFilter(logging.Filter):
    """Drops the notebook-trust warning (see UNTRUSTED) and the lines in SAID_ELSEWHERE; every
    other record (problems, the culler's, ours) passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == UNTRUSTED:
            return False
        if isinstance(record.msg, str) and record.msg.startswith(TORNADO_PING_UNITS):
            return False
        if record.levelno > logging.INFO:
            return True
        message = record.msg if isinstance(record.msg, str) else ""
        if message.endswith(CONNECTION_FOLDER):  # a folder nobody needs to know
            return False
        return not message.startswith(SAID_ELSEWHERE)


def joined_line(notebook: str, who: str, sig: str, titles: Mapping[str, str]) -> str:
    """'Ana opened Charter (home-safely)': a page opened, for the server's terminal. What the
    visitor's address said is shortened and kept to one line."""

    def tidy(text: str, limit: int) -> str:
        words = " ".join("".join(c if c.isprintable() else " " for c in text).split())
        return words if len(words) <= limit else words[: limit - 1] + "…"

    stem = notebook.rsplit("/", 1)[-1].removesuffix(".ipynb")
    page = titles.get(stem, tidy(stem, 40))
    person = tidy(who, 80) or "Someone"
    where = f" ({tidy(sig, 64)})" if sig.strip() else ""
    return f"{person} opened {page}{where}"


def install(log: logging.Logger | logging.LoggerAdapter[logging.Logger]) -> None:
    """Quiet the server's log `log`: on the logger and on each of its handlers (a record that
    reaches a handler from a child logger is filtered there)."""
    logger = log.logger if isinstance(log, logging.LoggerAdapter) else log
    quiet = QuietFilter()
    for each in (logger, logging.getLogger(TORNADO_LOGGER)):
        each.addFilter(quiet)
        for handler in each.handlers:
            handler.addFilter(quiet)
