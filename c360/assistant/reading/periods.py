"""Two periods side by side: "November vs October spend by category", "this month compared with last month",
"average transaction value in 2025 compared with 2026", "which category's spend grew the most from October to
November". Two calendar periods joined by a comparison word (or "from ... to ..." with a word of change) are
read as the same measures once per period with the change between them, not as one window over both; the
periods must not overlap."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Final

from c360.assistant.query import Condition, Option, Ordering, TimeWindow
from c360.assistant.reading.items import Item, Reading, Refusal
from c360.assistant.reading.lookups import Lookups
from c360.assistant.timeframe import TimeParser

YEARS = range(1990, 2100)


def side_by_side(lk: Lookups, r: Reading) -> Refusal | None:
    found = _compared(r) or _from_to(lk, r)
    if found is None:
        return None
    used, windows = found
    periods = sorted(windows, key=lambda w: w.start or date.min)
    first, last = periods
    whole = (
        first == ALL_TIME
    )  # "in the last 90 days compared with all time": the window within the whole history
    if not whole and (
        first.start is None or last.start is None or first.end is None or first.end > last.start
    ):
        return Refusal(
            "incomplete", f"{first.label} and {last.label} overlap; ask about two separate periods."
        )
    for item in used:
        item.used = True
    r.periods = (first, last)
    r.window = TimeWindow(first.start, None if whole else last.end, f"{first.label} and {last.label}")
    change = next((i for i in r.items if i.kind == "CHANGE" and not i.used), None)
    if change is not None:
        change.used = True
        at = r.items.index(change)
        near = [r.items[j] for j in (at - 1, at + 1, at + 2) if 0 <= j < len(r.items)]
        ranked = next((i for i in near if i.kind == "SUPER" and not i.used), None)
        if ranked is not None:  # "grew the most", "the biggest drop": ranked by the change
            ranked.used = True
            up = change.arg == "up"
            r.period_change = "up" if (ranked.arg != "asc") == up else "down"
    shown = next((i for i in r.items if i.kind == "CHANGESHOWN" and not i.used), None)
    if shown is not None and (refusal := not_a_year_apart(shown, first, last)) is not None:
        return refusal
    if shown is not None or whole:
        if shown is not None:
            shown.used = True  # "Q3 2026 vs Q3 2025, give the % change": one row, each period a column
        r.rolling_periods = True
    if whole:
        r.notes.append(
            f"{last.label} beside all time (the whole history, {last.label} included), with the % change"
        )
        return None
    r.notes.append(f"{first.label} and {last.label} side by side, with the % change from {first.label}")
    return None


ALL_TIME: Final = TimeWindow(None, None, "all time")
YEAR_OVER_YEAR: Final = frozenset({"year", "yoy", "y"})


def _year_later(day: date | None) -> date | None:
    return None if day is None or (day.month, day.day) == (2, 29) else day.replace(year=day.year + 1)


def not_a_year_apart(shown: Item, first: TimeWindow, last: TimeWindow) -> Refusal | None:
    """'year over year' said of two periods that are not the same period a year apart: refused."""
    if not {t.lemma for t in shown.tokens} & YEAR_OVER_YEAR:
        return None
    if _year_later(first.start) == last.start is not None and _year_later(first.end) == last.end is not None:
        return None
    return Refusal(
        "incomplete",
        f"Year over year compares a period with the same period a year before; {first.label} and {last.label} "
        f"are not; ask for the % change between them, or name the same period of two years.",
    )


def rank_by_change(lk: Lookups, r: Reading) -> Refusal | None:
    """'grew the most' ranks by the change, highest first; 'the biggest drop' / 'fell the most' by the change,
    most negative first."""
    shown = next((i for i in r.items if i.kind == "CHANGESHOWN" and not i.used), None)
    if shown is not None and not r.periods and r.series_change is None:
        return Refusal(
            "incomplete",
            "I can't tell what the % change is between here; I read it between two named periods ('total "
            "spend in Q3 2026 vs Q3 2025, with the % change').",
        )
    if (
        r.periods
        and r.periods[0] == ALL_TIME
        and any(_additive(lk, o) for m in r.measures for o in m.options)
    ):
        return Refusal(
            "incomplete",
            f"A total over all time includes {r.periods[1].label}, so a change between them means nothing; ask "
            f"for an average or a rate (the average transaction value in {r.periods[1].label} compared with all "
            f"time), or for the two totals.",
        )
    if _stored_windows(r):
        return Refusal(
            "incomplete",
            "Over the last 90 days vs the 90 days before, a group's spending change may be the change in its "
            "total spend or the average of its customers' stored spend change (they differ a lot for small "
            "spenders); ask 'which segment's total spend grew the most, last 90 days vs the 90 days before' "
            "or 'which segment has the highest average spend change'.",
        )
    grown = False  # "which 3 categories grew the most": the groups grew (no measure named), in spend, by %
    named = any(
        (i.kind == "LEX" and i.of("metric", "fact")) or i.kind in ("COUNT", "HOWMANY", "HOWMUCH")
        for i in r.items
    )
    if r.period_change is not None and not named and r.dimensions and _growth(r):
        spend = lk.measure_by_phrase("total spend")
        if (
            spend is not None
        ):  # (not the rows counted by default: 'which regions grew' is not their customers)
            r.measures[:] = [spend]
            r.notes.append("'grew' read as growth in total spend")
            grown = True
    if r.period_change is None or not r.measures:
        return None
    r.order[:] = [Ordering(measure=r.measures[0], descending=r.period_change == "up")]
    label = r.measures[0].label.replace("_", " ")
    if grown:
        r.period_change += PCT
        r.notes.append(f"ranked by the % change in {label} (growth in %, not the amount)")
        _without_placeholders(lk, r)
    else:
        r.notes.append(f"ranked by the change in {label} (the amount, not the %)")
    for at, (wh, noun) in enumerate(itertools.pairwise(r.items)):
        if wh.kind == "WH" and noun.kind == "LEX" and noun.of("dimension") and r.limit is None:
            last = noun.tokens[-1]
            # "which category's spend grew the most": one row ('category' or the possessive 'category's';
            # 'segment's spending' is read as 'segments spending': a plural noun right before a measure)
            after = r.items[at + 2] if at + 2 < len(r.items) else None
            owner = (
                after is not None
                and after.kind == "LEX"
                and bool(after.of("fact", "metric"))
                and after.start == noun.end
                and last.norm == last.lemma + "s"
            )
            r.singular_group = last.norm == last.lemma or _possessive(last.norm, last.lemma) or owner
    return None


PCT = "_pct"
GROWTH = frozenset({"grew", "grow", "grows", "growing", "grown", "growth"})


def _growth(r: Reading) -> bool:
    """'which categories grew the most' (the groups grew; no measure named): the blind writers ranked by the %
    change of their spend (a big group's small % change is a large dollar one). 'Which category's spend grew the
    most' (the measure grew) and 'the biggest drop in spend' rank by the change in the measure's unit, as the
    writer of such a question did."""
    return any(i.kind == "CHANGE" and any(t.norm in GROWTH for t in i.tokens) for i in r.items)


def _without_placeholders(lk: Lookups, r: Reading) -> None:
    """'which categories grew the most': 'Uncategorized' is no category (vocabulary placeholder_values)."""
    for d in r.dimensions:
        for o in d.options:
            values = lk.vocab.placeholder_values.get(f"{o.table}.{o.column}")
            if values and not any(o in c.options for c in r.conditions):
                r.add(Condition((o,), "not_in", values), len(r.tokens))
                r.notes.append(f"{', '.join(values)} left out (no group of its own)")


STORED_DAYS: Final = 90  # the profile's stored spend change: the last 90 days vs the 90 days before
PROFILE_TABLES: Final = frozenset({"customer_360_profile", "customer_segments", "segment_metrics"})
TOTAL_WORDS: Final = frozenset({"total", "sum", "dollar", "amount", "overall", "aggregate", "combined"})


def _stored_windows(r: Reading) -> bool:
    """Groups' spend (no 'total') over exactly the stored change's two windows: two readings."""
    later = r.periods[1] if r.rolling_periods and len(r.periods) == 2 else None
    if later is None or later.days != STORED_DAYS:
        return False
    if not any(o.table in PROFILE_TABLES for d in r.dimensions for o in d.options):
        return False  # by channel or category: the customers' stored change is not split that way
    if {t.lemma for t in r.tokens} & TOTAL_WORDS:
        return False
    return any(o.column == "total_spend" for m in r.measures for o in m.options)


def _additive(lk: Lookups, option: Option) -> bool:
    """A sum or a count (a total that grows with the window), not an average or a rate."""
    column = lk.model.tables[option.table].columns.get(option.column or "")
    expr = column.expr.strip().upper() if column is not None and column.expr else ""
    return expr.startswith(("SUM(", "COUNT(")) and "/" not in expr  # not a ratio of two sums


def _possessive(norm: str, lemma: str) -> bool:
    """'category's' (read as 'categorys'): a consonant + y noun whose plural would be '-ies'."""
    return norm == lemma + "s" and len(lemma) > 2 and lemma.endswith("y") and lemma[-2] not in "aeiou"


def _compared(r: Reading) -> tuple[list[Item], list[TimeWindow]] | None:
    """TIME (vs | compared with | against) TIME, TIME <measure> vs TIME — or a bare year after the comparison
    word ('... 2025 compared with 2026')."""
    for idx in range(len(r.items) - 2):
        a, cmp, b = r.items[idx : idx + 3]
        first, second = _period(a), _period(b)
        if cmp.kind != "COMPARE" or first is None or second is None:
            continue
        return [a, cmp, b], [first, second]
    for idx, a in enumerate(r.items):  # "Nov 2026 spend vs Nov 2025", "Q3 2026 dining spend vs Q3 2025"
        first = _period(a)
        words = list(itertools.takewhile(lambda i: i.kind == "LEX", r.items[idx + 1 : idx + 4]))
        rest = r.items[idx + 1 + len(words) : idx + 3 + len(words)]
        if first is None or not words or len(rest) != 2 or rest[0].kind != "COMPARE":
            continue
        cmp, b = rest
        second = _period(b)
        adjacent = all(x.end == y.start for x, y in itertools.pairwise([a, *words, cmp]))
        if second and adjacent and any(w.of("metric", "fact") for w in words):
            return [a, cmp, b], [first, second]
    lemmas = [t.lemma for t in r.tokens]
    opener = next((k for k, w in enumerate(lemmas) if w in ("compare", "comparing")), None)
    if opener is None:
        return None
    for a, b in itertools.pairwise(r.items):  # "compare spend in Q3 2026 with Q3 2025"
        first, second = _period(a), _period(b)
        between = lemmas[a.end : b.start]
        if first and second and a.start > opener and between in (["with"], ["to"], ["and"], ["against"]):
            return [a, b], [first, second]
    return None


def _period(item: Item) -> TimeWindow | None:
    """A calendar period (not a grain: 'monthly'), a bare year read as a number, or all time."""
    if item.kind == "ALLTIME" and item.tokens[0].lemma != "lifetime":
        return ALL_TIME
    if item.kind == "TIME":
        span = item.span
        return span.window if span is not None and span.grain is None and not span.rate else None
    return _year(item)


def _year(item: Item) -> TimeWindow | None:
    number = item.number
    if item.kind != "NUM" or number is None or number != int(number) or int(number) not in YEARS:
        return None
    if item.tokens[0].is_money or item.tokens[0].is_percent:
        return None
    year = int(number)
    return TimeWindow(date(year, 1, 1), date(year + 1, 1, 1), str(year))


def _from_to(lk: Lookups, r: Reading) -> tuple[list[Item], list[TimeWindow]] | None:
    """'grew the most from October to November': the two ends of a 'from ... to ...' range, when the question
    asks about a change (without one, 'spend from October to November' is one window over both)."""
    if not any(i.kind in ("CHANGE", "CHANGESHOWN") for i in r.items):  # "the % change from Q1 to Q2"
        return None
    for a, b in itertools.pairwise(r.items):  # "from Q2 to Q3 2026": read as two periods already
        first, second = _period(a), _period(b)
        between = [t.lemma for t in r.tokens[a.end : b.start]]
        if first and second and between == ["to"] and a.start and r.tokens[a.start - 1].lemma == "from":
            return [a, b], [first, second]
    for item in r.items:
        if item.kind != "TIME" or item.span is None or item.span.window is None:
            continue
        lemmas = [t.lemma for t in item.tokens]
        if lemmas[0] != "from" or lemmas.count("to") != 1:
            continue
        cut = lemmas.index("to")
        ends = [_one_period(lk, list(item.tokens[1:cut])), _one_period(lk, list(item.tokens[cut + 1 :]))]
        if ends[0] is None or ends[1] is None:
            continue
        return [item], [ends[0], ends[1]]
    return None


def _one_period(lk: Lookups, tokens: list) -> TimeWindow | None:  # type: ignore[type-arg]
    spans = TimeParser(tokens, lk.as_of).parse()
    if len(spans) != 1 or spans[0].start != 0 or spans[0].end != len(tokens) or spans[0].window is None:
        return None
    return spans[0].window
