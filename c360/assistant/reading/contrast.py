"""Two groups compared are groups of one column: "compare the average LTV of lapsed customers with active ones",
"average transaction value in the Travel category vs Grocery". Each value may belong to several columns (Active is
a customer status and a recency status; Travel is a category and a named filter of travel categories); when two
compared values were read on different columns but one column holds both, they become one condition on that
column — the groups the comparison shows side by side. The column the first value was read on wins (for a named
filter, the column its definition tests)."""

from __future__ import annotations

import itertools
import re

from c360.assistant.query import Condition, Option
from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups

_TESTED_VALUE = re.compile(r"^\s*(\w+)\s*=\s*'([^']*)'\s*$")


def one_column(lk: Lookups, r: Reading) -> Refusal | None:
    if not any(i.kind == "COMPARE" for i in r.items):
        return None
    groups = [c for c in r.conditions if c.op in ("in", "named") and c.measure is None and len(c.values) <= 1]
    groups.sort(key=r.position)
    for left, right in itertools.pairwise(groups):
        if left.subject == right.subject:
            continue
        a, b = _columns(lk, r, left), _columns(lk, r, right)
        shared = [k for k in a if k in b]
        if not shared:
            continue
        complete = [
            k for k in shared if _enumeration(lk, k) <= {a[k], b[k]}
        ]  # "lapsed vs active" (all of it)
        preferred = [_own_column(lk, left)[0], *complete, _own_column(lk, right)[0]]
        key = next((k for k in preferred if k in shared), shared[0])
        merged = Condition((Option(*key),), "in", (a[key], b[key]))
        r.swap(left, merged)
        r.conditions.remove(right)
        return None
    return None


def _columns(lk: Lookups, r: Reading, condition: Condition) -> dict[tuple[str, str], str]:
    """Every enumerated column that holds the condition's value (as read, or as its named filter tests it)."""
    values: set[str] = {str(v) for v in condition.values if isinstance(v, str)}
    own, tested = _own_column(lk, condition)
    if tested is not None:
        values.add(tested)
    item = next((i for i in r.items if i.kind == "LEX" and i.start == r.position(condition)), None)
    if item is not None:
        values.update(e.value for e in item.of("value") if e.value)
    out: dict[tuple[str, str], str] = {}
    if own is not None and len(values) == 1:
        out[own] = next(iter(values))
    for name, table in lk.model.tables.items():
        for column in table.columns.values():
            if not column.is_enum:
                continue
            for value in values:
                if value in (column.sample_values or ()):
                    out.setdefault((name, column.name), value)
    return out


def _enumeration(lk: Lookups, key: tuple[str, str]) -> set[str]:
    column = lk.model.tables[key[0]].columns[key[1]]
    return {str(v) for v in column.sample_values or ()}


def _own_column(lk: Lookups, condition: Condition) -> tuple[tuple[str, str] | None, str | None]:
    """The column the condition tests, and for a named filter `column = 'value'` that value."""
    option = condition.options[0] if condition.options else None
    if option is None:
        return None, None
    if option.column:
        return (option.table, option.column), None
    if option.filter:
        found = _TESTED_VALUE.match(lk.model.tables[option.table].filters[option.filter].expr)
        if found:
            return (option.table, found.group(1)), found.group(2)
    return None, None


def combined(lk: Lookups, r: Reading) -> Refusal | None:
    """'How many customers in Texas, Florida and Georgia combined?': 'combined' after the values (nothing
    measured follows it) joins them into one total, like 'together'; before a measure it is a sum ('combined
    spend')."""
    for idx, item in enumerate(r.items):
        if item.kind != "AGG" or [t.lemma for t in item.tokens] != ["combined"]:
            continue
        after = r.items[idx + 1] if idx + 1 < len(r.items) else None
        if after is None or not (after.kind == "LEX" and after.of("metric", "fact")):
            item.kind = "TOGETHER"
    return None
