"""The server's kernel culler and kernels shut down between its listing and its check."""

from __future__ import annotations

import asyncio

from sigworkbook.app.kernel_guard import GuardedKernelManager


def test_a_kernel_shut_down_after_the_culler_listed_it_is_skipped_quietly() -> None:
    """jupyter_server's culler lists the kernels, then checks each: one shut down meanwhile
    (its page closed) is not an error in the server's log."""
    manager = GuardedKernelManager()
    manager.heard("gone")
    asyncio.run(manager.cull_kernel_if_idle("gone"))
    assert "gone" not in manager.list_kernel_ids()
