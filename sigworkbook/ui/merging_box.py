"""A text box shared by a person's browser and their kernel: each side's text is merged on a base both know.

ipywidgets' Text and Textarea send the browser's text alone: the kernel cannot tell whether it
was typed on the text the kernel last put in the box or on an older one (keys on their way),
so a box either waits for a pause before taking others' words or loses keys. Here every text
carries the version it was typed on:

- the kernel's writes are numbered (`rev`); each says which browser text it already holds
  (`ack`, the browser's number for it, `seq`);
- the browser sends its text with the kernel write it was typed on (`base_rev`); its script
  (merging_box.js) re-applies the keys typed since the kernel's write was made onto it, so
  others' words appear while the person types, without moving their caret;
- the kernel makes the keys of a text typed on an older write again on its own text
  (live/merging.py `replayed`), from the right base: the browser's previous text of the same
  version, or that write.

Neither side ever replaces the other's words; a merge that collides keeps both.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from sigworkbook.live.merging import replayed

KEPT_WRITES = 64
"""The kernel's writes remembered, newest first: a browser text typed on an older one than
these is merged on the oldest kept (it is seconds old: keys on their way arrive sooner)."""

Typed = Callable[[str], None]
"""Told the person's text, once merged with the kernel's latest."""


class MergingBox(anywidget.AnyWidget):
    """One line (`rows` 0) or a text area: typed in by its person while the kernel merges
    others' words into it."""

    _esm = Path(__file__).with_name("merging_box.js")

    value = traitlets.Unicode("").tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    placeholder = traitlets.Unicode("").tag(sync=True)
    rows = traitlets.Int(0).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    rev = traitlets.Int(0).tag(sync=True)
    """How many texts the kernel has put in the box."""
    ack = traitlets.Int(0).tag(sync=True)
    """The browser's latest text (its `seq`) the kernel held when it wrote `rev`."""
    seq = traitlets.Int(0).tag(sync=True)
    """How many texts the browser has sent (set by the browser)."""
    base_rev = traitlets.Int(0).tag(sync=True)
    """The kernel write the browser's text was typed on (set by the browser)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._written: dict[int, str] = {self.rev: self.value}
        self._current = self.value
        """The kernel's text: its last write, or the browser's text taken since."""
        self._chain: tuple[int, str] = (self.rev, self.value)
        """The browser's last text, and the write it was typed on."""
        self._putting = False
        self._typed: list[Typed] = []
        self.observe(self._received, names="seq")
        self.observe(self._set_here, names="value")

    @property
    def text(self) -> str:
        """The box's text as the kernel holds it (merged with the latest write)."""
        return self._current

    def on_typed(self, callback: Typed) -> None:
        """Call `callback` with the person's text each time it comes in, merged."""
        self._typed.append(callback)

    def put(self, text: str) -> None:
        """Show `text` in the box (it holds every word of the person's text the kernel has)."""
        self._putting = True
        try:
            with self.hold_sync():
                self.rev += 1
                self.ack = self.seq
                self.value = text
        finally:
            self._putting = False
        self._written[self.rev] = text
        self._written.pop(self.rev - KEPT_WRITES, None)
        self._current = text

    def _received(self, _: object) -> None:
        """The browser sent its text: take it, merged with any write it was not typed on."""
        text, typed_on = self.value, self.base_rev
        if typed_on >= self.rev:
            merged = text
        else:
            chain_on, chain_text = self._chain
            if chain_on == typed_on:
                base = chain_text  # the kernel's text holds that one already
            else:
                base = self._written.get(typed_on, self._written[min(self._written)])
            merged = replayed(base, text, self._current)
        self._chain = (typed_on, text)
        if merged != text:
            self.put(merged)
        else:
            self._current = text
        self._tell(merged)

    def _set_here(self, change: dict[str, Any]) -> None:
        """`value` set in the kernel's own code, not by put: taken as typed on the latest."""
        if self._putting or "value" in self._property_lock:
            return  # a write of the kernel's, or the browser's text (`_received` takes it)
        self._current = change["new"]
        self._chain = (self.rev, self._current)
        self._tell(self._current)

    def _tell(self, text: str) -> None:
        for callback in self._typed:
            callback(text)
