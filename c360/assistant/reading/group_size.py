"""A minimum group size: "among states with at least 50 customers", "segments with more than 100 customers",
"merchants with fewer than 20 transactions". A number compared with the rows of an entity, in a question that
groups, is the count of those rows in every group (HAVING), never a column of each row."""

from __future__ import annotations

from c360.assistant.query import Measure
from c360.assistant.reading.items import Item, Reading
from c360.assistant.reading.lookups import Lookups


def rows_counted(lk: Lookups, r: Reading, noun: Item, grouped: bool) -> Measure | None:
    """The count of `noun`'s rows per group, when the question groups (else None: nothing to size)."""
    if not grouped:
        return None
    tables = {e.table for e in noun.of("entity", "table")}
    if len(tables) != 1:
        return None
    return lk.count_measure(r, noun, r.items.index(noun))
