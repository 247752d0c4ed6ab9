"""The start page's SIG list marks a closed SIG (`sigworkbook close`) and offers it for reading,
not editing."""

from __future__ import annotations

from conftest import DEMO_SIG
from sigworkbook.hosting.access import CLOSED
from sigworkbook.ui.pages.start import Chooser
from sigworkbook.workspace import Workspace


def test_a_closed_sig_is_listed_as_closed_and_offered_for_reading(ws: Workspace) -> None:
    (blank,) = (sig_id for sig_id in ws.sig_ids() if sig_id != DEMO_SIG)
    ws.close_sig(DEMO_SIG)
    chooser = Chooser(ws, None, "Ada")
    labels = dict((sig_id, label) for label, sig_id in chooser.sig_input.options)
    assert labels[DEMO_SIG] == "Home Safely (closed, read-only)"
    assert "closed" not in labels[blank]

    chooser.sig_input.value = DEMO_SIG
    assert "Read “Home Safely” (closed, read-only) →" in chooser.link.value
    assert "Open the workbook" not in chooser.link.value
    assert CLOSED in chooser.link.value

    chooser.sig_input.value = blank
    assert "Open the workbook for" in chooser.link.value and CLOSED not in chooser.link.value

    ws.close_sig(DEMO_SIG, closed=False)
    chooser.refresh_options(DEMO_SIG)
    assert "closed" not in chooser.sig_input.label
    assert "Open the workbook for “Home Safely” as Ada" in chooser.link.value
