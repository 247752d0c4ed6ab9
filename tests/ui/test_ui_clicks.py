"""Button clicks: an action runs on click, and a failing one is logged for the server only."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from sigworkbook.ui.clicks import on_click


@pytest.mark.parametrize("reads_typing", [True, False])
def test_outside_a_kernel_the_action_runs_at_once(reads_typing: bool) -> None:
    button = widgets.Button(description="Add idea")
    done: list[str] = []
    on_click(button, lambda: done.append("added"), reads_typing=reads_typing)
    button.click()
    assert done == ["added"]


def test_a_failing_action_goes_to_the_server_log_not_the_page(
    capfd: pytest.CaptureFixture[str],
) -> None:
    button = widgets.Button(description="Export again")

    def fail() -> None:
        raise OSError("disk full")

    on_click(button, fail, reads_typing=False)
    button.click()  # raises nothing: ipywidgets would print the traceback into the page
    err = capfd.readouterr().err
    assert "the button 'Export again' failed" in err
    assert "OSError: disk full" in err


def test_in_a_kernel_a_click_that_reads_typing_waits_for_late_keystrokes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The front end may send the click before the last keystrokes; the action sees them."""
    import asyncio
    import concurrent.futures

    from sigworkbook.ui import clicks

    text = widgets.Text(value="Pill Pa")
    button = widgets.Button(description="Add idea")
    seen: list[str] = []
    on_click(button, lambda: seen.append(text.value), reads_typing=True)

    async def click_then_late_keystrokes() -> None:
        monkeypatch.setattr(clicks, "kernel_loop", asyncio.get_running_loop)
        button.click()
        assert seen == [], "the action waits"
        await asyncio.sleep(0.01)
        text.value = "Pill Pals"  # the held-back update arrives after the click
        await asyncio.sleep(clicks.SETTLE_S + 0.2)

    # In a thread of its own: the test process may already run another library's event loop.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, click_then_late_keystrokes()).result()
    assert seen == ["Pill Pals"]
