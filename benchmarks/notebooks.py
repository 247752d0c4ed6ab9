"""The notebooks the page figures open: the workbook pages that exist, plus an empty notebook."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

from sigworkbook.plan.steps import STEPS, Step
from sigworkbook.resources import workbooks_dir

EMPTY_NOTEBOOK = "bench-empty.ipynb"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


@dataclass(frozen=True)
class PageSet:
    """A folder to serve, the workbook pages found in it, and the ones that are missing."""

    folder: Path
    pages: tuple[Step, ...]
    missing: tuple[Step, ...]
    empty: str = EMPTY_NOTEBOOK


def write_empty_notebook(path: Path) -> Path:
    """A notebook with no cells, for the Python 3 kernel: Voila's floor."""
    nbformat.write(new_notebook(metadata={"kernelspec": KERNELSPEC}), path)  # type: ignore[no-untyped-call]
    return path


def workbooks_source() -> Path | None:
    """The shipped workbooks folder, or None when there is none yet."""
    try:
        return workbooks_dir()
    except FileNotFoundError:
        return None


def page_set(into: Path, source: Path | None = None) -> PageSet:
    """Copy the workbooks (all their files) into `into` and add the empty notebook beside them."""
    source = source if source is not None else workbooks_source()
    if source is not None and source.is_dir():
        shutil.copytree(source, into, dirs_exist_ok=True)
    into.mkdir(parents=True, exist_ok=True)
    write_empty_notebook(into / EMPTY_NOTEBOOK)
    pages = tuple(step for step in STEPS if (into / step.notebook).is_file())
    missing = tuple(step for step in STEPS if step not in pages)
    return PageSet(into, pages, missing)
