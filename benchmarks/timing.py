"""Interleaved, paired timing: ratios that hold on a noisy shared machine.

Each round times a batch of calls of every candidate back to back (order rotated each round), so
a slow spell on the machine hits all candidates of that round alike. A candidate's figure is the
median over rounds of its per-call time; a ratio is the median of the per-round ratios (paired),
which cancels drift better than a ratio of two medians taken apart.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Timings:
    """Per-call seconds of each candidate, one value per round, in round order."""

    per_call: dict[str, list[float]]
    number: int  # calls per batch

    def median(self, name: str) -> float:
        return statistics.median(self.per_call[name])

    def best(self, name: str) -> float:
        return min(self.per_call[name])

    def ratio(self, name: str, baseline: str) -> float:
        """Median of the per-round ratios ``name / baseline``."""
        pairs = zip(self.per_call[name], self.per_call[baseline], strict=True)
        return statistics.median(a / b for a, b in pairs)

    @property
    def rounds(self) -> int:
        return len(next(iter(self.per_call.values())))


def calls_per_batch(func: Callable[[], object], *, target_s: float) -> int:
    """How many calls make a batch of about ``target_s`` seconds (at least 1)."""
    func()  # warm up: first calls pay for imports, caches and allocations
    start = time.perf_counter()
    func()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, round(target_s / once))


def compare(
    candidates: Mapping[str, Callable[[], object]], *, rounds: int, target_batch_s: float = 0.02
) -> Timings:
    """Time every candidate in interleaved rounds; one batch size for all, set by the slowest."""
    number = min(calls_per_batch(f, target_s=target_batch_s) for f in candidates.values())
    names = list(candidates)
    per_call: dict[str, list[float]] = {name: [] for name in names}
    gc_was_enabled = gc.isenabled()
    gc.disable()  # a collection inside one batch and not the other skews the pair
    try:
        for round_no in range(rounds):
            shift = round_no % len(names)
            for name in names[shift:] + names[:shift]:
                func = candidates[name]
                start = time.perf_counter()
                for _ in range(number):
                    func()
                per_call[name].append((time.perf_counter() - start) / number)
            gc.collect()
    finally:
        if gc_was_enabled:
            gc.enable()
    return Timings(per_call=per_call, number=number)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]
