"""The `sigworkbook` command line: every verb, its exit codes, and one-line user errors."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from repo_paths import PACKAGE
from strategies import complete_plan

from conftest import CliResult, RunCli
from sigworkbook.demo import DEMO_FILE
from sigworkbook.plan.steps import STEPS
from sigworkbook.workspace import DATABASE_NAME, Workspace

SIG = "walk-and-talk"  # complete_plan()'s id


def ok(result: CliResult) -> CliResult:
    assert result.code == 0, str(result)
    assert result.err == "", str(result)
    return result


def user_error(result: CliResult, verb: str, *says: str) -> str:
    """Assert the run failed as a user error: exit 2, one line on stderr naming the verb."""
    assert result.code == 2, str(result)
    assert len(result.err_lines) == 1, str(result)
    assert result.err.endswith("\n")
    assert "Traceback" not in result.err
    assert result.out == "", str(result)
    line = result.err_lines[0]
    assert line.startswith(f"sigworkbook {verb}: " if verb else "sigworkbook: "), line
    for text in says:
        assert text in line, line
    return line


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def plan_in(folder: Path, sig_id: str = SIG) -> dict[str, Any]:
    with Workspace.open(folder) as workspace:
        return workspace.load(sig_id).plan.model_dump(mode="json")


def revision_in(folder: Path, sig_id: str = SIG) -> int:
    with Workspace.open(folder) as workspace:
        return workspace.load(sig_id).revision


@pytest.fixture
def filled(cli_ws: RunCli, tmp_path: Path) -> RunCli:
    """A workspace holding complete_plan(), SIG 'walk-and-talk', at revision 1."""
    ok(cli_ws("init"))
    ok(cli_ws("import", write_json(tmp_path / "complete.json", complete_plan())))
    return cli_ws


# --- init, new, list, show ------------------------------------------------------------------


def test_init_creates_the_workspace(cli_ws: RunCli, workspace_dir: Path) -> None:
    result = ok(cli_ws("init"))
    assert result.out == f"Workspace ready at {workspace_dir.resolve()}\n"
    assert (workspace_dir / DATABASE_NAME).is_file()
    ok(cli_ws("init"))  # again: nothing lost, nothing refused
    assert ok(cli_ws("list")).out == ""


def test_init_demo_adds_the_demo_sig_once(cli_ws: RunCli, workspace_dir: Path) -> None:
    demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    result = ok(cli_ws("init", "--demo"))
    assert f"with id {demo['id']}" in result.out
    assert f"'{demo['identity']['name']}'" in result.out
    assert "created" in result.out and "already there" not in result.out
    again = ok(cli_ws("init", "--demo")).out.splitlines()
    assert again[1] == (
        f"Demo SIG '{demo['identity']['name']}' is already there with id {demo['id']}"
        " (revision 1): left as it is"
    )
    assert "created" not in again[1]
    listed = ok(cli_ws("list")).out.splitlines()
    assert listed == [f"{demo['id']}\t{demo['identity']['name']}\trevision 1"]
    plan = plan_in(workspace_dir, demo["id"])
    assert len(plan["schedule"]["activities"]) >= 2
    assert len(plan["promotion"]["actions"]) >= 2


def test_init_demo_leaves_an_edited_demo_as_it_is(cli_ws: RunCli, workspace_dir: Path) -> None:
    demo_id = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["id"]
    ok(cli_ws("init", "--demo"))
    ok(cli_ws("set", demo_id, "identity.theme", "Our own theme"))
    result = ok(cli_ws("init", "--demo"))
    assert result.out.splitlines()[1].endswith("(revision 2): left as it is"), result.out
    assert plan_in(workspace_dir, demo_id)["identity"]["theme"] == "Our own theme"
    assert revision_in(workspace_dir, demo_id) == 2


def test_new_prints_unique_ids(cli_ws: RunCli) -> None:
    ok(cli_ws("init"))
    assert ok(cli_ws("new", "Home Safely")).out == "home-safely\n"
    assert ok(cli_ws("new", "Home Safely")).out == "home-safely-2\n"
    assert ok(cli_ws("new", "Café Society")).out == "cafe-society\n"
    assert ok(cli_ws("list")).out.splitlines() == [
        "cafe-society\tCafé Society\trevision 1",
        "home-safely\tHome Safely\trevision 1",
        "home-safely-2\tHome Safely\trevision 1",
    ]


def test_new_refuses_a_bad_name(cli_ws: RunCli) -> None:
    ok(cli_ws("init"))
    user_error(cli_ws("new", "x" * 81), "new", "Name: ", "at most 80")
    assert ok(cli_ws("list")).out == ""


def test_show_summarises_progress(filled: RunCli) -> None:
    filled("set", SIG, "identity.theme", "")
    lines = ok(filled("show", SIG)).out.splitlines()
    assert lines[0] == f"Walk and Talk  [{SIG}, revision 2]"
    assert lines[1].startswith("Clinicians and patients")
    steps = {step.label: line for step in STEPS for line in lines if step.label in line}
    assert set(steps) == {step.label for step in STEPS}
    name = re.search(r" (\d+)%  1 to do$", steps["2. Name and description"])
    assert name and 0 < int(name.group(1)) < 100
    assert steps["3. Charter"].endswith(" 100%  done")


def test_show_json_is_the_plan(filled: RunCli, workspace_dir: Path) -> None:
    shown = json.loads(ok(filled("show", SIG, "--json")).out)
    assert shown == plan_in(workspace_dir)


# --- set ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "raw", "stored"),
    [
        pytest.param("identity.name", "Walk on", "Walk on", id="plain-text"),
        pytest.param("identity.name", '"Walk on"', "Walk on", id="json-string-for-text"),
        pytest.param("identity.name", '"unclosed', '"unclosed', id="not-json-stays-text"),
        pytest.param("identity.theme", "42", "42", id="number-like-text"),
        pytest.param("identity.theme", "[1, 2]", "[1, 2]", id="list-like-text"),
        pytest.param(
            "identity.description", "Line one\nline two", "Line one\nline two", id="prose"
        ),
        pytest.param(
            "identity.key_phrases", '["walking", "recovery", "at home"]', None, id="json-list"
        ),
        pytest.param("meeting.length_minutes", "120", 120, id="json-number"),
        pytest.param("core_group.people.0.network_member", "false", False, id="json-bool"),
        pytest.param("charter.review_date", "2027-06-30", "2027-06-30", id="bare-date"),
        pytest.param("charter.review_date", '"2027-06-30"', "2027-06-30", id="json-date"),
        pytest.param("charter.review_date", "null", None, id="json-null-clears"),
        pytest.param(
            "schedule.activities.0.start", "2026-11-03T12:30:00", "2026-11-03T12:30:00", id="time"
        ),
        pytest.param("charter.lifecycle_stage", "coalescing", "coalescing", id="bare-choice"),
        pytest.param(
            "core_group.people",
            '[{"id": "newone", "name": "Zoe", "role": "sponsor"}]',
            None,
            id="json-rows",
        ),
    ],
)
def test_set(filled: RunCli, workspace_dir: Path, path: str, raw: str, stored: Any) -> None:
    result = ok(filled("set", SIG, path, raw))
    assert result.out == f"{SIG}: {path} saved (revision 2)\n"
    expected = json.loads(raw) if stored is None and raw != "null" else stored
    value: Any = plan_in(workspace_dir)
    for part in path.split("."):
        value = value[int(part)] if part.isdigit() else value[part]
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):
        assert [{k: row[k] for k in expected[0]} for row in value] == expected
    else:
        assert value == expected


def test_set_records_the_author(filled: RunCli) -> None:
    ok(filled("--author", "Ada", "set", SIG, "identity.theme", "Walking"))
    assert "Ada" in ok(filled("history", SIG)).out.splitlines()[0]


def _authors(run: RunCli) -> list[str]:
    return [line.split()[3] for line in ok(run("history", SIG)).out.splitlines()]


def test_set_without_a_name_records_the_environments_or_the_computers_user(
    filled: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No edit from the command line is by nobody: --author, else $SIGWORKBOOK_AUTHOR, else
    the user name on this computer, which the command says it used."""
    monkeypatch.delenv("SIGWORKBOOK_AUTHOR", raising=False)  # the test run's own (nbval)
    login = {"LOGNAME": "ada-login", "USER": "ada-login"}
    result = filled("set", SIG, "identity.theme", "Walking", env=login)
    assert result.code == 0 and "saved" in result.out
    assert "Recorded as 'ada-login', your user name on this computer" in result.err
    named = ok(
        filled("set", SIG, "identity.theme", "Running", env={**login, "SIGWORKBOOK_AUTHOR": "Bo"})
    )
    assert "Recorded as" not in named.err
    ok(filled("--author", "Cy", "set", SIG, "identity.theme", "Rowing", env=login))
    assert _authors(filled)[:3] == ["Cy", "Bo", "ada-login"]
    assert "-" not in _authors(filled)


