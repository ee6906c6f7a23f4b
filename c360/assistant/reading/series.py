"""A change over a series: "monthly spend with the % change from the previous month", "quarterly
transactions and the growth vs the prior quarter", "spend by month in 2026, month-over-month % change". Each
period of a time series is compared with the one before it (the first shown period too: the period before
the window is read for it). Without a series, the change from the previous period of a one-period window
("spend last month and the change from the previous month") is two periods side by side (periods.py)."""

from __future__ import annotations

import re
from typing import Final

from c360.assistant.per_series import STEP, shifted
from c360.assistant.query import Grain, TimeWindow
from c360.assistant.reading import conditions, grouping
from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups
from c360.assistant.text import Token, pattern_spans
from c360.assistant.timeframe import month_label

GRAINS: Final = "month|quarter|year|week|day"
CHANGE_WORDS: Final = "change|growth|increase|difference|rise|move"
FROM_PREVIOUS: Final = re.compile(
    rf"\b(?:percent |percentage )?(?:{CHANGE_WORDS}) (?:from|vs|versus|over|against|on|compared with|compared to|"
    rf"relative to) (?:the )?(?:previous|prior|preceding|last) (?P<g>{GRAINS})\b"
)
OVER: Final = re.compile(
    rf"\b(?P<g>{GRAINS}) (?:over|on) (?P=g) (?:percent |percentage )?(?:{CHANGE_WORDS})\b"
)


SERIES_ADJECTIVES: Final = {"day": "daily", "year": "annual"}


def change_spans(tokens: list[Token]) -> dict[int, tuple[int, Grain]]:
    """{start: (end, grain)} over token indices. 'month over month % change' counts only in a question that
    names a series of that grain elsewhere ('monthly', 'by month', 'each of the last 3 months'); alone it is
    the name of a per-customer measure."""
    found: dict[int, tuple[int, Grain]] = {}
    for pattern, needs_series in ((FROM_PREVIOUS, False), (OVER, True)):
        for start, end, m in pattern_spans(pattern, tokens):
            grain: Grain = m.group("g")  # type: ignore[assignment]
            elsewhere = [t.lemma for k, t in enumerate(tokens) if not start <= k < end]
            if needs_series and not set(elsewhere) & {grain, f"{grain}ly", SERIES_ADJECTIVES.get(grain, "")}:
                continue
            found[start] = (end, grain)
    return found


def series_change(lk: Lookups, r: Reading) -> Refusal | None:
    item = next((i for i in r.items if i.kind == "SERIESCHANGE"), None)
    if item is None:
        return None
    grain: Grain = item.arg  # type: ignore[assignment]
    item.used = True
    series = r.grain or next((d.grain for d in r.dimensions if d.grain), None)
    if series == grain and r.measures:
        r.series_change = grain
        r.notes.append(f"each {grain} compared with the {grain} before it")
        return None
    if series is None and r.window is not None and _several(r.window, grain) and r.measures and not r.periods:
        # "month-over-month change in spend over the last 6 months": the series of those months, each compared
        # with the month before it (whole months, like any series of the last N months)
        r.grain = grain
        r.dimensions.append(grouping.time_grain_dimension(lk, r))
        conditions.whole_periods(lk, r)
        r.series_change = grain
        r.notes.append(f"each {grain} compared with the {grain} before it")
        return None
    if series is None and r.window is not None and not r.periods:
        previous = previous_period(r.window, grain)
        if previous is not None:  # "spend last month and the change from the previous month"
            r.periods = (previous, r.window)
            r.window = TimeWindow(previous.start, r.window.end, f"{previous.label} and {r.window.label}")
            r.notes.append(f"{previous.label} and {r.periods[1].label} side by side, with the change")
            return None
    return Refusal(
        "incomplete",
        f"I can't tell which {grain}s to compare; ask for a series ('spend by {grain}') with the change from the "
        f"previous {grain}, or name the two periods.",
    )


def _several(window: TimeWindow, grain: Grain) -> bool:
    """'the last 6 months', 'the last 6 complete months': a window of several periods of that grain."""
    if window.rolling is not None:
        return window.rolling[1] == grain and window.rolling[0] > 1
    start, end = window.start, window.end
    if start is None or end is None or grain not in STEP or start.day != 1 or (start.month - 1) % STEP[grain]:
        return False
    return shifted(start, grain, 1) < end


def previous_period(window: TimeWindow, grain: Grain) -> TimeWindow | None:
    """The calendar period before a one-period window of that grain (None when the window is not one)."""
    start, end = window.start, window.end
    if start is None or (end is not None and shifted(start, grain, 1) != end):
        return None
    if grain in STEP and (start.day != 1 or (start.month - 1) % STEP[grain]):
        return None
    before = shifted(start, grain)
    labels = {"month": month_label(before), "quarter": f"Q{(before.month - 1) // 3 + 1} {before.year}"}
    label = labels.get(grain) or (
        str(before.year) if grain == "year" else f"the {grain} from {before.isoformat()}"
    )
    return TimeWindow(before, start, label)


MOM_AVERAGE: Final = "avg_mom_change_pct"
AVERAGE_WORDS: Final = frozenset({"average", "avg", "mean", "typical", "median"})
PORTFOLIO_WORDS: Final = frozenset({"portfolio", "total", "overall", "whole", "entire", "all", "aggregate"})


def portfolio_change(lk: Lookups, r: Reading) -> Refusal | None:
    """'mom spend change last month, whole portfolio': the stored month-over-month change is each customer's,
    and its average is not the change of the portfolio's total spend (two blind writers computed the total's).
    Said of the portfolio without 'average', the two readings differ, so the question is refused with both."""
    del lk
    if not any(o.column == MOM_AVERAGE for m in r.measures for o in m.options):
        return None
    lemmas = {t.lemma for t in r.tokens}
    if lemmas & AVERAGE_WORDS or not lemmas & PORTFOLIO_WORDS:
        return None
    return Refusal(
        "incomplete",
        "I can't tell whether you mean the change in the portfolio's total spend or the average of each "
        "customer's month-over-month change; ask 'total spend last month vs the month before' or 'average "
        "month-over-month change last month'.",
    )
