"""The one-line business answer, computed from the result (never from the question text), and the chart.

Templates by result shape: a single value (compared with the unfiltered portfolio value when there is one),
a ranking of groups, a time series (complete periods only), a two-group comparison, a listing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeGuard

import numpy as np
import pandas as pd

from c360.assistant.chart_choice import choose_chart
from c360.assistant.compiler import OutputColumn, ValueFormat, value_format
from c360.assistant.model import SemanticModel
from c360.assistant.query import Condition
from c360.assistant.timeframe import MONTH_NAMES
from c360.reference import STATES
from c360.values import as_float

CHARTS = ("bar", "line", "pie", "map", "table")
STATE_CODES = frozenset(state.code for state in STATES)
ROW_COLUMNS_TOLD = 4  # columns of a one-row listing the sentence states


@dataclass(frozen=True)
class Baseline:
    """The same measures without the question's filters: the portfolio value to compare with."""

    values: dict[str, object]


def describe_columns(frame: pd.DataFrame, model: SemanticModel) -> tuple[OutputColumn, ...]:
    """Column roles and formats for a result whose SQL came from elsewhere (Cortex Analyst, verified queries)."""
    by_name = {c.name: c for t in model.tables.values() for c in t.columns.values()}
    out = []
    for name in frame.columns:
        column = by_name.get(str(name))
        series = frame[name]
        if str(name) in ("month", "week", "day", "quarter", "year") or pd.api.types.is_datetime64_any_dtype(
            series
        ):
            out.append(OutputColumn(str(name), "time", str(name), str(name), "date"))
        elif column is not None and column.kind in ("metric", "fact"):
            out.append(
                OutputColumn(str(name), "measure", column.ref, _label(str(name)), value_format(column))
            )
        elif column is not None:
            out.append(
                OutputColumn(str(name), "dimension", column.ref, _label(str(name)), value_format(column))
            )
        elif _is_numeric(series):
            fmt: ValueFormat = (
                "percent"
                if str(name).endswith("_pct")
                else "count"
                if str(name).endswith(("_count", "customers"))
                else "number"
            )
            if any(w in str(name) for w in ("value", "spend", "revenue", "cost", "lift", "amount", "ltv")):
                fmt = "currency"
            out.append(OutputColumn(str(name), "measure", str(name), _label(str(name)), fmt))
        else:
            out.append(OutputColumn(str(name), "dimension", str(name), _label(str(name)), "text"))
    return tuple(out)


def summarize(
    frame: pd.DataFrame,
    columns: Sequence[OutputColumn],
    *,
    mode: str,
    filters: Sequence[str] = (),
    window: str | None = None,
    baseline: Baseline | None = None,
    as_of: date | None = None,
    window_start: date | None = None,
    limit_hit: bool = False,
    entity: str = "rows",
    ascending: bool = False,
    absent: Mapping[str, str] | None = None,
) -> str:
    """One sentence that answers the question from the result; `ascending`: the rows are a ranking from the
    lowest ("bottom 5 states by LTV"), so the sentence starts there and never calls them the highest."""
    scope = _scope(filters, window)
    if frame.empty:
        return f"No {entity} match{scope or ' the question'}."
    measures = [c for c in columns if c.role == "measure"]
    times = [c for c in columns if c.role == "time"]
    dims = [c for c in columns if c.role == "dimension"]
    if mode == "list" or not measures:
        return _listing(frame, columns, entity, scope, limit_hit, absent or {})
    if times and len(measures) >= 1 and len(frame) >= 2 and not dims:
        return _series(frame, times[0], measures[0], scope, as_of, window_start)
    if not dims and not times and len(frame) == 1:
        return _scalar(frame, measures, scope, baseline, entity)
    if dims and len(frame) >= 1:
        sentence = _groups(frame, dims, measures[0], scope, ascending)
        if (
            len(frame) == 1
        ):  # one row ("did the campaign pay off?"): every figure it holds, not only the first
            extras = _other_figures(frame.iloc[0], measures, upto=5)
            sentence = sentence.removesuffix(".") + "; " + extras + "." if extras else sentence
        return sentence
    first = frame.iloc[0]
    parts = [f"{c.label} {fmt(first[c.name], c.format)}" for c in columns[:4]]
    return "; ".join(parts) + "."


