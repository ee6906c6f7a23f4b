"""What the reader builds while it understands a question: items (a token span and what it means), the
mutable Reading the passes fill in, and the result (a Parsed query or a Refusal that says why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from c360.assistant.grammar import AGGREGATE_WORDS
from c360.assistant.lexicon import Entry
from c360.assistant.query import (
    Condition,
    Dimension,
    Grain,
    Measure,
    Option,
    Ordering,
    SemanticQuery,
    TimeWindow,
)
from c360.assistant.text import Token
from c360.assistant.timeframe import TimeSpan

RefusalKind = Literal["unsafe", "unavailable", "not_understood", "incomplete", "no_context"]


@dataclass(frozen=True)
class Refusal:
    kind: RefusalKind
    reason: str  # user-facing, one sentence
    words: tuple[str, ...] = ()


@dataclass
class Item:
    kind: str  # LEX | TIME | NUM | DATE | grammar symbol (AGG, CMP, ...)
    start: int
    end: int
    tokens: tuple[Token, ...]
    arg: str = ""
    entries: tuple[Entry, ...] = ()
    span: TimeSpan | None = None
    used: bool = False
    note: str = ""  # how the words were read, stated in the answer ("I found 'Jane Doe' as CUST...")

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)

    @property
    def number(self) -> float | None:
        return self.tokens[0].number if self.kind == "NUM" else None

    def of(self, *kinds: str) -> list[Entry]:
        return [e for e in self.entries if e.kind in kinds]


@dataclass
class Reading:
    """The state of understanding one question (mutable while the passes run)."""

    items: list[Item]
    tokens: list[Token]
    measures: list[Measure] = field(default_factory=list)
    dimensions: list[Dimension] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    order: list[Ordering] = field(default_factory=list)
    columns: list[tuple[Option, ...]] = field(default_factory=list)
    window: TimeWindow | None = None
    grain: Grain | None = None
    trend: bool = False
    limit: int | None = None
    entity: str | None = None
    list_requested: bool = False
    notes: list[str] = field(default_factory=list)
    singular_group: bool = False
    together: bool = False
    rank_items: list[tuple[Item, bool]] = field(default_factory=list)  # ranked by a named measure/column
    context_tables: list[str] = field(default_factory=list)  # tables the question mentions as context
    implied_entities: list[str] = field(
        default_factory=list
    )  # rows named inside a value ("Premium cardholders")
    positions: dict[int, int] = field(default_factory=dict)  # id(condition) -> token where it was read
    disjunctive: set[int] = field(default_factory=set)  # id(condition) whose values were joined by "or"
    ties: bool = False  # "which customer has the highest ...": every row tied for the first place
    within: Dimension | None = None  # "top 3 categories per channel": the ranking restarts in every channel
    periods: tuple[TimeWindow, ...] = ()  # "November vs October": two periods side by side (earlier first)
    period_change: str | None = None  # "grew the most from October to November": up | down
    rolling_periods: bool = False  # "the last 90 days vs the 90 days before": each window a column
    series_change: Grain | None = None  # "monthly spend with the % change from the previous month"
    claim: tuple[str, bool] | None = None  # "are Premium customers more likely ...": (Premium, more?)
    checks: list[Condition] = field(default_factory=list)  # "is CUST00000042 High Risk?": asked, not filtered
    count_rows: bool = False  # "how many are there?": count the rows of the question before
    every_row: bool = False  # "how many transactions came in without a category": counted whatever the status
    implied_count: bool = (
        False  # "split by region": a count of rows no word named (the question before, divided)
    )
    percent_of_total: bool = False  # "count and % of total", "as a percentage of the total"
    part_of_all: tuple[
        Condition, ...
    ] = ()  # "how many were declined, and what % of all attempts is that": the part
    shares_per_group: bool = False  # "Online vs in-store vs mobile: share of spend": each value's share
    time_order: str | None = None  # "oldest first": asc | desc over the time grouping
    lookup: str | None = None  # a table one row of which the question names by its key ("CUST00000042")
    bare_rank: bool | None = None  # "top 5 only" in a follow-up: descending?, of the previous measure

    def add(self, condition: Condition, position: int) -> None:
        self.conditions.append(condition)
        self.positions[id(condition)] = position

    def swap(self, old: Condition, new: Condition) -> None:
        self.conditions[self.conditions.index(old)] = new
        self.positions[id(new)] = self.positions.get(id(old), 0)

    def position(self, condition: Condition) -> int:
        return self.positions.get(id(condition), 0)


@dataclass(frozen=True)
class Parsed:
    query: SemanticQuery | None
    refusal: Refusal | None = None
    followup: bool = False  # the question only makes sense on top of the previous one
    partial: Reading | None = None


def explicit_aggregate(item: Item) -> bool:
    return any(t.lemma in AGGREGATE_WORDS for t in item.tokens)


def has_list_cue(r: Reading) -> bool:
    return any(i.kind in ("LIST", "WHO") for i in r.items) and not any(i.kind == "COUNT" for i in r.items)


def next_item(items: list[Item], idx: int, step: int = 1) -> Item | None:
    j = idx + step
    return items[j] if 0 <= j < len(items) else None


def prev_item(items: list[Item], idx: int) -> Item | None:
    j = idx - 1
    return items[j] if 0 <= j < len(items) else None


BACK_REFERENCES = frozenset({"in each", "of each", "for each", "in every", "for every"})


def back_reference(item: Item) -> bool:
    """'in each' / 'of each' closing the question ('... by segment - how many are in each (one)?'): it points
    back at the groups the question already named, and groups nothing by itself."""
    return item.kind == "GROUP" and " ".join(t.lemma for t in item.tokens) in BACK_REFERENCES


def quote_list(words: Sequence[str]) -> str:
    quoted = [f"'{w}'" for w in words]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
