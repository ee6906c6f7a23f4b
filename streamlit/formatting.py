"""Display formatting that never crashes on NULLs: missing values render as an em dash."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

MISSING = "—"
Formatter = Callable[[object], str]  # a value in a result frame -> its display text


def is_missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA: what a NULL becomes in a result frame."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, (float, np.floating, Decimal)):
        return bool(value != value)  # NaN is the one value unequal to itself
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return False


def as_float(value: object) -> float | None:
    if is_missing(value) or not isinstance(value, (str, int, float, Decimal, np.number)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def money(value: object, decimals: int = 0) -> str:
    number = as_float(value)
    if number is None:
        return MISSING
    sign = "-" if number < 0 else ""
    return f"{sign}${abs(number):,.{decimals}f}"


def compact_money(value: object) -> str:
    """$1.2M / $34.5K / $950 for metric cards with large totals."""
    number = as_float(value)
    if number is None:
        return MISSING
    sign = "-" if number < 0 else ""
    magnitude = abs(number)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= threshold:
            return f"{sign}${magnitude / threshold:,.1f}{suffix}"
    return f"{sign}${magnitude:,.0f}"


def number(value: object, decimals: int = 0) -> str:
    amount = as_float(value)
    return MISSING if amount is None else f"{amount:,.{decimals}f}"


def pct(value: object, decimals: int = 1) -> str:
    amount = as_float(value)
    return MISSING if amount is None else f"{amount:,.{decimals}f}%"


def signed_pct(value: object, decimals: int = 1) -> str:
    amount = as_float(value)
    return MISSING if amount is None else f"{amount:+,.{decimals}f}%"


def day(value: object) -> str:
    if is_missing(value):
        return MISSING
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_timestamp(value: object) -> pd.Timestamp | None:
    """A date or time from a result frame (a string, date, datetime, epoch number or numpy datetime64) as a
    Timestamp; None when it is missing or is none of these."""
    if is_missing(value) or not isinstance(value, (str, date, int, float, np.datetime64)):
        return None
    stamp = pd.to_datetime(value, errors="coerce")
    return stamp if isinstance(stamp, pd.Timestamp) else None


def timestamp(value: object) -> str:
    """2026-10-15 13:05:09 (seconds kept: runs and loads are seconds apart)."""
    if is_missing(value):
        return MISSING
    stamp = to_timestamp(value)
    return str(value) if stamp is None else stamp.strftime("%Y-%m-%d %H:%M:%S")


def text(value: object) -> str:
    return MISSING if is_missing(value) else str(value)


def clip(value: object, limit: int) -> object:
    """Long text cut to `limit` characters (with an ellipsis); anything else unchanged."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1].rstrip() + "…"
    return value


def days(value: object) -> str:
    amount = as_float(value)
    if amount is None:
        return MISSING
    whole = round(amount)
    return f"{whole:,} day" + ("" if whole == 1 else "s")


def pretty_sql(sql: str, dialect: str = "duckdb") -> str:
    """SQL laid out one clause per line, indented (sqlglot's pretty printer; the statement is unchanged).

    Text sqlglot cannot parse, or an environment without sqlglot (Streamlit in Snowflake, where Cortex Analyst
    returns its SQL already laid out), shows the SQL as it came.
    """
    try:
        import sqlglot
        from sqlglot.errors import SqlglotError
    except ImportError:
        return sql
    try:
        statements = sqlglot.transpile(sql, read=dialect, write=dialect, pretty=True)
    except SqlglotError as exc:
        log.debug("SQL shown as is (%s)", exc)
        return sql
    return ";\n\n".join(statements) if statements else sql
