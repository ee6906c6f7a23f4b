"""What the semantic model and the vocabularies say about the words of a question: the measures, facts,
dimensions and counts a lexical item can mean. Shared by every pass of the reader; it holds no state of
one question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from c360.assistant.grammar import GRAMMAR
from c360.assistant.lexicon import Entry, Lexicon, Vocabulary
from c360.assistant.model import SemanticModel
from c360.assistant.query import Condition, Dimension, Grain, Measure, Option
from c360.assistant.reading.items import Item, Reading
from c360.assistant.text import Token, lemma, phrase_key, tokenize
from c360.assistant.values import NameMatch, ValueIndex


@dataclass
class Lookups:
    lex: Lexicon
    as_of: date
    values: ValueIndex = field(default_factory=ValueIndex)
    masked: frozenset[str] = frozenset()  # columns (table.column) the asking role sees masked

    @property
    def model(self) -> SemanticModel:
        return self.lex.model

    @property
    def vocab(self) -> Vocabulary:
        return self.lex.vocabulary

    def named_value(self, tokens: list[Token], i: int) -> tuple[int, NameMatch] | None:
        """'Tanner Hill': the longest run of capitalised words at i that names a row by a searchable value
        (a customer's full name), as the role sees such values (c360/assistant/values.py). A match on a masked
        value ('Jane D.') must not use a word of the vocabulary ('Will Premium' is no one)."""
        for length in range(min(4, len(tokens) - i), 1, -1):
            window = tokens[i : i + length]
            words = [t.text for t in window[:-1]] + [_without_possessive(window[-1].text)]
            if not all(w[:1].isupper() and w.isalpha() for w in words) and not self._shown_name_lowercase(
                window
            ):
                continue
            # 'Will Premium' is no one; an initial is read as its letter ("Ryan M's": M, not Mississippi)
            initial = _initial(window[-1].text)
            plain = not any(self._names_more_than_a_place(t) for t in window[:-1]) and not (
                self._is_vocabulary_text(initial) if initial else self.is_vocabulary_word(window[-1])
            )
            found = self.values.find(words, as_shown=plain)
            if found is not None:
                return length, found
        return None

    def _shown_name_lowercase(self, window: list[Token]) -> bool:
        """'joe w.': a first name and an initial typed in lower case — the shape the masked role sees names in
        ('Joe W.'). Only two words, the second a single letter, neither a word of the vocabulary or an everyday
        word; the match must still be exact (values.py)."""
        if len(window) != 2:
            return False
        first, last = window
        initial = _initial(last.text)
        return (
            first.text.isalpha()
            and len(first.text) > 1
            and initial is not None
            and not self.is_vocabulary_word(first)
            and first.lemma not in self.vocab.stopwords
            and last.norm not in self.vocab.stopwords  # "joe is ...", "john as ...": no initial
            and not self._is_vocabulary_text(initial)
            and initial.lower() not in self.vocab.stopwords
        )

    def _names_more_than_a_place(self, token: Token) -> bool:
        """A vocabulary word, unless it is only a proper-noun value (a city or merchant: 'Austin Smith' is a
        person whose first name is also a city, as the role sees him 'Austin S.')."""
        entries = self.lex.phrases.get((token.lemma,))
        if entries and all(e.kind == "value" and e.proper for e in entries) and (token.lemma,) not in GRAMMAR:
            return False
        return self.is_vocabulary_word(token)

    def is_vocabulary_word(self, token: Token) -> bool:
        return (token.lemma,) in self.lex.phrases or (token.lemma,) in GRAMMAR

    def _is_vocabulary_text(self, text: str) -> bool:
        return (text.lower(),) in self.lex.phrases or (text.lower(),) in GRAMMAR

    def key_entries(self, match: NameMatch, key: str | None = None) -> list[Entry]:
        """The row a name found (or `key`, one of the rows it found): its key value on every table that has
        the key column (like an id typed)."""
        table, _, column = match.key_ref.partition(".")
        tables = [table, *(t for t in self.model.tables if t != table)]
        return [
            Entry("value", t, column, key or match.keys[0], exact=True, identifier=True)
            for t in tables
            if column in self.model.tables[t].columns
            and self.model.tables[t].columns[column].kind == "dimension"
        ]

    def is_count_metric(self, entry: Entry) -> bool:
        column = self.model.tables[entry.table].columns[entry.column or ""]
        return "count" in column.name or column.description.lower().startswith("number of")

    def restates(self, items: list[Item], token: Token) -> bool:
        """A word that only repeats part of the name of a column the question already names: 'churn' in
        'rated High Risk for churn' (the value's column is the churn risk category)."""
        for item in items:
            for entry in item.entries if item.kind == "LEX" else ():
                if entry.column is None or entry.identifier:
                    continue
                column = self.model.tables[entry.table].columns[entry.column]
                words = {lemma(w) for w in column.name.split("_")}
                for synonym in column.synonyms:
                    words.update(t.lemma for t in tokenize(synonym))
                if token.lemma in words:
                    return True
        return False

    def shows_companion(self, items: list[Item], tokens: list[Token], token: Token) -> bool:
        """'… are high risk? show score': a last word after 'show' / 'with' that names part of a column listed
        beside a value the question filters on (vocabulary companion_columns: a risk band with its score)."""
        at = next((k for k, t in enumerate(tokens) if t is token), None)
        if at is None or at == 0 or at != len(tokens) - 1 or tokens[at - 1].lemma not in SHOW_WORDS:
            return False
        for item in items:
            for entry in item.entries if item.kind == "LEX" and item.of("value") else ():
                for ref in self.vocab.companion_columns.get(f"{entry.table}.{entry.column}", ()):
                    table, _, column = ref.partition(".")
                    if token.lemma in {
                        lemma(w) for w in self.model.tables[table].columns[column].name.split("_")
                    }:
                        return True
        return False

    def entity_lemmas(self) -> frozenset[str]:
        nouns = {n for spec in self.vocab.entities.values() for n in spec.get("nouns", [])}
        return frozenset(lemma(n.split()[-1]) for n in nouns)  # the head noun: 'card history' names history

    def option(self, ref: str) -> Option:
        table, _, column = ref.partition(".")
        return Option(table, column)

    def facts_of(self, item: Item) -> tuple[Option, ...]:
        """The per-row numeric columns a lexical item names (metrics map to the column they aggregate)."""
        options: list[Option] = []
        for e in item.entries:
            if e.kind == "fact" and e.column:
                options.append(Option(e.table, e.column))
            elif e.kind == "metric" and e.column:
                col = self.model.tables[e.table].columns[e.column]
                if col.base_column:
                    fact = self.fact_for_expr(e.table, col.base_column)
                    if fact:
                        options.append(Option(e.table, fact))
        return tuple(dict.fromkeys(options))

    def fact_for_expr(self, table: str, physical: str) -> str | None:
        for col in self.model.tables[table].columns.values():
            if col.kind == "fact" and col.expr.strip().lower() == physical.lower():
                return col.name
        return None

    def measure_by_phrase(self, phrase: str) -> Measure | None:
        entries = self.lex.phrases.get(phrase_key(phrase), [])
        options = tuple(Option(e.table, e.column) for e in entries if e.kind == "metric")
        if not options:
            return None
        return Measure(options[0].column or "value", options)

    def count_measure(
        self,
        r: Reading,
        target: Item | None,
        idx: int,
        default_entity: bool = False,
        table: str | None = None,
    ) -> Measure | None:
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
        return self.measure_by_phrase(f"number of {noun}")

    def measure_from(self, agg: str, item: Item) -> Measure | None:
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
            for fact in self.facts_of(item):
                metric = self.declared_metric(fact.table, fact.column or "", agg) or self.approved_twin(
                    fact, agg
                )
                if metric:
                    options.append(Option(fact.table, metric))
                    label = label or metric
                else:
                    options.append(Option(fact.table, fact.column, aggregation=agg))
                    label = label or f"{agg}_{fact.column}"
        if not options:
            return None
        return Measure(label or "value", tuple(dict.fromkeys(options)))

    def approved_twin(self, fact: Option, agg: str) -> str | None:
        """The metric whose every-attempt twin is AGG(fact) (vocabulary all_attempts): 'the average Dining
        transaction amount' counts approved transactions, like every spend measure."""
        twin = f"{fact.table}.{fact.column}:{agg}"
        for metric, attempts in self.vocab.all_attempts.items():
            table, _, column = metric.partition(".")
            if attempts == twin and table == fact.table:
                return column
        return None

    def declared_metric(self, table: str, fact: str, agg: str) -> str | None:
        physical = self.model.tables[table].columns[fact].expr.strip().lower()
        for col in self.model.tables[table].columns.values():
            if (
                col.kind == "metric"
                and col.aggregation == agg
                and (col.base_column or "").lower() == physical
            ):
                return col.name
        return None

    def plain_measure(self, item: Item) -> Measure | None:
        metrics = item.of("metric")
        if metrics:
            options = tuple(dict.fromkeys(Option(e.table, e.column) for e in metrics))
            return Measure(metrics[0].column or "value", options)
        facts = self.facts_of(item)
        if facts:
            # a bare fact in an aggregate question: its declared AVG metric, else AVG(fact)
            averaged: list[Option] = []
            for f in facts:
                metric = self.declared_metric(f.table, f.column or "", "avg")
                averaged.append(
                    Option(f.table, metric) if metric else Option(f.table, f.column, aggregation="avg")
                )
            first = averaged[0]  # its column is the declared metric's name, or the fact's (with "avg_")
            label = (first.column or "value") if first.aggregation is None else f"avg_{first.column}"
            return Measure(label, tuple(averaged))
        return None

    def plain_measures(self, item: Item) -> list[Measure]:
        """The measure an item names; or, for a phrase that names several facts of one table and no metric
        ('the confidence interval': its lower and upper bound), one measure per fact."""
        facts = self.facts_of(item)
        tables = [f.table for f in facts]
        metrics = tuple(dict.fromkeys(Option(e.table, e.column) for e in item.of("metric")))
        if len(metrics) > 1 and len({m.table for m in metrics}) == 1 and not item.of("fact"):
            # 'the pre period': its start and its end, two metrics of one table under one phrase
            return [Measure(m.column or "value", (m,)) for m in metrics]
        if not item.of("metric") and len(facts) > 1 and len(set(tables)) == 1:
            out = []
            for fact in facts:
                metric = self.declared_metric(fact.table, fact.column or "", "avg")
                option = (
                    Option(fact.table, metric)
                    if metric
                    else Option(fact.table, fact.column, aggregation="avg")
                )
                out.append(Measure(metric or f"avg_{fact.column}", (option,)))
            return out
        measure = self.plain_measure(item)
        return [measure] if measure is not None else []

    def dimension(self, item: Item) -> Dimension:
        entries = item.of("dimension", "time_dimension")
        options = tuple(dict.fromkeys(Option(e.table, e.column) for e in entries))
        grain: Grain | None = "month" if all(e.kind == "time_dimension" for e in entries) else None
        return Dimension(options, grain=grain)

    def entity_dimensions(self, table: str) -> list[Dimension]:
        """The identifying columns of an entity as group-by dimensions (customer_id, full_name)."""
        columns = self.vocab.entities.get(table, {}).get("columns", [])
        return [Dimension((Option(table, c),)) for c in columns]

    def value_rank(self, entry: Entry) -> tuple[int, int, int]:
        """Which column a value phrase most likely means: complete enumerations and curated aliases first."""
        column = self.model.tables[entry.table].columns[entry.column or ""]
        aliased = f"{entry.table}.{entry.column}" in self.vocab.value_aliases
        order = self.vocab.anchor_preference
        position = order.index(entry.table) if entry.table in order else len(order)
        return (0 if column.is_enum else 1, 0 if aliased else 1, position)

    def describes(self, item: Item, value: Entry) -> bool:
        """A noun right after a value that names the value's own column: 'High Risk category', 'Premium card'."""
        if item.of("metric", "fact", "value", "filter", "entity") or not item.of("dimension", "table"):
            return False
        column = self.model.tables[value.table].columns[value.column or ""]
        words = {lemma(w) for w in column.name.split("_")}
        for synonym in column.synonyms:
            words.update(lemma(w) for w in synonym.lower().split())
        return all(t.lemma in words for t in item.tokens)

    def is_spend(self, item: Item) -> bool:
        return item.kind == "LEX" and (
            any(t.lemma in self.vocab.spend_words for t in item.tokens)
            and any(e.kind == "metric" for e in item.entries)
            and not any(f"{e.table}.{e.column}" in self.vocab.change_facts for e in item.entries)
        )  # "spend change" is a percent change, never spend in the window

    def pins_looked_up_row(self, r: Reading, cond: Condition) -> bool:
        """The condition names the one looked-up row by its key ('CUST00000042' when a customer is looked up)."""
        key = (self.vocab.entities.get(r.lookup or "", {}).get("columns") or [None])[0]
        return (
            cond.op == "in"
            and len(cond.values) == 1
            and any(o.table == r.lookup and o.column == key for o in cond.options)
        )

    def about_table(self, r: Reading, table: str) -> bool:
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


def _without_possessive(word: str) -> str:
    """'H.'s' -> 'H': the initial of a name as the role sees it ('Victoria H.'), with a possessive after it;
    'Ms' (typed "M's", the apostrophe dropped by the tokenizer) -> 'M'."""
    for suffix in ("'s", "\u2019s"):
        if word.endswith(suffix) and word[: -len(suffix)].endswith("."):
            return word[: -len(suffix)].rstrip(".")
    if POSSESSIVE_INITIAL.fullmatch(word):
        return word[0]
    return word


# an initial with a possessive: "F's" (tokenised 'Fs'), "F.'s"; an initial alone: "f", "F." (as a token: 'F')
SHOW_WORDS: Final = frozenset({"show", "with", "include", "plus", "incl"})
POSSESSIVE_INITIAL: Final = re.compile(r"[A-Za-z](?:\.?['\u2019]s|s)")
INITIAL: Final = re.compile(r"[A-Za-z]\.?")


def _initial(text: str) -> str | None:
    """The letter of a name's initial as typed after a first name ('W', 'w.', "F's", 'Fs', "M.'s"), else None."""
    return text[0] if INITIAL.fullmatch(text) or POSSESSIVE_INITIAL.fullmatch(text) else None