def test_an_edit_saved_without_a_name_reads_unnamed_in_the_history(
    cli_ws: RunCli, workspace_dir: Path
) -> None:
    ok(cli_ws("init"))
    with Workspace.open(workspace_dir) as opened:  # as an older page could, with no name
        sig = opened.new_sig("Older Group").plan.id
    [line] = ok(cli_ws("history", sig)).out.splitlines()
    assert line.split()[3] == "(unnamed)"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(
            ("meeting.length_minutes", "two hours"),
            ["Meeting length (minutes)", "expects a JSON value"],
            id="not-json",
        ),
        pytest.param(
            ("meeting.length_minutes", "1000"),
            ["Meeting length (minutes): ", "less than or equal to 480"],
            id="over-maximum",
        ),
        pytest.param(
            ("charter.review_date", "2026-02-30"),
            ["Charter review date: "],
            id="impossible-date",
        ),
        pytest.param(
            ("identity.name", "two\nlines"),
            ["Name: ", "single line"],
            id="newline-in-line",
        ),
        pytest.param(
            ("schedule.activities.0.timezone", "../../etc/passwd"),
            ["Activity 1", ": Time zone: ", "not a known time zone"],
            id="time-zone-path",
        ),
        pytest.param(
            ("core_group.people.0.role", "wizard"),
            ["Person 1", ": Role: ", "not in the roles list"],
            id="catalogue",
        ),
        pytest.param(("id", "new-id"), ["SIG id: ", "cannot be changed"], id="read-only-id"),
        pytest.param(("schema_version", "2"), ["Schema version"], id="read-only-version"),
        pytest.param(
            ("identity.nickname", "x"), ["identity.nickname", "not a field"], id="unknown-field"
        ),
        pytest.param(
            ("schedule.activities.7.title", "x"),
            ["Activity 8: Title: ", "row may be gone"],
            id="no-such-row",
        ),
        pytest.param(("identity..name", "x"), ["identity..name"], id="malformed-path"),
    ],
)
def test_set_refused_saves_nothing(
    filled: RunCli, workspace_dir: Path, args: tuple[str, str], says: list[str]
) -> None:
    before = plan_in(workspace_dir)
    user_error(filled("set", SIG, *args), "set", *says)
    assert revision_in(workspace_dir) == 1
    assert plan_in(workspace_dir) == before


