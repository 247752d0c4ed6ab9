"""Where a page's widgets go: the notebook's output, or the area of a step inside the app page."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

import ipywidgets as widgets
from IPython.display import display

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

_area: ContextVar[widgets.Box | None] = ContextVar("sigworkbook_area", default=None)


def show(widget: widgets.Widget) -> None:
    """Show `widget`: appended to the step area being built (see `into`), else displayed as
    the output of the notebook cell that runs (a step notebook alone, in Voila or JupyterLab)."""
    area = _area.get()
    if area is None:
        display(widget)
    else:
        area.children = (*area.children, widget)


def show_view(widget: widgets.Widget) -> None:
    """Display `widget` as the cell's output, its plain text only its class: ipywidgets' own
    output (`_repr_mimebundle_`) writes the repr of the widget and of everything inside it,
    then cuts it to 110 characters, which for the app page is hundreds of widgets' reprs on
    every visit."""
    bundle = {
        "text/plain": f"{type(widget).__name__}(…)",
        WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": widget.model_id},
    }
    display(bundle, raw=True)


@contextlib.contextmanager
def into(area: widgets.Box) -> Iterator[None]:
    """While inside, everything shown goes into `area` (the app page builds a step this way)."""
    token = _area.set(area)
    try:
        yield
    finally:
        _area.reset(token)


def building_area() -> bool:
    """Whether a step is being built into an area of the app page right now."""
    return _area.get() is not None
