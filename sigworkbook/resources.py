"""Where the folders shipped with the package are: workbooks, Jinja templates, the Voila template."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_SHIPPED_DIR = _PACKAGE_DIR / "_shipped"
_SOURCE_ROOT = _PACKAGE_DIR.parent


def _shipped_folder(name: str) -> Path:
    """The folder `name` from a built wheel, else from the source checkout next to the package."""
    shipped = _SHIPPED_DIR / name
    if shipped.is_dir():
        return shipped
    source = _SOURCE_ROOT / name
    if source.is_dir():
        return source
    raise FileNotFoundError(
        f"sigworkbook: the shipped {name!r} folder is missing (looked in {shipped} and {source});"
        " reinstall the package"
    )


def workbooks_dir() -> Path:
    """The folder of workbook notebooks served by `sigworkbook serve`."""
    return _shipped_folder("workbooks")


def templates_dir() -> Path:
    """The folder of Jinja templates used for exports."""
    return _shipped_folder("templates")


def voila_share_dir() -> Path:
    """The folder to put on JUPYTER_PATH so Voila finds the `sigworkbook` template."""
    return _PACKAGE_DIR / "share"


def data_file(*parts: str) -> Path:
    """A file shipped in the package's `data` folder (catalogues, the demo plan, sample lists)."""
    return _PACKAGE_DIR.joinpath("data", *parts)
