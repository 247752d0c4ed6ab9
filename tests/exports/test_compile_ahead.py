"""Templates compiled ahead (a pre-heated kernel waiting for its visitor) are not compiled again
when a page first renders them; a broken organisation's template is left for the render to say."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigworkbook import exports
from sigworkbook.exports import templating
from sigworkbook.exports.errors import ExportError


def cached(folder: Path | None, kind: str) -> set[str]:
    """The names of the templates the environment holds compiled."""
    env = templating._environment(folder, kind)
    return {name for _, name in env.cache} if env.cache is not None else set()


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGWORKBOOK_TEMPLATES", raising=False)
    templating._environment.cache_clear()


def test_the_charter_and_the_templates_it_includes_are_compiled_ahead() -> None:
    assert cached(None, "markdown") == set()
    exports.warm_up()
    assert cached(None, "markdown") == {"charter.md.j2", "_upcoming.md.j2", "_footer.md.j2"}


def test_an_organisations_broken_template_is_left_for_the_render_to_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "charter.md.j2").write_text("{% if %}", encoding="utf-8")
    monkeypatch.setenv("SIGWORKBOOK_TEMPLATES", str(tmp_path))
    exports.warm_up()  # says nothing
    with pytest.raises(ExportError, match=r"charter\.md\.j2:1"):
        templating.render_template("charter.md.j2", {}, templates=None, kind="markdown")


def test_a_missing_organisation_folder_is_left_for_the_render_to_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGWORKBOOK_TEMPLATES", str(tmp_path / "gone"))
    exports.warm_up()
    with pytest.raises(ExportError, match="does not exist"):
        templating.render_template("charter.md.j2", {}, templates=None, kind="markdown")
