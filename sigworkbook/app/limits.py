"""The limits that stop one visitor exhausting the server, and who may open one more page."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from sigworkbook import settings

MB = 1_000_000
PAGE_LOAD_WINDOW_S = 60.0


@dataclass(frozen=True)
class Limits:
    """What one server allows: kernels, page loads, kernel memory, message size, quiet time."""

    kernels_per_server: int = settings.KERNELS_PER_SERVER.default
    kernels_per_visitor: int = settings.KERNELS_PER_VISITOR.default
    page_loads_per_minute: int = settings.PAGE_LOADS_PER_MINUTE.default
    kernel_memory_mb: int = settings.KERNEL_MEMORY_MB.default
    message_limit_mb: int = settings.MESSAGE_LIMIT_MB.default
    quiet_kernel_timeout_s: int = settings.QUIET_KERNEL_TIMEOUT.default

    @classmethod
    def from_settings(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The limits the settings give (a bad one raises SettingError naming it)."""
        return cls(
            kernels_per_server=settings.KERNELS_PER_SERVER.read(environ),
            kernels_per_visitor=settings.KERNELS_PER_VISITOR.read(environ),
            page_loads_per_minute=settings.PAGE_LOADS_PER_MINUTE.read(environ),
            kernel_memory_mb=settings.KERNEL_MEMORY_MB.read(environ),
            message_limit_mb=settings.MESSAGE_LIMIT_MB.read(environ),
            quiet_kernel_timeout_s=settings.QUIET_KERNEL_TIMEOUT.read(environ),
        )

    @property
    def message_bytes(self) -> int:
        """The largest websocket message a page may send, in bytes."""
        return self.message_limit_mb * MB

    @property
    def kernel_memory_bytes(self) -> int:
        """A kernel's address-space limit, in bytes."""
        return self.kernel_memory_mb * MB


class Refused(Exception):
    """A page load over a limit; the message says which (one line, for the server log)."""


@dataclass(eq=False)
class Claim:
    """One admitted page load, counted against its visitor until its kernel is running (then
    the kernel counts) or the load ends without one."""

    visitor: str
    admission: Admission
    kernel_id: str | None = None

    def started(self, kernel_id: str) -> None:
        """Note that `kernel_id` serves this page (only the first: later kernels started while
        serving it, a pool refilling itself say, are not the visitor's)."""
        if self.kernel_id is None:
            self.kernel_id = kernel_id
            self.admission.owners[kernel_id] = self.visitor
            self.admission.pending.discard(self)


@dataclass
class Admission:
    """Who has which page kernels, and whether a visitor may open one more page now.

    A visitor is whatever the server tells apart (an address; when hosted, the hub user).
    A page load holds a claim while its kernel starts, so pages asked for at once are counted
    too; a kernel that is gone no longer counts.
    """

    limits: Limits
    clock: Callable[[], float] = time.monotonic
    owners: dict[str, str] = field(default_factory=dict)
    """kernel id -> the visitor whose page it serves"""
    pending: set[Claim] = field(default_factory=set)
    """page loads admitted whose kernel is not running yet"""
    loads: dict[str, deque[float]] = field(default_factory=dict)
    """visitor -> when their page loads of the last minute were admitted"""

    def admit(self, visitor: str, running: Collection[str]) -> Claim:
        """A claim for one more page of `visitor`, or Refused saying which limit is reached.
        `running` is every kernel id the server has now (the others are forgotten)."""
        for kernel_id in [k for k in self.owners if k not in running]:
            del self.owners[kernel_id]
        now = self.clock()
        for who in list(self.loads):
            times = self.loads[who]
            while times and now - times[0] >= PAGE_LOAD_WINDOW_S:
                times.popleft()
            if not times:
                del self.loads[who]
        recent = self.loads.get(visitor, deque())
        mine = sum(1 for owner in self.owners.values() if owner == visitor)
        mine += sum(1 for claim in self.pending if claim.visitor == visitor)
        total = len(self.owners) + len(self.pending)
        if mine >= self.limits.kernels_per_visitor:
            raise Refused(f"{visitor} has {mine} pages open (kernels_per_visitor)")
        if total >= self.limits.kernels_per_server:
            raise Refused(f"the server has {total} pages open (kernels_per_server)")
        if len(recent) >= self.limits.page_loads_per_minute:
            raise Refused(
                f"{visitor} opened {len(recent)} pages in a minute (page_loads_per_minute)"
            )
        recent.append(now)
        self.loads[visitor] = recent
        claim = Claim(visitor, self)
        self.pending.add(claim)
        return claim

    def release(self, claim: Claim) -> None:
        """The page load of `claim` is over: if it never got a kernel, it no longer counts."""
        self.pending.discard(claim)
