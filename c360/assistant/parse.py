"""Question -> SemanticQuery, or a Refusal that says why.

The reader accounts for every word: each one must be a stopword, part of the small grammar (aggregations,
comparisons, grouping, ranking, negation, time), or a name, synonym or value from the semantic model. Any
other content word, any comparison or ranking it cannot attach to something measurable, and any concept the
data does not have makes it refuse instead of guessing.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from c360.assistant.grammar import (
    AGGREGATE_WORDS,
    FOLLOWUP_OPENERS,
    GRAMMAR,
    INACTIVITY,
    MAX_GRAMMAR,
    SHARE_VERBS,
)
from c360.assistant.lexicon import Entry, Lexicon, Vocabulary, unavailable_concept
from c360.assistant.model import SemanticModel
from c360.assistant.query import Condition, Dimension, Measure, Option, Ordering, SemanticQuery, TimeWindow
from c360.assistant.text import Token, lemma, phrase_key, tokenize
from c360.assistant.timeframe import TimeParser, TimeSpan

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
    grain: str | None = None
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


class QuestionParser:
    def __init__(self, lexicon: Lexicon, as_of: date) -> None:
        self.lex = lexicon
        self.model = lexicon.model
        self.vocab = lexicon.vocabulary
        self.as_of = as_of

    # ---- entry point ----------------------------------------------------------------------------------
    def parse(self, question: str, *, time_adjectives: bool = False) -> Parsed:
        """Read one question. `time_adjectives`: read "monthly"/"weekly" as a time grain even where they
        start a vocabulary phrase ("monthly spend in Dining" = spend by month): the second reading tried
        when the first cannot be planned."""
        tokens = tokenize(question)
        if not tokens:
            return Parsed(None, Refusal("incomplete", "The question is empty."))
        items, unknown = self._items(question, tokens, time_adjectives)
        reason = unavailable_concept(
            [t for i in items if i.kind not in ("LEX",) for t in i.tokens] + unknown, self.vocab
        )
        if reason:
            return Parsed(None, Refusal("unavailable", reason))
        if unknown:
            words = tuple(dict.fromkeys(t.text for t in unknown))
            return Parsed(
                None,
                Refusal(
                    "not_understood",
                    f"I don't know what {_quote_list(words)} means in this data.",
                    words,
                ),
            )
        reading = Reading(items, tokens)
        refusal = self._assemble(reading)
        if refusal:
            return Parsed(None, refusal, partial=reading)
        followup = self._looks_like_followup(reading, tokens)
        if not reading.measures and not reading.entity and not reading.list_requested:
            if (
                followup
                or reading.conditions
                or reading.window
                or reading.dimensions
                or reading.order
                or reading.bare_rank is not None
            ):
                return Parsed(None, None, followup=True, partial=reading)
            return Parsed(
                None, Refusal("incomplete", "I couldn't find a measure or a list of things to show.")
            )
        return Parsed(self._to_query(reading), followup=followup, partial=reading)

    # ---- tokens -> items --------------------------------------------------------------------------------
    def _items(
        self, question: str, tokens: list[Token], time_adjectives: bool = False
    ) -> tuple[list[Item], list[Token]]:
        all_upper = sum(1 for t in tokens if t.text.isupper()) > 0.7 * len(tokens)
        protected = self._multiword_spans(tokens, all_upper, time_adjectives)
        spans = {s.start: s for s in TimeParser(tokens, self.as_of, protected).parse()}
        inactivity = self._inactivity(tokens)
        items: list[Item] = []
        unknown: list[Token] = []
        i = 0
        while i < len(tokens):
            if i in inactivity:
                end, days = inactivity[i]
                items.append(Item("INACTIVE", i, end, tuple(tokens[i:end]), arg=str(days)))
                i = end
                continue
            if i in spans:
                span = spans[i]
                items.append(Item("TIME", i, span.end, tuple(tokens[i : span.end]), span=span))
                i = span.end
                continue
            tok = tokens[i]
            if tok.is_number:
                items.append(Item("NUM", i, i + 1, (tok,)))
                i += 1
                continue
            special = self._special_phrase(tokens, i)
            if special is not None:  # time-dimension cues ("opened"), superlative words ("oldest")
                kind, length, arg = special
                items.append(Item(kind, i, i + length, tuple(tokens[i : i + length]), arg=arg))
                i += length
                continue
            lex = self.lex.match(tokens, i, all_upper)
            gram = self._grammar(tokens, i)
            if lex and (not gram or lex[0] >= gram[0]):
                length, entries = lex
                items.append(
                    Item("LEX", i, i + length, tuple(tokens[i : i + length]), entries=tuple(entries))
                )
                i += length
            elif gram:
                length, (symbol, arg) = gram
                items.append(Item(symbol, i, i + length, tuple(tokens[i : i + length]), arg=arg))
                i += length
            else:
                shared = self._coordinated(tokens, i, all_upper)
                if shared is not None:  # "medium or high risk": 'medium' borrows 'risk' from the next value
                    items.append(Item("LEX", i, i + 1, (tok,), entries=tuple(shared)))
                elif tok.lemma not in self.vocab.stopwords and not tok.is_date:
                    unknown.append(tok)
                i += 1
        return items, unknown

    def _coordinated(self, tokens: list[Token], i: int, all_upper: bool) -> list[Entry] | None:
        if i + 2 >= len(tokens) or tokens[i + 1].lemma not in ("or", "and"):
            return None
        nxt = self.lex.match(tokens, i + 2, all_upper)
        if nxt is None or nxt[0] < 2:
            return None
        suffix = tuple(t.lemma for t in tokens[i + 3 : i + 2 + nxt[0]])
        entries = self.lex.phrases.get((tokens[i].lemma, *suffix))
        values = [e for e in entries or [] if e.kind == "value"]
        if not values or {(e.table, e.column) for e in values} != {
            (e.table, e.column) for e in nxt[1] if e.kind == "value"
        }:
            return None
        return values

    def _multiword_spans(
        self, tokens: list[Token], all_upper: bool, time_adjectives: bool = False
    ) -> frozenset[int]:
        protected: set[int] = set()
        trend = (
            time_adjectives
            or any(t.lemma in ("trend", "trending") for t in tokens)
            or any(a.lemma == "over" and b.lemma == "time" for a, b in itertools.pairwise(tokens))
        )
        for i in range(len(tokens)):
            m = self.lex.match(tokens, i, all_upper)
            if m and m[0] > 1:
                first = tokens[i].lemma
                if trend and first in ("monthly", "daily", "weekly", "quarterly", "yearly"):
                    continue  # "monthly spend trend": the adjective is the time grain
                protected.update(range(i, i + m[0]))
        return frozenset(protected)

    def _grammar(self, tokens: list[Token], i: int) -> tuple[int, tuple[str, str]] | None:
        for length in range(min(MAX_GRAMMAR, len(tokens) - i), 0, -1):
            key = tuple(t.lemma for t in tokens[i : i + length])
            if key in GRAMMAR:
                return length, GRAMMAR[key]
        return None

    def _inactivity(self, tokens: list[Token]) -> dict[int, tuple[int, int]]:
        """'no transactions in over 60 days' -> {start: (end, 60)} over token indices."""
        table, _, column = self.vocab.recency_fact.partition(".")
        if table not in self.model.tables or column not in self.model.tables[table].columns:
            return {}
        text, offsets = "", []
        for t in tokens:
            offsets.append(len(text))
            text += (t.lemma if not t.is_number else str(int(t.number or 0))) + " "
        found: dict[int, tuple[int, int]] = {}
        for m in INACTIVITY.finditer(text):
            days = int(m.group("n") or m.group("m") or m.group("k"))
            start = max(i for i, o in enumerate(offsets) if o <= m.start())
            end = max(i for i, o in enumerate(offsets) if o < m.end()) + 1
            found[start] = (end, days)
        return found

    # ---- assembly ----------------------------------------------------------------------------------
    def _assemble(self, r: Reading) -> Refusal | None:
        for step in (
            self._time,
            self._inactive,
            self._comparisons,
            self._counts,
            self._aggregations,
            self._values_and_filters,
            self._share,
            self._groupings,
            self._ranking,
            self._ranking_limit,
            self._remaining_lexical,
            self._compare_groups,
        ):
            refusal = step(r)
            if refusal:
                return refusal
        return self._leftovers(r)

    def _time(self, r: Reading) -> Refusal | None:
        for item in r.items:
            if item.kind != "TIME":
                continue
            span = item.span
            assert span is not None
            if span.rate:
                continue  # consumed by the comparison it qualifies
            item.used = True
            if span.window:
                if r.window is not None:
                    return Refusal(
                        "incomplete", "The question has two time windows; ask about one period at a time."
                    )
                r.window = span.window
                if span.note:
                    r.notes.append(span.note)
            if span.grain:
                r.grain = span.grain
            if span.trend:
                r.trend = True
        cue = self._time_cue(r)
        if cue and r.window:
            r.window = TimeWindow(r.window.start, r.window.end, r.window.label, r.window.days, cue)
        return None

    def _time_cue(self, r: Reading) -> tuple[Option, ...] | None:
        cue: tuple[Option, ...] | None = None
        for item in r.items:
            if item.kind == "CUE":
                item.used = True
                table, _, column = item.arg.partition(".")
                cue = cue or (Option(table, column),)
        return cue

    def _special_phrase(self, tokens: list[Token], i: int) -> tuple[str, int, str] | None:
        best: tuple[str, int, str] | None = None
        for ref, cues in self.vocab.time_dimension_cues.items():
            for cue in cues:
                key = phrase_key(cue)
                if tuple(t.lemma for t in tokens[i : i + len(key)]) == key and (
                    best is None or len(key) > best[1]
                ):
                    best = ("CUE", len(key), ref)
        for key, (descending, ref) in self.vocab.superlative_words.items():
            if tuple(t.lemma for t in tokens[i : i + len(key)]) == key and (
                best is None or len(key) > best[1]
            ):
                best = ("SUPERFACT", len(key), f"{'desc' if descending else 'asc'}|{ref}")
        return best

    def _inactive(self, r: Reading) -> Refusal | None:
        for item in r.items:
            if item.kind == "INACTIVE":
                item.used = True
                r.add(
                    Condition((self._option(self.vocab.recency_fact),), ">", (int(item.arg),)),
                    item.start,
                )
        return None

    # comparisons: "LTV above 100,000", "more than 20 transactions", "older than 60", "over $5K a month"
    def _comparisons(self, r: Reading) -> Refusal | None:
        items = r.items
        for idx, item in enumerate(items):
            if item.used or item.kind not in ("CMP", "AGECMP", "BETWEEN", "AGEBETWEEN", "AGED", "NUM"):
                continue
            if item.kind == "NUM":
                post = _next(items, idx)
                if post is not None and post.kind == "POSTCMP":  # "60 or more"
                    refusal = self._bind_comparison(r, idx, post.arg, [item.number or 0.0], post)
                    if refusal:
                        return refusal
                    post.used = True
                elif item.tokens[0].is_plus and not item.used:
                    refusal = self._bind_comparison(r, idx, ">=", [item.number or 0.0], None)
                    if refusal:
                        return refusal
                continue
            if item.kind in ("BETWEEN", "AGEBETWEEN"):
                a, conj, b = _next(items, idx), _next(items, idx, 2), _next(items, idx, 3)
                if not (a and b and conj and a.kind == "NUM" and b.kind == "NUM" and conj.kind == "AND"):
                    if item.kind == "BETWEEN":
                        continue  # "between California and Texas": a comparison of groups
                    return Refusal("incomplete", "I could not read the range after 'between'.")
                conj.used = True
                values = sorted([a.number or 0.0, b.number or 0.0])
                if item.kind == "AGEBETWEEN":
                    item.used = a.used = b.used = True
                    r.add(
                        Condition((self._option(self.vocab.age_fact),), "between", tuple(values)),
                        item.start,
                    )
                    continue
                refusal = self._bind_comparison(r, idx, "between", values, b, first_num=a)
                if refusal:
                    return refusal
                continue
            num = _next(items, idx)
            if num is None or num.kind != "NUM":
                if item.kind == "CMP" and item.arg == ">" and item.tokens[0].lemma == "over":
                    continue  # "over" without a number: "over the last 6 months", "over time"
                if item.kind == "CMP" and item.tokens[0].lemma in ("under", "above", "below"):
                    continue
                if item.kind == "AGED":
                    continue
                return Refusal("incomplete", f"I could not find the number after {item.text!r}.")
            if item.kind in ("AGECMP", "AGED"):
                item.used = num.used = True
                op = item.arg if item.kind == "AGECMP" else "="
                after = _next(items, idx, 2)
                if item.kind == "AGED" and after is not None and after.kind in ("POSTCMP",):
                    op, after.used = after.arg, True
                if item.kind == "AGED" and after is not None and after.kind == "NUM" and not after.used:
                    after.used = True  # "aged 25 to 35"
                    low, high = sorted([num.number or 0.0, after.number or 0.0])
                    r.add(
                        Condition((self._option(self.vocab.age_fact),), "between", (low, high)),
                        item.start,
                    )
                    continue
                r.add(Condition((self._option(self.vocab.age_fact),), op, (num.number,)), item.start)
                continue
            refusal = self._bind_comparison(r, idx, item.arg, [num.number or 0.0], num)
            if refusal:
                return refusal
        return None

    def _bind_comparison(
        self,
        r: Reading,
        idx: int,
        op: str,
        values: list[float],
        last: Item | None,
        first_num: Item | None = None,
    ) -> Refusal | None:
        items = r.items
        op_item = items[idx]
        num_item = first_num or (last if last is not None and last.kind == "NUM" else op_item)
        end_item = last or op_item
        end_idx = items.index(end_item)
        rate = None
        after = _next(items, end_idx)
        if after is not None and after.kind == "TIME" and after.span and after.span.rate:
            rate = after.span.rate
            after.used = True
            end_idx += 1
        subject, subject_item = self._comparison_subject(r, idx, end_idx, rate, num_item)
        if subject is None:
            what = " ".join(i.text for i in items[idx : end_idx + 1])
            return Refusal(
                "incomplete",
                f"I can't tell what {what!r} applies to; name the measure, e.g. 'lifetime value over 100,000'.",
            )
        for it in items[idx : end_idx + 1]:
            it.used = True
        if num_item is not None:
            num_item.used = True
        if subject_item is not None:
            subject_item.used = True
        if isinstance(subject, Measure):
            r.add(Condition((), op, tuple(values), measure=subject), op_item.start)
        else:
            r.add(Condition(subject, op, tuple(values)), op_item.start)
        return None

    def _comparison_subject(
        self, r: Reading, idx: int, end_idx: int, rate: str | None, num_item: Item | None
    ) -> tuple[tuple[Option, ...] | Measure | None, Item | None]:
        items = r.items
        money = bool(num_item and num_item.tokens and num_item.tokens[0].is_money)
        before = _prev(items, idx)
        after = _next(items, end_idx)
        # "spending over $5K a month" -> the per-customer monthly rate fact
        if rate is not None:
            fact = self.vocab.rate_facts.get(rate)
            if fact is None:
                return None, None
            subject_item = before if before is not None and self._is_spend(before) else None
            return (self._option(fact),), subject_item
        for candidate in (before, after):
            if candidate is None or candidate.used or candidate.kind != "LEX":
                continue
            if (
                candidate is before
                and _prev(items, idx - 1) is not None
                and _prev(items, idx - 1).kind == "AGG"
            ):
                agg_item = _prev(items, idx - 1)
                measure = self._measure_from(agg_item.arg, candidate)  # type: ignore[union-attr]
                if measure is not None and (r.dimensions or self._has_group_ahead(items)):
                    agg_item.used = True  # type: ignore[union-attr]
                    return measure, candidate
            # spend in a window: "spent more than $10,000 in the last 90 days"
            if (
                self._is_spend(candidate)
                and r.window is not None
                and r.window.days in self.vocab.spend_window_facts
            ):
                fact = self.vocab.spend_window_facts[r.window.days]  # type: ignore[index]
                r.window = None
                return (self._option(fact),), candidate
            facts = self._facts_of(candidate)
            if facts:
                return facts, candidate
        bare = self.vocab.bare_number_fact
        number = num_item.number if num_item is not None else None
        if (
            bare is not None
            and num_item is not None
            and number is not None
            and not money
            and not num_item.tokens[0].is_percent
            and bare[1] <= number <= bare[2]
            and self._about_table(r, bare[0].partition(".")[0])
        ):
            return (self._option(bare[0]),), None  # "customers over 70": their age
        return None, None

    def _about_table(self, r: Reading, table: str) -> bool:
        """The question's rows are this table's: its entity noun is the only one named."""
        nouns = {lemma(n) for n in self.vocab.entities.get(table, {}).get("nouns", [])}
        named = {
            t
            for t, spec in self.vocab.entities.items()
            if any(tok.lemma in {lemma(n) for n in spec.get("nouns", [])} for tok in r.tokens)
        }
        return (
            named == {table}
            or (not named and r.implied_entities[:1] == [table])
            or (not named and any(tok.lemma in nouns for tok in r.tokens))
        )

    def _has_group_ahead(self, items: list[Item]) -> bool:
        return any(i.kind == "GROUP" for i in items)

    def _is_spend(self, item: Item) -> bool:
        return item.kind == "LEX" and (
            any(t.lemma in self.vocab.spend_words for t in item.tokens)
            and any(e.kind == "metric" for e in item.entries)
        )

    def _facts_of(self, item: Item) -> tuple[Option, ...]:
        """The per-row numeric columns a lexical item names (metrics map to the column they aggregate)."""
        options: list[Option] = []
        for e in item.entries:
            if e.kind == "fact" and e.column:
                options.append(Option(e.table, e.column))
            elif e.kind == "metric" and e.column:
                col = self.model.tables[e.table].columns[e.column]
                if col.base_column:
                    fact = self._fact_for_expr(e.table, col.base_column)
                    if fact:
                        options.append(Option(e.table, fact))
        return tuple(dict.fromkeys(options))

    def _fact_for_expr(self, table: str, physical: str) -> str | None:
        for col in self.model.tables[table].columns.values():
            if col.kind == "fact" and col.expr.strip().lower() == physical.lower():
                return col.name
        return None

    def _option(self, ref: str) -> Option:
        table, _, column = ref.partition(".")
        return Option(table, column)

    # counts: "how many premium customers", "number of transactions", "how many High-Value Travelers"
    def _counts(self, r: Reading) -> Refusal | None:
        items = r.items
        for idx, item in enumerate(items):
            if item.used or item.kind not in ("COUNT", "DIST"):
                continue
            target = None
            direct = _next(items, idx)
            if item.kind == "COUNT" and direct is not None and direct.kind == "LEX" and not direct.used:
                counts = [e for e in direct.of("metric") if _is_count_metric(self.model, e)]
                if counts and not direct.of("entity"):  # "how many declined transactions": that count
                    item.used = direct.used = True
                    options = tuple(dict.fromkeys(Option(e.table, e.column) for e in counts))
                    r.measures.append(Measure(counts[0].column or "value", options))
                    continue
            for j in range(idx + 1, min(idx + 6, len(items))):
                nxt = items[j]
                if nxt.kind == "LEX" and nxt.of("entity"):
                    target = nxt
                    break
                if nxt.kind == "LEX" and nxt.of("value", "filter") and not nxt.of("metric", "fact"):
                    continue
                if nxt.kind in ("NEG", "AND", "OR", "TIME", "WH", "CMP", "NUM"):
                    continue
                break
            if item.kind == "DIST" and target is None:
                target_prev = _prev(items, idx)
                if target_prev is not None and target_prev.kind == "LEX" and target_prev.of("entity"):
                    target = target_prev
            measure = self._count_measure(r, target, idx)
            if measure is None:
                if item.kind == "DIST":
                    measure = self._count_measure(r, None, idx, default_entity=True)
                if measure is None:
                    return Refusal("incomplete", f"I can't tell what to count after {item.text!r}.")
            item.used = True
            if target is not None and target.of("entity", "table") and not target.of("metric"):
                target.used = True
            r.measures.append(measure)
        return None

    def _count_measure(
        self, r: Reading, target: Item | None, idx: int, default_entity: bool = False
    ) -> Measure | None:
        table = None
        if target is not None:
            ent = target.of("entity") or target.of("table")
            if ent:
                table = ent[0].table
        if table is None:
            # "how many High-Value Travelers": count the rows of the values' table
            for it in r.items[idx + 1 : idx + 6]:
                vals = it.of("value", "filter") if it.kind == "LEX" else []
                if vals:
                    table = vals[0].table
                    break
        if table is None and default_entity:
            table = self.vocab.anchor_preference[0]
        if table is None:
            return None
        nouns = self.vocab.entities.get(table, {}).get("nouns", [])
        noun = nouns[0] if nouns else table
        return self._measure_by_phrase(f"number of {noun}")

    def _measure_by_phrase(self, phrase: str) -> Measure | None:
        entries = self.lex.phrases.get(phrase_key(phrase), [])
        options = tuple(Option(e.table, e.column) for e in entries if e.kind == "metric")
        if not options:
            return None
        return Measure(options[0].column or "value", options)

    # aggregations: "average age", "median credit limit", "total LTV"
    def _aggregations(self, r: Reading) -> Refusal | None:
        items = r.items
        for idx, item in enumerate(items):
            if item.used or item.kind != "AGG":
                continue
            nxt = _next(items, idx)
            if nxt is not None and nxt.kind == "COUNT":
                continue  # "total number of ..."
            if nxt is None or nxt.kind != "LEX" or nxt.used or not nxt.of("fact", "metric"):
                if item.arg == "sum" and item.tokens[0].lemma in ("total", "combined"):
                    item.used = True  # "in total", "total" before something already counted
                    continue
                return Refusal("incomplete", f"I can't tell what to aggregate after {item.text!r}.")
            measure = self._measure_from(item.arg, nxt)
            if measure is None:
                return Refusal("incomplete", f"{nxt.text!r} can't be aggregated with {item.text!r}.")
            item.used = nxt.used = True
            r.measures.append(measure)
        return None

    def _measure_from(self, agg: str, item: Item) -> Measure | None:
        options: list[Option] = []
        label = None
        for e in item.entries:
            if e.kind == "metric" and e.column:
                col = self.model.tables[e.table].columns[e.column]
                if col.aggregation == agg or (
                    agg == "sum" and col.aggregation is None and "sum" in col.expr.lower()
                ):
                    options.append(Option(e.table, e.column))
                    label = label or e.column
        if not options:
            for fact in self._facts_of(item):
                metric = self._declared_metric(fact.table, fact.column or "", agg)
                if metric:
                    options.append(Option(fact.table, metric))
                    label = label or metric
                else:
                    options.append(Option(fact.table, fact.column, aggregation=agg))
                    label = label or f"{agg}_{fact.column}"
        if not options:
            return None
        return Measure(label or "value", tuple(dict.fromkeys(options)))

    def _declared_metric(self, table: str, fact: str, agg: str) -> str | None:
        physical = self.model.tables[table].columns[fact].expr.strip().lower()
        for col in self.model.tables[table].columns.values():
            if (
                col.kind == "metric"
                and col.aggregation == agg
                and (col.base_column or "").lower() == physical
            ):
                return col.name
        return None

    # values and named filters, with negation: "without premium cards", "not in Texas", "High Risk"
    def _values_and_filters(self, r: Reading) -> Refusal | None:
        items = r.items
        for idx, item in enumerate(items):
            if item.used or item.kind != "LEX":
                continue
            values = item.of("value")
            filters = item.of("filter")
            flags = [
                e
                for e in item.of("dimension")
                if self.model.tables[e.table].columns[e.column or ""].is_boolean
            ]
            before = _prev(items, idx)
            if flags and not values and not filters and not item.of("metric", "fact"):
                if before is None or before.kind != "GROUP":  # "predicted to churn": a true/false column
                    item.used = True
                    options = tuple(dict.fromkeys(Option(e.table, e.column) for e in flags))
                    r.add(Condition(options, "in", (not self._negated(items, idx),)), item.start)
                continue
            if not values and not filters:
                continue
            if item.of("metric", "fact") and not values:
                continue  # a measure's name that is also a filter synonym: measures win
            negated = self._negated(items, idx)
            nxt, prev = _next(items, idx), _prev(items, idx)
            # "Travel category" / "favorite category Dining": a value next to its own dimension's name
            named = next(
                (
                    (v, near)
                    for near in (nxt, prev)
                    if near is not None and near.kind == "LEX" and not near.used
                    for v in values
                    if any(
                        e.kind == "dimension" and (e.table, e.column) == (v.table, v.column)
                        for e in near.entries
                    )
                ),
                None,
            )
            if named is not None:
                chosen, near = named
                near.used = True
                values = [v for v in values if (v.table, v.column) == (chosen.table, chosen.column)]
                filters = []
            elif len({(v.table, v.column) for v in values}) > 1:
                values = sorted(values, key=self._value_rank)
            if filters:
                item.used = True
                options = tuple(Option(f.table, filter=f.filter) for f in filters)
                r.add(Condition(options, "not_named" if negated else "named"), item.start)
                continue
            item.used = True
            if nxt is not None and nxt.kind == "LEX" and not nxt.used and self._describes(nxt, values[0]):
                nxt.used = True  # "High Risk category", "Premium card", "Declining segment"
            if any(t.lemma in _entity_lemmas(self.vocab) for t in item.tokens):
                r.implied_entities.append(values[0].table)  # "Premium cardholders" names the rows too
            value = values[0].value
            first = (values[0].table, values[0].column)
            # one value; the same column name may exist on several tables (campaign_group)
            values = [v for v in values if v.value == value and (v.column == first[1])]
            options = tuple(dict.fromkeys(Option(v.table, v.column) for v in values))
            op = "not_in" if negated else "in"
            existing = next(
                (
                    c
                    for c in r.conditions
                    if c.op == op and c.measure is None and set(c.options) & set(options)
                ),
                None,
            )
            if existing is None:
                r.add(Condition(options, op, (value,)), item.start)
            elif value not in existing.values:
                shared = tuple(o for o in existing.options if o in options)
                r.swap(existing, Condition(shared, op, (*existing.values, value)))
        return None

    # shares: "what share of customers in Texas are Premium?" = Premium / all, among Texas customers
    def _share(self, r: Reading) -> Refusal | None:
        for idx, item in enumerate(r.items):
            if item.kind != "SHARE" or item.used:
                continue
            item.used = True
            table, subject_end = None, item.end
            for nxt in r.items[idx + 1 :]:
                if nxt.kind == "LEX" and nxt.of("entity"):
                    table, subject_end = nxt.of("entity")[0].table, nxt.end
                    nxt.used = True
                    break
                if not (nxt.kind == "LEX" and nxt.of("value", "filter")) and nxt.kind not in (
                    "AND",
                    "OR",
                    "NEG",
                ):
                    break
            table = table or (
                r.implied_entities[0] if r.implied_entities else self.vocab.anchor_preference[0]
            )
            base = self.vocab.share_base.get(table)
            if base is None:
                return Refusal("incomplete", f"I can't compute a share of {table.replace('_', ' ')}.")
            boundary = next(
                (i for i in range(subject_end, len(r.tokens)) if r.tokens[i].norm in SHARE_VERBS), None
            )
            numerator = [c for c in r.conditions if boundary is None or r.position(c) >= boundary]
            for cond in numerator:
                r.conditions.remove(cond)
            option = Option(table, base, aggregation="share")
            r.measures.append(Measure("share_pct", (option,), where=tuple(numerator)))
        return None

    def _value_rank(self, entry: Entry) -> tuple[int, int, int]:
        """Which column a value phrase most likely means: complete enumerations and curated aliases first."""
        column = self.model.tables[entry.table].columns[entry.column or ""]
        aliased = f"{entry.table}.{entry.column}" in self.vocab.value_aliases
        order = self.vocab.anchor_preference
        position = order.index(entry.table) if entry.table in order else len(order)
        return (0 if column.is_enum else 1, 0 if aliased else 1, position)

    def _describes(self, item: Item, value: Entry) -> bool:
        """A noun right after a value that names the value's own column: 'High Risk category', 'Premium card'."""
        if item.of("metric", "fact", "value", "filter", "entity") or not item.of("dimension", "table"):
            return False
        column = self.model.tables[value.table].columns[value.column or ""]
        words = {lemma(w) for w in column.name.split("_")}
        for synonym in column.synonyms:
            words.update(lemma(w) for w in synonym.lower().split())
        return all(t.lemma in words for t in item.tokens)

    def _negated(self, items: list[Item], idx: int) -> bool:
        for back in (1, 2, 3):
            prev = _prev(items, idx - back + 1)
            if prev is None:
                return False
            if prev.kind == "NEG":
                prev.used = True
                return True
            if prev.kind == "LEX" and (prev.of("value") or prev.of("filter")):
                return False
            if prev.kind not in ("AND", "OR", "LEX", "WH"):
                return False
        return False

    # grouping: "by state", "per segment", "across card types", "which states", "monthly"
    def _groupings(self, r: Reading) -> Refusal | None:
        items = r.items
        for idx, item in enumerate(items):
            if item.used or item.kind != "GROUP":
                continue
            nxt = _next(items, idx)
            if nxt is None:
                return Refusal("incomplete", f"I can't tell what to group by after {item.text!r}.")
            if nxt.kind == "LEX" and nxt.of("dimension", "time_dimension") and not nxt.used:
                item.used = nxt.used = True
                r.dimensions.append(self._dimension(nxt))
            elif nxt.kind == "LEX" and nxt.of("metric", "fact"):
                continue  # "top 10 by churn risk": an ordering, handled by _ranking
            elif (
                nxt.kind == "LEX"
                and nxt.of("entity", "table")
                and item.tokens[0].lemma in ("per", "each", "across", "among")
            ):
                item.used = True  # "average spend per customer", "across customers"
            elif nxt.kind == "TIME" and nxt.span and nxt.span.grain:
                item.used = True
            elif item.tokens[0].lemma == "by" and nxt.kind in ("SUPER", "AGG"):
                continue
            elif item.tokens[0].lemma in ("each", "per", "across", "among"):
                continue  # "each" as a determiner; judged at the end
            else:
                return Refusal(
                    "incomplete", f"I can't group by {nxt.text!r}: it is not a dimension of the data."
                )
        # "which states ...", "what segment ..." (aggregate questions): group by the named dimension
        for idx, item in enumerate(items):
            if item.kind != "WH":
                continue
            nxt = _next(items, idx)
            if (
                nxt is not None
                and nxt.kind == "LEX"
                and not nxt.used
                and nxt.of("dimension")
                and not nxt.of("value")
            ):
                item.used = nxt.used = True
                r.dimensions.append(self._dimension(nxt))
                if nxt.tokens[-1].norm == nxt.tokens[-1].lemma:
                    r.singular_group = True
            item.used = True
        if r.grain:
            dim = self._time_grain_dimension(r)
            r.dimensions.append(dim)
        elif r.trend:
            r.grain = "month"
            r.dimensions.append(self._time_grain_dimension(r))
        return None

    def _time_grain_dimension(self, r: Reading) -> Dimension:
        options = tuple(Option(t, c) for t, c in self.vocab.default_time_dimension.items())
        if r.window and r.window.time_dimension:
            options = r.window.time_dimension
        return Dimension(options, grain=r.grain)  # type: ignore[arg-type]

    def _dimension(self, item: Item) -> Dimension:
        entries = item.of("dimension", "time_dimension")
        options = tuple(dict.fromkeys(Option(e.table, e.column) for e in entries))
        grain = "month" if all(e.kind == "time_dimension" for e in entries) else None
        return Dimension(options, grain=grain)  # type: ignore[arg-type]

    # ranking: "top 10 customers by churn risk", "highest churn risk", "the most Premium cardholders"
    def _ranking(self, r: Reading) -> Refusal | None:
        items = r.items
        for idx, item in enumerate(items):
            if item.kind == "SUPERFACT" and not item.used:  # "the 10 oldest customers"
                item.used = True
                direction, _, ref = item.arg.partition("|")
                table, _, column = ref.partition(".")
                r.order.append(Ordering(column=(Option(table, column),), descending=direction == "desc"))
                prev = _prev(items, idx)
                if prev is not None and prev.kind == "NUM" and not prev.used:
                    r.limit = int(prev.number or 0)
                    prev.used = True
                continue
            if item.used or item.kind not in ("SUPER", "RANK"):
                continue
            descending = item.arg != "asc"
            item.used = True
            nxt = _next(items, idx)
            if item.kind == "SUPER" and nxt is not None and nxt.kind == "NUM" and not nxt.used:
                r.limit = int(nxt.number or 0)
                nxt.used = True
            elif item.kind == "SUPER":
                prev = _prev(items, idx)
                if prev is not None and prev.kind == "NUM" and not prev.used:  # "10 highest"
                    r.limit = int(prev.number or 0)
                    prev.used = True
            target = self._rank_target(r, idx)
            if target is None:
                if r.measures:
                    r.order.append(Ordering(measure=r.measures[0], descending=descending))
                    continue
                filter_column = self._filter_order_column(r)
                if filter_column is not None:
                    column, filter_desc = filter_column
                    r.order.append(
                        Ordering(
                            column=column, descending=filter_desc if item.arg == "desc" else not filter_desc
                        )
                    )
                    continue
                if item.kind == "RANK":
                    continue  # "rank by ..." resolved later, or plain "sorted"
                if not self._names_anything_measurable(r):
                    r.bare_rank = descending  # "top 5 only": ranks the previous question's measure
                    continue
                return Refusal(
                    "incomplete",
                    f"I can't tell what {item.text!r} ranks by; name a measure, e.g. 'highest lifetime value'.",
                )
            if isinstance(target, Measure):
                r.order.append(Ordering(measure=target, descending=descending))
            else:
                r.rank_items.append((target, descending))
        return None

    def _names_anything_measurable(self, r: Reading) -> bool:
        return any(
            i.kind in ("AGG", "COUNT", "SHARE", "DIST")
            or (i.kind == "LEX" and i.of("metric", "fact", "entity"))
            for i in r.items
        )

    def _ranking_limit(self, r: Reading) -> Refusal | None:
        """'the 20 customers with the highest ...', 'which 3 regions have the lowest ...': N is the limit."""
        if r.limit is not None or not (r.order or r.rank_items):
            return None
        for idx, item in enumerate(r.items):
            nxt = _next(r.items, idx)
            number = item.number
            if (
                item.kind == "NUM"
                and not item.used
                and number is not None
                and number == int(number)
                and 0 < number <= 10_000
                and not item.tokens[0].is_money
                and not item.tokens[0].is_percent
                and nxt is not None
                and nxt.kind == "LEX"
                and bool(nxt.of("entity", "dimension"))
            ):
                r.limit = int(number)
                item.used = True
                break
        return None

    def _rank_target(self, r: Reading, idx: int) -> Measure | Item | None:
        items = r.items
        nxt = _next(items, idx)
        if nxt is not None and nxt.kind == "POPULAR":  # "most popular": by number of transactions
            nxt.used = True
            measure = self._measure_by_phrase(self.vocab.popularity_measure)
            if measure is not None:
                r.measures.append(measure)
            return measure
        for j in range(idx + 1, min(idx + 5, len(items))):
            cand = items[j]
            if cand.kind in ("GROUP", "NUM", "WH", "AND"):
                continue
            ranked = (
                self.vocab.ranked_nouns.get(" ".join(t.lemma for t in cand.tokens))
                if cand.kind == "LEX"
                else None
            )
            if ranked is not None:  # "top 5 spenders": customers ranked by total spend
                table, phrase = ranked
                measure = self._measure_by_phrase(phrase)
                if measure is not None:
                    cand.used = True
                    r.measures.append(measure)
                    r.dimensions.extend(self._entity_dimensions(table))
                    return measure
            if cand.kind == "LEX" and cand.of("entity") and not cand.of("metric", "fact"):
                # "the most customers" / "most Premium cardholders" -> a count
                if j == idx + 1 or all(
                    items[k].kind == "LEX" and items[k].of("value", "filter") for k in range(idx + 1, j)
                ):
                    measure = self._count_measure(r, cand, idx)
                    if measure is not None and not _has_list_cue(r):
                        cand.used = True
                        r.measures.append(measure)
                        return measure
                continue
            if cand.kind == "LEX" and cand.of("dimension") and not cand.of("metric", "fact", "value"):
                continue  # "top 5 merchants by spend": the grouping sits between the rank and its measure
            if cand.kind == "LEX" and cand.of("value", "filter") and not cand.of("metric", "fact"):
                after = _next(items, j)
                ends_phrase = after is None or not (
                    after.kind == "LEX" and after.of("metric", "fact", "entity")
                )
                if ends_phrase:
                    # "the most Premium cardholders", "the most High-Value Travelers": count the value's rows
                    table = (cand.of("value") or cand.of("filter"))[0].table
                    nouns = self.vocab.entities.get(table, {}).get("nouns", [])
                    measure = self._measure_by_phrase(f"number of {nouns[0]}") if nouns else None
                    if measure is not None and not _has_list_cue(r):
                        r.measures.append(measure)
                        return measure
                continue
            if cand.kind == "LEX" and cand.of("metric", "fact") and not cand.used:
                cand.used = True
                return cand
            if cand.kind == "AGG":
                nxt = _next(items, j)
                if nxt is not None and nxt.kind == "LEX" and nxt.of("metric", "fact"):
                    measure = self._measure_from(cand.arg, nxt)
                    if measure:
                        cand.used = nxt.used = True
                        r.measures.append(measure)
                        return measure
            break
        prev = _prev(items, idx)
        if prev is not None and prev.kind == "LEX" and prev.of("metric", "fact") and not prev.used:
            prev.used = True
            return prev
        return None

    def _entity_dimensions(self, table: str) -> list[Dimension]:
        """The identifying columns of an entity as group-by dimensions (customer_id, full_name)."""
        columns = self.vocab.entities.get(table, {}).get("columns", [])
        return [Dimension((Option(table, c),)) for c in columns]

    def _filter_order_column(self, r: Reading) -> tuple[tuple[Option, ...], bool] | None:
        """'increased spending the most': order by the column a simple named filter compares."""
        for cond in reversed(r.conditions):
            if cond.op != "named":
                continue
            for opt in cond.options:
                flt = self.model.tables[opt.table].filters[opt.filter or ""]
                m = re.fullmatch(r"\s*(\w+)\s*([<>]=?)\s*-?[\d.]+\s*", flt.expr)
                if m:
                    fact = self._fact_for_expr(opt.table, m.group(1))
                    if fact:
                        return (Option(opt.table, fact),), m.group(2).startswith(">")
        return None

    # remaining measures and columns: standalone metric names become measures (aggregate questions) or
    # shown/ranked columns (listings)
    def _remaining_lexical(self, r: Reading) -> Refusal | None:
        r.list_requested = any(i.kind in ("LIST", "WHO") for i in r.items)
        entity_items = [i for i in r.items if i.kind == "LEX" and i.of("entity") and not i.used]
        for item in r.items:
            if item.kind in ("LIST", "WHO", "WH"):
                item.used = True
        # ranking targets recorded as ("ITEM", item): resolve now that the mode is known
        listing = self._is_listing(r, entity_items)
        for item, descending in r.rank_items:
            if listing and not self._facts_of(item) and item.of("metric"):
                # "top 10 customers by spend in the last 30 days": aggregate the measure per customer
                entity = next((i.of("entity")[0].table for i in entity_items), None) or (
                    r.implied_entities[0] if r.implied_entities else self.vocab.anchor_preference[0]
                )
                measure = self._plain_measure(item)
                if measure is None:
                    return Refusal("incomplete", f"I can't rank rows by {item.text!r}.")
                listing = False
                r.measures.append(measure)
                r.order.append(Ordering(measure=measure, descending=descending))
                r.dimensions.extend(self._entity_dimensions(entity))
                for ent in entity_items:
                    ent.used = True
                continue
            if listing:
                facts = self._facts_of(item)
                if not facts:
                    return Refusal("incomplete", f"I can't rank rows by {item.text!r}.")
                r.order.append(Ordering(column=facts, descending=descending))
            else:
                measure = self._plain_measure(item)
                if measure is None:
                    return Refusal("incomplete", f"I can't rank by {item.text!r}.")
                if all(m.concept != measure.concept for m in r.measures):
                    r.measures.append(measure)
                r.order.append(Ordering(measure=measure, descending=descending))
        for item in r.items:
            if item.used or item.kind != "LEX":
                continue
            if item.of("dimension") and not item.of("entity", "metric", "fact") and not listing:
                item.used = True  # "top 3 categories by spend": a grouping
                r.dimensions.append(self._dimension(item))
                continue
            if item.of("entity", "table") and r.measures and not listing:
                item.used = True  # "customers who made purchases": context, not another measure
                r.context_tables.extend(e.table for e in item.of("entity", "table"))
                continue
            if item.of("metric", "fact") and not listing:
                measure = self._plain_measure(item)
                if measure is not None:
                    item.used = True
                    if all(m.concept != measure.concept for m in r.measures):
                        r.measures.append(measure)
                    continue
            if item.of("metric", "fact", "dimension", "time_dimension") and listing:
                cols = self._facts_of(item) or tuple(
                    dict.fromkeys(Option(e.table, e.column) for e in item.of("dimension", "time_dimension"))
                )
                if cols:
                    item.used = True
                    r.columns.append(cols)
                    continue
            if item.of("dimension") and not listing and not item.of("entity"):
                item.used = True
                r.dimensions.append(self._dimension(item))
                continue
            if item.of("entity", "table"):
                item.used = True
                if listing and item.of("entity") and r.entity is None:
                    r.entity = item.of("entity")[0].table
                continue
        if listing and r.entity is None:
            r.entity = r.implied_entities[0] if r.implied_entities else self._entity_of_conditions(r)
        asks = any(i.kind in ("WH", "LIST", "WHO", "DIST") for i in r.items)
        if not listing and not r.measures and r.dimensions and asks:
            # "which segments have Premium cards?", "customer distribution across states": count the rows
            table = next((o.table for d in r.dimensions for o in d.options), None)
            measure = self._count_measure(r, None, 0, default_entity=True) if table is None else None
            if table is not None:
                nouns = self.vocab.entities.get(table, {}).get("nouns", [])
                measure = self._measure_by_phrase(f"number of {nouns[0]}") if nouns else None
            if measure is not None:
                r.measures.append(measure)
        return None

    def _is_listing(self, r: Reading, entity_items: list[Item]) -> bool:
        """Rows of an entity ("show customers with ...") rather than an aggregate ("average age of ...")."""
        if r.measures or r.dimensions:
            return False  # "which categories did customers spend the most on": a grouping, not a listing
        measure_items = [
            i for i in r.items if i.kind == "LEX" and not i.used and i.of("metric") and not i.of("entity")
        ]
        if any(_explicit_aggregate(i) for i in measure_items):
            return False  # "average age", "total spend": an aggregate even after "show me"
        if measure_items and any(i.kind in ("HOWMUCH", "COMPARE") for i in r.items):
            return False  # "how much did they spend", "compare the churn risk of ..."
        ranked = bool(r.order or r.rank_items)
        grouping_nouns = [
            i
            for i in r.items
            if i.kind == "LEX" and not i.used and i.of("dimension") and not i.of("entity", "value")
        ]
        if grouping_nouns and not entity_items and not r.implied_entities:
            return False  # "show the top 10 merchants by spend": a ranking of groups, not a listing of rows
        if entity_items or r.implied_entities:
            return r.list_requested or ranked or bool(r.conditions) or not measure_items
        return r.list_requested and not measure_items

    def _entity_of_conditions(self, r: Reading) -> str | None:
        for cond in r.conditions:
            for opt in cond.options:
                if opt.table in self.vocab.entities:
                    return opt.table
        return None

    def _plain_measure(self, item: Item) -> Measure | None:
        metrics = item.of("metric")
        if metrics:
            options = tuple(dict.fromkeys(Option(e.table, e.column) for e in metrics))
            return Measure(metrics[0].column or "value", options)
        facts = self._facts_of(item)
        if facts:
            # a bare fact in an aggregate question: its declared AVG metric, else AVG(fact)
            options = []
            for f in facts:
                metric = self._declared_metric(f.table, f.column or "", "avg")
                options.append(
                    Option(f.table, metric) if metric else Option(f.table, f.column, aggregation="avg")
                )
            first = options[0]
            return Measure(
                first.column if first.aggregation is None else f"avg_{first.column}", tuple(options)
            )  # type: ignore[arg-type]
        return None

    # "compare California and Texas", "Premium vs Standard": group by the compared dimension
    def _compare_groups(self, r: Reading) -> Refusal | None:
        compare = any(i.kind in ("COMPARE", "BETWEEN") for i in r.items)
        for i in r.items:
            if i.kind in ("COMPARE", "BETWEEN", "TOGETHER"):
                i.used = True
        r.together = any(i.kind == "TOGETHER" for i in r.items)
        if not r.measures or r.together:
            return None
        grouped = {d.concept for d in r.dimensions}
        for cond in r.conditions:
            if (
                cond.op == "in"
                and (len(cond.values) > 1 or compare)
                and cond.options
                and cond.options[0].column
            ):
                if compare and len(cond.values) == 1:
                    continue  # "compare Premium customers' LTV across segments" is handled by the grouping
                dim = Dimension(cond.options)
                if dim.concept not in grouped:
                    r.dimensions.append(dim)
                    grouped.add(dim.concept)
        return None

    def _leftovers(self, r: Reading) -> Refusal | None:
        harmless = {
            "AND",
            "OR",
            "ONLY",
            "FOLLOW",
            "PRONOUN",
            "INSTEAD",
            "GROUP",
            "TOGETHER",
            "POSTCMP",
            "HOWMUCH",
        }
        for item in r.items:
            if item.used or item.kind in harmless:
                continue
            if item.kind == "CMP" and item.tokens[0].lemma in ("over", "under", "above", "below"):
                continue
            if item.kind == "AGED":
                continue
            if item.kind == "NEG":
                return Refusal("incomplete", f"I can't tell what {item.text!r} excludes.")
            if item.kind == "NUM":
                return Refusal("incomplete", f"I can't tell what the number {item.text!r} refers to.")
            if item.kind == "LEX":
                return Refusal("incomplete", f"I can't tell how {item.text!r} fits into the question.")
        return None

    # ---- follow-ups --------------------------------------------------------------------------------------
    def _looks_like_followup(self, r: Reading, tokens: list[Token]) -> bool:
        first = tokens[0].lemma
        if first in FOLLOWUP_OPENERS and len(tokens) <= 8:
            return True
        return any(i.kind in ("FOLLOW", "PRONOUN", "INSTEAD") for i in r.items)

    def _to_query(self, r: Reading) -> SemanticQuery:
        mode = "aggregate" if r.measures else "list"
        entity = None
        if mode == "list":
            entity = r.entity or self.vocab.anchor_preference[0]
        limit = r.limit
        if r.singular_group and limit is None and r.order and mode == "aggregate":
            limit = 1
        return SemanticQuery(
            mode=mode,
            entity=entity,
            measures=tuple(r.measures),
            dimensions=tuple(r.dimensions),
            conditions=tuple(r.conditions),
            window=r.window,
            order=tuple(r.order),
            limit=limit,
            columns=tuple(r.columns),
            prefer_tables=tuple(dict.fromkeys(r.context_tables)),
            notes=tuple(r.notes),
        )


def _is_count_metric(model: SemanticModel, entry: Entry) -> bool:
    column = model.tables[entry.table].columns[entry.column or ""]
    return "count" in column.name or column.description.lower().startswith("number of")


def _explicit_aggregate(item: Item) -> bool:
    return any(t.lemma in AGGREGATE_WORDS for t in item.tokens)


def _entity_lemmas(vocab: Vocabulary) -> frozenset[str]:
    nouns = {n for spec in vocab.entities.values() for n in spec.get("nouns", [])}
    return frozenset(lemma(w) for n in nouns for w in n.split())


def _has_list_cue(r: Reading) -> bool:
    return any(i.kind in ("LIST", "WHO") for i in r.items) and not any(i.kind == "COUNT" for i in r.items)


def _next(items: list[Item], idx: int, step: int = 1) -> Item | None:
    j = idx + step
    return items[j] if 0 <= j < len(items) else None


def _prev(items: list[Item], idx: int) -> Item | None:
    j = idx - 1
    return items[j] if 0 <= j < len(items) else None


def _quote_list(words: Sequence[str]) -> str:
    quoted = [f"'{w}'" for w in words]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
