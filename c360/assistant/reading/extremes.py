"""Both extremes of one column at once: "the lowest and highest credit limit", "min and max transaction amount in
2026", "youngest and oldest customer ages", "smallest and largest LTV by segment" — the minimum and the maximum of
the column named right after the pair (any grouping or window applies to both)."""

from __future__ import annotations

from c360.assistant.query import Measure, Option
from c360.assistant.reading.items import Item, Reading, Refusal
from c360.assistant.reading.lookups import Lookups

_DIRECTION = {"min": "asc", "max": "desc"}


def both_extremes(lk: Lookups, r: Reading) -> Refusal | None:
    items = r.items
    for idx in range(len(items) - 3):
        first, conj, second, named = items[idx : idx + 4]
        if conj.kind != "AND" or any(i.used for i in (first, conj, second, named)):
            continue
        a, b = _direction(first), _direction(second)
        if a is None or b is None or a[0] == b[0]:
            continue
        facts = [e for e in named.of("fact") if e.column]
        if named.kind != "LEX" or not facts:
            continue
        fixed = {ref for _, ref in (a, b) if ref}  # "youngest and oldest": the column they name must be it
        if fixed and not any(f"{e.table}.{e.column}" in fixed for e in facts):
            continue
        if fixed:
            facts = [e for e in facts if f"{e.table}.{e.column}" in fixed]
        column = facts[0].column or ""
        for aggregation in ("min", "max"):
            options = tuple(dict.fromkeys(Option(e.table, e.column, aggregation=aggregation) for e in facts))
            r.measures.append(Measure(f"{aggregation}_{column}", options))
        for item in (first, conj, second, named):
            item.used = True
    return None


def _direction(item: Item) -> tuple[str, str] | None:
    """(asc|desc, the column a superlative word names or '') of 'lowest', 'max', 'youngest'."""
    if item.kind == "SUPER":
        return item.arg, ""
    if item.kind == "AGG" and item.arg in _DIRECTION:
        return _DIRECTION[item.arg], ""
    if item.kind == "SUPERFACT":
        direction, _, ref = item.arg.partition("|")
        return direction, ref
    return None
