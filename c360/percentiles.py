"""The one percentile c360 reports (benchmarks, `c360 stream`, the assistant evaluation): numpy's."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def percentile(values: Iterable[float], pct: float) -> float:
    """Nearest-rank percentile (numpy's `inverted_cdf`): the smallest value with at least `pct` % of the
    values at or below it. The p95 of 20 values is the 19th smallest, of 100 values the 95th; NaN when
    there are no values."""
    array = np.fromiter(values, dtype=float)
    return float(np.percentile(array, pct, method="inverted_cdf")) if array.size else float("nan")
