"""Two periods side by side: "November vs October spend by category", "this month compared with last month",
"average transaction value in 2025 compared with 2026", "which category's spend grew the most from October to
November". Two calendar periods joined by a comparison word (or "from ... to ..." with a word of change) are
read as the same measures once per period with the change between them, not as one window over both; the
periods must not overlap."""

from __future__ import annotations

import itertools
from datetime import date

from c360.assistant.query import Ordering, TimeWindow
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
    if first.start is None or last.start is None or first.end is None or first.end > last.start:
        return Refusal(
            "incomplete", f"{first.label} and {last.label} overlap; ask about two separate periods."
        )
    for item in used:
        item.used = True
    r.periods = (first, last)
    r.window = TimeWindow(first.start, last.end, f"{first.label} and {last.label}")
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
    r.notes.append(f"{first.label} and {last.label} side by side, with the % change from {first.label}")
    return None


def rank_by_change(lk: Lookups, r: Reading) -> Refusal | None:
    """'grew the most' ranks by the change, highest first; 'the biggest drop' / 'fell the most' by the change,
    most negative first."""
    if r.period_change is None or not r.measures:
        return None
    r.order[:] = [Ordering(measure=r.measures[0], descending=r.period_change == "up")]
    r.notes.append(f"ranked by the change in {r.measures[0].label.replace('_', ' ')}")
    for wh, noun in itertools.pairwise(r.items):
        if wh.kind == "WH" and noun.kind == "LEX" and noun.of("dimension") and r.limit is None:
            last = noun.tokens[-1]
            # "which category's spend grew the most": one row ('category' or the possessive 'category's')
            r.singular_group = last.norm == last.lemma or _possessive(last.norm, last.lemma)
    return None


def _possessive(norm: str, lemma: str) -> bool:
    """'category's' (read as 'categorys'): a consonant + y noun whose plural would be '-ies'."""
    return norm == lemma + "s" and len(lemma) > 2 and lemma.endswith("y") and lemma[-2] not in "aeiou"


def _compared(r: Reading) -> tuple[list[Item], list[TimeWindow]] | None:
    """TIME (vs | compared with | against) TIME — or a bare year after the comparison word ('... 2025 compared
    with 2026')."""
    for idx in range(len(r.items) - 2):
        a, cmp, b = r.items[idx : idx + 3]
        first, second = _period(a), _period(b)
        if cmp.kind != "COMPARE" or first is None or second is None:
            continue
        return [a, cmp, b], [first, second]
    return None


def _period(item: Item) -> TimeWindow | None:
    """A calendar period (not a grain: 'monthly'), or a bare year read as a number."""
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
    if not any(i.kind == "CHANGE" for i in r.items):
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
