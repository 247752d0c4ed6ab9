"""The benchmark report: figures with targets, written as JSON and as a Markdown table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from benchmarks.stats import Summary
from sigworkbook.files import write_atomic

FORMAT = "sigworkbook-benchmarks/1"
JSON_NAME = "latest.json"
MARKDOWN_NAME = "latest.md"

Status = Literal["met", "missed", "n/a", "info"]
Unit = Literal["ratio", "ms", "s", "MB", "count"]
FIGURE_NUMBERS = tuple(range(1, 19))

_DECIMALS: dict[str, int] = {"ratio": 2, "ms": 1, "s": 2, "MB": 1, "count": 0}


def format_value(value: float, unit: str) -> str:
    """A value as the report shows it: ratios and counts bare, times and sizes with their unit."""
    text = f"{value:.{_DECIMALS.get(unit, 2)}f}"
    return text if unit in ("ratio", "count") else f"{text} {unit}"


@dataclass(frozen=True)
class Target:
    """A figure's target from the issue: the median must be `op` `value`."""

    op: Literal["<=", "<"]
    value: float

    def met_by(self, measured: float) -> bool:
        return measured <= self.value if self.op == "<=" else measured < self.value

    def text(self, unit: str) -> str:
        return f"{self.op} {format_value(self.value, unit)}"


@dataclass
class Row:
    """One measured item of a figure (a page, a format, a history size): its runs, summarised."""

    name: str
    unit: Unit
    summary: Summary | None
    target: Target | None = None
    samples: list[float] = field(default_factory=list)
    measured: str = ""
    """What the figure was computed from, in words (e.g. the raw times behind a ratio)."""
    extra: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def status(self) -> Status:
        if self.summary is None:
            return "n/a"
        if self.target is None:
            return "info"
        return "met" if self.target.met_by(self.summary.median) else "missed"

    def to_json(self) -> dict[str, Any]:
        summary = self.summary
        return {
            "name": self.name,
            "unit": self.unit,
            "median": summary.median if summary else None,
            "min": summary.min if summary else None,
            "max": summary.max if summary else None,
            "runs": summary.runs if summary else 0,
            "samples": self.samples,
            "target": ({"op": self.target.op, "value": self.target.value} if self.target else None),
            "status": self.status,
            "measured": self.measured,
            "extra": self.extra,
            "note": self.note,
        }


@dataclass
class Figure:
    """One numbered figure of the issue, with its definition and rows."""

    number: int
    key: str
    title: str
    definition: str
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    """Why the figure could not be measured, or anything a reader must know to read it."""

    @property
    def status(self) -> Status:
        statuses = {row.status for row in self.rows}
        if not statuses or statuses == {"n/a"}:
            return "n/a"
        if "missed" in statuses:
            return "missed"
        if "met" in statuses:
            return "met"
        return "info"

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "key": self.key,
            "title": self.title,
            "definition": self.definition,
            "status": self.status,
            "note": self.note,
            "rows": [row.to_json() for row in self.rows],
        }


@dataclass
class Report:
    """A whole benchmark run: when, how, on what, and every figure."""

    mode: Literal["full", "smoke"]
    started_at: str
    finished_at: str
    seconds: float
    settings: dict[str, Any]
    environment: dict[str, Any]
    figures: list[Figure]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "mode": self.mode,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seconds": round(self.seconds, 1),
            "settings": self.settings,
            "environment": self.environment,
            "figures": [figure.to_json() for figure in self.figures],
        }

    def table(self) -> str:
        """The results as one Markdown table (also what is printed)."""
        lines = [
            "| # | Figure | Item | Median | Min | Max | Runs | Target | Result | Measured |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for figure in self.figures:
            rows = figure.rows or [Row("-", "ratio", None, note=figure.note)]
            for row in rows:
                summary = row.summary
                cells = [
                    str(figure.number),
                    figure.title,
                    row.name,
                    format_value(summary.median, row.unit) if summary else "n/a",
                    format_value(summary.min, row.unit) if summary else "",
                    format_value(summary.max, row.unit) if summary else "",
                    str(summary.runs) if summary else "0",
                    row.target.text(row.unit) if row.target else "",
                    row.status,
                    row.measured or row.note or figure.note,
                ]
                lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        return "\n".join(lines)

    def markdown(self) -> str:
        env = self.environment
        parts = [
            f"# Benchmark results ({self.mode} run)",
            "",
            f"Run {self.started_at} to {self.finished_at} ({self.seconds:.0f} s) on "
            f"{env.get('cpus', '?')} CPUs, Python {env.get('python', '?')}, "
            f"voila {env.get('voila', '?')}, ipywidgets {env.get('ipywidgets', '?')}, "
            f"{env.get('browser', 'no browser')}. Load average (1, 5, 15 min) "
            f"{env.get('load_average_at_start', '?')} at the start, "
            f"{env.get('load_average_at_end', '?')} at the end.",
            "",
            self.table(),
            "",
            "## Definitions and notes",
            "",
        ]
        for figure in self.figures:
            parts.append(
                f"{figure.number}. **{figure.title}** ({figure.status}): {figure.definition}"
            )
            if figure.note:
                parts.append(f"   Note: {figure.note}")
            parts.extend(
                f"   - {row.name}: {row.note}" for row in figure.rows if row.note and row.measured
            )
        return "\n".join(parts) + "\n"

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write latest.json and latest.md into `folder`, each whole or not at all."""
        json_path, markdown_path = folder / JSON_NAME, folder / MARKDOWN_NAME
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        write_atomic(json_path, text.encode("utf-8"))
        write_atomic(markdown_path, self.markdown().encode("utf-8"))
        return json_path, markdown_path


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
