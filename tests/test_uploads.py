"""Upload buttons carry the largest file the page may send (the page's script refuses more)."""

from __future__ import annotations

import re

import ipywidgets as widgets

from conftest import DEMO_SIG
from sigworkbook.live.session import Session
from sigworkbook.ui.directory import DirectorySearch
from sigworkbook.ui.pages.core import ExistingGroups
from sigworkbook.ui.uploads import largest_upload
from sigworkbook.workspace import Workspace


def test_the_largest_upload_is_a_lists_limit_and_under_the_message_limit() -> None:
    assert largest_upload({"SIGWORKBOOK_MESSAGE_LIMIT_MB": "6"}) == 5_000_000
    assert largest_upload({"SIGWORKBOOK_MESSAGE_LIMIT_MB": "3"}) == 2_900_000


def _limit(upload: widgets.FileUpload) -> int:
    (found,) = [m for c in upload._dom_classes if (m := re.fullmatch(r"swb-upload-max-(\d+)", c))]
    return int(found[1])


def test_every_upload_button_tells_the_page_its_limit(ws: Workspace) -> None:
    session = Session(ws, DEMO_SIG, author="Ada")
    for upload in (DirectorySearch(session).upload, ExistingGroups(session).upload):
        assert _limit(upload) == largest_upload()
