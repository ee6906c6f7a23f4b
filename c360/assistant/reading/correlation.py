"""The correlation of two numeric columns of the customers: "corr between credit limit and monthly spend",
"correlation between age and lifetime value", "how correlated are churn score and LTV?", "… by segment". Pearson's
coefficient (CORR) over the customers that have both values, per group when grouped, with the question's filters.
Only two columns that every customer has one value of (the profile's facts): a correlation of a category
(*segment and region*), of a measure over a window, or of more or fewer than two columns is refused."""

from __future__ import annotations

from c360.assistant.query import Measure, Option
from c360.assistant.reading.items import Item, Reading, Refusal
from c360.assistant.reading.lookups import Lookups


def correlation(lk: Lookups, r: Reading) -> Refusal | None:
    word = next((i for i in r.items if i.kind == "CORR" and not i.used), None)
    if word is None:
        return None
    customers = lk.vocab.anchor_preference[0]
    at = r.items.index(word)
    pair = _pair(r.items, at + 1) or _pair_before(r.items, at) or _pair_around(r.items, at)
    if pair is not None and pair[0].start > word.start and at >= 1 and _another_column(r.items[at - 1]):
        return _refused()  # "is age correlated with credit limit and LTV": three columns
    if pair is None or r.window is not None:
        return _refused()
    columns: list[Option] = []
    for item in pair:
        facts = [f for f in lk.facts_of(item) if f.table == customers and f.column]
        if len(facts) != 1 or item.of("dimension", "value"):
            return _refused()
        columns.append(facts[0])
    first, second = columns
    if first.column == second.column:
        return _refused()
    for item in (word, *pair):
        item.used = True
    for item in r.items:
        if item.kind == "AND" and item.start >= pair[0].end and item.end <= pair[1].start:
            item.used = True
        if item.kind == "BETWEEN" and item.end == pair[0].start:
            item.used = True  # "between age and LTV": the pair, not a range
    option = Option(customers, first.column, aggregation="corr", paired=second.column)
    r.measures.append(Measure("correlation", (option,)))
    return None


def _pair(items: list[Item], start: int) -> tuple[Item, Item] | None:
    """'(between) X and Y' right after the word."""
    rest = [i for i in items[start:] if i.kind != "BETWEEN"]
    if len(rest) >= 3 and rest[0].kind == "LEX" and rest[1].kind == "AND" and rest[2].kind == "LEX":
        return rest[0], rest[2]
    return None


def _pair_before(items: list[Item], at: int) -> tuple[Item, Item] | None:
    """'are X and Y correlated': the pair right before the word."""
    if (
        at >= 3
        and items[at - 3].kind == "LEX"
        and items[at - 2].kind == "AND"
        and items[at - 1].kind == "LEX"
    ):
        return items[at - 3], items[at - 1]
    return None


def _pair_around(items: list[Item], at: int) -> tuple[Item, Item] | None:
    """'is tenure correlated with lifetime value': one column before the word, one after it, and no third."""
    if 1 <= at < len(items) - 1 and items[at - 1].kind == "LEX" and items[at + 1].kind == "LEX":
        after = items[at + 2] if at + 2 < len(items) else None
        before = items[at - 2] if at >= 2 else None
        if not _another_column(after) and not _another_column(before):
            return items[at - 1], items[at + 1]
    return None


def _another_column(item: Item | None) -> bool:
    """A third column beside a pair ('age correlated with credit limit and LTV'), or an 'and' joining one."""
    if item is None:
        return False
    if item.kind == "AND":
        return True
    return (
        item.kind == "LEX" and bool(item.of("fact", "metric")) and not item.of("dimension", "value", "entity")
    )


def _refused() -> Refusal:
    return Refusal(
        "incomplete",
        "I can only correlate two numeric columns of the customers (e.g. 'correlation between age and "
        "lifetime value'), over their current values.",
    )