# --- check ----------------------------------------------------------------------------------


def test_check_lists_gaps_per_step(cli_ws: RunCli) -> None:
    ok(cli_ws("init"))
    sig_id = ok(cli_ws("new", "Walk")).out.strip()
    result = cli_ws("check", sig_id)
    assert result.code == 0, str(result)
    lines = result.out.splitlines()
    assert "2. Name and description:" in lines
    assert "  - Theme: not written yet" in lines
    assert "  - Name: no name chosen yet" not in lines
    count = sum(line.startswith("  - ") for line in lines)
    assert lines[-1] == f"{count} gaps"
    strict = cli_ws("check", "--strict", sig_id)
    assert (strict.code, strict.out) == (1, result.out)


def test_check_without_gaps(filled: RunCli) -> None:
    for args in (("check", SIG), ("check", SIG, "--strict")):
        assert ok(filled(*args)).out == "No gaps: every step is complete.\n"


def test_check_strict_on_the_demo(cli_ws: RunCli) -> None:
    ok(cli_ws("init", "--demo"))
    demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    assert ok(cli_ws("check", "--strict", demo["id"])).out.startswith("No gaps")


# --- export and import ----------------------------------------------------------------------


def test_export_json_to_stdout(filled: RunCli, workspace_dir: Path) -> None:
    text = ok(filled("export", SIG, "--format", "json")).out
    assert json.loads(text) == plan_in(workspace_dir)
    assert text == ok(filled("export", SIG)).out  # json is the default
    assert text == ok(filled("export", SIG, "--format", "json", "-o", "-")).out
    assert text.endswith("}\n")


