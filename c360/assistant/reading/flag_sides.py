"""Both sides of a true/false column set against each other: "weekend vs weekday average purchase amount",
"compare weekend and weekday spend", "weekdays versus weekends". The flag (*weekend*: `is_weekend`) and a named
filter that is its negation (*weekdays*: `NOT is_weekend`, found from the model's filter expressions) joined by
vs / versus / and / or are one grouping by the flag — a row for each side — not both filters at once (no rows)."""

from __future__ import annotations

import re

from c360.assistant.query import Dimension, Option
from c360.assistant.reading.items import Item, Reading, Refusal
from c360.assistant.reading.lookups import Lookups

JOINS = frozenset({"COMPARE", "AND", "OR"})


def both_sides(lk: Lookups, r: Reading) -> Refusal | None:
    for left, join, right in zip(r.items, r.items[1:], r.items[2:], strict=False):
        if join.kind not in JOINS or left.used or right.used:
            continue
        flag = _flag(lk, left) or _flag(lk, right)
        negation = _negation(lk, right) or _negation(lk, left)
        if flag is None or negation is None or flag != negation:
            continue
        left.used = join.used = right.used = True
        r.dimensions.append(Dimension((flag,)))
        return None
    return None


def _flag(lk: Lookups, item: Item) -> Option | None:
    if item.kind != "LEX" or item.of("value", "filter", "metric", "fact"):
        return None
    for e in item.of("dimension"):
        if lk.model.tables[e.table].columns[e.column or ""].is_boolean:
            return Option(e.table, e.column)
    return None


def _negation(lk: Lookups, item: Item) -> Option | None:
    """The flag a named filter negates ('weekdays' = NOT is_weekend)."""
    if item.kind != "LEX" or item.of("dimension", "value", "metric", "fact"):
        return None
    for f in item.of("filter"):
        table = lk.model.tables[f.table]
        expr = table.filters[f.filter or ""].expr.strip()
        match = re.fullmatch(r"NOT\s+(\w+)", expr, flags=re.IGNORECASE)
        if match is None:
            continue
        for column in table.columns.values():
            if column.is_boolean and column.expr.strip().lower() == match.group(1).lower():
                return Option(f.table, column.name)
    return None
