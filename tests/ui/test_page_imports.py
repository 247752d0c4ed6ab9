"""No workbook page imports heavy libraries it does not need as it opens (kernel memory, figure 3)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import sigworkbook.ui.pages

HEAVY = ("pandas", "numpy", "icalendar", "rapidfuzz")
"""Top-level packages a page must not import, directly or through anything it imports: pandas
and numpy (~50 MiB) are not used at all; icalendar (~5 MiB, writing schedule.ics) and
rapidfuzz (~4 MiB, searching) only load when an export is written or a search is made."""

PROBE = """
import importlib, json, sys
heavy = set(sys.argv[1].split(","))
found = {}
for name in sys.argv[2:]:
    importlib.import_module(name)
    found[name] = sorted({module.split(".")[0] for module in sys.modules} & heavy)
print(json.dumps(found))
"""
"""Run as `python -c PROBE pandas,numpy module...`: imports each module in turn, in that order."""


def page_modules() -> list[str]:
    """Every module in sigworkbook.ui.pages, found on disk (a new page is checked too)."""
    package = sigworkbook.ui.pages
    return sorted(
        f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
    )


def heavy_imports(modules: list[str]) -> dict[str, list[str]]:
    """For each module imported in turn in one fresh interpreter, the heavy modules loaded so far."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(HEAVY), *modules],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, list[str]] = json.loads(done.stdout)
    return found


def test_no_page_module_imports_a_heavy_library() -> None:
    modules = page_modules()
    assert "sigworkbook.ui.pages.schedule" in modules, modules
    found = heavy_imports(modules)
    assert list(found) == modules
    # The lists only grow, so the first page with a non-empty list is the one whose imports
    # pull the heavy package in.
    first = next((name for name, loaded in found.items() if loaded), None)
    assert first is None, f"importing {first} loads {', '.join(found[first])}"


def test_the_probe_sees_a_heavy_import() -> None:
    """The check itself works: a module known to import numpy is reported."""
    found = heavy_imports(["json", "numpy.linalg"])
    assert found["json"] == []
    assert "numpy" in found["numpy.linalg"]
