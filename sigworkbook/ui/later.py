"""Parts of a step built once the page is on screen, so that its first screen comes sooner."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

import ipywidgets as widgets

WAITING_CLASS = "swb-later"
"""The class of a box while parts of it wait to be built (the browser tests wait for none)."""

Parts = Callable[[], Sequence[widgets.Widget]]
"""What builds the parts that go at the end of a box."""

B = TypeVar("B", bound=widgets.Box)


@dataclass(frozen=True)
class Waiting:
    """Parts of a step not built yet: the box they go at the end of, and what builds them."""

    box: widgets.Box
    build: Parts

    def fill(self) -> None:
        """Build the parts into their box."""
        self.box.children = (*self.box.children, *self.build())
        self.box.remove_class(WAITING_CLASS)


_waiting: ContextVar[list[Waiting] | None] = ContextVar("sigworkbook_later", default=None)


def later(box: B, build: Parts) -> B:
    """`box` with what `build` makes at its end: built now, or, while the app builds a visit's
    first screen (`first_screen`), once the page is on screen (the box shows what it has
    meanwhile, e.g. a card its title). For parts below the fold: nobody sees them wait."""
    part = Waiting(box, build)
    waiting = _waiting.get()
    if waiting is None:
        part.fill()
    else:
        box.add_class(WAITING_CLASS)
        waiting.append(part)
    return box


@contextlib.contextmanager
def first_screen() -> Iterator[list[Waiting]]:
    """While inside, `later` parts wait: the list gets each, to `fill` once the page is shown."""
    waiting: list[Waiting] = []
    token = _waiting.set(waiting)
    try:
        yield waiting
    finally:
        _waiting.reset(token)