def test_export_json_to_a_file(filled: RunCli, workspace_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "deeper" / "plan.json"
    result = ok(filled("export", SIG, "--format", "json", "-o", target))
    assert result.out == f"Wrote {target}\n"
    assert json.loads(target.read_text(encoding="utf-8")) == plan_in(workspace_dir)
    assert [p.name for p in target.parent.iterdir()] == ["plan.json"]  # no temporary left


def test_export_keeps_unicode_readable(filled: RunCli) -> None:
    ok(filled("set", SIG, "identity.name", "Café ☕"))
    assert '"name": "Café ☕"' in ok(filled("export", SIG)).out


def test_export_import_between_workspaces(filled: RunCli, run_cli: RunCli, tmp_path: Path) -> None:
    exported = tmp_path / "plan.json"
    ok(filled("export", SIG, "--format", "json", "-o", exported))
    other = tmp_path / "other"
    ok(run_cli("--workspace", other, "init"))
    result = ok(run_cli("--workspace", other, "import", exported))
    assert result.out == f"Imported '{SIG}' (revision 1)\n"
    assert ok(run_cli("--workspace", other, "export", SIG)).out == exported.read_text("utf-8")


def test_import_existing_needs_replace(filled: RunCli, workspace_dir: Path, tmp_path: Path) -> None:
    document = complete_plan()
    document["identity"]["name"] = "Walk and Talk 2"
    path = write_json(tmp_path / "changed.json", document)
    user_error(filled("import", path), "import", f"'{SIG}' exists already", "--replace")
    assert revision_in(workspace_dir) == 1
    assert ok(filled("import", "--replace", path)).out == f"Imported '{SIG}' (revision 2)\n"
    assert plan_in(workspace_dir)["identity"]["name"] == "Walk and Talk 2"
    ok(filled("restore", SIG, "1"))
    assert plan_in(workspace_dir)["identity"]["name"] == "Walk and Talk"


def malformed(tmp_path: Path) -> Path:
    path = tmp_path / "bad.json"
    path.write_text('{"id": "x", "identity": {"name": "x",}}', encoding="utf-8")
    return path


def wrong_type(tmp_path: Path) -> Path:
    return write_json(tmp_path / "bad.json", {**complete_plan(), "identity": {"name": 42}})


def unknown_field(tmp_path: Path) -> Path:
    document = complete_plan()
    document["charter"]["budget"] = 1000
    return write_json(tmp_path / "bad.json", document)


def too_large(tmp_path: Path) -> Path:
    document = complete_plan()
    document["identity"]["description"] = "x" * (5 * 1024 * 1024)
    return write_json(tmp_path / "bad.json", document)


def not_utf8(tmp_path: Path) -> Path:
    path = tmp_path / "bad.json"
    path.write_bytes(json.dumps(complete_plan()).replace("Walk", "W\xe4lk").encode("latin-1"))
    return path


def a_list(tmp_path: Path) -> Path:
    return write_json(tmp_path / "bad.json", [complete_plan()])


def newer(tmp_path: Path) -> Path:
    return write_json(tmp_path / "bad.json", {**complete_plan(), "schema_version": 2})


def several_problems(tmp_path: Path) -> Path:
    document = complete_plan()
    document["identity"]["name"] = "x" * 81
    document["schedule"]["activities"][0]["start"] = "2026-10-06T12:30:00+02:00"
    return write_json(tmp_path / "bad.json", document)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        pytest.param(malformed, ["bad.json: not valid JSON (line 1, column"], id="malformed"),
        pytest.param(wrong_type, ["Name: ", "valid string"], id="wrong-type"),
        pytest.param(unknown_field, ["“budget” in Charter: is not a field"], id="unknown-field"),
        pytest.param(too_large, ["bad.json", "larger than a plan can be"], id="too-large"),
        pytest.param(not_utf8, ["bad.json: not UTF-8"], id="not-utf8"),
        pytest.param(a_list, ["one JSON object"], id="not-an-object"),
        pytest.param(newer, ["Schema version: 2 is newer"], id="newer-schema"),
        pytest.param(
            several_problems,
            ["Name: ", ": Starts: "],
            id="every-problem-on-one-line",
        ),
        pytest.param(
            lambda tmp_path: tmp_path / "missing.json",
            ["missing.json: cannot be read"],
            id="missing-file",
        ),
    ],
)
def test_import_refused_writes_nothing(
    cli_ws: RunCli, workspace_dir: Path, tmp_path: Path, make: Any, says: list[str]
) -> None:
    ok(cli_ws("init"))
    user_error(cli_ws("import", make(tmp_path)), "import", *says)
    with Workspace.open(workspace_dir) as workspace:
        assert workspace.sig_ids() == []