def verdict(frame: pd.DataFrame, columns: Sequence[OutputColumn], group: str, more: bool) -> str | None:
    """The yes/no of 'are Premium customers more likely to ...?' from the grouped comparison: Yes when the
    named group's value is above (below, for 'less likely') every other group's, No when it is on the other
    side of all of them, otherwise mixed."""
    dims = [c for c in columns if c.role == "dimension"]
    measures = [c for c in columns if c.role == "measure"]
    if not dims or not measures or len(frame) < 2:
        return None
    dim, measure = dims[-1], measures[0]
    if not group:  # "is it higher for A or for B?": which one
        values = frame[[dim.name, measure.name]].dropna()
        if len(values) != 2 or values[measure.name].nunique() != 2:
            return None
        ranked = values.sort_values(measure.name, ascending=not more)
        first, second = ranked.iloc[0], ranked.iloc[1]
        return (
            f"{first[dim.name]} is {'higher' if more else 'lower'}: {fmt(first[measure.name], measure.format)} "
            f"vs {second[dim.name]} {fmt(second[measure.name], measure.format)}."
        )
    named = frame[frame[dim.name].astype(str).str.lower() == group.lower()]
    others = frame[frame[dim.name].astype(str).str.lower() != group.lower()]
    if named.empty or others.empty or _missing(named.iloc[0][measure.name]):
        return None
    value = float(named.iloc[0][measure.name])
    rest = [float(v) for v in others[measure.name] if not _missing(v)]
    if not rest:
        return None
    above, below = all(value > v for v in rest), all(value < v for v in rest)
    word = (
        ("Yes" if above else "No" if below else "Not clearly")
        if more
        else ("Yes" if below else "No" if above else "Not clearly")
    )
    compared = ", ".join(
        f"{row[dim.name]} {fmt(row[measure.name], measure.format)}" for _, row in others.iterrows()
    )
    return f"{word}: {named.iloc[0][dim.name]} {fmt(value, measure.format)} vs {compared}."


def check_verdict(
    frame: pd.DataFrame, columns: Sequence[OutputColumn], checks: Sequence[Condition]
) -> str | None:
    """The yes/no of 'is CUST00000042 High Risk?' / 'was the lift significant?' from the one row shown: Yes
    when every asked value holds, No when none does."""
    if len(frame) != 1 or not checks:
        return None
    row = frame.iloc[0]
    outcomes: list[bool] = []
    told: list[str] = []
    for check in checks:
        column = next((c for c in columns for o in check.options if c.ref == f"{o.table}.{o.column}"), None)
        if column is None or column.name not in frame.columns:
            return None
        value = row[column.name]
        holds = _holds(value, check)
        if holds is None:
            return None
        outcomes.append(holds)
        told.append(f"{column.label}: {fmt(value, column.format)}")
    word = "Yes" if all(outcomes) else "No" if not any(outcomes) else "Partly"
    return f"{word} ({'; '.join(told)})."


def _holds(value: object, check: Condition) -> bool | None:
    if _missing(value):
        return False if check.op in ("in", "between") or check.op in OPS_HOLD else None
    values = list(check.values)
    if check.op in ("in", "not_in"):
        inside = any(str(value).lower() == str(v).lower() for v in values)
        return inside if check.op == "in" else not inside
    numbers = [v for v in values if _number(v)]
    if not _number(value) or len(numbers) < len(values):
        return None
    x = float(value)
    bounds = [float(v) for v in numbers]
    if check.op == "between":
        return bounds[0] <= x <= bounds[1]
    return OPS_HOLD[check.op](x, bounds[0])


OPS_HOLD: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def refine_chart(chart: str, frame: pd.DataFrame, columns: Sequence[OutputColumn]) -> str:
    """Adjust the compile-time chart to the result: few states read better as bars, many slices not as a pie."""
    if chart not in CHARTS:
        return "table"
    if frame.empty or len(frame) == 1:
        return "table"
    if chart == "map" and len(frame) < 6:
        return "bar"
    if chart == "pie" and len(frame) > 8:
        return "bar"
    if chart in ("bar", "pie", "map") and not any(c.role == "measure" for c in columns):
        return "table"
    return chart


def chart_for(frame: pd.DataFrame, sql: str | None = None) -> str:
    """A chart for a result without a compile-time hint (Cortex Analyst, verified SQL): the one chart choice
    (c360.assistant.chart_choice, which the app's assistant tab uses too), one row of figures being a table
    in this vocabulary."""
    kind = choose_chart(frame, sql, state_codes=STATE_CODES).kind
    return kind if kind in CHARTS else "table"


