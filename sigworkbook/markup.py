"""HTML built in Python: markupsafe's Markup, escaping what is put in as the pages always have."""

from __future__ import annotations

from typing import Any, Self

import markupsafe

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})
"""Each character that could end text and start markup, as the entity the pages write for it."""


class Markup(markupsafe.Markup):
    """Safe markup. What `format`, `join` and `+` put into it is escaped unless it is markup
    itself: `Markup('<p class="swb-help">{}</p>').format(user_text)`.

    The same as markupsafe's but for how quotes are written (`&quot;` and `&#x27;`, as
    `html.escape` writes them), so that every page reads as it did before it was built this way.
    """

    __slots__ = ()

    @classmethod
    def escape(cls, s: Any, /) -> Self:
        """`s` as safe markup: itself if it is markup already, else its text escaped."""
        if hasattr(s, "__html__"):
            return cls(s.__html__())
        return cls(str(s).translate(_ENTITIES))


__all__ = ["Markup"]
