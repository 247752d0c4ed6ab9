"""How big and how long a benchmark run is: the full run and the smoke run's smallest sizes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.report import FIGURE_NUMBERS
from sigworkbook.settings import SAVE_DELAY

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Settings:
    """Every size a benchmark run uses; `smoke` picks the smallest ones."""

    work: Path
    """A scratch folder for workspaces, notebooks and server logs, removed afterwards."""
    out: Path = DEFAULT_OUT
    runs: int = 5
    warmup: int = 1
    """Discarded runs before measuring (fills Chromium's cache, the OS file cache, .pyc files)."""
    smoke: bool = False
    history: int = 10_000
    """Revisions in the history for figure 6's second measurement."""
    saves: int = 100
    """Saves timed per run in figure 6."""
    writers: int = 20
    writer_saves: int = 20
    """Saves each writer makes per run in figure 8."""
    think_ms: tuple[float, float] = (0.0, 2000 * SAVE_DELAY.default)
    """Figure 8: each writer pauses a random time in this range before each save; on average the
    form's save delay, i.e. every writer saves as often as a form that is typed into non-stop."""
    export_repeats: int = 3
    """Figure 7: renders timed per run and format (the run's figure is their median)."""
    open_pages: int = 100
    """Figure 13: pages opened (each its own kernel) on the two servers."""
    server_idle_s: float = 5.0
    """Figure 2: the pre-heated server is left idle this long before each visit."""
    meeting_sizes: tuple[int, ...] = (1, 5)
    """Figure 15: how many people move to another step at the same moment (one meeting each)."""
    meeting_rounds: int = 3
    """Figure 15: moves per meeting (to the charter, back to the name, to the charter again)."""
    cowriters: int = 3
    """Figure 18: people typing into one field at once."""
    cowriting_s: float = 30.0
    """Figure 18: how long they type, per run."""
    only: frozenset[int] = frozenset(FIGURE_NUMBERS)
    profile: bool = False
    """Profile the in-process figures (pyinstrument) even when their targets are met."""

    def __post_init__(self) -> None:
        if self.runs < 1:
            raise ValueError(f"runs: must be at least 1, not {self.runs}")
        if self.warmup < 0:
            raise ValueError(f"warmup: must be 0 or more, not {self.warmup}")
        if self.writers < 1 or self.writer_saves < 1 or self.saves < 2:
            raise ValueError("writers, writer_saves: at least 1; saves: at least 2")
        if self.open_pages < 1:
            raise ValueError(f"open_pages: must be at least 1, not {self.open_pages}")
        if self.server_idle_s < 0:
            raise ValueError(f"server_idle_s: must be 0 or more, not {self.server_idle_s}")
        if not self.meeting_sizes or min(self.meeting_sizes) < 1:
            raise ValueError("meeting_sizes: at least one meeting of at least 1 person")
        if not 1 <= self.meeting_rounds <= 3:
            raise ValueError(f"meeting_rounds: 1 to 3, not {self.meeting_rounds}")
        if not 2 <= self.cowriters <= 5 or self.cowriting_s <= 0:
            raise ValueError("cowriters: 2 to 5; cowriting_s: more than 0")
        if not self.only <= frozenset(FIGURE_NUMBERS):
            unknown = sorted(self.only - frozenset(FIGURE_NUMBERS))
            raise ValueError(f"only: no figure {unknown}; figures are 1 to {FIGURE_NUMBERS[-1]}")

    @classmethod
    def smoke_run(cls, work: Path, out: Path = DEFAULT_OUT) -> Settings:
        """One run of everything at the smallest sizes, to prove the benchmarks still work."""
        return cls(
            work=work,
            out=out,
            runs=1,
            warmup=0,
            smoke=True,
            history=100,
            saves=10,
            writers=4,
            writer_saves=5,
            export_repeats=1,
            open_pages=4,
            server_idle_s=0.0,
            meeting_sizes=(2,),
            meeting_rounds=1,
            cowriters=2,
            cowriting_s=5.0,
        )

    def wants(self, figure: int) -> bool:
        return figure in self.only
