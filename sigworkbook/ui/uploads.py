"""Upload buttons that refuse, in the page, a file too large to be sent to the kernel."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from sigworkbook import settings
from sigworkbook.lists.reading import MAX_BYTES

MESSAGE_MARGIN = 100_000
"""Room in the page's message for what goes with the file (its name, type and size)."""


def largest_upload(environ: Mapping[str, str] | None = None) -> int:
    """The largest file an upload button sends, in bytes: as large as a list may be, and
    always less than the largest message the server accepts (`message_limit_mb`), which
    would close the page's connection without a word."""
    message = settings.MESSAGE_LIMIT_MB.read(environ) * 1_000_000
    return min(MAX_BYTES, message - MESSAGE_MARGIN)


def limited(upload: widgets.FileUpload) -> widgets.FileUpload:
    """`upload` with its limit given to the page's script (the class swb-upload-max-BYTES),
    which refuses a larger file next to the button before anything is read or sent."""
    upload.add_class(f"swb-upload-max-{largest_upload()}")
    return upload