# --- history and restore --------------------------------------------------------------------


@pytest.fixture
def edited(filled: RunCli) -> RunCli:
    """Revisions: 1 import, 2 name 'Second', 3 theme 'Walks', 4 name 'Third'."""
    ok(filled("--author", "Ada", "set", SIG, "identity.name", "Second"))
    ok(filled("set", SIG, "identity.theme", "Walks"))
    ok(filled("set", SIG, "identity.name", "Third"))
    return filled


def test_history_newest_first(edited: RunCli) -> None:
    lines = ok(edited("history", SIG)).out.splitlines()
    assert [int(line.split()[0]) for line in lines] == [4, 3, 2, 1]
    assert lines[0].split()[-2:] == ["identity.name", '"Third"']
    assert "Ada" in lines[2]
    assert "create" in lines[3]
    assert "(whole plan)" in lines[3]


def test_history_of_one_field(edited: RunCli) -> None:
    lines = ok(edited("history", SIG, "--field", "identity.name")).out.splitlines()
    assert [int(line.split()[0]) for line in lines] == [4, 2]


def test_restore_whole_plan(edited: RunCli, workspace_dir: Path) -> None:
    result = ok(edited("restore", SIG, "2"))
    assert result.out == "Restored the plan to revision 2 (now revision 5)\n"
    identity = plan_in(workspace_dir)["identity"]
    assert (identity["name"], identity["theme"]) == ("Second", "Rehabilitation")
    lines = ok(edited("history", SIG)).out.splitlines()
    assert [int(line.split()[0]) for line in lines] == [5, 4, 3, 2, 1]
    assert "restored revision 2" in lines[0]


def test_restore_one_field(edited: RunCli, workspace_dir: Path) -> None:
    result = ok(edited("restore", SIG, "2", "--field", "identity.name"))
    assert result.out == "Restored identity.name to revision 2 (now revision 5)\n"
    identity = plan_in(workspace_dir)["identity"]
    assert (identity["name"], identity["theme"]) == ("Second", "Walks")


def test_restoring_the_current_state_says_nothing_changed(
    edited: RunCli, workspace_dir: Path
) -> None:
    result = ok(edited("restore", SIG, "4"))
    assert (
        result.out
        == "The plan is already as it was at revision 4: nothing changed (still revision 4)\n"
    )
    result = ok(edited("restore", SIG, "3", "--field", "identity.theme"))
    assert result.out == (
        "identity.theme is already as it was at revision 3: nothing changed (still revision 4)\n"
    )
    assert revision_in(workspace_dir) == 4


def test_setting_the_same_value_says_nothing_changed(edited: RunCli, workspace_dir: Path) -> None:
    result = ok(edited("set", SIG, "identity.name", "Third"))
    assert result.out == f"{SIG}: identity.name already had that value (still revision 4)\n"
    assert revision_in(workspace_dir) == 4


@pytest.mark.parametrize(
    ("args", "says"),
    [
        pytest.param(("9",), ["revision 9 does not exist", "1 to 4"], id="future"),
        pytest.param(("0",), ["revision 0 does not exist"], id="zero"),
        pytest.param(("2", "--field", "id"), ["SIG id: cannot be changed"], id="read-only"),
        pytest.param(
            ("2", "--field", "identity.nick"),
            ["“nick” in Name and description"],
            id="unknown-field",
        ),
    ],
)
def test_restore_refused(
    edited: RunCli, workspace_dir: Path, args: tuple[str], says: list[str]
) -> None:
    user_error(edited("restore", SIG, *args), "restore", *says)
    assert revision_in(workspace_dir) == 4


# --- schema ---------------------------------------------------------------------------------


