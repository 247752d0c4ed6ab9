"""The package's layers, read from its imports: plan <- store <- workspace <- live <- ui / app.

Each rule here is a sentence of docs/design.md; a test that reads the source keeps it true.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from repo_paths import PACKAGE

LAYERS: dict[str, set[str]] = {
    # package -> the sigworkbook packages it must never import
    "plan": {"store", "workspace", "live", "ui", "app", "exports", "cli"},
    "store": {"workspace", "live", "ui", "app", "exports", "cli"},
    "exports": {"store", "live", "ui", "app", "cli"},
    "lists": {"store", "workspace", "live", "ui", "app", "exports", "cli", "hosting"},
    "hosting": {"store", "workspace", "network_team", "live", "ui", "app", "cli"},
    "live": {"ui", "app", "cli"},
    "ui": {"app", "cli"},
}
BACKEND_MODULES: dict[str, set[str]] = {
    # the URL scheme a backend opens (its `sigworkbook.stores` entry point) -> its modules
    "sqlite": {
        "sigworkbook.store.sqlite",
        "sigworkbook.store.sqlite_file",
        "sigworkbook.store.sqlite_presence",
    },
    "postgresql": {
        "sigworkbook.store.postgres",
        "sigworkbook.store.postgres_feed",
        "sigworkbook.store.postgres_presence",
        "sigworkbook.store.postgres_schema",
    },
}
BACKENDS = set().union(*BACKEND_MODULES.values())
"""Every module of a store backend: the only ones that use a database driver."""
STORE_SHARED = {
    "sigworkbook.store",
    "sigworkbook.store.changelog",
    "sigworkbook.store.erasure",
    "sigworkbook.store.history",
    "sigworkbook.store.interface",
    "sigworkbook.store.lifecycle",
    "sigworkbook.store.membership",
    "sigworkbook.store.migrate",
    "sigworkbook.store.polling",
    "sigworkbook.store.shared",
    "sigworkbook.store.transactions",
    "sigworkbook.store.urls",
}
"""The store's modules that every backend shares: they never name a backend."""
DRIVERS = {"sqlite3", "psycopg", "psycopg_pool"}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of import nodes under ``if TYPE_CHECKING:`` (read by mypy, never run)."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return guarded


def _imports(path: Path) -> set[str]:
    """Every module `path` imports when it runs (absolute names; no relative imports here)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


SOURCES = {_module(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def _ours(name: str) -> str | None:
    """The sigworkbook module `name` is (or is inside), if it is one of ours."""
    while name:
        if name in SOURCES:
            return name
        name = name.rpartition(".")[0]
    return None


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_a_layer_never_imports_a_layer_above_it(layer: str) -> None:
    wrong = [
        f"{module} imports {name}"
        for module, names in SOURCES.items()
        if module.startswith(f"sigworkbook.{layer}")
        for name in names
        if any(name.startswith(f"sigworkbook.{above}") for above in LAYERS[layer])
    ]
    assert not wrong, "\n".join(wrong)


def test_only_the_store_package_imports_a_backend() -> None:
    wrong = [
        f"{module} imports {name}"
        for module, names in SOURCES.items()
        if not module.startswith("sigworkbook.store")
        for name in names
        if any(name == backend or name.startswith(f"{backend}.") for backend in BACKENDS)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("package", ["ui", "app", "live", "plan", "exports", "lists", "hosting"])
def test_no_database_driver_outside_the_store(package: str) -> None:
    wrong = [
        f"{module} imports {name}"
        for module, names in SOURCES.items()
        if module.startswith(f"sigworkbook.{package}")
        for name in names
        if name.split(".")[0] in DRIVERS
    ]
    assert not wrong, "\n".join(wrong)


def test_every_module_using_a_database_driver_is_a_listed_backend() -> None:
    drivers = {
        module
        for module, names in SOURCES.items()
        if any(n.split(".")[0] in DRIVERS for n in names)
    }
    assert drivers == BACKENDS


def test_every_store_module_is_a_listed_backend_or_shared_by_all() -> None:
    store = {module for module in SOURCES if module.startswith("sigworkbook.store")}
    assert not BACKENDS & STORE_SHARED
    assert store - BACKENDS - STORE_SHARED == set(), "a new store module: list it above"
    assert (BACKENDS | STORE_SHARED) - store == set(), "a listed store module is gone"


def test_the_shared_store_modules_import_no_backend() -> None:
    wrong = [
        f"{module} imports {name}"
        for module in sorted(STORE_SHARED)
        for name in SOURCES[module]
        if _ours(name) in BACKENDS
    ]
    assert not wrong, "\n".join(wrong)


def test_a_backend_never_imports_another_backend() -> None:
    wrong = [
        f"{module} ({scheme}) imports {name}"
        for scheme, modules in BACKEND_MODULES.items()
        for module in sorted(modules)
        for name in SOURCES[module]
        if _ours(name) in BACKENDS - modules
    ]
    assert not wrong, "\n".join(wrong)


def test_the_store_backends_are_found_through_their_entry_points() -> None:
    from sigworkbook.store.urls import backends

    openers = {name: entry.value for name, entry in backends().items()}
    assert openers == {
        "sqlite": "sigworkbook.store.sqlite:open_url",
        "postgresql": "sigworkbook.store.postgres:open_url",
    }
    assert {value.split(":")[0] for value in openers.values()} <= BACKENDS
    for scheme, opener in openers.items():
        assert opener.split(":")[0] in BACKEND_MODULES[scheme], scheme


def test_pages_reach_the_store_only_through_the_workspace() -> None:
    for path in [*PACKAGE.joinpath("ui").rglob("*.py"), *PACKAGE.joinpath("live").rglob("*.py")]:
        assert "workspace.store" not in path.read_text(encoding="utf-8"), path


def test_there_is_no_import_cycle() -> None:
    graph = {
        module: {ours for name in names if (ours := _ours(name)) and ours != module}
        for module, names in SOURCES.items()
    }
    # A package's __init__ importing its own modules is not a cycle between layers.
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not module.startswith(f"{t}.")}
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            cycle = [*trail[trail.index(module) :], module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
