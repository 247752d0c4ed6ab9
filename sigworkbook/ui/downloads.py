"""Exports for the browser: write every format into the workspace, offer each as a download link."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets

from sigworkbook import __version__
from sigworkbook.exports import FORMATS, ExportError, charter_page, download_name, write_all
from sigworkbook.exports.templating import template_files
from sigworkbook.exports.timing import export_time
from sigworkbook.files import write_atomic
from sigworkbook.live.session import Session
from sigworkbook.markup import Markup
from sigworkbook.plan import catalogues
from sigworkbook.plan.wording import long_date
from sigworkbook.store import StoreError
from sigworkbook.ui import styles
from sigworkbook.ui.clicks import on_click
from sigworkbook.ui.parts import error_html
from sigworkbook.workspace import Loaded

CHARTER_PAGE = "charter.html"
"""The printable charter page, written beside the formats `write_all` writes."""

REVISION_MARKER = ".revision"
"""Written last into the exports folder: the revision every file there was written from."""

TEXT_TYPES = ("text/", "application/json")


@dataclass(frozen=True)
class Download:
    """One exported file: what it is, where it was written, its bytes and the name the browser
    saves it under (the SIG's current name, then the file name)."""

    file_name: str
    media_type: str
    description: str
    path: Path
    data: bytes
    save_as: str


def export_folder(session: Session) -> Path:
    """Where a SIG's exports are written: `exports/<sig-id>/` in the workspace."""
    return session.workspace.exports_dir / session.sig_id


@dataclass(frozen=True)
class Export:
    """One export run: the files written, from which revision, and when (UTC)."""

    downloads: list[Download]
    revision: int
    exported_at: dt.datetime


def _download_list(
    folder: Path, sig_id: str, name: str, page: bytes | None = None
) -> list[Download]:
    """Every export of SIG `sig_id` (now called `name`) in `folder`, with its bytes (the charter
    page's given, or read)."""
    kinds = [(f.file_name, f.media_type, f.description) for f in FORMATS.values()]
    kinds.append((CHARTER_PAGE, "text/html", "the charter as a page to print"))
    return [
        Download(
            file_name,
            media_type,
            description,
            folder / file_name,
            page
            if page is not None and file_name == CHARTER_PAGE
            else (folder / file_name).read_bytes(),
            download_name(sig_id, file_name, name),
        )
        for file_name, media_type, description in kinds
    ]


def fingerprint(revision: int) -> str:
    """What the exported files depend on: the plan's revision, and the package version, the
    templates and the catalogue in use (each file's path, size and modification time)."""
    parts = [f"revision {revision}", f"sigworkbook {__version__}"]
    for path in [*template_files(), catalogues.active().source]:
        try:
            status = path.stat()
            parts.append(f"{path}:{status.st_size}:{status.st_mtime_ns}")
        except OSError:
            parts.append(f"{path}:missing")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _written_before(folder: Path, sig_id: str, name: str, revision: int) -> Export | None:
    """The exports already in `folder` if all of them were written from `revision` with the
    templates and catalogue in use now, else None."""
    marker = folder / REVISION_MARKER
    try:
        if marker.read_text(encoding="ascii") != _marker_text(revision):
            return None
        written = dt.datetime.fromtimestamp(marker.stat().st_mtime, dt.UTC)
        return Export(_download_list(folder, sig_id, name), revision, written)
    except (OSError, ValueError):
        return None


def _marker_text(revision: int) -> str:
    return f"{revision}\n{fingerprint(revision)}\n"


def export_all(session: Session, *, reuse: bool = False) -> Export:
    """Write every export of the session's SIG as it is now.

    With `reuse`, files already written from the current revision (and the same templates and
    catalogue) are offered instead of being written again: the review page opens often, the
    plan changes less often. Every document is rendered before anything is written, so a
    failing template leaves the folder as it was. Raises ExportError naming the document or
    file at fault.
    """
    session.flush()
    with contextlib.suppress(StoreError):  # unreadable now: export what the page shows
        session.refresh()
    loaded = session.loaded
    folder = export_folder(session)
    name = loaded.plan.identity.name
    earlier = _written_before(folder, session.sig_id, name, loaded.revision) if reuse else None
    if earlier is not None:
        return earlier
    moment = export_time(None)
    plan = loaded.plan  # every document hides what is not revealed (exports.shareable)
    page = charter_page(plan, revision=loaded.revision, exported_at=moment).encode()
    marker = folder / REVISION_MARKER
    try:
        # Gone first, written last: files half rewritten are never taken for a finished set.
        marker.unlink(missing_ok=True)
    except OSError as error:
        raise ExportError(f"{marker}: cannot be removed ({error.strerror or error})") from None
    write_all(plan, folder, revision=loaded.revision, exported_at=moment)
    for path, data in ((folder / CHARTER_PAGE, page), (marker, None)):
        try:
            write_atomic(path, data if data is not None else _marker_text(loaded.revision).encode())
        except OSError as error:
            raise ExportError(f"{path}: cannot be written ({error.strerror or error})") from None
    return Export(_download_list(folder, session.sig_id, name, page), loaded.revision, moment)


def data_uri(media_type: str, data: bytes) -> str:
    """The bytes as a data: address the browser can save."""
    charset = ";charset=utf-8" if media_type.startswith(TEXT_TYPES) else ""
    return f"data:{media_type}{charset};base64,{base64.b64encode(data).decode('ascii')}"


def size_text(size: int) -> str:
    return f"{size} bytes" if size < 1024 else f"{size / 1024:.1f} KB"


def link_html(save_as: str, media_type: str, data: bytes, label: str) -> Markup:
    """A link that downloads `data` under the name `save_as`; every text escaped."""
    return Markup('<a class="swb-download" download="{}" href="{}">{}</a>').format(
        save_as, data_uri(media_type, data), label
    )


def files_html(files: Iterable[tuple[str, str, str, bytes]]) -> Markup:
    """A list of download links, one per (save as, media type, label, data), each with its
    name and size."""
    items = Markup("").join(
        Markup('<li>{} <span class="swb-help">{}, {}</span></li>').format(
            link_html(save_as, media_type, data, label), save_as, size_text(len(data))
        )
        for save_as, media_type, label, data in files
    )
    return Markup('<ul class="swb-downloads">{}</ul>').format(items)


def links_html(downloads: Sequence[Download]) -> Markup:
    """A list of download links, one per exported file."""
    return files_html(
        (d.save_as, d.media_type, d.description[:1].upper() + d.description[1:], d.data)
        for d in downloads
    )


class DownloadsPanel(widgets.VBox):
    """Exports the plan when the page opens, offers every file, and exports again on request."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.last: Export | None = None
        self.button = styles.button(
            "Export again",
            tooltip="Write every export again from the plan as it is now",
            fit=True,
            align="flex-start",
        )
        on_click(self.button, self.export, reads_typing=True)
        self.status = styles.html()
        self.links = styles.html()
        super().__init__([self.status, self.links, self.button], layout=styles.layout(width="100%"))
        self.add_class("swb-exports")
        session.on_change(self._plan_changed)
        self.export(reuse=True)

    def export(self, *, reuse: bool = False) -> bool:
        """Write every export now (or, with `reuse`, offer the files already written from this
        revision) and refresh the links; False (with the reason shown) on failure."""
        try:
            self.last = export_all(self.session, reuse=reuse)
        except ExportError as error:
            self.status.value = error_html(f"Export failed: {error}")
            return False
        self.links.value = links_html(self.last.downloads)
        self._show_status()
        return True

    @property
    def downloads(self) -> list[Download]:
        return self.last.downloads if self.last else []

    def _show_status(self) -> None:
        if self.last is None:
            return
        if self.session.loaded.revision != self.last.revision:
            self.status.value = (
                '<p class="swb-notice" role="status">The plan has changed since these files '
                'were written: choose "Export again" to include the changes.</p>'
            )
            return
        when = self.last.exported_at.astimezone()
        self.status.value = Markup(
            '<p class="swb-help" role="status">These files hold every change made up to '
            "{:%H:%M} on {}; a copy of each is also kept with the workbook.</p>"
        ).format(when, long_date(when.date()))

    def _plan_changed(self, loaded: Loaded) -> None:
        if self.last is not None:  # a renamed SIG's files are offered under its new name
            name = loaded.plan.identity.name
            renamed = [
                dataclasses.replace(
                    d, save_as=download_name(self.session.sig_id, d.file_name, name)
                )
                for d in self.last.downloads
            ]
            if renamed != self.last.downloads:
                self.last = dataclasses.replace(self.last, downloads=renamed)
                self.links.value = links_html(renamed)
        self._show_status()