def test_schema_validates_exported_plans(cli_ws: RunCli, tmp_path: Path) -> None:
    schema = json.loads(ok(cli_ws("schema")).out)
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    ok(cli_ws("init", "--demo"))
    demo_id = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["id"]
    demo = json.loads(ok(cli_ws("export", demo_id)).out)
    assert list(validator.iter_errors(demo)) == []
    ok(cli_ws("import", write_json(tmp_path / "c.json", complete_plan())))
    assert list(validator.iter_errors(json.loads(ok(cli_ws("export", SIG)).out))) == []
    assert "enum" in json.dumps(schema)

    def refused(path: tuple[str | int, ...], value: Any) -> bool:
        document = json.loads(json.dumps(demo))
        node = document
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
        return not validator.is_valid(document)

    assert refused(("core_group", "people", 0, "role"), "wizard")  # catalogue keys as enums
    assert refused(("identity", "name"), "x" * 81)
    assert refused(("identity", "nickname"), "x")
    assert refused(("schedule", "activities", 0, "duration_minutes"), 2)
    assert refused(("id",), "Not A Slug")


# --- user errors and the choice of workspace -------------------------------------------------


@pytest.mark.parametrize(
    ("args", "verb", "says"),
    [
        pytest.param(("show", "nope"), "show", ["'nope'"], id="unknown-sig-show"),
        pytest.param(("check", "nope"), "check", ["'nope'"], id="unknown-sig-check"),
        pytest.param(("history", "nope"), "history", ["'nope'"], id="unknown-sig-history"),
        pytest.param(("export", "nope"), "export", ["'nope'"], id="unknown-sig-export"),
        pytest.param(
            ("set", "nope", "identity.name", "x"), "set", ["'nope'"], id="unknown-sig-set"
        ),
        pytest.param(
            ("export", SIG, "--format", "nonsense"), "export", ["'nonsense'", "json"], id="format"
        ),
        pytest.param(("restore", SIG, "abc"), "restore", ["invalid int value"], id="usage-int"),
        pytest.param(("set", SIG), "set", ["required"], id="usage-missing"),
        pytest.param(("frobnicate",), "", ["invalid choice"], id="usage-verb"),
        pytest.param((), "", ["required"], id="usage-no-verb"),
    ],
)
def test_user_errors_are_one_line(
    filled: RunCli, args: tuple[str, ...], verb: str, says: list[str]
) -> None:
    user_error(filled(*args), verb, *says)


