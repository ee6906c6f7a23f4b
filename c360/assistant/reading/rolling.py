"""A rolling window against the window before it: "the last 90 days vs the 90 days before", "spend in the past
30 days compared with the previous 30 days", "... over the prior period".

The profile stores one such comparison, the 90-day spend change (spend_last_90_days vs spend_prior_90_days,
spend_change_pct, the dollar change): a question about that change ("fell by more than 30%", "increased their
spending", "top 10 by dollar increase") restates its windows, so the phrase is read as the change column's own
definition. Any other measure of a trailing N-day window is read as two periods side by side (per_period.py):
[as_of - 2N, as_of - N) and the window, in one row (each window a column; one row per group when grouped)
with the change in the measure's unit and in %. A window before that
does not match the rolling window's length is refused, and so is "... than in the 90 days before" of anything but
the stored change (each row's own change, not two totals)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Final

from c360.assistant.query import Grain, Option, TimeWindow
from c360.assistant.reading import periods
from c360.assistant.reading.items import Item, Reading, Refusal
from c360.assistant.reading.lookups import Lookups
from c360.assistant.reading.series import previous_period
from c360.assistant.text import Token, pattern_spans
from c360.assistant.timeframe import MONTHS

CONNECTORS: Final = (
    "vs|versus|compared with|compared to|compare with|compare to|against|relative to|over|than|from|with"
)
WEAK: Final = frozenset({"over", "from", "with"})
BEFORE: Final = re.compile(
    rf"\b(?P<c>{CONNECTORS}) (?:(?:in|during) )?(?:the )?(?:"
    r"(?:previous|prior|preceding|earlier) (?P<a>\d+)(?: day)?(?! (?:week|month|quarter|year)\b)"
    r"|(?P<b>\d+)(?: day)? (?:before|prior|earlier|preceding)(?: that| it| those| then)?"  # "the 90 (days) before"
    r"|(?:previous|prior|preceding) (?:period|window)"
    r")(?= |$)"
)
# "last month compared with the month before", "this quarter vs the previous quarter": the calendar period before
CALENDAR: Final = re.compile(
    r"\b(?P<c>vs|versus|compared with|compared to|against|relative to) (?:the |that of the )?(?:"
    r"(?:previous|prior|preceding) (?P<a>week|month|quarter|year)"
    r"|(?P<b>week|month|quarter|year) before(?: that| it)?"
    r")(?= |$)"
)
CALENDAR_UNITS: Final = frozenset({"week", "month", "quarter", "year"})
# "... vs the 90 days before? give me the % change": the change the side-by-side answer shows anyway
CHANGE_SHOWN: Final = re.compile(
    r"\b(?:(?:percent|percentage|pct) change|change in percent|(?:percent|percentage|pct) difference"
    r"|(?:year over year|year on year|yoy|y y)(?: (?:percent|percentage|pct))?(?: (?:change|growth|difference))?"
    r")(?= |$)"
)  # "Nov 2026 vs Nov 2025 - year over year change?": the % change between the two periods
SHOWN: Final = "shown"
# the profile's stored comparison: last 90 days vs the 90 days before (columns and named filters of it)
CHANGE_DAYS: Final = 90
PROFILE: Final = "customer_360_profile"
CHANGE_COLUMNS: Final = frozenset({"spend_change_pct", "spend_prior_90_days", "spend_change_amount"})
CHANGE_FILTERS: Final = frozenset({"increasing_spend", "declining_spend"})
PERCENT: Final = "spend_change_pct"
AMOUNT: Final = "spend_change_amount"


def before_spans(tokens: list[Token]) -> dict[int, tuple[int, str]]:
    """{start: (end, 'days|connector')} over token indices: 'vs the 90 days before', 'compared with the prior
    30 days', 'over the previous period' (no days: as long as the question's own window). After a weak
    connector ('over', 'from', 'with') only when a rolling window was named before it: 'spend over the previous
    30 days' alone is that window."""
    found: dict[int, tuple[int, str]] = {}
    for start, end, m in pattern_spans(CALENDAR, tokens):
        found[start] = (end, f"{m.group('a') or m.group('b')}|{m.group('c')}")
    for start, end, m in pattern_spans(BEFORE, tokens, numbers=True):
        if start in found:
            continue
        connector = m.group("c")
        if connector in WEAK and not _window_before(tokens[:start]):
            continue
        found[start] = (end, f"{m.group('a') or m.group('b') or ''}|{connector}")
    if found or (COMPARED.search(" ".join(t.lemma for t in tokens)) and _named_periods(tokens) >= 2):
        # "... with the % change": the change a side-by-side answer shows anyway (two named periods:
        # periods.side_by_side; refused by periods.rank_by_change when nothing is side by side)
        for start, end, _ in pattern_spans(CHANGE_SHOWN, tokens):
            found.setdefault(start, (end, SHOWN))
    return found


