"""Store backends are found through the ``sigworkbook.stores`` entry point group: another
installed package adds one (a URL scheme) without editing sigworkbook."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigworkbook.store import StoreError, open_store
from sigworkbook.workspace import Workspace

OPENER = '''
from pathlib import Path

from sigworkbook.store.sqlite import SQLiteStore


def open_url(url, create, busy_timeout):
    """A 'memo://' database: an SQLite file under another name, as a third party might."""
    return SQLiteStore(Path(url.split("://", 1)[1]), create=create, busy_timeout=busy_timeout)
'''


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package installed beside sigworkbook (its module and dist-info on sys.path) that
    declares a store backend for the scheme 'memo'."""
    site = tmp_path / "site"
    info = site / "memo_store-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: memo-store\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[sigworkbook.stores]\nmemo = memo_store:open_url\n")
    (site / "memo_store.py").write_text(OPENER)
    monkeypatch.syspath_prepend(str(site))
    return tmp_path


def test_a_backend_another_package_declares_opens_its_urls(installed: Path) -> None:
    url = f"memo://{installed / 'plans.db'}"
    with Workspace.open(installed / "ws", create=True, database=url) as workspace:
        sig_id = workspace.new_sig("Walking group").plan.id
    with Workspace.open(installed / "ws", database=url) as workspace:
        assert workspace.title(sig_id) == "Walking group"
        assert workspace.location == str(installed / "plans.db")


def test_an_unknown_scheme_names_every_installed_backend(installed: Path) -> None:
    with pytest.raises(StoreError) as raised:
        open_store("mysql://localhost/plans")
    assert str(raised.value).endswith("it must start with memo://, postgresql://, sqlite://")
