"""The exports API: formats, determinism, writing a folder, template folders and their errors."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile import HOSTILE, demo_document, fill_plan
from markdown_it import MarkdownIt

from benchmarks.browser import CHROMIUM, CHROMIUM_FLAGS
from conftest import RunCli
from sigworkbook import exports
from sigworkbook.demo import DEMO_FILE
from sigworkbook.exports import FORMATS, ExportError
from sigworkbook.plan.model import Plan
from sigworkbook.resources import templates_dir

EXPORTED_AT = dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC)
FILE_NAMES = {
    "json": "plan.json",
    "markdown": "charter.md",
    "docx": "charter.docx",
    "listing": "listing.md",
    "listing-docx": "listing.docx",
    "invitation": "invitation.md",
    "invitation-eml": "invitation.eml",
    "ics": "schedule.ics",
    "schedule-csv": "schedule.csv",
    "promotion": "promotion-plan.md",
    "promotion-csv": "promotion-plan.csv",
}


@pytest.fixture(scope="module")
def demo() -> Plan:
    return Plan.model_validate(demo_document())


def render(format: str, plan: Plan, **options: Any) -> str:
    options.setdefault("revision", 5)
    options.setdefault("exported_at", EXPORTED_AT)
    return exports.render(format, plan, **options).decode("utf-8")


def test_the_formats_and_their_fixed_file_names() -> None:
    assert {name: f.file_name for name, f in FORMATS.items()} == FILE_NAMES
    with pytest.raises(TypeError):
        FORMATS["evil"] = FORMATS["json"]  # type: ignore[index]


def test_json_is_the_plan_as_the_cli_writes_it(demo: Plan) -> None:
    expected = json.dumps(demo.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    assert render("json", demo) == expected
    assert exports.plan_json(demo.model_dump(mode="json")) == expected
    assert Plan.model_validate(json.loads(render("json", demo))) == demo


def test_an_unknown_format_is_a_user_error_listing_the_formats(demo: Plan) -> None:
    with pytest.raises(
        ExportError, match=r"format 'pdf' is not one of: json, markdown, docx, listing"
    ):
        exports.render("pdf", demo, revision=1)


@pytest.mark.parametrize("format", list(FILE_NAMES))
def test_same_plan_and_date_give_byte_identical_files(format: str) -> None:
    plan = fill_plan(demo_document(), HOSTILE[0])
    first = exports.render(format, plan, revision=3, exported_at=EXPORTED_AT)
    again = exports.render(
        format, Plan.model_validate(plan.model_dump()), revision=3, exported_at=EXPORTED_AT
    )
    assert first == again


def test_the_export_date_comes_from_source_date_epoch(
    demo: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EXPORTED_AT.timestamp())))
    assert exports.render("markdown", demo, revision=5) == render("markdown", demo).encode()
    assert b"DTSTAMP:20270105T093000Z" in exports.render("ics", demo, revision=5)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ExportError, match="SOURCE_DATE_EPOCH: 'yesterday' is not a number"):
        exports.render("markdown", demo, revision=5)


def test_without_a_date_the_export_is_dated_now(
    demo: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data = exports.render("ics", demo, revision=5).decode()
    after = dt.datetime.now(dt.UTC)
    stamp = next(line for line in data.splitlines() if line.startswith("DTSTAMP:"))
    moment = dt.datetime.strptime(stamp, "DTSTAMP:%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert before <= moment <= after
    with pytest.raises(ExportError, match="exported_at"):
        exports.render("ics", demo, revision=5, exported_at=dt.datetime(2027, 1, 1))


def test_write_all_writes_every_document_under_its_fixed_name(tmp_path: Path) -> None:
    plan = fill_plan(demo_document(), "../../escape/<name>")
    folder = tmp_path / "out"
    written = exports.write_all(plan, folder, revision=2, exported_at=EXPORTED_AT)
    assert written == [folder / name for name in FILE_NAMES.values()]
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILE_NAMES.values())
    assert not (tmp_path / "escape").exists()
    for format, name in FILE_NAMES.items():
        expected = exports.render(format, plan, revision=2, exported_at=EXPORTED_AT)
        assert (folder / name).read_bytes() == expected


@pytest.fixture(params=[0o022, 0o027], ids=["umask-022", "umask-027"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under a known umask; the old one is back afterwards."""
    chosen: int = request.param
    old = os.umask(chosen)
    try:
        yield chosen
    finally:
        os.umask(old)


def test_exports_get_the_mode_of_any_new_file(umask: int, cli_ws: RunCli, tmp_path: Path) -> None:
    """Written exports are 0o666 less the umask, like a file from open(), not owner-only."""
    sig = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["id"]
    assert cli_ws("init", "--demo").code == 0
    folder = tmp_path / "out"
    assert cli_ws("export", sig, "--all", "-o", folder).code == 0
    single = tmp_path / "single" / "plan.json"
    assert cli_ws("export", sig, "-o", single).code == 0
    written = sorted(folder.iterdir())
    assert [path.name for path in written] == sorted(FILE_NAMES.values())
    for path in [*written, single]:
        assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~umask), path
    again = cli_ws("export", sig, "--all", "-o", folder)  # replacing keeps the same mode
    assert again.code == 0 and sorted(folder.iterdir()) == written
    assert {oct(path.stat().st_mode & 0o777) for path in written} == {oct(0o666 & ~umask)}


def test_write_all_writes_nothing_when_a_document_fails(tmp_path: Path, demo: Plan) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "promotion-plan.md.j2").write_text("# Promotion\n{{ no_such_thing }}\n")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "charter.md").write_text("the old charter")
    with pytest.raises(ExportError, match=r"promotion-plan\.md\.j2:2"):
        exports.write_all(demo, folder, revision=1, exported_at=EXPORTED_AT, templates=templates)
    assert [p.name for p in folder.iterdir()] == ["charter.md"]
    assert (folder / "charter.md").read_text() == "the old charter"


