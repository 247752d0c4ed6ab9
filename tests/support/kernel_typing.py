"""Typing into a control as in a kernel, where an edit waits for a pause before it is saved."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from sigworkbook.ui.controls import FieldControl
from sigworkbook.ui.merging_box import MergingBox


def typing(control: FieldControl, text: str) -> None:
    """Type into `control` inside an event loop, as in a kernel: the save waits for a pause."""

    async def type_and_stop() -> None:
        control.input.value = text

    # In a thread of its own: the test process may already run another library's event loop.
    control.session.debounce = True
    worker = threading.Thread(target=asyncio.run, args=(type_and_stop(),))
    worker.start()
    worker.join()
    control.session.debounce = False
    assert control.session.has_pending


def box_receives(box: MergingBox, text: str, typed_on: int, **sent: Any) -> None:
    """`text` arriving from the page's merging box as its script sends it, a message on the
    widget's comm: with the kernel's write it was typed on (`typed_on`, a `rev`) and any other
    keys of the script's message (`base_seq`, `base_text`)."""
    content = {"typed": text, "seq": box.seq + 1, "base_rev": typed_on, **sent}
    box._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def browser_sends(control: FieldControl, text: str, *, typed_on: int | None = None) -> None:
    """`text` arriving from the page's merging box of `control`, typed on the kernel's write
    `typed_on` (the latest when None)."""
    box = control.input
    assert isinstance(box, MergingBox), f"{control.path} is not a merging box"
    box_receives(box, text, box.rev if typed_on is None else typed_on)
