"""A column asked for beside a measure: "when did CUST00000250 last use their card, and how much have they
spent in the last 30 days?" asks for two things, the date of the last transaction (a column) and the spend (a
measure). An aggregate answer shows only its groups and measures, so the column would be dropped without a word
and the answer read as if only the spend were asked (a wrong answer). For one row named by its key the column is
that row's own value: it is shown as a group of the one row (both asked things in one row). Otherwise the
question is refused: which value of the column beside a total over many rows is not read. A column only shown
beside the ratio a percentage of it is read as ("using more than 30% of their credit limit": the limit beside
the utilization) is not asked for by itself, and is left out of a count as before."""

from __future__ import annotations

from dataclasses import replace

from c360.assistant.query import Dimension, Option, SemanticQuery
from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups


def columns_beside_measures(
    lk: Lookups, r: Reading, query: SemanticQuery
) -> tuple[SemanticQuery, Refusal | None]:
    if query.mode != "aggregate" or not query.columns:
        return query, None
    asked = [cols for cols in query.columns if not _beside_a_ratio(lk, cols)]
    if not asked:
        return query, None
    if _one_row_named(lk, r, query) and not query.dimensions:
        dims = tuple(Dimension(cols) for cols in asked)
        return replace(query, dimensions=dims, columns=()), None
    shown = " and ".join(repr(_label(cols)) for cols in asked)
    return query, Refusal(
        "incomplete",
        f"I can't show {shown} beside a total over many rows in one answer; ask for them separately "
        "(e.g. list the rows with that column, then ask for the total).",
    )


def _beside_a_ratio(lk: Lookups, cols: tuple[Option, ...]) -> bool:
    ratios = {str(c) for spec in lk.vocab.entities.values() for c in (spec.get("percent_of") or {})}
    return all(o.column in ratios for o in cols)  # the column may be read on another table that has it too


def _one_row_named(lk: Lookups, r: Reading, query: SemanticQuery) -> bool:
    """The question names one row of the looked-up table by its key (one customer's id)."""
    return any(lk.pins_looked_up_row(r, c) for c in query.conditions)


def _label(cols: tuple[Option, ...]) -> str:
    return (cols[0].column or cols[0].table).replace("_", " ")


def measure_asked(r: Reading) -> bool:
    """A measure named in the question ('how much', 'total', 'spend'), not only a count implied by 'which'."""
    return any(i.kind in ("HOWMUCH", "AGG", "COUNT") for i in r.items) or any(
        i.kind == "LEX" and i.of("metric", "fact") for i in r.items
    )
