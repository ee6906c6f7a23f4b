"""Facts of a whole table repeated on each of its rows (`vocabulary.yaml: repeated_facts`): the retention
campaign's lift, ROI, payback and cost are one value of the randomised test (treatment compared with control),
stored on both group rows. "The retention lift between treatment and control", "ROI for treatment vs control",
"the lift of the treatment group" ask for that one number: split or filtered by the group it would show the same
value twice (or once, as if it were that group's), so the group is left out and the answer says why. A question
that also asks for a value of each group (spend before and after, the share still active) keeps the groups."""

from __future__ import annotations

from c360.assistant.query import Measure, Option
from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups


def one_number(lk: Lookups, r: Reading) -> Refusal | None:
    if not r.measures:
        return None
    for table, (across, facts) in lk.vocab.repeated_facts.items():
        if not all(_repeated(lk, table, facts, m) for m in r.measures):
            continue
        grouped = [d for d in r.dimensions if _on(d.options, table, across)]
        filtered = [c for c in r.conditions if c.op in ("in", "not_in") and _on(c.options, table, across)]
        if not grouped and not filtered:
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
    return None


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
