"""The benchmarks keep working: a smoke run (smallest sizes, one run) gives a complete report."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from typing import Any

import pytest
from repo_paths import REPO

from benchmarks import hub
from benchmarks.postgres import _server_helper
from benchmarks.report import Target
from benchmarks.stats import Summary, percentile, ratios
from sigworkbook.exports import FORMATS
from sigworkbook.plan.steps import STEPS
from sigworkbook.resources import workbooks_dir

SMOKE_TIMEOUT_S = 600


def run_benchmarks(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT_S,
        check=False,
    )


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, str]:
    """One smoke run into a temporary folder: (latest.json, latest.md, what it printed)."""
    out = tmp_path_factory.mktemp("bench")
    done = run_benchmarks("--smoke", "--out", str(out))
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr[-4000:]}"
    report = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    return report, (out / "latest.md").read_text(encoding="utf-8"), done.stdout


def figure(report: dict[str, Any], number: int) -> dict[str, Any]:
    (found,) = [f for f in report["figures"] if f["number"] == number]
    return found


def measured_rows(fig: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for row in fig["rows"] if row["status"] != "n/a"]


# --- the smoke run --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.e2e
def test_smoke_report_has_every_figure_once(smoke: tuple[dict[str, Any], str, str]) -> None:
    report, _, _ = smoke
    assert report["format"] == "sigworkbook-benchmarks/1"
    assert report["mode"] == "smoke"
    assert report["settings"]["runs"] == 1
    assert [f["number"] for f in report["figures"]] == list(range(1, 19))
    for fig in report["figures"]:
        assert fig["title"] and fig["definition"], fig["number"]
        assert fig["rows"], f"figure {fig['number']} has no rows"


@pytest.mark.slow
@pytest.mark.e2e
def test_smoke_rows_are_well_formed(smoke: tuple[dict[str, Any], str, str]) -> None:
    report, _, _ = smoke
    for fig in report["figures"]:
        for row in fig["rows"]:
            where = f"figure {fig['number']}, {row['name']}"
            if row["status"] == "n/a":
                assert row["median"] is None and row["note"], where
                continue
            low, mid, high = row["min"], row["median"], row["max"]
            # Times and sizes are never 0; a count of words lost is 0 when it meets its target.
            floor = (
                0
                if row["unit"] == "count" and row["target"] == {"op": "<=", "value": 0.0}
                else 1e-9
            )
            assert all(math.isfinite(v) and v >= floor for v in (low, mid, high)), where
            assert low <= mid <= high, where
            # One sample a run; figure 15's rows have one per person moving in the run.
            people = row["extra"].get("people", 1) if fig["number"] == 15 else 1
            assert row["runs"] == 1 and len(row["samples"]) == people, where
            target = row["target"]
            if target is None:
                assert row["status"] == "info", where
            else:
                met = Target(target["op"], target["value"]).met_by(mid)
                assert row["status"] == ("met" if met else "missed"), where
        statuses = {row["status"] for row in fig["rows"]}
        if "missed" in statuses:
            assert fig["status"] == "missed"


@pytest.mark.slow
@pytest.mark.e2e
def test_smoke_pages_cover_every_step(smoke: tuple[dict[str, Any], str, str]) -> None:
    report, _, _ = smoke
    present = {step.notebook for step in STEPS if (workbooks_dir() / step.notebook).is_file()}
    baselines = {
        1: ["empty notebook (baseline)"],
        2: ["pooled kernel, waiting (information)"],
        3: ["empty notebook (baseline)"],
    }
    for number, names in baselines.items():
        rows = {row["name"]: row for row in figure(report, number)["rows"]}
        assert [rows[name]["status"] for name in names] == ["info"] * len(names), number
        for step in STEPS:
            row = rows[step.notebook]
            assert (row["status"] != "n/a") == (step.notebook in present), (number, row)
    pooled = {row["name"]: row for row in figure(report, 2)["rows"]}[
        "pooled kernel, waiting (information)"
    ]
    assert pooled["unit"] == "MB" and 20 < pooled["median"] < 1000, pooled


@pytest.mark.slow
@pytest.mark.e2e
def test_smoke_measures_the_figures_that_need_no_workbook(
    smoke: tuple[dict[str, Any], str, str],
) -> None:
    report, _, _ = smoke
    for number in (4, 6, 7, 8, 9):
        fig = figure(report, number)
        assert measured_rows(fig) == fig["rows"], f"figure {number}: {fig}"
    assert "p95, history 100" in {row["name"] for row in figure(report, 6)["rows"]}
    exported = {row["name"] for row in figure(report, 7)["rows"]}
    assert set(FORMATS) < exported
    if (workbooks_dir() / "00-start.ipynb").is_file():
        assert measured_rows(figure(report, 5))


@pytest.mark.slow
@pytest.mark.e2e
def test_smoke_markdown_and_printed_table(smoke: tuple[dict[str, Any], str, str]) -> None:
    report, markdown, printed = smoke
    assert markdown.startswith("# Benchmark results (smoke run)")
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| # | Figure | Item | Median")
    rows_in_json = sum(len(f["rows"]) for f in report["figures"])
    assert len(table) == 1 + rows_in_json
    assert {line.split("|")[1].strip() for line in table[1:]} == {str(n) for n in range(1, 19)}
    assert all(line in printed for line in table)


@pytest.mark.slow
@pytest.mark.e2e
def test_smoke_open_pages_hold_their_connections(smoke: tuple[dict[str, Any], str, str]) -> None:
    report, _, _ = smoke
    fig = figure(report, 13)
    assert report["settings"]["open_pages"] == 4
    assert measured_rows(fig) == fig["rows"], fig
    rows = {row["name"]: row for row in fig["rows"]}
    in_use = rows["connections, 4 people's pages open"]
    assert in_use["unit"] == "count" and in_use["target"] == {"op": "<=", "value": 90.0}
    # Every person's kernel ran the app page and opened the SIG: it holds at least its queries'
    # connection and its change feed's listening one, and nothing else holds the servers' names.
    assert in_use["extra"]["kernels"] == 4, in_use
    assert in_use["median"] >= 8, in_use
    per_page = rows["connections per person (information)"]
    assert per_page["median"] == pytest.approx(in_use["median"] / 4)
    assert "save p95, 4 pages open (information)" in rows
    assert "save p95, no page open (baseline, information)" in rows


@pytest.mark.slow
@pytest.mark.e2e
def test_smoke_first_page_after_hub_login(smoke: tuple[dict[str, Any], str, str]) -> None:
    report, _, _ = smoke
    fig = figure(report, 14)
    missing = hub.missing_parts()
    try:
        _server_helper().find_bin()
    except RuntimeError as error:
        missing = missing or str(error)
    if missing is not None:  # the figure says what is missing instead of failing the run
        assert fig["note"].startswith("not run: "), fig
        assert [row["status"] for row in fig["rows"]] == ["n/a"], fig
        return
    assert measured_rows(fig) == fig["rows"], fig
    rows = {row["name"]: row for row in fig["rows"]}
    baseline = rows["bare Voila, empty notebook, cold (baseline)"]
    assert baseline["unit"] == "s" and baseline["status"] == "info"
    printed = rows["login to start page, hub config as printed"]
    pooled = rows["login to start page, hub config with --preheat=1 (information)"]
    assert printed["target"] == {"op": "<=", "value": 1.5} and pooled["target"] is None
    for row in (printed, pooled):
        assert row["unit"] == "ratio", row
        extra = row["extra"]
        # The steps come from the browser's requests and the page's own clock placed on the wall
        # clock: they only make sense in this order (form, server, start page, HTML, ready).
        steps = ("spawn_s", "redirects_s", "page_html_s", "front_end_s")
        assert all(extra[key][0] > 0 for key in steps), extra
        # Spawning starts a Python server that imports Voila: never under 0.3 s.
        assert extra["spawn_s"][0] > 0.3, extra
        assert extra["login_s"][0] / extra["bare_voila_s"][0] == pytest.approx(row["median"])
        assert extra["widget_views"][0] > 0 and len(extra["hub_log_spawn_s"]) == 1, extra
    # Voila hands the first visitor the pooled kernel even while it is still starting.
    assert pooled["extra"]["pre_heated_kernel"] == [True], pooled


@pytest.mark.slow
@pytest.mark.e2e
def test_smoke_meeting_moves_on_in_the_app(smoke: tuple[dict[str, Any], str, str]) -> None:
    report, _, _ = smoke
    assert report["settings"]["meeting_sizes"] == [2]
    assert report["settings"]["meeting_rounds"] == 1
    moves = figure(report, 15)
    assert measured_rows(moves) == moves["rows"], moves
    (row,) = moves["rows"]
    assert row["name"] == "2 people at once, to the charter, first visit", row
    assert row["unit"] == "s" and row["target"] == {"op": "<=", "value": 1.0}, row
    assert row["extra"]["people"] == 2 and row["extra"]["step"] == "charter", row
    # The two clicks were planned for one moment: each happened at it (or just after).
    assert len(row["extra"]["late_ms"]) == 2, row
    assert all(-5 <= late < 1000 for late in row["extra"]["late_ms"]), row
    assert row["min"] == min(row["samples"]) and row["max"] == max(row["samples"]), row
    kept = figure(report, 16)
    assert measured_rows(kept) == kept["rows"], kept
    rows = {row["name"]: row for row in kept["rows"]}
    kernels = rows["kernels, a meeting of 2"]
    # One kernel per person plus the app page's pool (serve keeps one by default).
    assert kernels["unit"] == "count" and kernels["extra"]["people_kernels"] == [2], kernels
    assert kernels["extra"]["pool"] == [1] and kernels["target"]["value"] == 3.0, kernels
    memory = rows["memory per person's kernel, largest of 2"]
    assert memory["unit"] == "MB" and memory["target"] == {"op": "<=", "value": 120.0}, memory
    assert len(memory["extra"]["each_mb"][0]) == 2 and 20 < memory["median"] < 1000, memory
    follows = figure(report, 17)
    assert measured_rows(follows) == follows["rows"], follows
    one_round, slowest = follows["rows"]
    assert one_round["name"] == "1 follower, to the core group", one_round
    assert one_round["extra"] == {"followers": 1, "step": "core"}, one_round
    assert one_round["target"] == {"op": "<=", "value": 1.0} and one_round["median"] > 0, one_round
    assert slowest["samples"] == one_round["samples"], "one follower: the slowest is that one"


@pytest.mark.slow
@pytest.mark.e2e
def test_smoke_cowriting_keeps_every_word(smoke: tuple[dict[str, Any], str, str]) -> None:
    report, _, _ = smoke
    assert report["settings"]["cowriters"] == 2 and report["settings"]["cowriting_s"] == 5.0
    fig = figure(report, 18)
    rows = {row["name"]: row for row in fig["rows"]}
    assert list(rows) == [
        "SQLite: p50, 2 writers",
        "SQLite: p95",
        "SQLite: max",
        "SQLite: words lost",
    ], "a smoke run types on SQLite only"
    p50, p95, worst = rows["SQLite: p50, 2 writers"], rows["SQLite: p95"], rows["SQLite: max"]
    assert p95["unit"] == "s" and p95["target"] == {"op": "<=", "value": 1.0}, p95
    lost = rows["SQLite: words lost"]
    assert lost["unit"] == "count" and lost["target"] == {"op": "<=", "value": 0.0}, lost
    assert lost["status"] != "n/a", lost  # the words lost are always counted
    latencies = [p50, p95, worst]
    if measured_rows({"rows": latencies}) == latencies:
        assert p50["median"] <= p95["median"] <= worst["median"], fig
    else:  # no writer's words reached the other box in time: every one of them counts as lost
        assert all(row["status"] == "n/a" and not row["samples"] for row in latencies), fig
        assert lost["median"] >= 1, lost
    # The words lost are named: each a word of one of the two writers, counted once.
    missing = lost["extra"]["missing"]
    assert lost["median"] == len(missing) == len(set(missing)), lost
    assert all(re.fullmatch(r"(ana|ben)[0-9]{3}", word) for word in missing), lost
    assert p95["extra"] == {"writers": 2, "seconds": 5.0}, p95


# --- the command and its parts --------------------------------------------------------------


def test_unknown_figure_is_refused_by_name() -> None:
    done = run_benchmarks("--only", "4,19", "--out", "/nonexistent/never-written")
    assert done.returncode == 2
    assert "--only" in done.stderr and "between 1 and 18" in done.stderr


def test_percentile_interpolates_between_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 50) == 2.5
    assert percentile(values, 95) == pytest.approx(3.85)
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_ratios_are_paired_run_by_run() -> None:
    assert ratios([2.0, 9.0], [1.0, 3.0]) == [2.0, 3.0]
    with pytest.raises(ValueError, match="2 measurements but 1 baseline"):
        ratios([1.0, 2.0], [1.0])
    summary = Summary.of([3.0, 1.0, 2.0])
    assert (summary.median, summary.min, summary.max, summary.runs) == (2.0, 1.0, 3.0, 3)


def test_target_boundaries() -> None:
    assert Target("<=", 1.1).met_by(1.1)
    assert not Target("<", 100.0).met_by(100.0)
    assert Target("<", 100.0).met_by(99.9)
