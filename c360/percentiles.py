"""The one percentile c360 reports (benchmarks, `c360 stream`, the assistant evaluation)."""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(values: Iterable[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `pct` % of the values at or below it.

    The p95 of 20 values is the 19th smallest, of 100 values the 95th; NaN when there are no values.
    """
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = math.ceil(pct / 100 * len(ordered))
    return ordered[min(len(ordered), max(1, rank)) - 1]
