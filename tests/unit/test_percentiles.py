"""The nearest-rank percentile every report uses."""

from __future__ import annotations

import math

import pytest

from c360.percentiles import percentile


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [
        (range(1, 21), 95, 19),  # 20 values: the 19th smallest, not the maximum
        (range(1, 101), 95, 95),
        (range(1, 101), 100, 100),
        ([4.0, 1.0, 3.0, 2.0], 50, 2.0),
        ([7.5], 95, 7.5),
        ([3.0, 1.0], 0, 1.0),
    ],
)
def test_nearest_rank(values: list[float], pct: float, expected: float) -> None:
    assert percentile(values, pct) == expected


def test_no_values_is_nan() -> None:
    assert math.isnan(percentile([], 95))