COMPARED: Final = re.compile(r"\b(?:vs|versus|compared?|comparing|against)\b|\bfrom\b.+\bto\b")


def _named_periods(tokens: list[Token]) -> int:
    """Words that name a calendar period ('Q3', 'November', '2026'): two or more, and a '% change' beside a
    comparison is the change between periods (not a stored change of groups compared: 'treatment vs control')."""
    return sum(
        1
        for t in tokens
        if t.lemma in MONTHS
        or re.fullmatch(r"q[1-4]", t.lemma)
        or (t.number is not None and t.number == int(t.number) and 1990 <= t.number < 2100 and not t.is_money)
    )


def _window_before(tokens: list[Token]) -> bool:
    lemmas = [t.lemma for t in tokens]
    return any(
        a in ("last", "past", "recent", "trailing") and t.is_number
        for a, t in zip(lemmas, tokens[1:], strict=False)
    )


def changed_most(lk: Lookups, r: Reading) -> Refusal | None:
    """'which segment saw the biggest drop in total spend, last 90 days compared with the 90 days before': a
    change between the two windows of groups (not of customers: their change is the stored one), read before
    the ranking so that 'the biggest drop' ranks by the change (periods.rank_by_change)."""
    item = next((i for i in r.items if i.kind == "PRIORWINDOW" and not i.used), None)
    change = next((i for i in r.items if i.kind == "CHANGE" and not i.used), None)
    window = r.window
    if item is not None and item.arg.partition("|")[0] in CALENDAR_UNITS:
        return _calendar_before(r, item, change)
    if item is None or change is None or window is None or window.days is None or window.end is not None:
        return None
    written, _, connector = item.arg.partition("|")
    days = int(written) if written else window.days
    at = r.items.index(change)
    near = [r.items[j] for j in (at - 1, at + 1, at + 2, at + 3) if 0 <= j < len(r.items)]
    if days != window.days or connector == "than" or any(i.kind == "NUM" for i in near):
        return None  # "fell by more than 30%": a change of each row, read later
    if any(i.kind == "LEX" and i.of("entity") and i.of("table") for i in r.items):
        return None  # "which customers grew their spend the most": each customer's (stored) change
    ranked = next((i for i in near if i.kind == "SUPER" and not i.used), None)
    item.used = change.used = True
    _side_by_side(lk, r, window, days)
    if ranked is not None:  # "the biggest drop", "grew the most": ranked by the change
        ranked.used = True
        up = change.arg == "up"
        r.period_change = "up" if (ranked.arg != "asc") == up else "down"
    return None


def _calendar_before(r: Reading, item: Item, change: Item | None) -> Refusal | None:
    """'total spend last month compared with the month before', 'which category had the biggest drop in spend
    last month compared with the month before': the calendar period before a one-period window of that grain,
    side by side (one row per period; per group when grouped)."""
    grain: Grain = item.arg.partition("|")[0]  # type: ignore[assignment]
    item.used = True
    previous = previous_period(r.window, grain) if r.window is not None and not r.periods else None
    if r.window is None or previous is None:
        return Refusal(
            "incomplete",
            f"I can't tell which {grain} to compare with the {grain} before; name one {grain} "
            f"('last {grain} compared with the {grain} before') or two periods.",
        )
    r.periods = (previous, r.window)
    r.window = TimeWindow(previous.start, r.window.end, f"{previous.label} and {r.window.label}")
    shown = next((i for i in r.items if i.kind == "CHANGESHOWN" and not i.used), None)
    if shown is not None and (refusal := periods.not_a_year_apart(shown, previous, r.periods[1])) is not None:
        return refusal
    if shown is not None:  # "last month vs the month before - what's the % change?": one row, each a column
        shown.used = True
        r.rolling_periods = True
        r.notes.append(f"{previous.label} and {r.periods[1].label} side by side, with the % change")
    else:
        r.notes.append(f"{previous.label} and {r.periods[1].label} side by side, with the change")
    if change is not None:
        change.used = True
        at = r.items.index(change)
        near = [r.items[j] for j in (at - 1, at + 1, at + 2) if 0 <= j < len(r.items)]
        ranked = next((i for i in near if i.kind == "SUPER" and not i.used), None)
        if ranked is not None:
            ranked.used = True
            r.period_change = "up" if (ranked.arg != "asc") == (change.arg == "up") else "down"
    return None


