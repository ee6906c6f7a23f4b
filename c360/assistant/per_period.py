"""Two periods side by side ("November vs October spend by category", "this month vs last month", "which
category's spend grew the most from October to November"): every measure once per period — its aggregates
restricted to the period's dates (conditional aggregation), so one scan of the two periods answers both —
and the % change from the earlier period to the later one."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from c360.assistant.query import Condition, Measure, Option, SemanticQuery, TimeWindow

EVER = date(1900, 1, 1)  # the start of all time: a bound every dated row meets


@dataclass(frozen=True)
class PeriodColumns:
    """One measure asked for over two periods: the measures per period (earlier first) and its change."""

    measure: Measure
    earlier: Measure
    later: Measure
    change: str  # the change column's name


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def split(query: SemanticQuery, column: Option) -> tuple[SemanticQuery, list[PeriodColumns]]:
    """The query with each measure once per period (restricted to the period's dates on `column`), and what
    the change columns compare. Orderings by a measure rank by its change (a question about growth or a
    drop) or by its later period's value."""
    pairs: list[PeriodColumns] = []
    measures: list[Measure] = []
    for measure in query.measures:
        split_measures = []
        for period in query.periods:
            bounds = [Condition((column,), ">=", (period.start,))] if period.start is not None else []
            if period.end is not None:
                bounds.append(Condition((column,), "<", (period.end,)))
            if not bounds:  # all time ("the last 90 days compared with all time"): every dated row
                bounds.append(Condition((column,), ">=", (EVER,)))
            split_measures.append(
                Measure(f"{measure.label}_{slug(period.label)}", measure.options, where=tuple(bounds))
            )
        measures.extend(split_measures)
        pairs.append(PeriodColumns(measure, split_measures[0], split_measures[-1], f"{measure.label}_change"))
    by_concept = {p.measure.concept: p for p in pairs}
    order = tuple(
        replace(o, measure=by_concept[o.measure.concept].later)
        if o.measure is not None and o.measure.concept in by_concept and not query.period_change
        else o
        for o in query.order
    )
    return replace(query, measures=tuple(measures), order=order), pairs


def change_sql(grouped: str, pairs: list[PeriodColumns], names: dict[str, str]) -> str:
    """The grouped query (one row per group) with each measure's change from the earlier period to the later
    one, in its own unit and in % of the earlier value."""
    changes = []
    for p in pairs:
        a, b = names[p.earlier.concept], names[p.later.concept]
        changes += [f"{b} - {a} AS {p.change}", f"100.0 * ({b} - {a}) / NULLIF({a}, 0) AS {p.change}_pct"]
    return f"SELECT *, {', '.join(changes)} FROM ({grouped}) AS periods"


def whole_years(periods: tuple[TimeWindow, ...]) -> bool:
    """Both periods are calendar years ('2025 compared with 2026'): their rows also carry the year's number."""
    return all(
        p.start is not None
        and p.end is not None
        and (p.start.month, p.start.day) == (1, 1)
        and p.end == p.start.replace(year=p.start.year + 1)
        for p in periods
    )


def row_params(periods: tuple[TimeWindow, ...]) -> list[object]:
    """The parameters rows_sql binds after the grouped query's: each period's first day (and year)."""
    years = whole_years(periods)
    return [v for p in periods for v in ((p.start, p.start.year) if years and p.start else (p.start,))]


def rows_sql(grouped: str, pairs: list[PeriodColumns], names: dict[str, str], years: bool) -> str:
    """Without groups: one row per period (its first day bound as a parameter, earlier first; a calendar
    year's number too), each measure under its own name, the change on the later period's row."""
    earlier = ", ".join(f"{names[p.earlier.concept]} AS {p.measure.label}" for p in pairs)
    later = ", ".join(f"{names[p.later.concept]} AS {p.measure.label}" for p in pairs)
    none = ", ".join(f"NULL AS {p.change}, NULL AS {p.change}_pct" for p in pairs)
    moved = ", ".join(
        f"{names[p.later.concept]} - {names[p.earlier.concept]} AS {p.change}, "
        f"100.0 * ({names[p.later.concept]} - {names[p.earlier.concept]}) / NULLIF({names[p.earlier.concept]}, 0) "
        f"AS {p.change}_pct"
        for p in pairs
    )
    period = "CAST(? AS DATE) AS period_start" + (", CAST(? AS INTEGER) AS year_number" if years else "")
    return (
        f"WITH periods AS ({grouped}) "
        f"SELECT {period}, {earlier}, {none} FROM periods UNION ALL "
        f"SELECT {period}, {later}, {moved} FROM periods"
    )
