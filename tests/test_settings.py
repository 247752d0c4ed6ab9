"""Settings: where each is read from, in which order, and the docs that list them all."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from repo_paths import REPO

from sigworkbook import settings
from sigworkbook.settings import CONFIG_FILE, SettingError

DOCS = REPO / "docs" / "settings.md"


def test_the_docs_list_every_setting_with_its_default() -> None:
    assert DOCS.read_text(encoding="utf-8").endswith(settings.reference())
    for setting in settings.ALL:
        assert f"`{setting.env}`" in settings.reference()


def test_environment_beats_the_workspace_file_which_beats_the_default(tmp_path: Path) -> None:
    environ = {settings.WORKSPACE.env: str(tmp_path)}
    assert settings.BUSY_TIMEOUT.read(environ) == 30.0
    (tmp_path / CONFIG_FILE).write_text("busy_timeout = 12\n", encoding="utf-8")
    assert settings.BUSY_TIMEOUT.read(environ) == 12.0
    environ[settings.BUSY_TIMEOUT.env] = "3.5"
    assert settings.BUSY_TIMEOUT.read(environ) == 3.5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("busy_timeout = 'soon'\n", f"{CONFIG_FILE}: busy_timeout: 'soon' is not a number"),
        ("busy_timout = 3\n", "busy_timout is not a setting"),
        ("busy_timeout = \n", "is not valid TOML"),
    ],
)
def test_a_bad_workspace_file_names_the_setting(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / CONFIG_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(SettingError, match=message):
        settings.BUSY_TIMEOUT.read({settings.WORKSPACE.env: str(tmp_path)})


def test_a_secret_is_never_repeated_in_a_message(tmp_path: Path) -> None:
    secret = "postgresql://sig:hunter2@db/x"
    broken = settings.Setting("database", "X_DATABASE", None, "", _refuse, secret=True)
    with pytest.raises(SettingError) as raised:
        broken.read({"X_DATABASE": secret, settings.WORKSPACE.env: str(tmp_path)})
    assert "hunter2" not in str(raised.value)
    assert "X_DATABASE" in str(raised.value)


def _refuse(raw: str) -> str:
    raise ValueError(f"cannot use {raw}")


def _same_time(path: Path, like: os.stat_result) -> None:
    os.utime(path, ns=(like.st_atime_ns, like.st_mtime_ns))


def test_the_workspace_file_is_read_once_and_again_only_when_it_changes(tmp_path: Path) -> None:
    """Every keystroke reads a setting (the save delay): the file is parsed once per process,
    and again only when its time or size changes."""
    environ = {settings.WORKSPACE.env: str(tmp_path)}
    path = tmp_path / CONFIG_FILE
    path.write_text("save_delay = 0.5\n", encoding="utf-8")
    assert settings.SAVE_DELAY.read(environ) == 0.5
    before = path.stat()
    path.write_text("save_delay = 0.9\n", encoding="utf-8")  # same size and (restored) time
    _same_time(path, before)
    assert settings.SAVE_DELAY.read(environ) == 0.5, "not read again: unchanged to a stat"
    path.write_text("save_delay = 0.75\n", encoding="utf-8")  # a new size
    assert settings.SAVE_DELAY.read(environ) == 0.75
    path.unlink()
    assert settings.SAVE_DELAY.read(environ) == settings.SAVE_DELAY.default


def test_a_bad_value_stops_the_first_read_of_any_setting_naming_the_setting(
    tmp_path: Path,
) -> None:
    """The whole file is checked when it is read: a page or command that starts with a bad
    file stops at once with one line, whichever setting it reads first."""
    (tmp_path / CONFIG_FILE).write_text("busy_timeout = 'soon'\n", encoding="utf-8")
    with pytest.raises(SettingError, match=f"{CONFIG_FILE}: busy_timeout: 'soon' is not a"):
        settings.SAVE_DELAY.read({settings.WORKSPACE.env: str(tmp_path)})


def test_a_file_broken_while_running_is_logged_once_and_the_last_good_values_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A file that turns invalid after a page started is never an error inside a widget
    callback (a keystroke reads the save delay): it is said once in the server's log."""
    environ = {settings.WORKSPACE.env: str(tmp_path)}
    path = tmp_path / CONFIG_FILE
    path.write_text("save_delay = 0.5\n", encoding="utf-8")
    assert settings.SAVE_DELAY.read(environ) == 0.5
    path.write_text("save_delay = 'later'\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="sigworkbook.settings"):
        for _ in range(3):
            assert settings.SAVE_DELAY.read(environ) == 0.5
    assert len(caplog.records) == 1
    assert "save_delay" in caplog.records[0].getMessage()
    assert "kept until it is put right" in caplog.records[0].getMessage()
    path.write_text("save_delay = 0.25\n", encoding="utf-8")
    assert settings.SAVE_DELAY.read(environ) == 0.25


def test_the_cull_default_is_declared_once() -> None:
    from sigworkbook.app import voila_config

    assert not hasattr(voila_config, "CULL_IDLE_TIMEOUT_S")
    options = voila_config.ServeOptions(
        notebooks=Path("."), port=8866, host="127.0.0.1", token=None
    )
    assert options.cull_idle_timeout == settings.CULL_IDLE_TIMEOUT.default