def _side_by_side(lk: Lookups, r: Reading, window: TimeWindow, days: int) -> None:
    prior = TimeWindow(
        lk.as_of - timedelta(days=2 * days), lk.as_of - timedelta(days=days), f"the {days} days before"
    )
    r.periods = (prior, window)
    r.rolling_periods = True
    r.window = TimeWindow(
        prior.start, None, f"{prior.label} and {window.label}", time_dimension=window.time_dimension
    )
    r.notes.append(f"{window.label} and the {days} days before side by side, with the change")


def window_before(lk: Lookups, r: Reading) -> Refusal | None:
    item = next((i for i in r.items if i.kind == "PRIORWINDOW"), None)
    if item is None or item.used:
        return None
    item.used = True
    window = r.window
    written, _, connector = item.arg.partition("|")
    days = int(written) if written else (window.days if window is not None else None)
    if window is not None and (window.days is None or window.end is not None or window.days != days):
        return _refuse(days, window.label)
    if _about_the_stored_change(lk, r):
        if days != CHANGE_DAYS:
            return Refusal(
                "incomplete",
                f"The spend change is stored for the last {CHANGE_DAYS} days vs the {CHANGE_DAYS} days before "
                f"only; ask about those windows, or for spend in two named periods.",
            )
        r.notes.append(
            f"the last {CHANGE_DAYS} days vs the {CHANGE_DAYS} days before: the profile's spend change"
        )
        # the two windows are the change's own, not a period the rows are in: "active customers" stays today's
        # status (status_customers.active_in_period would read 'active in the last 90 days' otherwise)
        r.window = None
        _rank_by_amount(r)
        return None
    if connector == "than":  # "spent less in the last 90 days than in the 90 days before": each row's change
        return _refuse(days, window.label if window is not None else None)
    if (
        window is None
        or days is None
        or not r.measures
        or r.periods
        or r.grain
        or any(d.grain for d in r.dimensions)
    ):
        return _refuse(days, window.label if window is not None else None)
    _side_by_side(lk, r, window, days)
    return None


def _rank_by_amount(r: Reading) -> None:
    """'which customers increased their spending the most, last 90 days vs the 90 days before': with the two
    windows named, the increase is between their two amounts, in dollars (three blind writers read it so); the
    percent change ranks only when the question names it ('top 10 by spend change %')."""
    named = {e.column for i in r.items if i.kind == "LEX" for e in i.of("fact", "metric")}
    for k, o in enumerate(r.order):
        column = o.column or ()
        if (
            len(column) == 1
            and column[0].table == PROFILE
            and column[0].column == PERCENT
            and PERCENT not in named
        ):
            r.order[k] = replace(o, column=(Option(PROFILE, AMOUNT),))
            r.notes.append("ranked by the change in dollars (last 90 days minus the 90 days before)")


def _about_the_stored_change(lk: Lookups, r: Reading) -> bool:
    options: list[Option] = []
    for m in r.measures:
        options.extend(m.options)
    for c in [*r.conditions, *r.checks]:
        options.extend(c.options)
        if c.measure is not None:
            options.extend(c.measure.options)
    for o in r.order:
        options.extend(o.column or ())
        if o.measure is not None:
            options.extend(o.measure.options)
    for column in r.columns:
        options.extend(column)
    return any(
        o.table == PROFILE
        and (o.column in CHANGE_COLUMNS or o.filter in CHANGE_FILTERS or _base_fact(lk, o) in CHANGE_COLUMNS)
        for o in options
    )


def _base_fact(lk: Lookups, option: Option) -> str | None:
    """The fact a metric aggregates ('avg spend change' is AVG(spend_change_pct))."""
    column = lk.model.tables[option.table].columns.get(option.column or "")
    if column is None or column.kind != "metric" or not column.base_column:
        return None
    return lk.fact_for_expr(option.table, column.base_column)


def _refuse(days: int | None, label: str | None) -> Refusal:
    before = f"the {days} days before" if days else "the period before"
    against = f" against {label}" if label else ""
    return Refusal(
        "incomplete",
        f"I can't tell which window to compare with {before}{against}; ask for a measure in the last N days "
        f"vs the N days before (the same length), e.g. 'total spend in the last 30 days vs the 30 days before'.",
    )
