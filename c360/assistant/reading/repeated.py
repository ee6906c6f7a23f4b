"""Facts of a whole table repeated on each of its rows (`vocabulary.yaml: repeated_facts`): the retention
campaign's lift, ROI, payback and cost are one value of the randomised test (treatment compared with control),
stored on both group rows. "The retention lift between treatment and control", "ROI for treatment vs control",
"the lift of the treatment group" ask for that one number: split or filtered by the group it would show the same
value twice (or once, as if it were that group's), so the group is left out and the answer says why. A question
that also asks for a value of each group (spend before and after, the share still active) keeps the groups."""

from __future__ import annotations

from c360.assistant.query import Dimension, Measure, Option
from c360.assistant.reading import intervals
from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups


def one_number(lk: Lookups, r: Reading) -> Refusal | None:
    if not r.measures:
        return None
    for table, (across, facts) in lk.vocab.repeated_facts.items():
        if not all(_repeated(lk, table, facts, m) for m in r.measures):
            continue
        for m in r.measures:
            note = lk.vocab.repeated_stated.get(f"{table}.{_fact_of(lk, table, m)}")
            if note and f"{m.label.replace('_', ' ')}: {note}" not in r.notes:
                r.notes.append(f"{m.label.replace('_', ' ')}: {note}")
        grouped = [d for d in r.dimensions if _on(d.options, table, across)]
        filtered = [c for c in r.conditions if c.op in ("in", "not_in") and _on(c.options, table, across)]
        if not grouped and not filtered:
            _named(lk, r, table)
            continue
        r.dimensions[:] = [d for d in r.dimensions if d not in grouped]
        r.conditions[:] = [c for c in r.conditions if c not in filtered]
        if not r.dimensions:
            r.order.clear()
            r.singular_group = False
            r.claim = None
        names = ", ".join(m.label.replace("_", " ") for m in r.measures)
        group = across.replace("_", " ")
        whole = (lk.vocab.entities.get(table, {}).get("nouns") or [table.replace("_", " ")])[0]
        r.notes.append(
            f"{names}: one value for the whole {whole} (already the comparison of the groups), the same on every "
            f"{group}, so not split by {group}"
        )
        _named(lk, r, table)
    return None


def _named(lk: Lookups, r: Reading, table: str) -> None:
    """Asked alone, the whole table's facts are shown beside the column that names it (which campaign's ROI)."""
    name = lk.vocab.repeated_named_by.get(table)
    dated = any(
        "DATE"
        in str(
            getattr(lk.model.tables[table].columns.get(_fact_of(lk, table, m) or ""), "data_type", "")
        ).upper()
        for m in r.measures
    )  # the pre and post windows' dates: shown as they are
    if name and not dated and not r.dimensions and not r.order and r.limit is None:
        r.dimensions.append(Dimension((Option(table, name),)))
        _with_interval(lk, r)


def _with_interval(lk: Lookups, r: Reading) -> None:
    """An estimate asked alone ("by how many points did the offer change retention?") is shown with its own
    confidence interval (`vocabulary.yaml: intervals`): the number alone reads as more certain than it is."""
    asked = {intervals.fact_of(lk, m) for m in r.measures}
    for m in list(r.measures):
        pair = lk.vocab.intervals.get(intervals.fact_of(lk, m) or "")
        if pair is None or asked & set(pair):
            continue
        for ref in pair:
            table, _, column = ref.partition(".")
            r.measures.append(Measure(column, (Option(table, column, aggregation="avg"),)))


def _fact_of(lk: Lookups, table: str, measure: Measure) -> str | None:
    """The repeated fact a measure reads (its own column, or a metric's base column)."""
    columns = lk.model.tables[table].columns
    column = columns.get(measure.options[0].column or "")
    if column is None or column.kind == "fact":
        return column.name if column else None
    return next((c.name for c in columns.values() if c.kind == "fact" and c.expr == column.base_column), None)


def _on(options: tuple[Option, ...], table: str, column: str) -> bool:
    return any(o.table == table and o.column == column for o in options)


def _repeated(lk: Lookups, table: str, facts: frozenset[str], measure: Measure) -> bool:
    if measure.where or not measure.options:
        return False
    columns = lk.model.tables[table].columns if table in lk.model.tables else {}
    for option in measure.options:
        if option.table != table or option.filter or option.column not in columns:
            return False
        column = columns[option.column]
        if column.kind == "fact" and column.name in facts:
            continue
        base = next(
            (c.name for c in columns.values() if c.kind == "fact" and c.expr == column.base_column), None
        )
        if column.kind != "metric" or base not in facts:
            return False
    return True
