"""The semantic query: what a question asks for, in terms of the semantic model (not yet SQL).

Items carry `options` (one per logical table that could supply them); the planner picks an anchor table
and one option per item. `signature()` is a canonical form used to recognise paraphrases of verified queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Mode = Literal["aggregate", "list"]
Grain = Literal["day", "week", "month", "quarter", "year"]


@dataclass(frozen=True)
class Option:
    """One way to resolve an item on one logical table."""

    table: str
    column: str | None = None  # logical column (dimension, time dimension, fact or metric)
    aggregation: str | None = None  # avg | sum | min | max | median | count (over `column`)
    filter: str | None = None  # a named filter of the table
    paired: str | None = None  # the second column of a two-column aggregate (corr: `column` with `paired`)

    @property
    def key(self) -> str:
        parts = [self.table, self.column or "", self.aggregation or "", self.filter or ""]
        return ":".join(parts) + (f":{self.paired}" if self.paired else "")


@dataclass(frozen=True)
class Measure:
    label: str  # output column name
    options: tuple[Option, ...]
    where: tuple[Condition, ...] = ()  # share measures: the conditions of the numerator

    @property
    def concept(self) -> str:
        base = "|".join(sorted(o.key for o in self.options))
        return base + ("[" + ";".join(sorted(c.concept for c in self.where)) + "]" if self.where else "")


@dataclass(frozen=True)
class Dimension:
    options: tuple[Option, ...]
    grain: Grain | None = None  # time dimensions only
    bands: tuple[tuple[float, float | None, str], ...] = ()  # numeric ranges (low, high or open, label)
    width: float | None = None  # fixed-width buckets of a number ("in buckets of 10"): each one's lower bound

    @property
    def concept(self) -> str:
        banded = "#" + ";".join(label for _, _, label in self.bands) if self.bands else ""
        bucketed = f"/{self.width:g}" if self.width else ""
        return (
            "|".join(sorted(o.key for o in self.options))
            + (f"@{self.grain}" if self.grain else "")
            + banded
            + bucketed
        )


@dataclass(frozen=True)
class Condition:
    """A WHERE condition on a column or a named filter, or (with `measure`) a HAVING condition."""

    options: tuple[Option, ...]
    op: str  # in | not_in | > | >= | < | <= | between | named | not_named | is_null | not_null | any
    values: tuple[object, ...] = ()
    measure: Measure | None = None
    either: tuple[
        Condition, ...
    ] = ()  # op "any": true when one of these is ("Premium or credit limit over 40K")

    @property
    def concept(self) -> str:
        if self.either:
            return "any(" + ";".join(sorted(c.concept for c in self.either)) + ")"
        target = self.measure.concept if self.measure else "|".join(sorted(o.key for o in self.options))
        values = (
            ",".join(sorted(str(v) for v in self.values))
            if self.op in ("in", "not_in")
            else ",".join(str(v) for v in self.values)
        )
        return f"{target} {self.op} {values}"

    @property
    def subject(self) -> str:
        """What the condition restricts (column or filter), for replacing it in follow-ups."""
        if self.measure:
            return "measure:" + self.measure.concept
        if self.either:
            return self.concept
        return "|".join(sorted(o.key for o in self.options))


@dataclass(frozen=True)
class TimeWindow:
    start: date | None  # inclusive
    end: date | None  # exclusive; None = open-ended (includes data streamed after the as-of date)
    label: str  # "the last 90 days", "March 2026"
    days: int | None = None  # set for "last N days" windows
    time_dimension: tuple[Option, ...] | None = None  # explicit; None = the anchor's default
    current: bool = False  # the period the as-of date is in ("this month"): current values answer it
    rolling: tuple[int, str] | None = (
        None  # "the last 6 months": (6, "month"), rolling back from the as-of date
    )

    @property
    def concept(self) -> str:
        dim = "|".join(sorted(o.key for o in self.time_dimension)) if self.time_dimension else "default"
        return f"{self.start}..{self.end}@{dim}"


@dataclass(frozen=True)
class Ordering:
    measure: Measure | None = None  # order by a measure (aggregate mode) ...
    column: tuple[Option, ...] | None = None  # ... or by a column (list mode, or a dimension)
    descending: bool = True

    @property
    def concept(self) -> str:
        target = self.measure.concept if self.measure else "|".join(sorted(o.key for o in self.column or ()))
        return f"{target} {'desc' if self.descending else 'asc'}"


@dataclass(frozen=True)
class SemanticQuery:
    mode: Mode
    entity: str | None = None  # the listed table (list mode)
    measures: tuple[Measure, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    conditions: tuple[Condition, ...] = ()
    window: TimeWindow | None = None
    order: tuple[Ordering, ...] = ()
    limit: int | None = None
    ties: bool = False  # a ranked listing keeps every row tied with the last one shown
    within: Dimension | None = None  # rank inside each of this grouping's values: `limit` rows per group
    periods: tuple[TimeWindow, ...] = ()  # two periods side by side (earlier first); `window` spans both
    period_change: str | None = None  # "grew the most" (up) / "the biggest drop" (down): rank by the change
    rolling_periods: bool = False  # "the last 90 days vs the 90 days before": one row, each window a column
    series_change: Grain | None = None  # each period of the series compared with the one before it
    columns: tuple[tuple[Option, ...], ...] = ()  # extra columns a listing shows
    prefer_tables: tuple[str, ...] = ()  # tables the question mentions as context (tried first as anchor)
    at_rows: bool = False  # "card type held at the time of the transaction": each row's own card, or refused
    on_cards: bool = False  # "spend on Premium cards": a card condition is each row's own card
    held_today: bool = False  # "by the card type customers hold today", "Premium vs Standard cardholders"
    notes: tuple[str, ...] = field(default=(), compare=False)  # assumptions made while reading the question
    claim: tuple[str, bool] | None = field(default=None, compare=False)  # a yes/no question: (group, more?)
    checks: tuple[Condition, ...] = field(default=(), compare=False)  # "is CUST00000042 High Risk?"

    def signature(self) -> tuple[object, ...]:
        """A canonical form: two questions with the same signature ask for the same result."""
        return (
            self.mode,
            self.entity,
            tuple(sorted(m.concept for m in self.measures)),
            tuple(sorted(d.concept for d in self.dimensions)),
            tuple(sorted(c.concept for c in self.conditions)),
            self.window.concept if self.window else None,
            tuple(o.concept for o in self.order),
            self.limit,
            self.ties,
            self.within.concept if self.within else None,
            tuple(p.concept for p in self.periods),
            self.period_change,
            self.series_change,
            tuple(sorted("|".join(sorted(o.key for o in c)) for c in self.columns)),
            self.prefer_tables,
            self.at_rows,
            self.on_cards,
            self.held_today,
        )
