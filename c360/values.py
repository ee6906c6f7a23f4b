"""Typed reads of values whose type a query decides at run time: a SQL scalar (`session.scalar`), a
DataFrame cell, a row of `itertuples()`. Each accepts what `int()` / `float()` accept from a driver or
pandas and raises TypeError naming anything else (a date, None), as `int()` itself would."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

Number = int | float | str | Decimal | np.integer | np.floating


def as_int(value: object) -> int:
    if isinstance(value, Number):
        return int(value)
    raise TypeError(f"expected a number, got {type(value).__name__}: {value!r}")


def as_float(value: object) -> float:
    if isinstance(value, Number):
        return float(value)
    raise TypeError(f"expected a number, got {type(value).__name__}: {value!r}")
