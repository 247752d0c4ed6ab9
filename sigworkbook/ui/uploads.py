"""Upload buttons that refuse, in the page, a file too large to be sent to the kernel."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from sigworkbook import settings
from sigworkbook.lists.reading import MAX_BYTES

ACCEPTED_FILES = (
    ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
"""What an upload button offers: Excel workbooks and CSV files."""
MESSAGE_MARGIN = 100_000
"""Room in the page's message for what goes with the file (its name, type and size)."""


def largest_upload(environ: Mapping[str, str] | None = None) -> int:
    """The largest file an upload button sends, in bytes: as large as a list may be, and
    always less than the largest message the server accepts (`message_limit_mb`), which
    would close the page's connection without a word."""
    message = settings.MESSAGE_LIMIT_MB.read(environ) * 1_000_000
    return min(MAX_BYTES, message - MESSAGE_MARGIN)


def list_upload(description: str, tooltip: str, layout: widgets.Layout) -> widgets.FileUpload:
    """An upload button for one list (Excel or CSV), its limit given to the page's script (the
    class swb-upload-max-BYTES), which refuses a larger file under the button before anything
    is read or sent."""
    upload = widgets.FileUpload(
        accept=ACCEPTED_FILES,
        multiple=False,
        description=description,
        tooltip=tooltip,
        layout=layout,
    )
    upload.add_class(f"swb-upload-max-{largest_upload()}")
    return upload