# ---- templates ---------------------------------------------------------------------------------------------
def _scalar(
    frame: pd.DataFrame, measures: Sequence[OutputColumn], scope: str, baseline: Baseline | None, entity: str
) -> str:
    row = frame.iloc[0]
    first = measures[0]
    value = row[first.name]
    if _missing(value):
        return f"There is no {first.label}{scope}: no rows have a value."
    if first.name.startswith("share_pct"):
        part_of, _, of_what = first.label.removeprefix("share of ").partition(" with ")
        if first.label.startswith("share of ") and of_what:  # "what % of last month's spend was travel"
            sentence = f"{fmt(value, 'percent')} of the {part_of}{scope} is from {of_what}"
        else:
            condition = first.label.removeprefix("share with ").removeprefix("share")
            sentence = f"{fmt(value, 'percent')} of {entity}{scope} have {condition or 'the asked property'}"
        if baseline is not None and scope and _number(baseline.values.get(first.name)):
            sentence += f" (overall {fmt(baseline.values[first.name], 'percent')})"
        return sentence + "."
    if first.format == "count":
        sentence = f"The {first.label}{scope} is {fmt(value, 'count')}"
        baseline_count = baseline.values.get(first.name) if baseline is not None else None
        if _number(baseline_count):
            total = float(baseline_count)
            if total > 0 and scope:
                sentence += f", {100 * float(value) / total:.1f}% of the {fmt(total, 'count')} overall"
    else:
        sentence = f"The {first.label}{scope} is {fmt(value, first.format)}"
        baseline_value = baseline.values.get(first.name) if baseline is not None else None
        if scope and _number(baseline_value):
            overall = float(baseline_value)
            if overall and first.format != "percent":
                diff = 100 * (float(value) - overall) / abs(overall)
                direction = "above" if diff >= 0 else "below"
                sentence += f", {abs(diff):.1f}% {direction} the overall {fmt(overall, first.format)}"
            elif first.format == "percent":
                sentence += f" (overall {fmt(overall, 'percent')})"
    extras = _other_figures(row, measures, upto=4)
    if extras:
        sentence += "; " + extras
    return sentence + "."


def _other_figures(row: pd.Series, measures: Sequence[OutputColumn], upto: int) -> str:
    """The measures after the first that the row holds, as "label value, label value"."""
    return ", ".join(
        f"{m.label} {fmt(row[m.name], m.format)}" for m in measures[1:upto] if not _missing(row[m.name])
    )


def _groups(
    frame: pd.DataFrame, dims: Sequence[OutputColumn], measure: OutputColumn, scope: str, ascending: bool
) -> str:
    data = frame[[*(d.name for d in dims), measure.name]].dropna(subset=[measure.name])
    if data.empty:
        return f"No group has a {measure.label}{scope}."

    ids = [d for d in dims if d.format == "id"]
    labels = [d for d in dims if d.format != "id"]

    def name(row: pd.Series) -> str:
        if ids and labels:  # a customer: "Ann Lee (CUST00000001)"
            return (
                " / ".join(str(row[d.name]) for d in labels)
                + " ("
                + ", ".join(str(row[d.name]) for d in ids)
                + ")"
            )
        return " / ".join(_shown(row[d.name], d.label) for d in dims)

    values = data[measure.name].astype(float)
    hi = data.iloc[values.argmax()]  # the first row with the largest value (NaN skipped), as idxmax
    lo = data.iloc[values.argmin()]
    if len(data) == 1 and any(isinstance(hi[d.name], (bool, np.bool_)) for d in dims):
        # "the lift, and is it significant?": the measure first, the flag after it
        return f"{measure.label.capitalize()} {fmt(hi[measure.name], measure.format)}{scope} ({name(hi)})."
    if len(data) == 1:
        return f"{name(hi)}: {measure.label} {fmt(hi[measure.name], measure.format)}{scope}."
    if ascending:  # "the 5 states with the lowest average LTV": from the lowest up, never "the highest"
        return _lowest_groups(data, values, measure, scope, name)
    if len(data) == 2:
        other = lo if name(lo) != name(hi) else data.iloc[1]
        a, b = float(hi[measure.name]), float(other[measure.name])
        rel = f", {100 * (a - b) / abs(b):.1f}% higher" if b else ""
        return (
            f"{name(hi)} has the higher {measure.label}{scope}: {fmt(a, measure.format)} vs "
            f"{fmt(b, measure.format)} for {name(other)}{rel}."
        )
    ordered = data.assign(_v=values).sort_values("_v", ascending=False)
    second = ordered.iloc[1]
    sentence = (
        f"{name(hi)} has the highest {measure.label}{scope} ({fmt(hi[measure.name], measure.format)}), followed by "
        f"{name(second)} ({fmt(second[measure.name], measure.format)}); {name(lo)} has the lowest "
        f"({fmt(lo[measure.name], measure.format)})"
    )
    if measure.format == "count":
        total = float(values.sum())
        if total > 0:
            sentence += f"; {name(hi)} is {100 * float(hi[measure.name]) / total:.1f}% of the {fmt(total, 'count')} shown"
    return sentence + f" across {len(data)} groups."


