"""Script files whose names carry a hash of their content, served to be cached for a year."""

from __future__ import annotations

import re

from jupyter_server.base.handlers import FileFindHandler

HASHED_NAME = re.compile(r"(?:^|\.)[0-9a-f]{8,}\.(?:js|css|woff2?|ttf|svg|png)$")
"""A bundler's output name: `remoteEntry.5cbb9d2323598fbda535.js`, `568.1e2faa2b.js`."""

IMMUTABLE = "public, max-age=31536000, immutable"


class HashedAssetHandler(FileFindHandler):
    """Voila's static files, with the widget extensions' bundles cached by the browser.

    Voila serves `/voila/labextensions/` with "no-cache", so every page asked the server again
    for each of the widget manager's and anywidget's 20-odd script files (a 304 each, in three
    waves, 50-70 ms of every page load before any widget could show). A file whose name holds
    the hash of its content never changes under that name: an upgrade brings new names. Files
    without a hash in their name (`style.js`, `package.json`) are still checked every time.
    """

    def set_headers(self) -> None:
        super().set_headers()
        if HASHED_NAME.search(self.request.path.rsplit("/", 1)[-1]):
            self.set_header("Cache-Control", IMMUTABLE)