def test_write_all_into_a_file_is_a_user_error(tmp_path: Path, demo: Plan) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(ExportError, match="exists and is not a folder"):
        exports.write_all(demo, target, revision=1, exported_at=EXPORTED_AT)


# --- template folders ---------------------------------------------------------------------


def test_an_organisation_can_override_one_template_only(tmp_path: Path, demo: Plan) -> None:
    (tmp_path / "charter.md.j2").write_text(
        "# {{ name }} | Northvale network charter\n\n{{ plan.charter.purpose | block }}\n"
        '{% include "_footer.md.j2" %}',
        encoding="utf-8",
    )
    charter = render("markdown", demo, templates=tmp_path)
    assert charter.startswith(f"# {demo.identity.name} | Northvale network charter\n\n")
    assert "*Written by the core group on 5 January 2027.*" in charter
    assert render("listing", demo, templates=tmp_path) == render("listing", demo)
    html = exports.charter_html(demo, revision=5, exported_at=EXPORTED_AT, templates=tmp_path)
    assert "Northvale network charter" in html


def test_user_text_in_an_organisations_template_is_still_escaped(tmp_path: Path) -> None:
    (tmp_path / "listing.md.j2").write_text("Name: {{ name }}\n", encoding="utf-8")
    plan = fill_plan(demo_document(), "<b>*{{ 7*7 }}*</b>")
    assert render("listing", plan, templates=tmp_path) == "Name: \\<b>\\*{{ 7\\*7 }}\\*\\</b>\n"


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("# ok\n\n{% if %}\n", 3, "Expected an expression"),
        ("# ok\n{{ name }}\n{{ no_such_variable }}\n", 3, "'no_such_variable' is undefined"),
        (
            "# ok\n{% for x in plan.identity.key_phrases %}\n{{ x.nope.deeper }}\n{% endfor %}",
            3,
            "",
        ),
        ("# ok\n\n\n{{ plan.__class__.__mro__ }}\n", 4, "unsafe"),
        ("{% include 'nowhere.md.j2' %}\n", 1, "nowhere.md.j2"),
        ("{% extends 'base-missing.md.j2' %}\n", 1, "base-missing.md.j2"),
        ("\n\n{{ name | no_such_filter }}\n", 3, "No filter named 'no_such_filter'"),
    ],
)
def test_a_broken_template_names_its_file_and_line(
    tmp_path: Path, demo: Plan, source: str, line: int, message: str
) -> None:
    (tmp_path / "charter.md.j2").write_text(source, encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        render("markdown", demo, templates=tmp_path)
    text = str(caught.value)
    assert f"charter.md.j2:{line}" in text, text
    assert message in text


def test_a_broken_included_template_names_the_included_file(tmp_path: Path, demo: Plan) -> None:
    (tmp_path / "_footer.md.j2").write_text("\n---\n{{ revision }\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"_footer\.md\.j2:3"):
        render("listing", demo, templates=tmp_path)


def test_a_template_that_is_not_utf8_or_a_missing_folder_is_a_user_error(
    tmp_path: Path, demo: Plan
) -> None:
    (tmp_path / "charter.md.j2").write_bytes(b"\xff\xfe# Charter\n")
    with pytest.raises(ExportError, match=r"charter\.md\.j2: cannot be read"):
        render("markdown", demo, templates=tmp_path)
    with pytest.raises(ExportError, match=r"templates folder .*nowhere: does not exist"):
        render("markdown", demo, templates=tmp_path / "nowhere")


def test_the_packaged_templates_are_complete() -> None:
    folder = templates_dir()
    for name in ("charter.md.j2", "listing.md.j2", "invitation.md.j2", "promotion-plan.md.j2"):
        assert (folder / name).is_file(), name
    assert (folder / "charter.html.j2").is_file()


# --- the charter as HTML ------------------------------------------------------------------


def test_charter_html_is_the_rendered_markdown_with_user_html_escaped() -> None:
    plan = fill_plan(demo_document(), "<script>alert(1)</script> [x](javascript:alert(1))")
    html = exports.charter_html(plan, revision=5, exported_at=EXPORTED_AT)
    markdown = render("markdown", plan)
    assert html == MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert html.startswith(
        "<h1>&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1))</h1>"
    )


def test_the_charter_page_opens_in_chromium_as_a_finished_document(
    tmp_path: Path, demo: Plan
) -> None:
    page = exports.charter_page(demo, revision=5, exported_at=EXPORTED_AT)
    path = tmp_path / "charter.html"
    path.write_text(page, encoding="utf-8")
    flags = list(CHROMIUM_FLAGS)
    env = {**os.environ, "HOME": str(tmp_path)}
    shot = tmp_path / "charter.png"
    subprocess.run(
        [str(CHROMIUM), *flags, f"--screenshot={shot}", "--window-size=1000,3000", path.as_uri()],
        check=True,
        capture_output=True,
        timeout=60,
        env=env,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = subprocess.run(
        [str(CHROMIUM), *flags, "--dump-dom", path.as_uri()],
        check=True,
        capture_output=True,
        timeout=60,
        env=env,
        text=True,
    ).stdout
    assert f"<title>Charter · {demo.identity.name}</title>" in dom
    assert dom.count("<table>") == 5  # core group, measures, risks, upcoming, promotion
    assert "<h1>Home Safely</h1>" in dom and "Agreed by the core group on 5 January 2027" in dom
    assert "<script" not in dom
