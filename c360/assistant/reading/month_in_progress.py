"""A monthly series leaves out the month in progress (docs/metrics.md, Time). 'Monthly spend in 2026', 'this
year by month', 'spend per month since June', 'spend by month' end with the last complete month: a few days of
the as-of month beside full months read as a collapse. The answer says which month was left out. The month in
progress stays when it is asked for: named in the window ('June to December 2026', 'this month', 'month to
date') or added in words ('including December', 'including the current month', 'with this month so far'; the
words are taken out before the question is read). Quarterly and yearly series keep their period in progress."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Final

from c360.assistant.query import SemanticQuery, TimeWindow
from c360.assistant.reading.items import Reading
from c360.assistant.text import Token, pattern_spans
from c360.assistant.timeframe import MONTH_NAMES, add_months, month_label, month_start

ADD: Final = r"(?:including|include|incl|inc|plus|with|and)"
RUNNING: Final = r"(?:current|present|partial|ongoing|unfinished|incomplete|open|latest)"
LEFT_OUT: Final = ", the month in progress, is left out of the monthly series"  # said by verified answers too
SO_FAR: Final = r"(?: so far| to date| in progress| included)?"


def _asked(as_of: date) -> re.Pattern[str]:
    name = MONTH_NAMES[as_of.month - 1].lower()
    month = rf"(?:{name}|{name[:3]})(?: {as_of.year})?"
    return re.compile(
        rf"\b(?:{ADD} (?:the )?{RUNNING} month{SO_FAR}"
        rf"|{ADD} (?:the )?month (?:in progress|so far|to date)"
        rf"|(?:including|include|incl|inc|plus) this month{SO_FAR}"
        rf"|{ADD} this month (?:so far|to date)"
        rf"|{ADD} (?:the )?(?:mtd|month to date)"
        rf"|(?:including|include|incl|inc|plus) {month}{SO_FAR}"
        rf"|{ADD} {month} (?:so far|to date|in progress))\b"
    )


def strip(tokens: list[Token], as_of: date) -> tuple[list[Token], bool]:
    """The tokens without the words that add the month in progress to a series, and whether there were any
    ('including December' counts only when December is the as-of month)."""
    for start, end, _ in pattern_spans(_asked(as_of), tokens):
        return tokens[:start] + tokens[end:], True
    return tokens, False


def _names_the_month(reading: Reading | None, cut: date) -> bool:
    """A time phrase of the question that is the as-of month ('this month', 'month to date') or ends in it by
    its name ('June to December 2026', 'Jun-Dec')."""
    if reading is None:
        return False
    name = MONTH_NAMES[cut.month - 1].lower()
    for item in reading.items:
        window = item.span.window if item.kind == "TIME" and item.span is not None else None
        if window is None:
            continue
        if window.start == cut:
            return True
        named = any(t.lemma in (name, name[:3]) for t in item.tokens)
        if named and window.end == add_months(cut, 1):
            return True
    return False


def monthly(query: SemanticQuery) -> bool:
    return (
        query.mode == "aggregate" and not query.periods and any(d.grain == "month" for d in query.dimensions)
    )


def month_rows(query: SemanticQuery, default_time: frozenset[tuple[str, str]]) -> bool:
    """A listing of customer-month rows in a time frame ('CUST00000001's monthly spend this year'): the rows
    are the monthly series itself, when every table the listing can be read from that has a time column is
    dated by calendar month."""
    if query.mode != "list" or query.window is None or query.window.time_dimension is not None:
        return False
    tables = {query.entity} | {o.table for options in query.columns for o in options}
    dated = {column for table, column in default_time if table in tables}
    return dated == {"month"}


def leave_out(
    query: SemanticQuery, reading: Reading | None, as_of: date, default_time: frozenset[tuple[str, str]]
) -> SemanticQuery:
    """The query of a monthly series with its window ending where the as-of month starts (and a note saying
    so); the query itself when it is no monthly series, its window already ends before that month, lies inside
    it, rolls back a number of days, or the question names the month in progress."""
    series = next((d for d in query.dimensions if d.grain == "month"), None)
    rows = month_rows(query, default_time)
    if not rows and (series is None or not monthly(query)):
        return query
    cut = month_start(as_of)
    window = query.window
    if window is not None and (
        (window.end is not None and window.end <= cut)
        or (window.start is not None and window.start >= cut)
        or window.rolling is not None
    ):
        return query
    if _names_the_month(reading, cut):
        return query
    last = month_label(add_months(cut, -1))
    if (
        window is None and series is not None
    ):  # the series' own date column (the anchor's default: a rollup may answer)
        default = {(o.table, o.column) for o in series.options} == default_time
        base = TimeWindow(None, None, "", time_dimension=None if default else series.options)
        label = f"up to {last} (complete months)"
    elif window is None:
        return query
    else:
        base = window
        label = f"{window.label}, complete months only (to {last})"
    cut_window = replace(base, end=cut, label=label, current=False, rolling=None)
    note = f"{month_label(cut)}{LEFT_OUT} (ask 'including {MONTH_NAMES[cut.month - 1]}' for its days so far)"
    return replace(query, window=cut_window, notes=(*query.notes, note))
