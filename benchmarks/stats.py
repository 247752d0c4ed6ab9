"""Small statistics for benchmark samples: median, percentiles, and a median/min/max summary."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of `values`, interpolating linearly between ranks."""
    if not values:
        raise ValueError("percentile: no values to summarise")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile: q must be between 0 and 100, not {q}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    """The median of `values`."""
    return percentile(values, 50)


@dataclass(frozen=True)
class Summary:
    """The median, minimum and maximum of a figure's runs, and how many runs there were."""

    median: float
    min: float
    max: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            raise ValueError("summary: no runs to summarise")
        return cls(median(values), min(values), max(values), len(values))


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """Run-by-run ratios of two series measured in the same runs (paired by position)."""
    if len(numerators) != len(denominators):
        raise ValueError(
            f"ratios: {len(numerators)} measurements but {len(denominators)} baseline runs"
        )
    if any(d <= 0 for d in denominators):
        raise ValueError("ratios: a baseline measurement is zero or negative")
    return [n / d for n, d in zip(numerators, denominators, strict=True)]
