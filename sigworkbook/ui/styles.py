"""Layout and style models shared by many widgets, so a page sends a few models instead of one each.

Every ipywidget otherwise gets a Layout model of its own, and every HTML, button or input a style
model too: two thirds of a form's models were these, each a message to the browser and a model
for it to build. Widgets made here share one model per distinct set of traits. Never change a
shared layout or style in place (`w.layout.display = ...`): give such a widget its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets

_shared: dict[tuple[str, tuple[tuple[str, Any], ...]], widgets.Widget] = {}


def _cached(kind: type[widgets.Widget], traits: dict[str, Any]) -> Any:
    key = (kind.__qualname__, tuple(sorted(traits.items())))
    model = _shared.get(key)
    if model is None or model.comm is None:  # closed (a test tidying up): make a new one
        model = kind(**traits)
        _shared[key] = model
    return model


def layout(**traits: Any) -> widgets.Layout:
    """The shared Layout with these traits (e.g. width="100%")."""
    return _cached(widgets.Layout, traits)


def style(widget_class: type[widgets.DOMWidget], **traits: Any) -> Any:
    """The shared style model for widgets of `widget_class` (each class has its own kind)."""
    kind = widget_class.class_traits()["style"].klass
    return _cached(kind, traits)


def html(value: str = "") -> widgets.HTML:
    """An HTML widget with the shared layout and style; `value` must already be safe markup."""
    return widgets.HTML(value, layout=layout(), style=style(widgets.HTML))


def vbox(children: Iterable[widgets.Widget] = (), *classes: str, **traits: Any) -> widgets.VBox:
    """A full-width vertical box with the given CSS classes."""
    box = widgets.VBox(list(children), layout=layout(width="100%", **traits))
    for name in classes:
        box.add_class(name)
    return box


def hbox(children: Iterable[widgets.Widget] = (), *classes: str) -> widgets.HBox:
    """A horizontal box with the given CSS classes."""
    box = widgets.HBox(list(children), layout=layout())
    for name in classes:
        box.add_class(name)
    return box


def button(
    description: str,
    *,
    tooltip: str = "",
    icon: str = "",
    fit: bool = False,
    align: str | None = None,
    **traits: Any,
) -> widgets.Button:
    """A button. `fit` makes it as wide as its text (the default width cuts long labels short);
    `align` places it in a column ("flex-start", "flex-end") instead of stretching it."""
    sizing = {"width": "auto", "min_width": "max-content"} if fit else {}
    if align is not None:
        sizing["align_self"] = align
    return widgets.Button(
        description=description,
        tooltip=tooltip,
        icon=icon,
        layout=layout(**sizing),
        style=style(widgets.Button),
        **traits,
    )


def close_tree(widget: widgets.Widget) -> None:
    """Close `widget` and every widget inside it, leaving shared layouts and styles open."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()
