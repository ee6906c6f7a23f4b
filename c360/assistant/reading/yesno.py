"""Yes/no questions about what a row is: "Is CUST00000042 High Risk?", "is she a Premium cardholder?",
"Was the campaign's lift statistically significant?". A value or flag in such a question is what is asked
about, not a filter: filtering on it would answer "no rows" instead of "no". The looked-up row shows the
asked columns (and the answer says yes or no from them); a true/false column of a table asked about as a
whole is grouped on, so the result holds its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Final

import sqlglot
from sqlglot import exp

from c360.assistant.query import Condition, Dimension, Measure, Option, SemanticQuery
from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups
from c360.assistant.text import Token

YES_NO_OPENERS: Final = frozenset({"is", "are", "was", "were", "does", "do", "did", "has", "have"})
CHECK_OPS: Final = frozenset({"in", "not_in", ">", ">=", "<", "<=", "between"})


def is_yes_no(tokens: Sequence[Token]) -> bool:
    return bool(tokens) and tokens[0].norm in YES_NO_OPENERS


def key_columns(lk: Lookups) -> frozenset[str]:
    """Columns whose one value names one row (customer id, e-mail address)."""
    return frozenset(i.ref.partition(".")[2] for i in lk.vocab.identifiers)


def checkable(
    conditions: Sequence[Condition], keys: frozenset[str], table: str | None = None
) -> list[Condition]:
    """The conditions a yes/no question about one row asks about: values, flags and comparisons of its own
    columns (not the key that names the row, not an aggregate; with `table`, only conditions that can be on
    that table: 'has CUST00000042 had a transaction declined?' still filters the transactions)."""
    return [
        c
        for c in conditions
        if c.measure is None
        and not c.either
        and c.op in CHECK_OPS
        and c.options
        and all(o.column and not o.filter for o in c.options)
        and not any(o.column in keys for o in c.options)
        and (table is None or any(o.table == table for o in c.options))
    ]


def filter_columns(lk: Lookups, option: Option) -> tuple[tuple[Option, ...], ...]:
    """The columns a named filter reads ('at risk' reads the churn risk category)."""
    flt = lk.model.tables[option.table].filters[option.filter or ""]
    tree = sqlglot.parse_one(flt.expr, read="snowflake")
    physical = {c.name.lower() for c in tree.find_all(exp.Column) if c.find_ancestor(exp.Select) is None}
    return tuple(
        (Option(option.table, col.name),)
        for col in lk.model.tables[option.table].columns.values()
        if col.kind in ("dimension", "fact", "time_dimension") and col.expr.strip().lower() in physical
    )


def about_row(query: SemanticQuery, asked: Sequence[Condition]) -> SemanticQuery:
    """The listing of one looked-up row with the asked conditions shown as its columns, not filtered on."""
    if not asked:
        return query
    conditions = tuple(c for c in query.conditions if c not in asked)
    return replace(
        query, conditions=conditions, columns=tuple(c.options for c in asked), checks=tuple(asked), order=()
    )


def yes_no(lk: Lookups, r: Reading) -> Refusal | None:
    """The reader's pass: a yes/no question's values about a looked-up row become its shown columns; a
    true/false column about a whole table (no row named) becomes a grouping."""
    asks = is_yes_no(r.tokens) or any(
        t.lemma == "whether" for t in r.tokens
    )  # "... and whether it's significant"
    if not asks or any(i.kind in ("LIKELY", "COMPARE", "COMPARATIVE") for i in r.items):
        return None
    if r.lookup is not None:
        asked = checkable(r.conditions, key_columns(lk), r.lookup)
        for cond in asked:
            r.conditions.remove(cond)
            r.columns.append(cond.options)
            r.checks.append(cond)
        for cond in list(r.conditions):  # "is CUST00000042 at risk?": the columns the filter reads
            named = [o for o in cond.options if o.filter and o.table == r.lookup]
            if cond.op == "named" and named:
                r.conditions.remove(cond)
                r.columns.extend(filter_columns(lk, named[0]))
                for ref in lk.vocab.companion_columns.get(f"{named[0].table}.{named[0].filter}", ()):
                    table, _, column = ref.partition(".")  # "likely to churn?": the churn model's outputs too
                    r.columns.append((Option(table, column),))
        return None
    for cond in list(r.conditions):
        flags = [
            o for o in cond.options if o.column and lk.model.tables[o.table].columns[o.column].is_boolean
        ]
        if cond.op == "in" and flags and len(flags) == len(cond.options):
            r.conditions.remove(cond)  # "was the lift significant?": its value, whichever it is
            r.dimensions.append(Dimension(cond.options))
            r.checks.append(cond)
            _evidence(lk, r, flags)
    return None


def _evidence(lk: Lookups, r: Reading, flags: list[Option]) -> None:
    """A flag decided by other values shows them beside it (`vocabulary.yaml: companion_columns`): whether the
    lift is significant is whether its confidence interval is above zero, so the interval is shown."""
    read = {(o.table, o.column) for m in r.measures for o in m.options}
    for flag in flags:
        for ref in lk.vocab.companion_columns.get(f"{flag.table}.{flag.column}", ()):
            table, _, column = ref.partition(".")
            if table == flag.table and (table, column) not in read:
                r.measures.append(Measure(f"avg_{column}", (Option(table, column, aggregation="avg"),)))
