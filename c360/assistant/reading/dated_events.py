"""Events of a customer counted per period: "premium upgrades per month this year", "how many customers upgraded
to Premium each month", "accounts opened by quarter". A named filter about a date that records an event a
customer has at most once (`vocabulary.yaml: once_per_customer_dates`: upgraded_to_premium is premium_upgrade_date
IS NOT NULL) grouped by a time grain is the count of those customers per period of that date — never the
customers' transactions or activity per month (the default time columns). A date that keeps only the latest of
many events (the last card change) is not such a date: its months would count only each customer's latest."""

from __future__ import annotations

from dataclasses import replace

from c360.assistant.query import Dimension, Measure, Option
from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups


def per_period(lk: Lookups, r: Reading) -> Refusal | None:
    timed = [d for d in r.dimensions if d.grain is not None and not d.bands and d.width is None]
    if len(timed) != 1 or r.periods or r.period_change is not None:
        return None
    dated = _event_dates(lk, r)
    if len(dated) != 1:
        return None
    (date_option,) = dated
    table = date_option.table
    if r.window is not None and r.window.time_dimension is not None:
        return None
    if r.measures:
        counts = lk.measure_by_phrase(f"number of {_noun(lk, table)}")
        if counts is None or not all(
            m.concept == counts.concept or _counts_rows(m, table) for m in r.measures
        ):
            return None  # a measure of their activity ("spend per month of customers who upgraded")
        r.measures[:] = [counts]
    else:
        counts = lk.measure_by_phrase(f"number of {_noun(lk, table)}")
        if counts is None:
            return None
        r.measures.append(counts)
    r.dimensions[:] = [
        Dimension((date_option,), grain=timed[0].grain) if d is timed[0] else d for d in r.dimensions
    ]
    if r.window is not None:  # "this year": the upgrades of this year, on the same date
        r.window = replace(r.window, time_dimension=(date_option,))
    column = lk.model.tables[table].columns[date_option.column or ""]
    r.notes.append(f"counted per {timed[0].grain} of the {column.name.replace('_', ' ')}")
    return None


def _noun(lk: Lookups, table: str) -> str:
    nouns = lk.vocab.entities.get(table, {}).get("nouns") or [table.replace("_", " ")]
    return str(nouns[0])


def _counts_rows(measure: Measure, table: str) -> bool:
    options = measure.options
    return bool(options) and options[0].table == table and "count" in (options[0].column or "")


def _event_dates(lk: Lookups, r: Reading) -> list[Option]:
    """The once-per-customer date columns the question's named filters are about."""
    found: list[Option] = []
    for cond in r.conditions:
        if cond.op != "named":
            continue
        for option in cond.options:
            if not option.filter:
                continue
            table = lk.model.tables[option.table]
            expr = table.filters[option.filter].expr
            for column in table.columns.values():
                ref = f"{option.table}.{column.name}"
                if (
                    column.kind == "time_dimension"
                    and column.expr in expr
                    and ref in lk.vocab.once_per_customer_dates
                ):
                    found.append(Option(option.table, column.name))
    return list(dict.fromkeys(found))
