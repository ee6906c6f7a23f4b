"""Display formatting that never crashes on NULLs: missing values render as an em dash."""

from __future__ import annotations

import logging
import math
from datetime import date, datetime

import pandas as pd

log = logging.getLogger(__name__)

MISSING = "—"


def is_missing(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_float(value: object) -> float | None:
    if is_missing(value):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
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


def timestamp(value: object) -> str:
    """2026-10-15 13:05:09 (seconds kept: runs and loads are seconds apart)."""
    if is_missing(value):
        return MISSING
    try:
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)


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
