"""A text box shared by a person's browser and their kernel: each side's text is merged on a base both know.

ipywidgets' Text and Textarea send the browser's text alone: the kernel cannot tell whether it
was typed on the text the kernel last put in the box or on an older one (keys on their way),
so a box either waits for a pause before taking others' words or loses keys. Here every text
carries the version it was typed on:

- the kernel's writes are numbered (`rev`); each says which browser text it already holds
  (`ack`, the browser's number for it, `seq`);
- the browser sends each text at once, as a message of its own (not a synced trait: ipywidgets
  holds a trait's next change until the kernel answers the last, and an answer lost with a
  broken connection held the box's typing for good). A text says the write it was typed on
  (`base_rev`) and the browser text that write was made to hold (`base_seq`);
- a write that does not hold the browser's latest text (keys typed while it was on its way):
  the script (merging_box.js) types those keys again onto it and goes on from there, sending
  that text (`base_text`) with everything typed on it, so the kernel knows the base;
- the kernel makes the keys of a text typed on an older base again on its own text
  (live/merging.py `replayed`). `seq` goes back to the browser: the texts the kernel has,
  so the script sends its latest again if a text was lost on the way.

Neither side ever replaces the other's words; a merge that collides keeps both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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

Base = tuple[int, int]
"""What a browser text was typed on: a kernel write (`rev`) holding the browser's text `seq`."""

UNSAID = -1
"""`base_seq` of a text that does not say it (the kernel's tests): typed on the write as the
kernel made it, or on the browser's last text."""


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
    """The browser's latest text the kernel has."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._written: dict[int, tuple[int, str]] = {self.rev: (self.ack, self.value)}
        """The kernel's writes kept: `rev` -> (`ack`, text)."""
        self._current = self.value
        """The kernel's text: its last write, or the browser's text taken since."""
        self._chain: tuple[Base, str] = ((self.rev, self.ack), self.value)
        """The browser's last text, and what it was typed on."""
        self._putting = False
        self._typed: list[Typed] = []
        self.observe(self._set_here, names="value")
        self.on_msg(self._message)

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
        self._written[self.rev] = (self.ack, text)
        self._written.pop(self.rev - KEPT_WRITES, None)
        self._current = text

    def _message(self, _: object, content: Mapping[str, Any], __: object) -> None:
        if content.get("typed") is not None:
            self._received(content)

    def _received(self, sent: Mapping[str, Any]) -> None:
        """The browser sent its text: take it, merged with any write it was not typed on."""
        text = str(sent["typed"])
        typed_on: Base = (int(sent["base_rev"]), int(sent.get("base_seq", UNSAID)))
        base = self._base(typed_on, sent.get("base_text"))
        merged = text if base == self._current else replayed(base, text, self._current)
        self._chain = (typed_on, text)
        self.seq = int(sent["seq"])  # goes back: the script sends again what did not come
        if merged == self._current:
            return  # nothing new (a text sent again, or keys the kernel has merged already)
        if merged != text:
            self.put(merged)
            self._tell(merged)
            return
        # The browser's own text: it is not sent back (the script shows it already).
        with self._lock_property(value=text):
            self.value = text
        self._current = text
        self._tell(text)

    def _base(self, typed_on: Base, base_text: object) -> str:
        """The text that the browser's text was typed on, as the kernel knows it."""
        (chained_rev, chained_seq), chain_text = self._chain
        rev, seq = typed_on
        if chained_rev == rev and seq in (chained_seq, UNSAID):
            return chain_text  # the kernel's text holds that one already
        acked, written = self._written.get(rev, self._written[min(self._written)])
        if seq in (acked, UNSAID) or not isinstance(base_text, str):
            return written
        return base_text  # the script's keys typed again on the write

    def _set_here(self, change: dict[str, Any]) -> None:
        """`value` set in the kernel's own code, not by put: taken as typed on the latest."""
        if self._putting or "value" in self._property_lock:
            return  # a write of the kernel's, or the browser's text (`_received` takes it)
        self._current = change["new"]
        self._chain = ((self.rev, self.ack), self._current)
        self._tell(self._current)

    def _tell(self, text: str) -> None:
        for callback in self._typed:
            callback(text)
