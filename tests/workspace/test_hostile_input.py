"""Hostile input at the package and CLI levels: a clear error or safe literal text, nothing stray on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from strategies import complete_plan

from conftest import CliResult, RunCli
from sigworkbook.plan.people import clean_name
from sigworkbook.plan.validation import PlanError
from sigworkbook.workspace import Workspace

SIG = "walk-and-talk"


def one_line_error(result: CliResult, *says: str) -> None:
    assert result.code == 2, (result.out, result.err)
    assert len(result.err_lines) == 1 and "Traceback" not in result.err, result.err
    for text in says:
        assert text in result.err, result.err


def files_under(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")}


@pytest.fixture
def ws(cli_ws: RunCli, tmp_path: Path) -> RunCli:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(complete_plan(SIG)), encoding="utf-8")
    assert cli_ws("init").code == 0
    assert cli_ws("import", str(plan)).code == 0
    return cli_ws


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("bell\x07", "U+0007"),
        ("nul\x00byte", "U+0000"),
        ("escape \x1b[31mred", "U+001B"),
        ("two\nlines", "U+000A"),
    ],
)
def test_control_characters_are_refused_by_name(
    ws: RunCli, workspace_dir: Path, text: str, where: str
) -> None:
    before = files_under(workspace_dir)
    one_line_error(ws("set", SIG, "identity.name", text), "Name: ", where)
    assert files_under(workspace_dir) == before


def test_a_one_megabyte_paste_is_refused_and_saves_nothing(workspace: Workspace) -> None:
    workspace.new_sig("Paste")
    with pytest.raises(PlanError, match=r"What are we trying to do\?: is too long"):
        workspace.set("paste", "charter.purpose", "x" * 1_000_000)
    assert workspace.load("paste").revision == 1


@pytest.mark.parametrize(
    "text",
    [
        "مجموعة الاهتمام الخاص",  # right-to-left
        "שלום\u200f עולם",  # with a right-to-left mark
        "e\u0301\u0301 combining Z\u0336\u0336",
        "Team 🩺❤️‍🩹 👩🏽‍⚕️",
    ],
)
def test_unicode_is_kept_exactly_through_json_and_markdown(ws: RunCli, text: str) -> None:
    """Free text keeps every character; a name is kept as it looks (composed, without
    invisible marks: see test_names.py)."""
    assert ws("set", SIG, "identity.name", text).code == 0
    assert ws("set", SIG, "identity.description", text).code == 0
    exported = json.loads(ws("export", SIG, "--format", "json").out)
    assert exported["identity"]["description"] == text
    assert exported["identity"]["name"] == clean_name(text)
    charter = ws("export", SIG, "--format", "markdown").out
    assert charter.startswith(f"# {clean_name(text)}\n")


@pytest.mark.parametrize(
    "text",
    [
        "{{ 7*7 }}",
        "{% for x in range(3) %}loop{% endfor %}",
        "{{ ''.__class__.__mro__ }}",
        "<script>alert(1)</script>",
        "[click](https://evil.example)",
        '=HYPERLINK("https://evil.example")',
    ],
)
def test_injection_comes_out_as_literal_text(ws: RunCli, text: str, tmp_path: Path) -> None:
    assert ws("set", SIG, "identity.description", text).code == 0
    out = tmp_path / "out"
    assert ws("export", SIG, "--all", "-o", str(out)).code == 0
    listing = (out / "listing.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").parse(listing)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert not kinds & {"html_inline", "html_block", "link_open", "image"}
    rendered = MarkdownIt("commonmark").render(listing)
    visible = (
        rendered.replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )
    assert text in visible, "the text is shown to the reader exactly as typed"


@pytest.mark.parametrize("name", ["../../etc/passwd", "/absolute/path", "..", "a/b\\c", "CON"])
def test_path_tricks_in_sig_names_become_safe_ids(
    cli_ws: RunCli, workspace_dir: Path, name: str
) -> None:
    assert cli_ws("init").code == 0
    result = cli_ws("new", name)
    assert result.code == 0, result.err
    sig_id = result.out.strip()
    assert "/" not in sig_id and "\\" not in sig_id and ".." not in sig_id and sig_id
    assert files_under(workspace_dir) <= {
        Path("sigworkbook.db"),
        Path("sigworkbook.db-wal"),
        Path("sigworkbook.db-shm"),
    }


@pytest.mark.parametrize(
    "sig", ["../walk-and-talk", "/etc/passwd", "walk-and-talk/../x", "walk\x00"]
)
def test_path_tricks_as_sig_ids_are_unknown_sigs(ws: RunCli, sig: str) -> None:
    one_line_error(ws("show", sig))


def test_a_nul_in_an_export_path_is_a_clear_error(ws: RunCli, tmp_path: Path) -> None:
    one_line_error(
        ws("export", SIG, "--format", "markdown", "-o", str(tmp_path / "a\x00b.md")), "-o"
    )
    one_line_error(ws("export", SIG, "--all", "-o", str(tmp_path / "d\x00ir")), "-o")
    assert not list(tmp_path.glob("a*"))


def test_exporting_all_into_a_file_is_a_clear_error(ws: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep me", encoding="utf-8")
    one_line_error(ws("export", SIG, "--all", "-o", str(target)))
    assert target.read_text(encoding="utf-8") == "keep me"


def test_an_import_without_a_schema_version_is_refused(ws: RunCli, tmp_path: Path) -> None:
    document = complete_plan("other")
    del document["schema_version"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    one_line_error(ws("import", str(path)), "Schema version: is missing")


def test_a_fifty_megabyte_import_is_refused_before_reading(
    ws: RunCli, workspace_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)
    before = files_under(workspace_dir)
    one_line_error(ws("import", str(path)), "huge.json", "larger than a plan can be")
    assert files_under(workspace_dir) == before


@pytest.mark.parametrize(
    "change",
    [
        {"identity": {"name": 42}},
        {"identity": {"key_phrases": "not a list"}},
        {"charter": {"measures": [{"indicator": "x", "surprise": 1}]}},
        {"schedule": {"activities": [{"start": "2026-02-30T10:00"}]}},
        {"id": "../../escape"},
    ],
)
def test_malformed_imports_are_refused_whole(
    ws: RunCli, tmp_path: Path, change: dict[str, object]
) -> None:
    document = complete_plan("fresh")
    for section, value in change.items():
        document[section] = {**document[section], **value} if isinstance(value, dict) else value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    one_line_error(ws("import", str(path)))
    assert "fresh" not in ws("list").out
