"""A page its reader may not change: every input in its form disabled, and kept disabled."""

from __future__ import annotations

from typing import Any, Final

import ipywidgets as widgets

from sigworkbook.live.session import Session

ALWAYS_ENABLED: Final = "swb-not-sig-bound"
"""The class of parts of a page that do not change the SIG's plan (choosing a SIG, creating
one, the members panel): a read-only page leaves them as they are."""


def disable_inputs(widget: Any) -> None:
    """Disable every input, button and choice in `widget` and inside it."""
    if ALWAYS_ENABLED in getattr(widget, "_dom_classes", ()):
        return
    if isinstance(widget, widgets.Widget) and widget.has_trait("disabled"):
        widget.disabled = True
    for child in getattr(widget, "children", ()):
        disable_inputs(child)


def keep_read_only(session: Session, content: widgets.Widget) -> None:
    """Disable `content`'s inputs now and again after each change of the plan (a form may
    rebuild rows then). Does nothing when the session may edit."""
    if not session.read_only:
        return
    disable_inputs(content)
    session.on_change(lambda _: disable_inputs(content))
