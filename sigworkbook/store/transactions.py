"""A backend's transactions as the shared store code uses them: statements with ``?``
placeholders (`Transaction`), and the one base (`Transactional`) that names how to get one."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from sigworkbook.store.interface import Snapshot


class Transaction(Protocol):
    """One transaction of a backend, in statements with ``?`` placeholders."""

    def run(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Run one statement; its rows (none for a write without RETURNING)."""
        ...

    def run_many(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """Run one write statement once per row of parameters."""
        ...

    def snapshot(self, sig_id: str) -> Snapshot:
        """The SIG's stored revision and plan (UnknownSig when there is no such SIG); in a
        write transaction nobody else may write the SIG until this one ends."""
        ...


class Transactional:
    """What a backend gives the code every backend shares (`shared`, `history`, `lifecycle`):
    where it is, and its read and write transactions."""

    @property
    def location(self) -> str:
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[Transaction]:
        """A transaction that only reads (its snapshots lock nothing)."""
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Transaction]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        raise NotImplementedError