def _lowest_groups(
    data: pd.DataFrame,
    values: pd.Series,
    measure: OutputColumn,
    scope: str,
    name: Callable[[pd.Series], str],
) -> str:
    ordered = data.assign(_v=values).sort_values("_v", ascending=True, kind="stable")
    lo, top = ordered.iloc[0], ordered.iloc[-1]
    sentence = f"{name(lo)} has the lowest {measure.label}{scope} ({fmt(lo[measure.name], measure.format)})"
    if len(ordered) == 2:
        return sentence + f", then {name(top)} ({fmt(top[measure.name], measure.format)})."
    second = ordered.iloc[1]
    return (
        sentence
        + f", followed by {name(second)} ({fmt(second[measure.name], measure.format)}); these are the "
        f"{len(ordered)} groups with the lowest {measure.label}, up to {name(top)} "
        f"({fmt(top[measure.name], measure.format)})."
    )


def _series(
    frame: pd.DataFrame,
    time: OutputColumn,
    measure: OutputColumn,
    scope: str,
    as_of: date | None,
    window_start: date | None,
) -> str:
    data = frame[[time.name, measure.name]].dropna()
    periods = [_as_date(v) for v in data[time.name]]
    complete = [
        (p, float(v))
        for p, v in zip(periods, data[measure.name], strict=True)
        if p is not None
        and (as_of is None or _period_end(p, time.name) <= as_of)
        and (window_start is None or p >= window_start)
    ]
    partial = len(complete) < len(data)
    if len(complete) < 2:
        complete = [(p, float(v)) for p, v in zip(periods, data[measure.name], strict=True) if p is not None]
        partial = False
    if len(complete) < 2:
        return f"{measure.label.capitalize()}{scope}: {fmt(data[measure.name].iloc[0], measure.format)}."
    (p0, v0), (p1, v1) = complete[0], complete[-1]
    peak = max(complete, key=lambda pv: pv[1])
    change = f" ({_signed_pct(v0, v1)})" if v0 else ""
    direction = "rose" if v1 > v0 else "fell" if v1 < v0 else "held"
    sentence = (
        f"{measure.label.capitalize()}{scope} {direction} from {fmt(v0, measure.format)} in {_period(p0, time.name)} "
        f"to {fmt(v1, measure.format)} in {_period(p1, time.name)}{change}; the peak was "
        f"{fmt(peak[1], measure.format)} in {_period(peak[0], time.name)}"
    )
    running = [
        p for p in periods if p is not None and as_of is not None and _period_end(p, time.name) > as_of
    ]
    if partial and running:  # "dining spend month by month this year": the month in progress is in the table
        sentence += (
            f" ({_period(running[-1], time.name)} is still in progress: the table includes its days so far, "
            f"this comparison leaves it out)"
        )
    elif partial:
        sentence += " (periods still in progress or cut by the window are left out of this comparison)"
    return sentence + "."


def absent_meanings(model: SemanticModel) -> dict[str, str]:
    """What an unset text column of a looked-up row means, from the named filter that is that column being set
    ('in_retention_campaign: campaign_group IS NOT NULL' -> 'not in the retention campaign')."""
    told: dict[str, str] = {}
    for table in model.tables.values():
        for f in table.filters.values():
            match = re.fullmatch(
                r"NOT (\w+) IS NULL|(\w+) IS NOT NULL", " ".join(f.expr.split()), re.IGNORECASE
            )
            column = table.columns.get(match.group(1) or match.group(2)) if match else None
            if (
                column is not None
                and column.kind == "dimension"
                and f.synonyms
                and value_format(column) == "text"
            ):
                told[column.ref] = f"none (not {f.synonyms[0]})"
    return told


