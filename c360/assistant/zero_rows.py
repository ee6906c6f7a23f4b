"""A count or a sum of one named customer over rows they do not have: 0, not "no rows".

"How many transactions did CUST00000010 make in January 2025?" with none that month groups no rows, so the
compiled query returns nothing; the answer is 0 (a count) or $0 (a sum). When every measure is additive (a
declared `SUM(...)` / `COUNT(...)` metric) and the question pins one customer by key, the customer's own
columns of the answer (id, name as the role sees them) are read from their row and every measure is 0. A key no
customer has still answers "no rows"; averages, rates and anything grouped by another column are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

from c360.assistant.compiler import CompiledQuery
from c360.assistant.model import SemanticModel
from c360.assistant.query import SemanticQuery

ADDITIVE: Final = ("SUM(", "COUNT(")


@dataclass(frozen=True)
class ZeroRow:
    sql: str  # the customer's own columns, by key (`?` bound)
    params: tuple[object, ...]
    measures: tuple[str, ...]  # output columns that are 0
    names: tuple[str, ...]  # every output column, in order

    def frame(self, found: pd.DataFrame) -> pd.DataFrame:
        row = found.iloc[0]
        return pd.DataFrame(
            [[0 if n in self.measures else row[n] for n in self.names]], columns=list(self.names)
        )


def _additive(model: SemanticModel, ref: str) -> bool:
    column_ref, _, aggregation = ref.partition(":")
    if aggregation:
        return aggregation in ("sum", "count")
    table, _, column = column_ref.partition(".")
    col = model.tables.get(table)
    found = col.columns.get(column) if col is not None else None
    return found is not None and found.kind == "metric" and found.expr.strip().upper().startswith(ADDITIVE)


def plan(query: SemanticQuery, compiled: CompiledQuery, model: SemanticModel, person: str) -> ZeroRow | None:
    """The lookup that answers 0 for one named customer's additive measures, or None when 0 is not the answer."""
    if query.mode != "aggregate" or query.dimensions or query.periods or query.within is not None:
        return None
    if compiled.partition is not None or compiled.changes or query.series_change or query.rolling_periods:
        return None
    table = model.tables.get(person)
    if table is None or len(table.primary_key) != 1:
        return None
    key = table.primary_key[0]
    pinned = [
        c.values[0]
        for c in query.conditions
        if c.op == "in"
        and len(c.values) == 1
        and c.measure is None
        and any(o.table == person and o.column == key for o in c.options)
    ]
    if len(pinned) != 1 or any(c.measure is not None for c in query.conditions):
        return None  # one customer, and no bound on a measure (HAVING): 0 rows there may mean "not over it"
    about_person = [
        c
        for c in query.conditions
        if not any(o.table == person and o.column == key for o in c.options)
        and any(o.table == person for o in (*c.options, *(o for e in c.either for o in e.options)))
    ]
    if about_person:
        return None  # "… of CUST… among Premium cardholders": no rows may mean she is not one, not 0
    measures = [c for c in compiled.columns if c.role == "measure"]
    shown = [c for c in compiled.columns if c.role != "measure"]
    if not measures or not all(_additive(model, c.ref) for c in measures):
        return None
    exprs = []
    for c in shown:
        t, _, name = c.ref.partition(":")[0].partition(".")
        column = table.columns.get(name)
        if column is None or column.kind == "metric" or (t != person and name != key):
            return None  # the customer's own columns (another table's copy of the key is the key)
        exprs.append(f"{column.expr} AS {c.name}")
    if not exprs:
        return None
    sql = f"SELECT {', '.join(exprs)} FROM {table.qualified} WHERE {table.columns[key].expr} = ?"
    return ZeroRow(
        sql, (pinned[0],), tuple(c.name for c in measures), tuple(c.name for c in compiled.columns)
    )
