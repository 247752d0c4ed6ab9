"""In a page's kernel: running out of memory stops the kernel, so its page says so, instead of
leaving it running half-done (an IPython extension the server loads into every kernel)."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

EXIT_CODE = 3
"""The kernel's exit status when it stops for want of memory (the server log says why)."""


def stop() -> None:
    """End the kernel process at once, saying why on its standard error."""
    try:
        os.write(2, b"[sigworkbook ERROR] out of memory: the kernel stops\n")
    finally:
        os._exit(EXIT_CODE)


WATCHED_LOGGERS = ("Comm", "ipykernel.comm", "asyncio", "traitlets", "")
"""Where ipykernel, the comm package and the event loop log what a handler raised ("": root)."""


class StopOnMemoryError(logging.Filter):
    """A log filter that ends the process when a logged exception is a MemoryError.

    ipykernel catches what a widget callback or a message handler raises and logs it; after a
    MemoryError (the kernel reached its address-space limit) nothing the kernel holds can be
    trusted, and what the page shows would no longer match it. A filter, not a handler: the
    records still go wherever they went (a handler would stop Python's last-resort stderr).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], MemoryError):
            stop()
        return True


def install(*loggers: logging.Logger) -> None:
    """Stop the process on a MemoryError logged to the WATCHED_LOGGERS or any of `loggers`."""
    for logger in (*(logging.getLogger(name) for name in WATCHED_LOGGERS), *loggers):
        if not any(isinstance(f, StopOnMemoryError) for f in logger.filters):
            logger.addFilter(StopOnMemoryError())


def load_ipython_extension(ipython: Any) -> None:
    """IPython's hook: `--IPKernelApp.extensions=sigworkbook.live.out_of_memory`.

    Besides the logs, a widget's click handler that fails is shown with IPython's
    `showtraceback` (ipywidgets' CallbackDispatcher): a MemoryError there stops the kernel too.
    """
    kernel = getattr(ipython, "kernel", None)
    install(*[log for log in (getattr(kernel, "log", None),) if isinstance(log, logging.Logger)])
    shown = ipython.showtraceback

    def showtraceback(exc_tuple: Any = None, *args: Any, **kwargs: Any) -> Any:
        error = exc_tuple[1] if exc_tuple else sys.exc_info()[1]
        if isinstance(error, MemoryError):
            stop()
        return shown(exc_tuple, *args, **kwargs)

    ipython.showtraceback = showtraceback