def _listing(
    frame: pd.DataFrame,
    columns: Sequence[OutputColumn],
    entity: str,
    scope: str,
    limit_hit: bool,
    absent: Mapping[str, str],
) -> str:
    n = len(frame)
    shown = f"the first {n:,}" if limit_hit else f"{n:,}"
    noun = entity if n != 1 else entity.rstrip("s")
    sentence = f"{shown[0].upper() + shown[1:]} {noun}{scope}"
    names = [c for c in columns if c.name in ("full_name", "campaign_name", "merchant_name")]
    ids = [c for c in columns if c.format == "id"]
    extra = [c for c in columns if c.role in ("column", "measure") and c.format not in ("id", "text", "date")]
    first = frame.iloc[0]
    if n == 1 and (names or ids) and not limit_hit:  # one row (a looked-up customer): what it holds
        who = str(first[names[0].name]) if names else str(first[ids[0].name])
        if names and ids:
            who += f" ({first[ids[0].name]})"
        person = [c for c in names[1:] if c.name == "full_name"]
        if person:  # "the biggest purchase — who made it?": the customer beside the row (id and name)
            owner = [c for c in ids[1:] if c.name == "customer_id"]
            who += f", customer {first[person[0].name]}" + (f" ({first[owner[0].name]})" if owner else "")
        shown_columns = [c for c in columns if c not in names and c not in ids][:ROW_COLUMNS_TOLD]
        told = ", ".join(
            f"{c.label} {absent[c.ref] if c.ref in absent and _missing(first[c.name]) else fmt(first[c.name], c.format)}"
            for c in shown_columns
        )
        return f"{who}: {told}." if told else f"{who}."
    if names or ids:
        who = str(first[names[0].name]) if names else str(first[ids[0].name])
        if names and ids:
            who += f" ({first[ids[0].name]})"
        detail = ""
        if extra:
            c = extra[0]
            detail = f" with {c.label} {fmt(first[c.name], c.format)}"
        sentence += f"; first: {who}{detail}"
    if limit_hit:
        sentence += "; more match, narrow the question or ask for a count"
    return sentence + "."


# ---- formatting ----------------------------------------------------------------------------------------------
def fmt(value: object, kind: str) -> str:
    if _missing(value):
        return "n/a"
    if kind == "date":
        d = _as_date(value)
        return d.isoformat() if d else str(value)
    if kind in ("text", "id", "boolean"):
        return str(value)
    number = as_float(value)
    if kind == "currency":
        sign = "-" if number < 0 else ""  # -$116.58, not $-116.58
        return f"{sign}${abs(number):,.0f}" if abs(number) >= 1000 else f"{sign}${abs(number):,.2f}"
    if kind == "percent":
        return f"{number:,.1f}%"
    if kind == "count":
        return f"{number:,.0f}"
    if abs(number) >= 100:
        return f"{number:,.0f}"
    return f"{number:,.2f}".rstrip("0").rstrip(".") if number != int(number) else f"{number:,.0f}"


def _scope(filters: Sequence[str], window: str | None) -> str:
    parts = []
    if filters:
        parts.append(" for " + ", ".join(filters))
    if window:
        parts.append(f" in {window}")
    return "".join(parts)


def _label(name: str) -> str:
    return name.replace("_pct", " %").replace("avg_", "average ").replace("_", " ")


def _missing(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value))
    except TypeError:
        return False


def _number(value: object) -> TypeGuard[int | float | Decimal]:
    return isinstance(value, (int, float, Decimal)) and not _missing(value)


def _is_numeric(series: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return True
    return bool(len(series)) and all(isinstance(v, Decimal) for v in series.dropna())


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _period(d: date, grain: str) -> str:
    if grain == "month":
        return f"{MONTH_NAMES[d.month - 1]} {d.year}"
    if grain == "quarter":
        return f"Q{(d.month - 1) // 3 + 1} {d.year}"
    if grain == "year":
        return str(d.year)
    if grain == "week":
        return f"the week of {d.isoformat()}"
    return d.isoformat()


def _period_end(d: date, grain: str) -> date:
    from c360.assistant.timeframe import add_months

    if grain == "month":
        return add_months(d.replace(day=1), 1)
    if grain == "quarter":
        return add_months(d.replace(day=1), 3)
    if grain == "year":
        return date(d.year + 1, 1, 1)
    if grain == "week":
        return date.fromordinal(d.toordinal() + 7)
    return date.fromordinal(d.toordinal() + 1)


def _signed_pct(a: float, b: float) -> str:
    pct = 100 * (b - a) / abs(a)
    return f"{pct:+.1f}%"


def _shown(value: object, label: str) -> str:
    """A group's value in a sentence; a true/false column says which ("is lift significant: no")."""
    if isinstance(value, (bool, np.bool_)):
        return f"{label}: {'yes' if value else 'no'}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a whole-number group (hour of day 13) read from a row upcast to float
    return str(value)