def test_export_to_a_path_that_cannot_be_written(filled: RunCli, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    user_error(filled("export", SIG, "-o", blocker / "plan.json"), "export")


def test_no_workspace_yet(run_cli: RunCli, clean_env: Path, tmp_path: Path) -> None:
    user_error(run_cli("list"), "list", f"no workspace at {clean_env / 'sigworkbook'}")
    missing = tmp_path / "missing"
    user_error(run_cli("--workspace", missing, "list"), "list", str(missing), "sigworkbook init")
    assert not missing.exists()


def test_workspace_from_environment(run_cli: RunCli, tmp_path: Path) -> None:
    env = {"SIGWORKBOOK_WORKSPACE": str(tmp_path / "from-env")}
    ok(run_cli("init", env=env))
    assert ok(run_cli("new", "Env SIG", env=env)).out == "env-sig\n"
    assert (tmp_path / "from-env" / DATABASE_NAME).is_file()
    flag = tmp_path / "from-flag"
    ok(run_cli("--workspace", flag, "init", env=env))
    ok(run_cli("--workspace", flag, "new", "Flag SIG", env=env))
    assert ok(run_cli("list", env=env)).out.split("\t")[0] == "env-sig"
    assert ok(run_cli("--workspace", flag, "list", env=env)).out.split("\t")[0] == "flag-sig"


def test_workspace_after_the_verb(run_cli: RunCli, tmp_path: Path) -> None:
    """Every verb that opens a workspace takes --workspace after the verb as well as before."""
    env = {"SIGWORKBOOK_WORKSPACE": str(tmp_path / "from-env")}
    after = tmp_path / "after"
    plan_file = write_json(tmp_path / "complete.json", complete_plan())
    ok(run_cli("init", "--workspace", after, env=env))
    assert (after / DATABASE_NAME).is_file()
    assert not (tmp_path / "from-env").exists()
    assert ok(run_cli("new", "--workspace", after, "Late Flag", env=env)).out == "late-flag\n"
    ok(run_cli("import", plan_file, "--workspace", after, env=env))
    ok(run_cli("set", SIG, "identity.theme", "Walking", "--workspace", after, env=env))
    assert ok(run_cli("list", "--workspace", after, env=env)).out.count("\n") == 2
    assert SIG in ok(run_cli("show", "--workspace", after, SIG, env=env)).out
    ok(run_cli("check", SIG, "--workspace", after, env=env))
    exported = ok(run_cli("export", SIG, "--workspace", after, env=env)).out
    assert json.loads(exported)["identity"]["theme"] == "Walking"
    assert "identity.theme" in ok(run_cli("history", SIG, "--workspace", after, env=env)).out
    ok(run_cli("restore", SIG, "1", "--workspace", after, env=env))
    assert plan_in(after)["identity"]["theme"] == complete_plan()["identity"]["theme"]


def test_workspace_after_the_verb_wins(run_cli: RunCli, tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    ok(run_cli("--workspace", before, "init"))
    ok(run_cli("--workspace", before, "init", "--workspace", after))
    ok(run_cli("--workspace", before, "new", "Only After", "--workspace", after))
    assert ok(run_cli("--workspace", before, "list")).out == ""
    assert ok(run_cli("--workspace", after, "list")).out.startswith("only-after\t")
    # Given only before the verb, it is still the one used.
    assert (
        ok(run_cli("--workspace", after, "list")).out
        == ok(run_cli("list", "--workspace", after)).out
    )


def test_author_after_the_verb_is_recorded_and_wins(run_cli: RunCli, tmp_path: Path) -> None:
    folder = tmp_path / "authors"
    ok(run_cli("--workspace", folder, "init"))
    ok(run_cli("--workspace", folder, "new", "Who Group", "--author", "Ada"))
    ok(run_cli("--workspace", folder, "--author", "Bo", "set", "who-group", "identity.theme", "x"))
    ok(run_cli("--author", "Bo", "set", "who-group", "identity.theme", "y", "--workspace", folder))
    ok(
        run_cli(
            "--workspace",
            folder,
            "--author",
            "Bo",
            "set",
            "who-group",
            "identity.theme",
            "z",
            "--author",
            "Cy",
        )
    )
    authors = [
        line.split()[3]
        for line in ok(run_cli("--workspace", folder, "history", "who-group")).out.splitlines()
    ]
    assert authors == ["Cy", "Bo", "Bo", "Ada"]


def test_serve_takes_the_workspace_after_the_verb(run_cli: RunCli, tmp_path: Path) -> None:
    # serve opens (creates) its workspace before it checks --templates: a missing template
    # folder stops it there, before any server starts.
    folder = tmp_path / "served"
    missing = tmp_path / "no-templates"
    result = run_cli("serve", "--workspace", folder, "--no-browser", "--templates", missing)
    user_error(result, "serve", "--templates", str(missing), "is not a folder")
    assert (folder / DATABASE_NAME).is_file()


def test_schema_takes_no_workspace(run_cli: RunCli, tmp_path: Path) -> None:
    user_error(run_cli("schema", "--workspace", tmp_path), "", "unrecognized arguments")


def test_default_workspace_is_in_home(run_cli: RunCli, clean_env: Path) -> None:
    ok(run_cli("init"))
    assert (clean_env / "sigworkbook" / DATABASE_NAME).is_file()


def test_help_and_version(run_cli: RunCli) -> None:
    result = run_cli("--help")
    assert result.code == 0
    for verb in ("init", "new", "list", "show", "set", "check", "export", "import", "history"):
        assert verb in result.out
    assert "restore" in result.out and "schema" in result.out
    assert ok(run_cli("--version")).out.startswith("sigworkbook ")


# --- the real console script ----------------------------------------------------------------


def test_script_end_to_end(run_script: RunCli, tmp_path: Path) -> None:
    env = {"SIGWORKBOOK_WORKSPACE": str(tmp_path / "script-ws")}
    assert ok(run_script("init", "--demo", env=env)).out.count("\n") == 2
    demo_id = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["id"]
    assert ok(run_script("list", env=env)).out.startswith(f"{demo_id}\t")
    assert ok(run_script("check", "--strict", demo_id, env=env)).out.startswith("No gaps")
    error = run_script("set", demo_id, "charter.review_date", "2026-02-30", env=env)
    user_error(error, "set", "Charter review date: ")


def test_script_user_error_without_workspace(run_script: RunCli, tmp_path: Path) -> None:
    user_error(run_script("--workspace", tmp_path / "none", "show", "x"), "show", "no workspace")


# --- directory ------------------------------------------------------------------------------

SAMPLE_DIRECTORY = PACKAGE / "data/sample/member-directory.csv"


def test_directory_prints_ranked_matches_and_where_each_matched(run_cli: RunCli) -> None:
    result = ok(run_cli("directory", SAMPLE_DIRECTORY, "frailty", "lean", "--limit", "4"))
    lines = result.out.splitlines()
    assert len(lines) == 4
    # Someone interested in both comes first; then people with one of them.
    assert lines[0] == (
        "1. Eshan Kowalczyk-Bell — QI lead, Greyfriars Lane Surgery (London): "
        "found “frailty” in interests; “lean” in interests"
    )
    for number, line in enumerate(lines[1:], start=2):
        assert line.startswith(f"{number}. ")
        assert line.endswith(("“frailty” in interests", "“lean” in interests")), line


def test_directory_reads_excel_and_semicolon_csv_alike(run_cli: RunCli, tmp_path: Path) -> None:
    import openpyxl

    rows = [
        ["Name", "Organisation", "Role", "Interests"],
        ["Zoë Müller", "Café Carers", "Carer", "unpaid carers; respite"],
        ["Siân Évans", "Glanrhyd", "Nurse", "frailty; hospital discharge"],
    ]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "people.xlsx")
    (tmp_path / "people.csv").write_bytes(
        "\r\n".join(";".join(f'"{v}"' for v in row) for row in rows).encode("cp1252")
    )
    from_excel = ok(run_cli("directory", tmp_path / "people.xlsx", "carers", "frailty")).out
    from_csv = ok(run_cli("directory", tmp_path / "people.csv", "carers", "frailty")).out
    assert (
        from_excel
        == from_csv
        == (
            "1. Zoë Müller — Carer, Café Carers: found “unpaid carers” in interests (close to “carers”)\n"
            "2. Siân Évans — Nurse, Glanrhyd: found “frailty” in interests\n"
        )
    )


def test_directory_keeps_each_person_on_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        'name,organisation,interests\n"Ann\nBee\x1b[31m",Org,frailty\n', encoding="utf-8"
    )
    assert ok(run_cli("directory", path, "frailty")).out == (
        "1. Ann Bee[31m — Org: found “frailty” in interests\n"
    )


