"""The dependency pins: every requirement of pyproject.toml has one version in the constraints."""

from __future__ import annotations

import re
import tomllib

from repo_paths import REPO

CONSTRAINTS = REPO / "requirements" / "constraints.txt"


def _name(requirement: str) -> str:
    """The normalised project name of a requirement line (PEP 503)."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement.strip())
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group(0)).lower()


def _pinned() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = line.split(";", 1)[0].strip()
            name, _, version = requirement.partition("==")
            assert version, f"{line!r} in {CONSTRAINTS.name} is not pinned to one version"
            pins[_name(name)] = version
    return pins


def test_every_declared_dependency_is_pinned() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra, requirements in project["optional-dependencies"].items():
        declared += [r for r in requirements if not r.startswith("sigworkbook[")]
        assert requirements, extra
    pins = _pinned()
    missing = sorted({_name(r) for r in declared} - pins.keys())
    assert not missing, f"not in {CONSTRAINTS.name} (run 'make lock'): {', '.join(missing)}"
