"""Who may open one more page: pages per visitor and per server, page loads per minute."""

from __future__ import annotations

import pytest

from sigworkbook.app.limits import Admission, Limits, Refused
from sigworkbook.lists.reading import MAX_BYTES
from sigworkbook.settings import KERNELS_PER_VISITOR, MESSAGE_LIMIT_MB, SettingError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _admission(**limits: int) -> tuple[Admission, Clock]:
    clock = Clock()
    return Admission(Limits(**limits), clock=clock), clock


def test_a_visitor_gets_as_many_pages_as_the_limit_and_a_closed_one_makes_room() -> None:
    admission, _ = _admission(kernels_per_visitor=2)
    running = {"k1", "k2"}
    for kernel in running:
        admission.admit("ada", running).started(kernel)
    with pytest.raises(Refused, match=r"ada has 2 pages open \(kernels_per_visitor\)"):
        admission.admit("ada", {"k1", "k2"})
    admission.admit("bob", {"k1", "k2"})  # another visitor is not held back
    admission.admit("ada", {"k2"})  # k1 is gone: its page closed


def test_pages_asked_for_at_once_count_before_their_kernels_run() -> None:
    admission, _ = _admission(kernels_per_visitor=2)
    first, _second = admission.admit("ada", set()), admission.admit("ada", set())
    with pytest.raises(Refused):
        admission.admit("ada", set())
    admission.release(first)  # that page load ended without a kernel
    admission.admit("ada", set())


def test_only_the_first_kernel_started_for_a_page_is_the_visitors() -> None:
    admission, _ = _admission(kernels_per_visitor=5)
    claim = admission.admit("ada", set())
    claim.started("page")
    claim.started("pool refill")
    admission.release(claim)
    assert admission.owners == {"page": "ada"}


def test_the_server_limit_counts_every_visitor() -> None:
    admission, _ = _admission(kernels_per_server=2)
    admission.admit("ada", {"k1", "k2"}).started("k1")
    admission.admit("bob", {"k1", "k2"}).started("k2")
    with pytest.raises(Refused, match=r"the server has 2 pages open \(kernels_per_server\)"):
        admission.admit("cy", {"k1", "k2"})


def test_page_loads_per_minute_count_reloads_and_recover_after_the_minute() -> None:
    admission, clock = _admission(page_loads_per_minute=3)
    for _ in range(3):
        admission.release(admission.admit("ada", set()))
    with pytest.raises(Refused, match=r"ada opened 3 pages in a minute \(page_loads_per_minute\)"):
        admission.admit("ada", set())
    clock.now += 60
    admission.admit("ada", set())


def test_the_message_limit_lets_a_whole_upload_through_and_stays_below_tornados() -> None:
    limits = Limits()
    assert MAX_BYTES * 1.1 < limits.message_bytes < 10 * 1024 * 1024
    with pytest.raises(
        SettingError, match="SIGWORKBOOK_MESSAGE_LIMIT_MB: 11 is not between 1 and 10"
    ):
        MESSAGE_LIMIT_MB.read({MESSAGE_LIMIT_MB.env: "11"})
    with pytest.raises(SettingError, match="SIGWORKBOOK_KERNELS_PER_VISITOR: 'many'"):
        KERNELS_PER_VISITOR.read({KERNELS_PER_VISITOR.env: "many"})
