"""Settings: where each is read from, in which order, and the docs that list them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigworkbook import settings
from sigworkbook.settings import CONFIG_FILE, SettingError

DOCS = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


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
