"""A measure over the value horizon: "if the lift holds over the full value horizon, what's the campaign ROI?",
"the ROI over the 12-month horizon", "incremental revenue if the lift holds".

The horizon qualifies the measure wherever it stands in the question, so no synonym phrase can hold it. A
measure column X with a twin `horizon_X` on its table (and a metric over X with the same metric over
`horizon_X`) is read as that twin when the question names the horizon (a phrase of the horizon-length column) or
the condition it rests on ("if the lift holds / persists"); a number of months before "horizon" must be that
length (a filter on it: another horizon answers "no rows", never a different horizon's ROI). Without such a
measure the words stay what they were (the horizon's length asked for itself).
"""

from __future__ import annotations

from dataclasses import replace

from c360.assistant.lexicon import Entry
from c360.assistant.query import Condition, Measure, Option
from c360.assistant.reading.items import Item, Reading, Refusal
from c360.assistant.reading.lookups import Lookups

PREFIX = "horizon_"
HOLDS = frozenset(
    {"hold", "holds", "persist", "persists", "last", "lasts", "continue", "continues", "stay", "stays"}
)


def horizon_measures(lk: Lookups, r: Reading) -> Refusal | None:
    markers = [i for i in r.items if i.kind == "LEX" and _horizon_length(lk, i) is not None]
    condition = [i for i in r.items if _lift_holds(r, i)]
    if not markers and not condition:
        return None
    twins = [(i, _twin_entries(lk, i)) for i in r.items if i.kind == "LEX" and i not in markers + condition]
    twins = [(i, t) for i, t in twins if t]
    qualifying = any(_after_over(r, m) for m in markers)  # "if the lift holds" alone: payback assumes it too
    if not twins and qualifying:  # "and what would it be over the 12-month horizon?": which measure is unsaid
        return Refusal(
            "incomplete", "I can't tell which figure over the horizon you mean; name it (e.g. 'the ROI')."
        )
    if not twins:
        return None  # "what is the value horizon?": the horizon's length itself
    for item, entries in twins:
        item.entries = entries
    for marker in markers:
        table, column = _horizon_length(lk, marker) or ("", "")
        idx = r.items.index(marker)
        before = r.items[idx - 1] if idx else None
        months = _months(before)
        if before is not None and months is not None:  # "the 12-month horizon": that length, checked
            r.items.remove(before)
            r.add(Condition((Option(table, column),), "in", (months,)), before.start)
        before = r.items[r.items.index(marker) - 1] if r.items.index(marker) else None
        if before is not None and before.kind == "CMP" and before.tokens[0].lemma == "over":
            r.items.remove(before)  # "over the horizon": when, not a comparison
        r.items.remove(marker)
    for item in condition:
        r.items.remove(item)
    # the figure is over a horizon of some length: shown beside it ("… over the full value horizon": 12 months)
    for table in dict.fromkeys(e.table for _, entries in twins for e in entries):
        length = _length_column(lk, table)
        if length is not None and not any(o.column == length for m in r.measures for o in m.options):
            r.measures.append(Measure(length, (Option(table, length, aggregation="min"),)))
    r.notes.append("Over the value horizon, assuming the measured lift holds")
    return None


def _length_column(lk: Lookups, table: str) -> str | None:
    """The column that holds the horizon's length on a table whose measures have horizon twins."""
    columns = lk.model.tables[table].columns
    return next(
        (
            c.name
            for c in columns.values()
            if c.kind == "fact" and "horizon" in c.name and not c.name.startswith(PREFIX)
        ),
        None,
    )


def _after_over(r: Reading, item: Item) -> bool:
    """'over the (full) (12-month) horizon': the horizon qualifies something, it is not asked for."""
    return any(t.lemma == "over" for t in r.tokens[max(0, item.start - 5) : item.start])


def _horizon_length(lk: Lookups, item: Item) -> tuple[str, str] | None:
    """The item names the column that holds the horizon's length (its table has measures with horizon twins)."""
    for entry in item.of("fact"):
        columns = lk.model.tables[entry.table].columns
        if (
            entry.column
            and any(f"{PREFIX}{name}" in columns for name in columns)
            and "horizon" in entry.column
        ):
            return entry.table, entry.column
    return None


def _lift_holds(r: Reading, item: Item) -> bool:
    """'if the lift holds': the measure the horizon figures assume, not a measure asked for."""
    if item.kind != "LEX" or not any(t.lemma == "lift" for t in item.tokens):
        return False
    before = [t.lemma for t in r.tokens[max(0, item.start - 2) : item.start]]
    after = r.tokens[item.end].lemma if item.end < len(r.tokens) else ""
    return "if" in before and after in HOLDS


def _twin_entries(lk: Lookups, item: Item) -> tuple[Entry, ...]:
    twins: list[Entry] = []
    for entry in item.of("fact", "metric"):
        columns = lk.model.tables[entry.table].columns
        column = columns.get(entry.column or "")
        if column is None:
            continue
        if entry.kind == "fact" and f"{PREFIX}{column.name}" in columns:
            twins.append(replace(entry, column=f"{PREFIX}{column.name}", exact=False))
        elif entry.kind == "metric" and column.base_column:
            twin_expr = column.expr.replace(column.base_column, f"{PREFIX}{column.base_column}")
            twin = next((c for c in columns.values() if c.kind == "metric" and c.expr == twin_expr), None)
            if twin is not None and twin_expr != column.expr:
                twins.append(replace(entry, column=twin.name, exact=False))
    return tuple(twins)


def _months(item: Item | None) -> int | None:
    if item is None or item.kind != "TIME" or len(item.tokens) != 2:
        return None
    number, unit = item.tokens
    if number.number is None or unit.lemma != "month":
        return None
    return int(number.number)
