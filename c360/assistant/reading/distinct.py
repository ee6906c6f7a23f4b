"""How many different values a dimension takes: "how many different merchants did customers buy from last
month?", "number of unique merchants in October", "how many distinct cities do our customers live in" — a count
of the distinct values of the column named (a dimension that is not itself the rows counted)."""

from __future__ import annotations

from c360.assistant.query import Measure, Option
from c360.assistant.reading.items import Reading, Refusal, next_item
from c360.assistant.reading.lookups import Lookups


def distinct_values(lk: Lookups, r: Reading) -> Refusal | None:
    for idx, item in enumerate(r.items):
        if item.kind != "COUNT" or item.used:
            continue
        marker = next_item(r.items, idx)
        named = next_item(r.items, idx, 2) if marker is not None and marker.kind == "DISTINCT" else marker
        if named is None or named.kind != "LEX" or named.used:
            continue
        dimensions = [e for e in named.of("dimension") if e.column]
        if not dimensions or named.of("entity", "metric", "fact", "value", "filter"):
            continue
        if any(i is not named and i.kind == "LEX" and i.of("metric") for i in r.items):
            return None  # "how many merchants had declined transactions": a count of something else too
        column = dimensions[0].column or ""
        options = tuple(
            dict.fromkeys(Option(e.table, e.column, aggregation="count_distinct") for e in dimensions)
        )
        r.measures.append(Measure(f"distinct_{column}", options))
        item.used = named.used = True
        if marker is not named and marker is not None:
            marker.used = True
    return None
