"""'(complete months only)', 'full months only', 'excluding the current partial month', 'leave out this month':
the asker drops the month in progress. By default a monthly series keeps the month the as-of date is in (and the
answer says so); with these words the window ends where that month starts. The words are taken out before the
question is read; the rest is read as usual and its window cut at the start of the as-of month (a question with
neither a window nor a monthly series is left as it was: refused for the words it does not know)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Final

from c360.assistant.query import SemanticQuery, TimeWindow
from c360.assistant.text import Token, pattern_spans
from c360.assistant.timeframe import complete_periods, month_label, month_start

WHOLE: Final = "(?:complete|completed|full|whole|closed|finished)"
CURRENT: Final = (
    r"(?:the |this )?(?:current |present |latest |last )?(?:partial |incomplete |unfinished |ongoing |open )?"
)
COMPLETE_ONLY: Final = re.compile(
    rf"\b(?:(?:for |with |using )?{WHOLE} months? only|only (?:the )?{WHOLE} months?"
    rf"|(?:excluding|exclude|without|except(?: for)?|leaving out|leave out|omitting|omit|dropping|drop|minus"
    rf"|ignoring|ignore|not including|but not) {CURRENT}month(?: in progress| so far| to date)?)\b"
)


def strip(tokens: list[Token]) -> tuple[list[Token], bool]:
    """The tokens without the complete-months words, and whether there were any. 'excluding the month' alone
    (no 'current', 'this', 'partial' ...) is not taken: only a phrase that names the month in progress."""
    for start, end, m in pattern_spans(COMPLETE_ONLY, tokens):
        words = m.group(0).split()
        if "only" not in words and not set(words) & {
            "current", "present", "latest", "this", "partial", "incomplete", "unfinished", "ongoing", "open",
            "progress",
        }:  # fmt: skip
            continue
        return tokens[:start] + tokens[end:], True
    return tokens, False


def complete_months(query: SemanticQuery, as_of: date) -> SemanticQuery | None:
    """The query with its window ending where the as-of month starts; None when it has neither a window nor a
    monthly series (the words then say nothing the reader can apply)."""
    monthly = any(d.grain == "month" for d in query.dimensions)
    window = query.window
    if window is None and not monthly:
        return None
    if query.periods:
        return None  # two periods side by side: each is already named
    cut = month_start(as_of)
    if window is not None and window.rolling is not None and window.rolling[1] == "month":
        whole = replace(
            complete_periods(window.rolling[0], "month", as_of), time_dimension=window.time_dimension
        )
        note = f"'{window.label}' read as {whole.label}"
        return replace(query, window=whole, notes=(*query.notes, note))
    if window is not None and window.end is not None and window.end <= cut:
        note = "only complete months: the window already ends before the month in progress"
        return replace(query, notes=(*query.notes, note))
    if window is not None and (
        window.rolling is not None or (window.start is not None and window.start >= cut)
    ):
        return None  # a rolling window, or one inside the month in progress
    last = month_label(date(cut.year - (cut.month == 1), (cut.month - 2) % 12 + 1, 1))
    label = f"{window.label}, complete months only (to {last})" if window is not None else f"up to {last}"
    base = window or TimeWindow(None, None, "")
    cut_window = replace(base, end=cut, label=label, current=False, rolling=None)
    note = f"only complete months: {month_label(cut)}, the month in progress, is left out"
    return replace(query, window=cut_window, notes=(*query.notes, note))
