"""The step pages of the workbook, one module per step."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType


class MissingPage(LookupError):
    """A step of the workbook has no page module: a step added without its page."""


def page_module(key: str) -> ModuleType:
    """The page module of step `key` (`sigworkbook.ui.pages.<key>`), imported; MissingPage
    naming the file to add when there is none."""
    name = f"{__name__}.{key}"
    if importlib.util.find_spec(name) is None:
        raise MissingPage(
            f"step '{key}' has no page module: add sigworkbook/ui/pages/{key}.py "
            "(see 'How to add a step' in docs/design.md)"
        )
    return importlib.import_module(name)