def test_directory_with_nobody_matching_exits_1(run_cli: RunCli) -> None:
    result = run_cli("directory", SAMPLE_DIRECTORY, "astrophysics")
    assert (result.code, result.out) == (1, "")
    assert result.err == f"Nobody in {SAMPLE_DIRECTORY} matches astrophysics\n"


def test_directory_names_a_missing_column(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("name,theme\nA,b\n", encoding="utf-8")
    user_error(
        run_cli("directory", path, "x"),
        "directory",
        "missing columns 'organisation', 'interests': the first row has 'name', 'theme'",
    )


# --- set FIELD - (the value from standard input) ------------------------------------------


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_set_dash_reads_a_long_text_from_standard_input(
    filled: RunCli, workspace_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invitation = "Do you care about frailty?\n\nJoin us: “Frailty Friends” meets monthly.\n"
    stdin_of(monkeypatch, invitation.encode("utf-8"))
    result = ok(filled("set", SIG, "statement.invitation", "-"))
    assert result.out == f"{SIG}: statement.invitation saved (revision 2)\n"
    # The line break that ends the file is not part of the value; the others are.
    assert plan_in(workspace_dir)["statement"]["invitation"] == invitation[:-1]


def test_set_dash_takes_json_for_other_fields_and_a_byte_order_mark(
    filled: RunCli, workspace_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin_of(monkeypatch, '\ufeff["falls", "frailty"]\r\n'.encode())
    ok(filled("set", SIG, "identity.key_phrases", "-"))
    assert plan_in(workspace_dir)["identity"]["key_phrases"] == ["falls", "frailty"]


def test_set_dash_refuses_input_that_is_not_utf8(
    filled: RunCli, workspace_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin_of(monkeypatch, "Caf\u00e9".encode("latin-1"))
    user_error(filled("set", SIG, "identity.theme", "-"), "set", "standard input is not UTF-8")
    assert revision_in(workspace_dir) == 1
