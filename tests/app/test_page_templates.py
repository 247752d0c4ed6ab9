"""The page templates are compiled once per server: a later exporter's environment reuses them,
and a template edited meanwhile is compiled again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import jinja2
import pytest
from voila.paths import collect_template_paths

from sigworkbook.app.page_templates import CompiledOnceExporter
from sigworkbook.app.voila_config import TEMPLATE_NAME


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from source from now on."""
    names: list[str] = []
    real = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: object, name: str | None = None, *a: object):  # type: ignore[no-untyped-def]
        names.append(str(name))
        return real(self, source, name, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return names


def exporter(paths: list[str], name: str) -> CompiledOnceExporter:
    return CompiledOnceExporter(template_paths=paths, template_name=name)


def test_the_pages_template_is_compiled_for_the_first_page_only(compiled: list[str]) -> None:
    paths = collect_template_paths(["voila", "nbconvert"], TEMPLATE_NAME, prune=True)
    first = exporter(paths, TEMPLATE_NAME).environment
    assert first.is_async  # as Voila renders pages
    first.get_template("index.html.j2")
    assert "index.html.j2" in compiled
    compiled.clear()
    later = exporter(paths, TEMPLATE_NAME).environment
    assert later is not first
    later.get_template("index.html.j2")
    assert compiled == []


def test_a_template_edited_meanwhile_is_compiled_again(tmp_path: Path, compiled: list[str]) -> None:
    page = tmp_path / "page.html.j2"
    page.write_text("one {{ 1 + 1 }}", encoding="utf-8")
    env = exporter([str(tmp_path)], "x").environment
    env.get_template("page.html.j2")
    page.write_text("two {{ 2 + 2 }}", encoding="utf-8")
    compiled.clear()
    again = exporter([str(tmp_path)], "x").environment
    template = again.get_template("page.html.j2")
    assert compiled == ["page.html.j2"]
    assert asyncio.run(template.render_async()) == "two 4"
