"""SemanticQuery -> SQL over the gold tables, driven only by the semantic model's definitions.

Planning picks an anchor table (whose rows are aggregated or listed): every measure must be defined on it, and
every dimension, filter and ranking column must be on it or on a table reached through many-to-one /
one-to-one relationships (so joins never fan out the anchor's rows). Values are bound with `?`; identifiers
and expressions come only from the semantic model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final, Literal

import sqlglot
from sqlglot import TokenType, exp

from c360.assistant.lexicon import Rollup, Vocabulary, table_noun
from c360.assistant.model import Column, JoinStep, SemanticModel, render_expr
from c360.assistant.per_group import top_per_group
from c360.assistant.per_period import (
    PeriodColumns,
    change_sql,
    row_params,
    rows_sql,
    slug,
    split,
    whole_years,
)
from c360.assistant.per_series import change_sql as series_change_sql
from c360.assistant.per_series import shifted
from c360.assistant.query import Condition, Dimension, Measure, Option, Ordering, SemanticQuery, TimeWindow

ColumnRole = Literal["dimension", "time", "measure", "column", "position"]
ValueFormat = Literal["currency", "percent", "count", "number", "date", "text", "id", "boolean"]
GRAIN_SQL: Final = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}
OPS: Final = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "=": "="}
PERIOD_NUMBERS: Final = {"quarter": ("QUARTER", "quarter_of_year"), "year": ("YEAR", "year_number")}


AGGREGATE_SQL: Final = {
    "avg": "AVG",
    "sum": "SUM",
    "min": "MIN",
    "max": "MAX",
    "median": "MEDIAN",
    "stddev": "STDDEV_SAMP",
    "count": "COUNT",
}
DISTRIBUTION_AGGREGATIONS: Final = frozenset(
    {"median", "stddev", "count_distinct", *(f"p{n}" for n in range(1, 100))}
)
PERCENTILE: Final = re.compile(r"p([1-9][0-9]?)")  # "the 90th percentile of LTV": p90


def aggregate_sql(aggregation: str, inner: str) -> str:
    """An aggregate over one expression; a percentile is continuous (interpolated, like MEDIAN)."""
    if (percentile := PERCENTILE.fullmatch(aggregation)) is not None:
        return f"PERCENTILE_CONT({int(percentile[1]) / 100}) WITHIN GROUP (ORDER BY {inner})"
    return f"{AGGREGATE_SQL[aggregation]}({inner})"


class PlanError(Exception):
    """The query cannot be answered from the semantic model as asked; the message says why."""


@dataclass(frozen=True)
class OutputColumn:
    name: str
    role: ColumnRole
    ref: str  # table.column (or table.column:aggregation)
    label: str  # human label for sentences ("average lifetime value")
    format: ValueFormat


@dataclass(frozen=True)
class CompiledQuery:
    sql: str  # dialect SQL with `?` placeholders
    params: tuple[object, ...]
    anchor: str
    tables: tuple[str, ...]  # logical tables used
    columns: tuple[OutputColumn, ...]
    chart: str  # bar | line | pie | map | table
    warnings: tuple[str, ...] = ()
    filters_text: tuple[str, ...] = ()  # human descriptions of the conditions, for the answer sentence
    window_label: str | None = None
    dialect: str = "duckdb"
    partition: str | None = None  # the output column a ranking within each group restarts on
    changes: tuple[tuple[str, str, str], ...] = ()  # two periods: (earlier, later, % change) output columns
    period_labels: tuple[str, ...] = ()  # the two periods' names, earlier first
    told: tuple[str, ...] = ()  # how a word was read ("by the card type each transaction was made on")

    def display_sql(self) -> str:
        """The SQL with bound values written in as literals (for people to read; never executed as text)."""
        return inline_params(self.sql, self.params, self.dialect)


@dataclass
class _Plan:
    anchor: str
    measures: list[tuple[Measure, Option]] = field(default_factory=list)
    dimensions: list[tuple[Dimension, Option]] = field(default_factory=list)
    conditions: list[tuple[Condition, Option | None]] = field(default_factory=list)
    window_column: Option | None = None
    window_absorbed: bool = False
    joins: list[JoinStep] = field(default_factory=list)
    list_columns: list[Option] = field(default_factory=list)
    order: list[tuple[bool, Measure | None, Option | None]] = field(default_factory=list)
    measure_where: dict[str, list[tuple[Condition, Option]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    told: list[str] = field(default_factory=list)  # how a word was read, said in the answer's sentence
    versioned: dict[str, Option] = field(default_factory=dict)  # column -> the version each row was made on


class Compiler:
    def __init__(self, model: SemanticModel, vocabulary: Vocabulary, dialect: str = "duckdb") -> None:
        self.model = model
        self.vocab = vocabulary
        self.dialect = dialect

    # ---- planning -----------------------------------------------------------------------------------------
    def plan(self, query: SemanticQuery) -> _Plan:
        self._lifetime_in_window(query)
        if query.mode == "list":
            anchors = [query.entity or self.vocab.anchor_preference[0]]
            if (
                query.window is not None
            ):  # "CUST00001913's month-over-month change last month": that month's row
                anchors += [
                    o.table
                    for cols in query.columns
                    for o in cols
                    if o.table in self.vocab.default_time_dimension
                ]
        else:
            preferred = [t for t in query.prefer_tables if t in self.model.tables]
            anchors = list(dict.fromkeys([*preferred, *self.vocab.anchor_preference, *self.model.tables]))
        reasons: list[str] = []
        for anchor in anchors:
            try:
                return self._plan_on(query, anchor)
            except PlanError as exc:
                reasons.append(str(exc))
        raise PlanError(reasons[0])

    def _lifetime_in_window(self, query: SemanticQuery) -> None:
        """'more than 3 declined transactions in the last 90 days': a column a timeless rollup sums over every
        transaction (the profile's declined_transactions) counts them all, never the period's; compared
        within a period it would mix the lifetime count with the window, so it is refused."""
        if query.window is None:
            return
        for cond in query.conditions:
            if cond.measure is not None or cond.op in ("in", "not_in", "named", "not_named", "any"):
                continue
            for option in cond.options:
                if option.column in self._lifetime_columns(option.table):
                    raise PlanError(
                        f"{_label(self.model, option)} covers every transaction, not only the period asked "
                        f"for ({query.window.label}); ask for it without the period, or for a measure within it"
                    )

    def _lifetime_columns(self, table: str) -> frozenset[str]:
        """The columns of `table` its timeless rollups aggregate (lifetime sums of the larger table's rows)."""
        names: set[str] = set()
        columns = self.model.tables[table].columns
        for rollup in self.vocab.rollups:
            if rollup.table != table or rollup.time is not None:
                continue
            for metric in rollup.measures.values():
                expr = columns[metric].expr if metric in columns else ""
                names.update(w for w in re.findall(r"[A-Za-z_]\w*", expr) if w in columns)
        return frozenset(names)

    def _plan_on(self, query: SemanticQuery, anchor: str) -> _Plan:
        if self._versions_on_rows(query, anchor):
            raise PlanError("each transaction's own card is on the transactions, not on the customer")
        plan = _Plan(anchor)
        for measure in query.measures:
            option = next((o for o in measure.options if o.table == anchor), None)
            if option is None:
                raise PlanError(
                    f"{_label(self.model, measure.options[0])} is not available per {self._noun(anchor)}"
                )
            plan.measures.append((measure, option))
            for cond in measure.where:
                where_option = self._reachable(anchor, cond.options, plan)
                if where_option is None:
                    raise PlanError(
                        f"the share's condition on {_label(self.model, cond.options[0])} doesn't apply"
                    )
                plan.measure_where.setdefault(measure.concept, []).append((cond, where_option))
        for dim in query.dimensions:
            if dim.grain and query.window and query.window.time_dimension is None:
                option = self._grain_option(anchor, dim)
            elif (then := self._version_then(query, anchor, dim)) is not None:
                option = self._reachable(anchor, (then,), plan)
                plan.notes.append(
                    f"{_label(self.model, then)} at the time of each row (the version it was made on), "
                    "not the customer's current one"
                )
                row = self._noun(anchor).removesuffix("s")
                plan.told.append(f"by the {_label(self.model, then)} each {row} was made on")
                plan.versioned[then.column or ""] = then
            else:
                option = self._reachable(anchor, dim.options, plan)
            if option is None:
                raise PlanError(
                    f"{_label(self.model, dim.options[0])} can't be combined with {self._noun(anchor)} measures"
                )
            if any(
                option == o and (dim.grain, dim.bands, dim.width) == (d.grain, d.bands, d.width)
                for d, o in plan.dimensions
            ):
                continue  # "which group ..., treatment or control": one grouping, named twice
            plan.dimensions.append((dim, option))
        for cond in query.conditions:
            if cond.measure is not None:
                option = next((o for o in cond.measure.options if o.table == anchor), None)
                if option is None:
                    raise PlanError(
                        f"{_label(self.model, cond.measure.options[0])} can't be compared per {self._noun(anchor)}"
                    )
                plan.conditions.append((cond, option))
                continue
            if cond.op == "any":
                resolved = []
                for part in cond.either:
                    part_option = self._reachable(anchor, part.options, plan)
                    if part_option is None or part.measure is not None:
                        raise PlanError(
                            f"the condition on {_label(self.model, part.options[0])} doesn't apply to {self._noun(anchor)}"
                        )
                    resolved.append(Condition((part_option,), part.op, part.values))
                planned = Condition((), "any", either=tuple(resolved))
                plan.conditions.append((planned, resolved[0].options[0]))
                continue
            option = self._reachable(anchor, cond.options, plan)
            if option is None:
                raise PlanError(
                    f"the condition on {_label(self.model, cond.options[0])} doesn't apply to {self._noun(anchor)}"
                )
            then = plan.versioned.get(option.column or "") if cond.op in ("in", "not_in") else None
            rows_listed = query.mode == "list" and anchor in self.vocab.default_time_dimension
            if then is None and query.on_cards and (rows_listed or self._rows_own_measures(query, anchor)):
                then = self._version_of(anchor, (option,))  # "decline rate on Premium cards"
            if then is not None:
                # "Premium vs Standard spend": the groups and the values they are cut to are the same card
                option = self._reachable(anchor, (then,), plan) or option
                cond = replace(cond, options=(option,))
                if then.column not in plan.versioned:
                    row = self._noun(anchor).removesuffix("s")
                    label = _label(self.model, then)
                    plan.told.append(f"{label} read as the {label} each {row} was made on")
                    plan.versioned[then.column or ""] = then
            plan.conditions.append((cond, option))
        for table_filter in self.vocab.default_filters.get(anchor, ()):
            plan.conditions.append(
                (
                    Condition((Option(anchor, filter=table_filter),), "named"),
                    Option(anchor, filter=table_filter),
                )
            )
        if query.window is not None:
            self._plan_window(query, plan)
        if query.mode == "list":
            self._plan_listing(query, plan)
        for ordering in query.order:
            if ordering.measure is not None:
                option = next((o for o in ordering.measure.options if o.table == anchor), None)
                if option is None:
                    raise PlanError("the ranking measure is not available here")
                plan.order.append((ordering.descending, ordering.measure, option))
            elif ordering.column:
                option = self._reachable(anchor, ordering.column, plan)
                if option is None:
                    raise PlanError(
                        f"{_label(self.model, ordering.column[0])} can't rank {self._noun(anchor)}"
                    )
                if query.mode == "aggregate" and all(option != o for _, o in plan.dimensions):
                    raise PlanError(
                        f"{_label(self.model, option)} is not one of the groups, so it can't rank them"
                    )
                plan.order.append((ordering.descending, None, option))
        if query.at_rows and not plan.versioned:
            raise PlanError(
                "the card each transaction was made on splits transaction figures (spend, transaction counts, "
                "average transaction value, declines); customers are counted by the card they hold today — ask "
                "e.g. 'spend by card type' or 'how many Premium cardholders'"
            )
        self._current_version_note(plan)
        self._held_today(query, plan)
        return plan

    def _current_version_note(self, plan: _Plan) -> None:
        """Transactions cut by a column the card history versions (card type, credit limit) use each customer's
        current value, as the seeds' semantic model joins transactions to the profile; the answer says so (the
        card held at each transaction is in the card history)."""
        used = [o for _, o in plan.dimensions] + [o for _, o in plan.conditions if o is not None]
        used += [
            o for parts in plan.measure_where.values() for _, o in parts
        ]  # "share of spend from Premium"
        for history, spec in self.vocab.entities.items():
            profile = spec.get("versions_of")
            if not profile or profile == plan.anchor or history not in self.model.tables:
                continue
            versioned = set(self.model.tables[history].columns) & set(self.model.tables[profile].columns)
            for option in used:
                if option.table == profile and option.column in versioned and option.column != "customer_id":
                    label = _label(self.model, option)
                    plan.notes.append(
                        f"{label}: each customer's current {label}, not the one held at each transaction"
                    )
                    return

    def _rollup(
        self, query: SemanticQuery, plan: _Plan
    ) -> tuple[SemanticQuery, _Plan, dict[str, Option]] | None:
        """Re-plan an aggregate on a rollup table when it answers every part of the query exactly."""
        if query.mode != "aggregate":
            return None
        for rollup in self.vocab.rollups:
            if rollup.of != plan.anchor:
                continue
            rewritten = self._rewrite_for(rollup, query, plan)
            if rewritten is None:
                continue
            new_query, renames = rewritten
            try:
                return new_query, self._plan_on(new_query, rollup.table), renames
            except PlanError:
                continue
        return None

    def _rewrite_for(
        self, rollup: Rollup, query: SemanticQuery, plan: _Plan
    ) -> tuple[SemanticQuery, dict[str, Option]] | None:
        reachable_from_rollup = {
            t for t in self.model.tables if self.model.join_path(rollup.table, t) is not None
        }
        time_column = self.vocab.default_time_dimension.get(rollup.table)
        twins: dict[str, Measure] = {}
        renames: dict[str, Option] = {}
        window = query.window
        table_windows = (
            rollup.windows.get(window.days or 0) if window is not None and window.end is None else None
        )
        measure_map = table_windows if table_windows is not None else rollup.measures
        for measure, option in plan.measures:
            twin_name = measure_map.get(option.column or "")
            if option.aggregation or twin_name is None or measure.where:
                return None
            twin = Option(rollup.table, twin_name)
            twins[measure.concept] = Measure(measure.label, (twin,))
            renames[twin_name] = option
        dimensions = []
        for dim, option in plan.dimensions:
            if dim.grain:
                if (
                    rollup.time != "month"
                    or time_column is None
                    or dim.grain not in ("month", "quarter", "year")
                ):
                    return None
                dimensions.append(Dimension((Option(rollup.table, time_column),), dim.grain))
            elif (
                self.vocab.entities.get(option.table, {}).get("versions_of")
                and option.table not in reachable_from_rollup
            ):
                return None  # the version each row was made on: the rollup's customers have only today's
            elif (alt := _on_rollup(option, dim.options, reachable_from_rollup, rollup)) is not None:
                dimensions.append(Dimension((alt,), bands=dim.bands, width=dim.width))
            else:
                return None
        conditions = []
        for cond, cond_option in plan.conditions:
            if cond.measure is not None:
                twin_measure = twins.get(cond.measure.concept)
                if twin_measure is None:
                    return None
                conditions.append(Condition((), cond.op, cond.values, measure=twin_measure))
            elif cond.either:
                if any(
                    p.options[0].table not in reachable_from_rollup or p.options[0].table == rollup.of
                    for p in cond.either
                ):
                    return None
                conditions.append(cond)
            elif (
                cond_option is not None
                and (alt := _on_rollup(cond_option, cond.options, reachable_from_rollup, rollup)) is not None
            ):
                conditions.append(Condition((alt,), cond.op, cond.values))
            else:
                return None
        if table_windows is not None:
            window = None  # the twins already hold exactly this trailing window
        elif window is not None:
            aligned = all(d is None or d.day == 1 for d in (window.start, window.end))
            if (
                rollup.time != "month"
                or time_column is None
                or window.time_dimension is not None
                or not aligned
            ):
                return None
            window = TimeWindow(
                window.start, window.end, window.label, None, (Option(rollup.table, time_column),)
            )
        order = []
        for descending, order_measure, order_option in plan.order:
            if order_measure is not None and order_measure.concept in twins:
                order.append(Ordering(measure=twins[order_measure.concept], descending=descending))
            elif (
                order_option is not None
                and order_option.table in reachable_from_rollup
                and order_option.table != rollup.of
            ):
                order.append(Ordering(column=(order_option,), descending=descending))
            else:
                return None
        new_query = replace(
            query,
            measures=tuple(twins[m.concept] for m, _ in plan.measures),
            dimensions=tuple(dimensions),
            conditions=tuple(conditions),
            window=window,
            order=tuple(order),
            prefer_tables=(),
        )
        return new_query, renames

    def _version_then(self, query: SemanticQuery, anchor: str, dim: Dimension) -> Option | None:
        """Dated rows split by a column that has versions ("spend by card type", "monthly spend by card type"):
        a customer's card can change, so each row (a transaction) is put on the version it was made on (a table
        whose rows are versions: `vocabulary.yaml: entities.*.versions_of`, reached from the anchor's own key)
        rather than the card held today (docs/metrics.md: a transaction's card type). A measure that counts the
        customers themselves ("customers who transacted, by card type") keeps each customer's current one, as
        does any split outside a series of a measure that is not the rows' own."""
        if dim.grain or dim.bands or dim.width or query.held_today:
            return None
        if anchor not in self.vocab.default_time_dimension:
            return None
        if not any(d.grain for d in query.dimensions) and not self._rows_own_measures(query, anchor):
            return None
        return self._version_of(anchor, dim.options)

    def _version_of(self, anchor: str, options: Sequence[Option]) -> Option | None:
        """The versioned table's twin of a column the customer's versions repeat (card type), reached from
        the anchor's rows; None for anything else."""
        for history, spec in self.vocab.entities.items():
            of = spec.get("versions_of")
            if not of or history not in self.model.tables or self.model.join_path(anchor, history) is None:
                continue
            keys = {left for step in self.model.join_path(history, of) or () for left, _ in step.on}
            for option in options:
                if (
                    option.table in (of, history)
                    and option.column not in keys  # the customer's id is the same on every version
                    and option.column in self.model.tables[history].columns
                    and option.column in self.model.tables[of].columns
                ):
                    return Option(history, option.column)
        return None

    def _versions_on_rows(self, query: SemanticQuery, anchor: str) -> bool:
        """'average transaction value by card type' on a table that rolls the transactions up per customer
        (`vocabulary.yaml: rollups`, timeless): its customers carry only today's card, while each transaction
        belongs to the card it was made on — so the rows themselves answer it (see _version_then)."""
        rows = self._rolled_up_rows(query, anchor)
        if rows is None:
            return False
        if any(self._version_then(query, rows, d) for d in query.dimensions):
            return True
        return query.on_cards and self._rows_own_measures(
            query, rows
        )  # "average transaction value on Premium cards"

    def _rolled_up_rows(self, query: SemanticQuery, anchor: str) -> str | None:
        """The table whose rows `anchor` rolls up per customer (timeless), when every measure is one of the
        rollup's twins; None otherwise."""
        for rollup in self.vocab.rollups:
            if rollup.table != anchor or rollup.time is not None or not query.measures:
                continue
            twins = set(rollup.measures.values()) | {t for w in rollup.windows.values() for t in w.values()}
            columns = self.model.tables[anchor].columns
            summed = {  # SUM(declined_transactions) is the twin total_declined_transactions
                (columns[t].base_column, columns[t].aggregation) for t in twins if t in columns
            }
            if all(
                any(
                    o.table == anchor
                    and ((o.column in twins and not o.aggregation) or (o.column, o.aggregation) in summed)
                    for o in m.options
                )
                for m in query.measures
            ):
                return rollup.of
        return None

    def _held_today(self, query: SemanticQuery, plan: _Plan) -> None:
        """'Premium cardholders' average transaction value', 'spend of Premium customers': a transaction figure
        of the customers holding a card today (docs/metrics.md: a customer's card type); the answer says so."""
        rows = self._rolled_up_rows(query, plan.anchor)
        if rows is not None:  # the profile's twins of transaction figures: judged by the figure they roll up
            sources = {
                twin: source
                for rollup in self.vocab.rollups
                if rollup.table == plan.anchor and rollup.of == rows
                for source, twin in rollup.measures.items()
            }
            if any(
                not self._row_figure(rows, sources.get(option.column or "", option.column))
                for _, option in plan.measures
                if option.table == plan.anchor and option.column in sources
            ):
                return
        elif plan.anchor in self.vocab.default_time_dimension and self._rows_own_measures(query, plan.anchor):
            rows = plan.anchor
        if rows is None:
            return
        used = [o for _, o in plan.conditions if o is not None]
        used += [o for parts in plan.measure_where.values() for _, o in parts]
        if query.held_today:  # "by the card type customers hold today"
            used += [o for _, o in plan.dimensions]
        for option in used:
            if option.table in self.vocab.entities and self.vocab.entities[option.table].get("versions_of"):
                continue  # already the version each row was made on
            if self._is_versioned(option):
                label = _label(self.model, option)
                plan.told.append(f"{label} read as each customer's {label} today")
                return

    def _is_versioned(self, option: Option) -> bool:
        """A column of the customers that a table of versions repeats (card type, credit limit)."""
        for history, spec in self.vocab.entities.items():
            if spec.get("versions_of") != option.table or history not in self.model.tables:
                continue
            keys = {left for step in self.model.join_path(history, option.table) or () for left, _ in step.on}
            if option.column in self.model.tables[history].columns and option.column not in keys:
                return True
        return False

    def _rows_own_measures(self, query: SemanticQuery, anchor: str) -> bool:
        """Every measure is one of the anchor's rows' own (spend, a count of transactions, their average, a
        decline rate), none a count of the distinct customers behind them (a column the anchor shares with a
        table it reaches: `COUNT(DISTINCT customer_id)`)."""
        if query.mode != "aggregate" or not query.measures:
            return False
        for measure in query.measures:
            option = next((o for o in measure.options if o.table == anchor), None)
            if option is None or not self._row_figure(anchor, option.column):
                return False
        return True

    def _row_figure(self, table: str, column: str | None) -> bool:
        """`column` of `table` is a figure of its rows, not a count of the distinct customers behind them."""
        keys = {
            left
            for other in self.model.tables
            if other != table
            for step in self.model.join_path(table, other) or ()
            for left, _ in step.on
            if step.from_table == table
        }
        if column is None or column in keys:
            return False
        found = self.model.tables[table].columns.get(column)
        expr = found.expr if found is not None else ""
        return not ("DISTINCT" in expr.upper() and any(re.search(rf"\b{k}\b", expr) for k in keys))

    def _grain_option(self, anchor: str, dim: Dimension) -> Option | None:
        default = self.vocab.default_time_dimension.get(anchor)
        if default and any(o.table == anchor and o.column == default for o in dim.options):
            return Option(anchor, default)
        return None

    def _plan_window(self, query: SemanticQuery, plan: _Plan) -> None:
        window = query.window
        assert window is not None
        if window.time_dimension:
            option = self._reachable(plan.anchor, window.time_dimension, plan)
            if option is None:
                raise PlanError(f"the time window can't apply to {self._noun(plan.anchor)}")
            plan.window_column = option
            return
        default = self.vocab.default_time_dimension.get(plan.anchor)
        alternatives = self._dated_alternatives(query)
        if alternatives:
            # "upgraded to Premium or had a limit change in 2026": the window belongs to the events' own dates,
            # one per alternative; applied to the anchor's activity it answered another question
            raise PlanError(
                f"{window.label} could apply to either event's date ({', '.join(alternatives)}); ask about one at a time"
            )
        if default:
            plan.window_column = Option(plan.anchor, default)
            return
        dated = self._filter_date(plan)
        if (
            dated is not None
        ):  # "customers who upgraded to Premium this year": the window is on the upgrade date
            plan.window_column = dated
            return
        # profile-like anchors: a "last N days" window matching a trailing-window fact is already applied
        used = [o for _, o in plan.measures] + [o for _, o in plan.conditions if o is not None]
        used += [o for cols in query.columns for o in cols if o.table == plan.anchor]  # a listing's columns
        used += [
            x for o in query.order for x in o.column or () if x.table == plan.anchor
        ]  # what a listing ranks by
        windowed = [self._windowed_days(o) for o in used]
        if window.days and windowed and any(w == window.days for w in windowed):
            plan.window_absorbed = True
            return
        if window.current and self._only_current_values(query, plan):
            # "at highest risk of churning this month": scores and attributes are this period's values
            plan.window_absorbed = True
            plan.notes.append(
                f"{self._noun(plan.anchor)} scores and attributes are current values (as of the as-of date)"
            )
            return
        raise PlanError(
            f"{window.label} can't be applied to {self._noun(plan.anchor)} measures, which are lifetime or fixed-window values"
        )

    def _dated_alternatives(self, query: SemanticQuery) -> list[str]:
        """The named filters about a date inside an 'or' whose dates differ (empty when there are none)."""
        found: dict[str, str] = {}
        for cond in query.conditions:
            for alt in cond.either if cond.op == "any" else ():
                for option in alt.options if alt.op == "named" else ():
                    dates = [
                        c.column or ""
                        for c in self._filter_columns(option)
                        if self.model.tables[c.table].columns[c.column or ""].kind == "time_dimension"
                    ]
                    if dates:
                        found[option.filter or ""] = dates[0]
        return sorted(found) if len(set(found.values())) > 1 else []

    def _filter_date(self, plan: _Plan) -> Option | None:
        """The one date column of the anchor that a named filter of the question is about ('upgraded to
        Premium': premium_upgrade_date IS NOT NULL), or None."""
        dates: list[Option] = []
        for cond, option in plan.conditions:
            if cond.op != "named" or option is None or not option.filter or option.table != plan.anchor:
                continue
            dates.extend(
                c
                for c in self._filter_columns(option)
                if self.model.tables[c.table].columns[c.column or ""].kind == "time_dimension"
            )
        return dates[0] if len(set(dates)) == 1 else None

    def _only_current_values(self, query: SemanticQuery, plan: _Plan) -> bool:
        """Every fact the query reads is a current value (a score, a limit), not an accumulation over time."""
        current = set(self.vocab.current_facts)
        refs: list[Option] = [o for _, o in plan.measures] + [o for _, o in plan.conditions if o is not None]
        refs += [
            o
            for o in (
                *(c for cols in query.columns for c in cols),
                *(x for o in query.order for x in o.column or ()),
            )
        ]
        for option in refs:
            if option.table != plan.anchor or option.filter or option.column is None:
                continue
            column = self.model.tables[option.table].columns.get(option.column)
            if column is None:
                continue
            if column.kind == "metric":
                fact = next(
                    (
                        c
                        for c in self.model.tables[option.table].columns.values()
                        if c.kind == "fact" and c.expr == column.base_column
                    ),
                    None,
                )
                if column.base_column is None and "COUNT(" in column.expr.upper():
                    continue  # counting rows
                if fact is None or fact.ref not in current:
                    return False
            elif column.kind == "fact" and column.ref not in current:
                return False
        return True

    def _windowed_days(self, option: Option) -> int | None:
        if option.filter:
            flt = self.model.tables[option.table].filters[option.filter]
            for col in self.model.tables[option.table].columns.values():
                if col.kind == "fact" and col.expr in flt.expr:
                    days = self.vocab.windowed_facts.get(col.ref)
                    if days:
                        return days
            return None
        if option.column is None:
            return None
        column = self.model.tables[option.table].columns[option.column]
        if column.kind == "metric":
            for col in self.model.tables[option.table].columns.values():
                if col.kind == "fact" and col.expr == column.base_column:
                    return self.vocab.windowed_facts.get(col.ref)
            return None
        return self.vocab.windowed_facts.get(column.ref)

    def _plan_listing(self, query: SemanticQuery, plan: _Plan) -> None:
        spec = self.vocab.entities.get(plan.anchor, {})
        seen: set[str] = set()

        def add(option: Option) -> None:
            if option.column and option.key not in seen:
                seen.add(option.key)
                plan.list_columns.append(option)
                for ref in self.vocab.companion_columns.get(f"{option.table}.{option.column}", ()):
                    table, _, column = ref.partition(".")
                    companion = self._reachable(plan.anchor, (Option(table, column),), plan)
                    if companion is not None:
                        add(companion)

        for name in spec.get("columns", []):
            add(Option(plan.anchor, name))
        time_column = self.vocab.default_time_dimension.get(plan.anchor)
        if not spec and query.window is not None and time_column:
            add(
                Option(plan.anchor, time_column)
            )  # one customer's rows of a dated table: which period each is
        for ordering in query.order:
            if ordering.column:
                option = self._reachable(plan.anchor, ordering.column, plan)
                if option:
                    add(option)
        for cond, option in plan.conditions:
            for part in cond.either:
                if part.options[0].column:
                    add(part.options[0])
            if option is not None and option.column and not cond.either:
                add(option)
            elif option is not None and option.filter:
                for col in self._filter_columns(option):
                    add(col)
        for cols in query.columns:
            option = self._reachable(plan.anchor, cols, plan)
            if option is None:
                raise PlanError(
                    f"{_label(self.model, cols[0])} can't be shown next to {self._noun(plan.anchor)}"
                )
            add(option)
        default_order = spec.get("default_order")
        if default_order and not query.order:
            add(Option(plan.anchor, default_order))

    def _filter_columns(self, option: Option) -> list[Option]:
        flt = self.model.tables[option.table].filters[option.filter or ""]
        tree = sqlglot.parse_one(flt.expr, read="snowflake")
        physical = {c.name.lower() for c in tree.find_all(exp.Column) if c.find_ancestor(exp.Select) is None}
        out = []
        for col in self.model.tables[option.table].columns.values():
            if col.kind in ("dimension", "fact", "time_dimension") and col.expr.lower() in physical:
                out.append(Option(option.table, col.name))
        return out

    def _reachable(self, anchor: str, options: Sequence[Option], plan: _Plan) -> Option | None:
        best: tuple[int, Option, tuple[JoinStep, ...]] | None = None
        for option in options:
            path = self.model.join_path(anchor, option.table)
            if path is None:
                continue
            if best is None or len(path) < best[0]:
                best = (len(path), option, path)
        if best is None:
            return None
        for step in best[2]:
            if all(j.table != step.table for j in plan.joins):
                plan.joins.append(step)
        return best[1]

    # ---- SQL ------------------------------------------------------------------------------------------------
    def compile(self, query: SemanticQuery) -> CompiledQuery:
        query = self._identified(query)
        shown_from = None
        if query.series_change and query.window is not None and query.window.start is not None:
            shown_from = query.window.start  # the period before it is read for the first period's change
            earlier = shifted(shown_from, query.series_change)
            query = replace(query, window=replace(query.window, start=earlier))
        pairs: list[PeriodColumns] = []
        if query.periods:  # "November vs October": every measure once per period, and its change
            query, pairs = self._by_period(query)
        plan = self.plan(query)
        renames: dict[str, Option] = {}
        rolled = self._rollup(query, plan) if not pairs else None
        if rolled is not None:  # the same answer from a smaller pre-aggregated table
            query, plan, renames = rolled
        alias = self._aliases(plan)
        params: list[object] = []
        select: list[str] = []
        outputs: list[OutputColumn] = []
        group_exprs: list[str] = []
        measure_names: dict[str, str] = {}
        select_params: list[object] = []
        warnings: list[str] = [*query.notes, *plan.notes]
        dimension_names: dict[str, str] = {}
        partition = None
        dimension_params: list[object] = []  # bands: bound in SELECT (first), WHERE and GROUP BY
        band_where: list[tuple[str, list[object]]] = []
        bucket_where: list[str] = []  # buckets: rows without a value are in none
        ordered_first: list[str] = []  # buckets: shown in their order unless the question ranks them
        if query.mode == "aggregate":
            for dim, option in plan.dimensions:
                expr, name, out = self._dimension_sql(dim, option, alias)
                if dim.width:  # "churn scores in buckets of 10": each bucket's lower bound, in order
                    column_expr = expr
                    expr = f"FLOOR({column_expr} / ?) * ?"
                    name = _unique(f"{name}_bucket", {o.name for o in outputs})
                    out = OutputColumn(name, "dimension", out.ref, f"{out.label} bucket", "number")
                    dimension_params.extend([dim.width, dim.width])
                    bucket_where.append(f"{column_expr} IS NOT NULL")
                    ordered_first.append(name)
                if dim.bands:  # "age bands 18-29, 30-44, 60+"
                    expr, band_params = _band_case(expr, dim.bands)
                    name = _unique(f"{name}_band", {o.name for o in outputs})
                    out = OutputColumn(name, "dimension", out.ref, f"{out.label} band", "text")
                    dimension_params.extend(band_params)
                    band_where.append((expr, band_params))
                dimension_names[dim.concept] = name
                select.append(f"{expr} AS {name}")
                group_exprs.append(name if dim.bands or dim.width else expr)  # by name: its SQL binds values
                outputs.append(out)
                if dim.bands:  # the bands in the order the question listed them (not by their labels' text)
                    column_expr = self._dimension_sql(dim, option, alias)[0]
                    position, position_params = _band_position(column_expr, dim.bands)
                    position_name = _unique(f"{name}_position", {o.name for o in outputs})
                    select.append(f"{position} AS {position_name}")
                    group_exprs.append(position_name)
                    dimension_params.extend(position_params)
                    outputs.append(
                        OutputColumn(position_name, "position", out.ref, "band position", "number")
                    )
                ordered_by = (
                    self.vocab.dimension_order.get(f"{option.table}.{option.column}")
                    if not dim.grain
                    else None
                )
                if ordered_by is not None:  # "by day of the week": Monday (1) to Sunday (7)
                    order_option = Option(option.table, ordered_by.partition(".")[2])
                    order_expr = self._col(order_option.table, order_option.column or "", alias)
                    order_name = order_option.column or "position"
                    select.append(f"{order_expr} AS {order_name}")
                    group_exprs.append(order_expr)
                    outputs.append(self._output(order_option, order_name, "position"))
                within = self.vocab.dimension_within.get(f"{option.table}.{option.column}", "")
                within_table, _, within_column = within.partition(".")
                if (  # "by city": each city inside its state (two Springfields are two cities)
                    within_column
                    and within_table == option.table
                    and not dim.bands
                    and not dim.width
                    and all((o.table, o.column) != (within_table, within_column) for _, o in plan.dimensions)
                ):
                    wider_name = _unique(within_column, {o.name for o in outputs})
                    wider_expr = self._col(within_table, within_column, alias)
                    select.append(f"{wider_expr} AS {wider_name}")
                    group_exprs.append(wider_expr)
                    outputs.append(self._output(Option(within_table, within_column), wider_name, "column"))
                if dim.grain in PERIOD_NUMBERS:  # "by quarter": Q3 as 3 next to the quarter's first day
                    part, number_name = PERIOD_NUMBERS[dim.grain]
                    select.append(f"EXTRACT({part} FROM {expr}) AS {number_name}")
                    group_exprs.append(f"EXTRACT({part} FROM {expr})")
                    outputs.append(
                        OutputColumn(number_name, "column", out.ref, number_name.replace("_", " "), "number")
                    )
            names = {o.name for o in outputs}
            for measure, option in plan.measures:
                measure_where = plan.measure_where.get(measure.concept, [])
                expr, expr_params = self._measure_sql(option, alias, measure_where)
                if self._approved_only(option, query):  # "median transaction amount": approved ones
                    expr, expr_params = self._restricted(
                        self._approved_sql(option, alias), measure_where, alias
                    )
                select_params.extend(expr_params)
                shown = renames.get(option.column or "", option)  # a rollup keeps the asked measure's name
                base = shown.column if shown.aggregation is None else f"{shown.aggregation}_{shown.column}"
                period = _period_label(measure, pairs, query.periods)
                base = f"{base}_{slug(period)}" if period and base else base  # total_spend_november_2026
                plain = "correlation" if option.aggregation == "corr" else base  # CORR(x, y): not x's
                name = _unique("share_pct" if option.aggregation == "share" else plain or "value", names)
                measure_names[measure.concept] = name
                select.append(f"{expr} AS {name}")
                output = self._output(shown, name, "measure")
                if period:  # "total spend (November 2026)"
                    output = replace(output, label=f"{output.label} ({period})")
                elif measure_where and option.aggregation != "share":  # "number of High Risk customers"
                    texts = [self._condition_sql(c, o, alias)[2] for c, o in measure_where]
                    output = replace(output, label=f"{output.label} with " + " and ".join(texts))
                if option.aggregation == "share":
                    texts = [self._condition_sql(c, o, alias)[2] for c, o in measure_where]
                    of = (
                        "" if output.format == "count" else f" of {output.label.removeprefix('share of ')}"
                    )  # a share of spend, not rows
                    label = f"share{of} with " + " and ".join(texts) if texts else "share of the total"
                    output = OutputColumn(name, "measure", output.ref, label, "percent")
                outputs.append(output)
        else:
            names = set()
            for option in plan.list_columns:
                column = self.model.tables[option.table].columns[option.column or ""]
                name = _unique(column.name, names)
                select.append(f"{render_expr(column.expr, alias[option.table], self.dialect)} AS {name}")
                outputs.append(self._output(option, name, "column"))
        where: list[str] = [f"{expr} IS NOT NULL" for expr, _ in band_where]  # rows in no band are left out
        where += bucket_where
        params.extend(v for _, values in band_where for v in values)
        having: list[str] = []
        having_params: list[object] = []
        filters_text: list[str] = []
        for cond, cond_option in plan.conditions:
            sql, values, text = self._condition_sql(cond, cond_option, alias)
            filters_text.append(text)
            if cond.measure is not None:
                having.append(sql)
                having_params.extend(values)
            else:
                where.append(sql)
                params.extend(values)
        if query.mode == "list":
            for _descending, _, ranked_option in plan.order:
                if ranked_option is not None and ranked_option.column:
                    column = self.model.tables[ranked_option.table].columns[ranked_option.column]
                    where.append(
                        f"{render_expr(column.expr, alias[ranked_option.table], self.dialect)} IS NOT NULL"
                    )
        window_label = None
        if query.window is not None and plan.window_column is not None:
            column = self.model.tables[plan.window_column.table].columns[plan.window_column.column or ""]
            expr = render_expr(column.expr, alias[plan.window_column.table], self.dialect)
            if query.window.start is not None:
                where.append(f"{expr} >= ?")
                params.append(query.window.start)
            if query.window.end is not None:
                where.append(f"{expr} < ?")
                params.append(query.window.end)
            window_label = query.window.label
        elif query.window is not None and plan.window_absorbed:
            window_label = query.window.label
        source = f" FROM {self._table_sql(plan.anchor)} AS {alias[plan.anchor]}"
        for step in plan.joins:
            on = " AND ".join(
                f"{self._col(step.from_table, left, alias)} = {self._col(step.table, right, alias)}"
                for left, right in step.on
            )
            source += f" JOIN {self._table_sql(step.table)} AS {alias[step.table]} ON {on}"
        for pair in pairs:  # "which category grew the most": ranked by the change
            pct = (query.period_change or "").endswith("_pct")  # "grew the most" of groups: by the % change
            measure_names[pair.measure.concept] = pair.change + ("_pct" if pct else "")
        order_sql, limit = self._order_sql(query, plan, outputs, alias, measure_names, ordered_first)
        ranked = [(d, o) for d, _, o in plan.order if o is not None and o.column]
        if query.ties and query.mode == "list" and ranked and limit is not None:
            # "which customer has the highest credit limit": every row tied for the first place(s) — the
            # k-th value found by a top-k scan of the same rows, then every row at or beyond it
            descending, option = ranked[0]
            expr = self._col(option.table, option.column or "", alias)
            inner_where = " WHERE " + " AND ".join([*where, f"{expr} IS NOT NULL"])
            kth = "MIN" if descending else "MAX"
            top = (
                f"(SELECT {kth}(top_k.v) FROM (SELECT {expr} AS v{source}{inner_where} "
                f"ORDER BY v {'DESC' if descending else 'ASC'} LIMIT {int(limit)}) AS top_k)"
            )
            params = params + list(params)  # the inner scan binds the same filters again
            where.append(f"{expr} {'>=' if descending else '<='} {top}")
            limit = self.vocab.default_list_limit
        sql = "SELECT " + ", ".join(select) + source
        if where:
            sql += " WHERE " + " AND ".join(where)
        if query.mode == "aggregate" and group_exprs:
            sql += " GROUP BY " + ", ".join(group_exprs)
        if having:
            sql += " HAVING " + " AND ".join(having)
            params.extend(having_params)
        params = dimension_params + select_params + params
        if query.series_change:  # "monthly spend with the % change from the previous month"
            sql, outputs = self._series_sql(query, sql, outputs, shown_from is not None)
            params = params + ([shown_from] if shown_from is not None else [])
        changes: list[tuple[str, str, str]] = []
        if pairs:
            # a rolling window and the one before: one row; one customer named by id ("Janice D.'s spend in
            # 2025 vs 2026") is no grouping: one row per period, like the portfolio's
            pinned = [d for d in query.dimensions if _pinned(query, d)]
            names = {n.concept for d in pinned for n in self._named_by(d.options)}
            wide = query.rolling_periods or any(
                not _pinned(query, d) and d.concept not in names for d in query.dimensions
            )
            sql, outputs, changes = self._periods_sql(query, sql, outputs, pairs, measure_names, wide)
            if not wide:  # one row per period, earlier first
                params = params + row_params(query.periods)
                order_sql, limit = ["period_start"], None
        if query.within is not None:  # "top 3 categories per channel": the first rows inside every channel
            sql, order_sql, limit = self._within(query, query.within, sql, order_sql, dimension_names)
            partition = dimension_names[query.within.concept]
        if order_sql:
            sql += " ORDER BY " + ", ".join(order_sql)
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        tables = tuple(dict.fromkeys([plan.anchor, *(s.table for s in plan.joins)]))
        return CompiledQuery(
            sql=sql,
            params=tuple(params),
            anchor=plan.anchor,
            tables=tables,
            columns=tuple(outputs),
            chart=self._chart(query, outputs),
            warnings=tuple(warnings),
            filters_text=tuple(t for t in filters_text if t),
            window_label=window_label,
            dialect=self.dialect,
            partition=partition,
            changes=tuple(changes),
            period_labels=tuple(p.label for p in query.periods),
            told=tuple(plan.told),
        )

    def _series_sql(
        self, query: SemanticQuery, grouped: str, outputs: list[OutputColumn], shown_from: bool
    ) -> tuple[str, list[OutputColumn]]:
        times = [o for o in outputs if o.role == "time"]
        if query.mode != "aggregate" or len(times) != 1 or query.within is not None or query.periods:
            raise PlanError("a change from the previous period needs one time series of measures")
        others = [
            o.name for o in outputs if o.role == "dimension"
        ]  # not the period's own number (quarter_of_year)
        measures = [o for o in outputs if o.role == "measure"]
        grain = query.series_change
        added = []
        for m in measures:
            label = f"change in {m.label} from the previous {grain}"
            added += [
                OutputColumn(f"{m.name}_change", "measure", m.ref, label, m.format),
                OutputColumn(f"{m.name}_change_pct", "measure", m.ref, f"% {label}", "percent"),
            ]
        sql = series_change_sql(grouped, times[0].name, others, [m.name for m in measures], shown_from)
        return sql, [*outputs, *added]

    def _absent_sql(
        self, cond: Condition, option: Option, alias: dict[str, str]
    ) -> tuple[str, list[object], str]:
        status_table, _, status_column = (self.vocab.status_column or "").partition(".")
        date_column = self.vocab.default_time_dimension.get(status_table)
        path = self.model.join_path(status_table, option.table)
        if not status_table or date_column is None or not path or len(path) != 1:
            raise PlanError(f"I can't look for activity of {self._noun(option.table)}")
        inner = {**alias, status_table: "activity"}
        on = " AND ".join(
            f"{self._col(status_table, left, inner)} = {self._col(option.table, right, alias)}"
            for left, right in path[0].on
        )
        date = self._col(status_table, date_column, inner)
        start, end = cond.values
        where = [on, f"{self._col(status_table, status_column, inner)} = ?", f"{date} >= ?"]
        params: list[object] = [self.vocab.approved_status, start]
        if end is not None:
            where.append(f"{date} < ?")
            params.append(end)
        sql = f"NOT EXISTS (SELECT 1 FROM {self._table_sql(status_table)} AS activity WHERE {' AND '.join(where)})"
        return sql, params, "no approved transaction in the period"

    def _periods_sql(
        self,
        query: SemanticQuery,
        grouped: str,
        outputs: list[OutputColumn],
        pairs: list[PeriodColumns],
        names: dict[str, str],
        wide: bool,
    ) -> tuple[str, list[OutputColumn], list[tuple[str, str, str]]]:
        first, last = query.periods[0].label, query.periods[-1].label
        by_name = {o.name: o for o in outputs}
        changes, added = [], []
        for pair in pairs:
            earlier, later = by_name[names[pair.earlier.concept]], by_name[names[pair.later.concept]]
            label = later.label.removesuffix(f" ({last})")
            added += [
                OutputColumn(
                    pair.change,
                    "measure",
                    later.ref,
                    f"change in {label} from {first} to {last}",
                    later.format,
                ),
                OutputColumn(
                    f"{pair.change}_pct",
                    "measure",
                    later.ref,
                    f"% change in {label} from {first} to {last}",
                    "percent",
                ),
            ]
            changes.append((earlier.name, later.name, pair.change))
        if wide:
            return change_sql(grouped, pairs, names), [*outputs, *added], changes
        rows = [OutputColumn("period_start", "time", "", "period", "date")]
        if whole_years(query.periods):
            rows.append(OutputColumn("year_number", "column", "", "year", "number"))
        for pair in pairs:
            later = by_name[names[pair.later.concept]]
            rows.append(replace(later, name=pair.measure.label, label=later.label.removesuffix(f" ({last})")))
        return (
            rows_sql(grouped, pairs, names, whole_years(query.periods)),
            [*rows, *added],
            [(p.measure.label, "", p.change) for p in pairs],
        )

    def _by_period(self, query: SemanticQuery) -> tuple[SemanticQuery, list[PeriodColumns]]:
        if query.mode != "aggregate" or query.within is not None or any(m.where for m in query.measures):
            raise PlanError("two periods side by side need measures to compare (not a listing or a share)")
        column = self.plan(query).window_column
        if column is None:
            raise PlanError(
                f"{query.window.label if query.window else 'the periods'} can't split these measures"
            )
        return split(query, column)

    def _restricted(
        self, expr: str, where: Sequence[tuple[Condition, Option]], alias: dict[str, str]
    ) -> tuple[str, list[object]]:
        """A measure's aggregates restricted to rows meeting its own conditions (a period's dates)."""
        if not where:
            return expr, []
        parts = [self._condition_sql(c, o, alias) for c, o in where]
        restricted, copies = _conditional_aggregate(
            expr, " AND ".join(f"({sql})" for sql, _, _ in parts), self.dialect
        )
        return restricted, [v for _, values, _ in parts for v in values] * copies

    def _within(
        self,
        query: SemanticQuery,
        within: Dimension,
        grouped: str,
        order: list[str],
        dimension_names: dict[str, str],
    ) -> tuple[str, list[str], int]:
        partition = dimension_names.get(within.concept)
        ranked = [n for concept, n in dimension_names.items() if concept != within.concept]
        if query.mode != "aggregate" or partition is None or not ranked or not query.order or not order:
            raise PlanError(
                "a ranking within each group needs the groups, what they are ranked by, and a measure"
            )
        order = [o for o in order if o.split()[0] not in dimension_names.values()]
        sql, order = top_per_group(grouped, partition, order, ranked, query.limit or 1)
        return sql, order, self.vocab.default_list_limit

    def _identified(self, query: SemanticQuery) -> SemanticQuery:
        """A measure of one row named by its key also shows the key: 'how much did CUST00000010 spend in
        2026' answers per that customer, so the result says whose value it is."""
        if query.mode != "aggregate":
            return query
        keys = {i.ref for i in self.vocab.identifiers}
        for cond in query.conditions:
            if cond.op != "in" or len(cond.values) != 1 or cond.measure is not None:
                continue
            if any(
                f"{o.table}.{o.column}" in keys or self.model.tables[o.table].columns[o.column or ""].unique
                for o in cond.options
                if o.column
            ):
                key = Dimension(cond.options)
                if any(d.concept == key.concept for d in query.dimensions):
                    return query
                return replace(query, dimensions=(key, *self._named_by(cond.options), *query.dimensions))
        return query

    def _named_by(self, options: tuple[Option, ...]) -> tuple[Dimension, ...]:
        """The name beside a key ('Candace M.' beside CUST00001981): the entity whose listing shows exactly the
        key and one name column (`vocabulary.yaml: entities.*.columns`)."""
        keys = {o.column for o in options}
        for table, spec in self.vocab.entities.items():
            columns = spec.get("columns", [])
            if len(columns) == 2 and columns[0] in keys:
                return (Dimension((Option(table, columns[1]),)),)
        return ()

    def _noun(self, table: str) -> str:
        return table_noun(self.vocab, table)

    def _aliases(self, plan: _Plan) -> dict[str, str]:
        tables = [plan.anchor, *(s.table for s in plan.joins)]
        out: dict[str, str] = {}
        for t in tables:
            base = self.vocab.aliases.get(t, t[:2])
            candidate, n = base, 1
            while candidate in out.values():
                n += 1
                candidate = f"{base}{n}"
            out[t] = candidate
        return out

    def _table_sql(self, table: str) -> str:
        return self.model.tables[table].qualified

    def _col(self, table: str, column: str, alias: dict[str, str]) -> str:
        return render_expr(self.model.tables[table].columns[column].expr, alias[table], self.dialect)

    def _dimension_sql(
        self, dim: Dimension, option: Option, alias: dict[str, str]
    ) -> tuple[str, str, OutputColumn]:
        column = self.model.tables[option.table].columns[option.column or ""]
        expr = render_expr(column.expr, alias[option.table], self.dialect)
        if dim.grain:
            grain = GRAIN_SQL[dim.grain]
            expr = f"CAST(DATE_TRUNC('{grain}', {expr}) AS DATE)"
            return expr, grain, OutputColumn(grain, "time", column.ref, grain, "date")
        return expr, column.name, self._output(option, column.name, "dimension")

    def _measure_sql(
        self, option: Option, alias: dict[str, str], where: Sequence[tuple[Condition, Option]] = ()
    ) -> tuple[str, list[object]]:
        column = self.model.tables[option.table].columns[option.column or ""]
        if option.aggregation == "share":
            base = render_expr(column.expr, alias[option.table], self.dialect)
            if not where:  # each group's part of the total: "% of transactions by channel", "channel mix"
                return f"100.0 * {base} / NULLIF(SUM({base}) OVER (), 0)", []
            parts = [self._condition_sql(c, o, alias) for c, o in where]
            cond_sql = " AND ".join(f"({sql})" for sql, _, _ in parts)
            cond_params = [v for _, values, _ in parts for v in values]
            numerator, copies = _conditional_aggregate(base, cond_sql, self.dialect)
            return f"100.0 * {numerator} / NULLIF({base}, 0)", cond_params * copies
        return self._restricted(self._plain_measure_sql(option, alias), where, alias)

    def _approved_only(self, option: Option, query: SemanticQuery) -> bool:
        """A distribution of the status table's amounts (median, standard deviation) is over approved
        transactions, like spend and the average transaction value — unless the question names a status."""
        status = self.vocab.status_column
        if option.aggregation not in DISTRIBUTION_AGGREGATIONS or status is None:
            return False
        table, _, column = status.partition(".")
        amounts = {v.partition(":")[0] for v in self.vocab.all_attempts.values()}
        if option.table != table:
            return False
        if option.aggregation != "count_distinct" and f"{option.table}.{option.column}" not in amounts:
            return False  # "how many different merchants": those bought from (approved), like spend
        return not any(o.table == table and o.column == column for c in query.conditions for o in c.options)

    def _approved_sql(self, option: Option, alias: dict[str, str]) -> str:
        column = self.model.tables[option.table].columns[option.column or ""]
        status_table, _, status_column = (self.vocab.status_column or "").partition(".")
        inner = render_expr(column.expr, alias[option.table], self.dialect)
        status = self._col(status_table, status_column, alias)
        approved = self.vocab.approved_status.replace("'", "''")
        case = f"CASE WHEN {status} = '{approved}' THEN {inner} END"
        if option.aggregation == "count_distinct":
            return f"COUNT(DISTINCT {case})"
        return aggregate_sql(option.aggregation or "", case)

    def _plain_measure_sql(self, option: Option, alias: dict[str, str]) -> str:
        column = self.model.tables[option.table].columns[option.column or ""]
        if option.aggregation:
            inner = render_expr(column.expr, alias[option.table], self.dialect)
            if option.aggregation == "count_distinct":  # "how many different merchants"
                return f"COUNT(DISTINCT {inner})"
            if option.aggregation == "corr":  # "correlation between age and lifetime value"
                paired = self.model.tables[option.table].columns[option.paired or ""]
                return f"CORR({inner}, {render_expr(paired.expr, alias[option.table], self.dialect)})"
            return aggregate_sql(option.aggregation, inner)
        return render_expr(column.expr, alias[option.table], self.dialect)

    def _condition_sql(
        self, cond: Condition, option: Option | None, alias: dict[str, str]
    ) -> tuple[str, list[object], str]:
        assert option is not None
        if cond.op == "any":
            parts = [self._condition_sql(c, c.options[0], alias) for c in cond.either]
            sql = "(" + " OR ".join(f"({p})" for p, _, _ in parts) + ")"
            return sql, [v for _, values, _ in parts for v in values], " or ".join(t for _, _, t in parts)
        if (
            cond.op == "absent"
        ):  # "no spend last month": no approved transaction of the row dated in the period
            return self._absent_sql(cond, option, alias)
        if cond.op in ("named", "not_named"):
            flt = self.model.tables[option.table].filters[option.filter or ""]
            sql = render_expr(flt.expr, alias[option.table], self.dialect)
            text = flt.name.replace("_", " ")
            if cond.op == "not_named":
                return f"NOT ({sql})", [], f"not {text}"
            return f"({sql})", [], text
        if cond.measure is not None:
            expr = self._plain_measure_sql(option, alias)
            label = cond.measure.label.replace("_", " ")
        else:
            column = self.model.tables[option.table].columns[option.column or ""]
            expr = render_expr(column.expr, alias[option.table], self.dialect)
            label = column.name.replace("_", " ")
        values = list(cond.values)
        if cond.op in ("in", "not_in") and len(values) == 1 and isinstance(values[0], bool):
            truth = values[0] != (cond.op == "not_in")
            return f"{expr} = ?", [truth], label if truth else f"not {label}"
        if cond.op in ("in", "not_in"):
            marks = ", ".join("?" for _ in values)
            negate = "NOT " if cond.op == "not_in" else ""
            shown = " or ".join(str(v) for v in values)
            text = f"{label} {'not ' if negate else ''}{shown}"
            if len(values) == 1:
                return f"{expr} {'<>' if negate else '='} ?", values, text
            return f"{expr} {negate}IN ({marks})", values, text
        if cond.op == "between":
            return f"{expr} BETWEEN ? AND ?", values, f"{label} between {values[0]:g} and {values[1]:g}"
        if cond.op in OPS:
            shown = f"{values[0]:g}" if isinstance(values[0], float) else str(values[0])
            return f"{expr} {OPS[cond.op]} ?", values, f"{label} {cond.op} {shown}"
        raise PlanError(f"unsupported condition {cond.op!r}")

    def _order_sql(
        self,
        query: SemanticQuery,
        plan: _Plan,
        outputs: list[OutputColumn],
        alias: dict[str, str],
        measure_names: dict[str, str],
        ordered_first: Sequence[str] = (),
    ) -> tuple[list[str], int | None]:
        order: list[str] = []
        limit = query.limit
        if query.mode == "aggregate":
            for descending, measure, option in plan.order:
                if measure is not None:
                    name = measure_names.get(measure.concept)
                    if name is None:
                        raise PlanError("the ranking measure is not part of the result")
                    order.append(f"{name} {'DESC' if descending else 'ASC'} NULLS LAST")
                elif option is not None:
                    order.append(
                        f"{self._col(option.table, option.column or '', alias)} {'DESC' if descending else 'ASC'}"
                    )
            time_dims = [o.name for o in outputs if o.role in ("time", "position")] + list(ordered_first)
            dims = [o.name for o in outputs if o.role == "dimension"]
            if not order and time_dims:
                order.extend(time_dims)
            elif not order and dims and plan.measures:
                first = next(o.name for o in outputs if o.role == "measure")
                order.append(f"{first} DESC NULLS LAST")
            order.extend(d for d in time_dims + dims if d not in order)
            return order, limit
        for descending, _, option in plan.order:
            if option is not None and option.column:
                column = self.model.tables[option.table].columns[option.column]
                order.append(
                    f"{render_expr(column.expr, alias[option.table], self.dialect)} {'DESC' if descending else 'ASC'}"
                )
        if plan.order and limit is None:
            limit = self.vocab.default_top_limit
        if not plan.order:
            spec = self.vocab.entities.get(plan.anchor, {})
            default = spec.get("default_order")
            if default:
                column = self.model.tables[plan.anchor].columns[default]
                direction = "ASC" if spec.get("ascending") else "DESC"
                order.append(f"{render_expr(column.expr, alias[plan.anchor], self.dialect)} {direction}")
        for key in self.model.tables[plan.anchor].primary_key:
            order.append(self._col(plan.anchor, key, alias))
        if limit is None:
            limit = self.vocab.default_list_limit
        return order, limit

    def _output(self, option: Option, name: str, role: ColumnRole) -> OutputColumn:
        column = self.model.tables[option.table].columns[option.column or ""]
        label = _column_label(column, option.aggregation)
        if option.paired:  # "correlation of age and lifetime value"
            label += " and " + _column_label(self.model.tables[option.table].columns[option.paired], None)
        ref = f"{option.table}.{option.column}" + (f":{option.aggregation}" if option.aggregation else "")
        base = next(
            (
                c
                for c in self.model.tables[option.table].columns.values()
                if column.kind == "metric" and c.kind == "fact" and c.expr == column.base_column
            ),
            None,
        )
        if base is not None and _is_date(base):  # MIN(pre_period_start): a date, like the fact it reads
            return OutputColumn(name, role, ref, label, "date")
        return OutputColumn(name, role, ref, label, value_format(column, option.aggregation))

    def _chart(self, query: SemanticQuery, outputs: list[OutputColumn]) -> str:
        if query.mode == "list":
            return "table"
        dims = [o for o in outputs if o.role in ("dimension", "time")]
        measures = [o for o in outputs if o.role == "measure"]
        if not dims or not measures:
            return "table"
        if any(o.role == "time" for o in dims):
            return "line"
        if len(dims) == 1 and dims[0].ref.endswith((".state", ".state_name")):
            return "map"
        if len(dims) == 1 and len(measures) == 1 and measures[0].format == "count" and not query.conditions:
            return "pie"
        return "bar"


def _is_date(column: Column) -> bool:
    return (column.data_type or "").upper().startswith(("DATE", "TIMESTAMP"))


def value_format(column: Column, aggregation: str | None = None) -> ValueFormat:
    """How a column's values read: currency (USD), percent, count, plain number, date, text, id."""
    description = column.description.lower()
    name = column.name.lower()
    if column.kind in ("time_dimension",) or _is_date(column):
        return "date"
    if column.kind == "dimension":
        if (column.data_type or "").upper() == "BOOLEAN":
            return "boolean"
        return "id" if name.endswith("_id") or name.endswith("_key") else "text"
    if aggregation == "count":
        return "count"
    if aggregation == "corr":
        return "number"  # a coefficient from -1 to 1, whatever the columns' units
    if "usd" in description:
        return "currency"
    if name.endswith("_pct") or "percent" in description:
        return "percent"
    if name.endswith("_count") or description.startswith(("number of", "customers", "approved transactions")):
        return "count"
    if (column.data_type or "").upper() in ("NUMBER", "INTEGER", "BIGINT") and column.kind == "fact":
        return "count" if any(w in name for w in ("transactions", "count", "customers")) else "number"
    return "number"


def _column_label(column: Column, aggregation: str | None) -> str:
    words = column.name.replace("_pct", " %").replace("_", " ")
    words = words.replace("avg ", "average ").replace(" avg", " average")
    if aggregation and (percentile := PERCENTILE.fullmatch(aggregation)) is not None:
        return f"{_ordinal(int(percentile[1]))} percentile of {words}"
    if aggregation:
        prefix = {
            "avg": "average",
            "sum": "total",
            "min": "minimum",
            "max": "maximum",
            "median": "median",
            "stddev": "standard deviation of",
            "count_distinct": "number of distinct",
            "count": "number of",
            "share": "share of",
            "corr": "correlation of",
        }[aggregation]
        return f"{prefix} {words}"
    return words.strip()


def _label(model: SemanticModel, option: Option) -> str:
    if option.filter:
        return option.filter.replace("_", " ")
    return (option.column or option.table).replace("_", " ")


def _band_case(expr: str, bands: Sequence[tuple[float, float | None, str]]) -> tuple[str, list[object]]:
    """CASE over the bands in the order given (both ends included; the first band wins on a shared edge; a NaN low
    end is a band below its high end, that end excluded: 'under 30')."""
    whens, params = [], []
    for low, high, label in bands:
        if math.isnan(low) and high is not None:  # "under 30": below the number, the number excluded
            whens.append(f"WHEN {expr} < ? THEN ?")
            params += [high, label]
        elif high is None:
            whens.append(f"WHEN {expr} >= ? THEN ?")
            params += [low, label]
        else:
            whens.append(f"WHEN {expr} >= ? AND {expr} <= ? THEN ?")
            params += [low, high, label]
    return f"CASE {' '.join(whens)} END", params


def _band_position(expr: str, bands: Sequence[tuple[float, float | None, str]]) -> tuple[str, list[object]]:
    """The listed band's position (1, 2, ...): `_band_case`'s conditions, numbered instead of labelled."""
    whens: list[str] = []
    params: list[object] = []
    for position, (low, high, _) in enumerate(bands, start=1):
        if math.isnan(low) and high is not None:  # "under 30": below the number, the number excluded
            whens.append(f"WHEN {expr} < ? THEN {position}")
            params += [high]
        elif high is None:
            whens.append(f"WHEN {expr} >= ? THEN {position}")
            params += [low]
        else:
            whens.append(f"WHEN {expr} >= ? AND {expr} <= ? THEN {position}")
            params += [low, high]
    return f"CASE {' '.join(whens)} END", params


def _period_label(
    measure: Measure, pairs: Sequence[PeriodColumns], periods: Sequence[TimeWindow]
) -> str | None:
    for pair in pairs:
        if measure.concept == pair.earlier.concept:
            return periods[0].label
        if measure.concept == pair.later.concept:
            return periods[-1].label
    return None


def _on_rollup(
    option: Option, options: Sequence[Option], reachable: set[str], rollup: Rollup
) -> Option | None:
    """The option itself when the rollup reaches it, else another table's copy of the same item that it does."""
    for candidate in (option, *options):
        if candidate.table in reachable and candidate.table != rollup.of:
            return candidate
    return None


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate


def _conditional_aggregate(expr: str, condition: str, dialect: str) -> tuple[str, int]:
    """`expr` with every aggregate restricted to rows meeting `condition` (CASE WHEN ... THEN arg END);
    returns the SQL and how many copies of the condition it holds (its parameters are bound per copy)."""
    tree = sqlglot.parse_one(expr, read=dialect)
    cond = sqlglot.parse_one(condition, read=dialect)
    copies = 0
    for agg in list(tree.find_all(exp.AggFunc)):
        arg = agg.this
        if isinstance(arg, exp.Distinct):
            inner = arg.expressions[0]
            arg.set("expressions", [exp.Case(ifs=[exp.If(this=cond.copy(), true=inner.copy())])])
        elif arg is None or isinstance(arg, exp.Star):
            agg.set("this", exp.Case(ifs=[exp.If(this=cond.copy(), true=exp.Literal.number(1))]))
        else:
            agg.set("this", exp.Case(ifs=[exp.If(this=cond.copy(), true=arg.copy())]))
        copies += 1
    return tree.sql(dialect=dialect), copies


def inline_params(sql: str, params: Sequence[object], dialect: str) -> str:
    """Replace `?` placeholders (found by sqlglot's tokenizer, so never inside strings) with SQL literals."""
    tokens = [t for t in sqlglot.tokenize(sql, read=dialect) if t.token_type == TokenType.PLACEHOLDER]
    if len(tokens) != len(params):
        raise ValueError(f"{len(tokens)} placeholders for {len(params)} parameters")
    out = sql
    for token, value in sorted(zip(tokens, params, strict=True), key=lambda tv: tv[0].start, reverse=True):
        out = out[: token.start] + literal(value, dialect) + out[token.end + 1 :]
    return out


def literal(value: object, dialect: str) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return exp.Literal.number(f"{value:g}" if isinstance(value, float) else value).sql(dialect=dialect)
    if isinstance(value, date):
        return f"DATE {exp.Literal.string(value.isoformat()).sql(dialect=dialect)}"
    return exp.Literal.string(str(value)).sql(dialect=dialect)


def _pinned(query: SemanticQuery, dimension: Dimension) -> bool:
    """A grouping by a column the question fixes to one value ('CUST00000004's …': customer_id = one id)."""
    return any(
        c.op == "in" and len(c.values) == 1 and set(c.options) & set(dimension.options)
        for c in query.conditions
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
