"""The phrase lexicon: every name, synonym and value in the semantic model (plus the small vocabularies)
as lemma sequences, each mapped to what it can mean. Built once per semantic model.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

import yaml

from c360.assistant.grammar import GRAMMAR
from c360.assistant.model import YAML_LOADER, SemanticModel
from c360.assistant.text import Token, lemma, phrase_key, tokenize
from c360.reference import STATES

VOCABULARY_PATH: Final = Path(__file__).with_name("vocabulary.yaml")
MAX_PHRASE: Final = 7
ARTICLES: Final = frozenset({"the", "a", "an"})
EntryKind = Literal["metric", "fact", "dimension", "time_dimension", "value", "filter", "entity", "table"]

STATE_TABLE: Final = "customer_360_profile"
STATE_COLUMN: Final = "state"
REGION_COLUMN: Final = "region"
# Two-letter codes that are also common English words: matched only in upper case in a mixed-case question.
AMBIGUOUS_CODES: Final = frozenset(
    {"IN", "OR", "ME", "OK", "HI", "OH", "DE", "AL", "ID", "CO", "LA", "PA", "MA", "MD"}
)


@dataclass(frozen=True)
class Entry:
    kind: EntryKind
    table: str
    column: str | None = None
    value: str | None = None
    filter: str | None = None
    proper: bool = False  # only when written capitalised (merchant and city names)
    upper: bool = False  # only when written in upper case (state codes)
    exact: bool = False  # the phrase is the object's own name or value, not a synonym
    identifier: bool = False  # a key value typed by the user ("CUST00000042", an e-mail address)

    @property
    def ref(self) -> str:
        return f"{self.table}.{self.column or self.filter or ''}"


@dataclass(frozen=True)
class Identifier:
    """A column whose values have a recognisable shape (customer ids, e-mail addresses)."""

    ref: str  # table.column
    pattern: re.Pattern[str]
    case: str  # upper | lower

    def value_of(self, text: str) -> str | None:
        for candidate in (text, text[:-1] if text.lower().endswith("s") else None):  # "CUST00000005's"
            if candidate and self.pattern.fullmatch(candidate):
                return candidate.upper() if self.case == "upper" else candidate.lower()
        return None


def table_noun(vocab: Vocabulary, table: str, *, plural: bool = False) -> str:
    """'customer' / 'customers' for customer_360_profile; the table's name in words when none is declared."""
    nouns = vocab.table_nouns.get(table)
    if nouns is None:
        return table.replace("_", " ")
    return nouns[1] if plural else nouns[0]


@dataclass(frozen=True)
class Rollup:
    """A pre-aggregated table that answers some measures of a larger table exactly (aggregate navigation)."""

    table: str
    of: str
    time: (
        str | None
    )  # None: no time window applies; "month": month-aligned windows, month/quarter/year grains
    measures: dict[str, str]  # metric of `of` -> metric of `table`
    windows: dict[int, dict[str, str]] = field(default_factory=dict)  # "last N days" -> measure twins


@dataclass(frozen=True)
class TimeEvent:
    """Something that happens to a customer on a date: the date column, its phrases (lemmas) and the measure of
    the time since it per unit ('day' -> days since the last transaction)."""

    ref: str
    phrases: tuple[tuple[str, ...], ...]
    elapsed: dict[str, str]
    once: bool = False  # one date for the whole table ("when did the retention offer go out"), no row named


@dataclass(frozen=True)
class Vocabulary:
    stopwords: frozenset[str]
    unavailable: tuple[tuple[tuple[tuple[str, ...], ...], str], ...]  # (phrases, reason)
    value_aliases: dict[str, dict[str, tuple[str, ...]]]
    proper_noun_dimensions: frozenset[str]
    anchor_preference: tuple[str, ...]
    default_time_dimension: dict[str, str]
    default_filters: dict[str, tuple[str, ...]]
    aliases: dict[str, str]
    table_nouns: dict[str, tuple[str, str]]  # table -> (one row, many rows)
    entities: dict[str, dict[str, Any]]
    windowed_facts: dict[str, int]
    spend_window_facts: dict[int, str]
    rate_facts: dict[str, str]
    spend_words: frozenset[str]
    time_dimension_cues: dict[str, tuple[str, ...]]
    default_list_limit: int
    default_top_limit: int
    popularity_measure: str
    example_questions: tuple[str, ...]
    superlative_words: dict[tuple[str, ...], tuple[bool, str]]  # phrase -> (descending, table.column)
    comparative_words: dict[tuple[str, ...], tuple[bool, str]]  # "riskier" -> (more?, table.column compared)
    ranked_nouns: dict[str, tuple[str, str]]  # lemma -> (table, measure phrase)
    share_base: dict[str, str]  # table -> count metric
    bare_number_fact: tuple[str, float, float] | None  # (table.column, min, max): "customers over 70"
    rollups: tuple[Rollup, ...]
    age_fact: str  # table.column of a person's age
    searchable_values: tuple[str, ...]  # columns whose values are read from the warehouse (names)
    warehouse_values: tuple[str, ...]  # dimensions whose values are read from the warehouse (cities)
    current_facts: tuple[str, ...]  # facts that are current values ("this month" adds nothing to them)
    abbreviations: dict[str, str]  # 'txns' -> 'transactions'
    identifiers: tuple[Identifier, ...]
    status_column: str | None  # table.column of the authorization status
    approved_status: str  # its value for approved transactions
    all_attempts: dict[str, str]  # table.metric -> the same measure over every attempt
    recency_fact: str  # table.column of days since the last transaction
    time_events: tuple[TimeEvent, ...] = ()  # "when did ... last use their card": the date column of an event
    event_fillers: frozenset[str] = frozenset()  # words that may sit inside an event phrase
    companion_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # shown together in listings
    category_rate_facts: dict[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # "a month on travel and dining"
    change_facts: tuple[str, ...] = ()  # percent-change columns ("dropped by more than 50%")
    # table.column -> values that are no group of their own ("Uncategorized"): left out of growth rankings
    placeholder_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dimension_order: dict[str, str] = field(default_factory=dict)  # day_name -> day_of_week
    dimension_within: dict[str, str] = field(default_factory=dict)  # city -> state: one place only inside it
    spent_on: str | None = None  # "what does ... spend the most on": ranked by this column
    default_change_fact: str | None = None
    # table -> (the column whose rows repeat them, facts of the whole table): "the campaign's lift" is one number
    repeated_facts: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    # table -> the column that names the whole table's one row of facts ("the campaign's ROI": which campaign)
    repeated_named_by: dict[str, str] = field(default_factory=dict)
    once_per_customer_dates: frozenset[str] = frozenset()  # table.date of an event a row has at most once
    # table.fact -> what the answer states about it ("the platform's ROI …", when a second ROI exists)
    repeated_stated: dict[str, str] = field(default_factory=dict)
    # table.estimate -> (table.low, table.high): the bounds of its confidence interval
    intervals: dict[str, tuple[str, str]] = field(default_factory=dict)
    interval_flags: dict[str, str] = field(default_factory=dict)  # table.estimate -> table.significance flag


@dataclass
class Lexicon:
    model: SemanticModel
    vocabulary: Vocabulary
    phrases: dict[tuple[str, ...], list[Entry]] = field(default_factory=lambda: defaultdict(list))
    _short: dict[str, tuple[str, ...]] | None = None

    def add(self, phrase: str, entry: Entry) -> None:
        key = phrase_key(phrase)
        if not key or len(key) > MAX_PHRASE:
            return
        for variant in self._abbreviated(key):  # "average transaction size" is also "avg transaction size"
            if entry not in self.phrases[variant]:
                self.phrases[variant].append(entry)

    def _abbreviated(self, key: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The phrase and its spellings with a word written as one of its common abbreviations (each word
        either way), when the abbreviation is itself a grammar word ('avg'), which the speller never reads as
        the word it stands for."""
        shortened = self._short_forms()
        variants: list[tuple[str, ...]] = [()]
        for word in key:
            forms = [word, *shortened.get(word, ())]
            variants = [(*v, f) for v in variants for f in forms]
        return variants

    def _short_forms(self) -> dict[str, tuple[str, ...]]:
        if self._short is None:
            out: dict[str, list[str]] = {}
            for short, word in self.vocabulary.abbreviations.items():
                if (lemma(short),) in GRAMMAR:  # "avg": a grammar word, so never corrected as unknown
                    out.setdefault(lemma(word.lower()), []).append(lemma(short))
            self._short = {k: tuple(v) for k, v in out.items()}
        return self._short

    def identifier(self, token: Token) -> list[Entry]:
        """'CUST00000042' -> the customer_id value on every table that has a customer_id dimension."""
        for ident in self.vocabulary.identifiers:
            value = ident.value_of(token.text)
            if value is None:
                continue
            table, _, column = ident.ref.partition(".")
            if table not in self.model.tables:
                continue
            tables = [table, *(t for t in self.model.tables if t != table)]
            return [
                Entry("value", t, column, value, exact=True, identifier=True)
                for t in tables
                if column in self.model.tables[t].columns
                and self.model.tables[t].columns[column].kind == "dimension"
            ]
        return []

    def match(self, tokens: Sequence[Token], start: int, all_upper: bool) -> tuple[int, list[Entry]] | None:
        """Longest phrase starting at `start`: (length, entries usable as written), or None."""
        for length in range(min(MAX_PHRASE, len(tokens) - start), 0, -1):
            window = tokens[start : start + length]
            # a percentage inside a measure's name is part of it ("95% confidence interval")
            numbered = any((t.is_number and not t.is_percent) or t.is_date for t in window)
            entries = self.phrases.get(tuple(t.lemma for t in window))
            if not entries:
                continue
            # a number inside a phrase is read as part of it only for a value ("Month-16 retention offer");
            # "spend last 90 days" is a measure and a time window, read apart
            usable = [
                e for e in entries if _usable(e, window, all_upper) and (not numbered or e.kind == "value")
            ]
            if usable:
                return length, usable
        return self._match_past_articles(tokens, start, all_upper)

    def _match_past_articles(
        self, tokens: Sequence[Token], start: int, all_upper: bool
    ) -> tuple[int, list[Entry]] | None:
        """'days since the last purchase': a multi-word phrase with an article inside that it does not have."""
        for length in range(min(MAX_PHRASE + 2, len(tokens) - start), 2, -1):
            window = tokens[start : start + length]
            if window[-1].lemma in ARTICLES or not any(t.lemma in ARTICLES for t in window[1:]):
                continue
            kept = [window[0], *(t for t in window[1:] if t.lemma not in ARTICLES)]
            if any(t.is_number or t.is_date for t in kept):
                continue
            entries = self.phrases.get(tuple(t.lemma for t in kept))
            usable = [
                e
                for e in entries or []
                if e.kind in ("fact", "metric", "filter") and _usable(e, kept, all_upper)
            ]
            if usable and len(kept) > 1:
                return length, usable
        return None


def _usable(entry: Entry, window: Sequence[Token], all_upper: bool) -> bool:
    if entry.upper:
        text = window[0].text
        if not (len(window) == 1 and text.isupper() and len(text) == 2):
            return False
        return not (all_upper and text in AMBIGUOUS_CODES)
    if entry.proper:
        return (
            all(t.capitalized for t in window if t.text[:1].isalpha() and len(t.text) > 2) or window[0].quoted
        ) and _as_written(entry, window)
    return True


def _as_written(entry: Entry, window: Sequence[Token]) -> bool:
    """A proper noun written as the value, not inflected: "Charlotte's churn risk" may be a customer's (a first
    name that is also a city), so the city is not read from a possessive or a plural."""
    written = tokenize(entry.value) if entry.value else []
    return not written or written[-1].norm == window[-1].norm


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    raw = yaml.load(path.read_text(), Loader=YAML_LOADER)
    stop = frozenset(lemma(w.lower()) for w in str(raw["stopwords"]).split())
    unavailable = tuple(
        (tuple(phrase_key(t) for t in group["terms"]), str(group["reason"])) for group in raw["unavailable"]
    )
    aliases = {
        dim: {value: tuple(syns) for value, syns in values.items()}
        for dim, values in raw["value_aliases"].items()
    }
    return Vocabulary(
        stopwords=stop,
        unavailable=unavailable,
        value_aliases=aliases,
        proper_noun_dimensions=frozenset(raw["proper_noun_dimensions"]),
        anchor_preference=tuple(raw["anchor_preference"]),
        default_time_dimension=dict(raw["default_time_dimension"]),
        default_filters={k: tuple(v) for k, v in raw["default_filters"].items()},
        aliases=dict(raw["aliases"]),
        table_nouns={t: (str(n[0]), str(n[1])) for t, n in (raw.get("table_nouns") or {}).items()},
        entities=dict(raw["entities"]),
        windowed_facts=dict(raw["windowed_facts"]),
        spend_window_facts={int(k): str(v) for k, v in raw["spend_window_facts"].items()},
        rate_facts=dict(raw["rate_facts"]),
        spend_words=frozenset(lemma(w) for w in raw["spend_words"]),
        time_dimension_cues={k: tuple(v) for k, v in raw["time_dimension_cues"].items()},
        default_list_limit=int(raw["default_list_limit"]),
        default_top_limit=int(raw["default_top_limit"]),
        popularity_measure=str(raw["popularity_measure"]),
        example_questions=tuple(raw.get("example_questions") or ()),
        superlative_words={
            phrase_key(k): (bool(v["descending"]), str(v["column"]))
            for k, v in raw["superlative_words"].items()
        },
        comparative_words={
            phrase_key(k): (bool(v["more"]), str(v["column"])) for k, v in raw["comparative_words"].items()
        },
        ranked_nouns={
            " ".join(phrase_key(k)): (str(v["table"]), str(v["measure"]))
            for k, v in raw["ranked_nouns"].items()
        },
        share_base=dict(raw["share_base"]),
        bare_number_fact=_bare_number_fact(raw.get("bare_number_fact")),
        age_fact=str(raw["age_fact"]),
        current_facts=tuple(raw.get("current_facts") or ()),
        searchable_values=tuple(raw.get("searchable_values") or ()),
        warehouse_values=tuple(map(str, raw.get("warehouse_values") or ())),
        status_column=(raw.get("all_attempts") or {}).get("status"),
        approved_status=str((raw.get("all_attempts") or {}).get("approved", "approved")),
        all_attempts=dict((raw.get("all_attempts") or {}).get("measures") or {}),
        identifiers=tuple(
            Identifier(ref, re.compile(str(spec["pattern"]), re.IGNORECASE), str(spec.get("case", "upper")))
            for ref, spec in (raw.get("identifiers") or {}).items()
        ),
        abbreviations={str(k): str(v) for k, v in (raw.get("abbreviations") or {}).items()},
        recency_fact=str(raw["recency_fact"]),
        time_events=tuple(
            TimeEvent(
                str(ref),
                tuple(sorted((phrase_key(p) for p in spec["phrases"]), key=len, reverse=True)),
                {str(k): str(v) for k, v in (spec.get("elapsed") or {}).items()},
                bool(spec.get("once", False)),
            )
            for ref, spec in (raw.get("time_events") or {}).items()
        ),
        event_fillers=frozenset(lemma(w) for w in raw.get("event_fillers") or ()),
        companion_columns={
            str(k): tuple(map(str, v)) for k, v in (raw.get("companion_columns") or {}).items()
        },
        category_rate_facts={
            str(k): tuple(map(str, v)) for k, v in (raw.get("category_rate_facts") or {}).items()
        },
        change_facts=tuple(map(str, (raw.get("change_facts") or {}).get("columns") or ())),
        placeholder_values={
            str(k): tuple(map(str, v)) for k, v in (raw.get("placeholder_values") or {}).items()
        },
        dimension_order={str(k): str(v) for k, v in (raw.get("dimension_order") or {}).items()},
        dimension_within={str(k): str(v) for k, v in (raw.get("dimension_within") or {}).items()},
        spent_on=raw.get("spent_on"),
        default_change_fact=(raw.get("change_facts") or {}).get("default"),
        repeated_facts={
            str(table): (str(spec["across"]), frozenset(map(str, spec["facts"])))
            for table, spec in (raw.get("repeated_facts") or {}).items()
        },
        once_per_customer_dates=frozenset(map(str, raw.get("once_per_customer_dates") or ())),
        repeated_named_by={
            str(table): str(spec["named_by"])
            for table, spec in (raw.get("repeated_facts") or {}).items()
            if spec.get("named_by")
        },
        repeated_stated={
            f"{table}.{fact}": str(note)
            for table, spec in (raw.get("repeated_facts") or {}).items()
            for fact, note in (spec.get("stated") or {}).items()
        },
        intervals={
            str(ref): (
                f"{str(ref).partition('.')[0]}.{spec['interval'][0]}",
                f"{str(ref).partition('.')[0]}.{spec['interval'][1]}",
            )
            for ref, spec in (raw.get("intervals") or {}).items()
        },
        interval_flags={
            str(ref): f"{str(ref).partition('.')[0]}.{spec['flag']}"
            for ref, spec in (raw.get("intervals") or {}).items()
            if spec.get("flag")
        },
        rollups=tuple(
            Rollup(
                str(r["table"]),
                str(r["of"]),
                r.get("time"),
                dict(r["measures"]),
                {int(days): dict(m) for days, m in (r.get("windows") or {}).items()},
            )
            for r in raw.get("rollups") or ()
        ),
    )


def _bare_number_fact(raw: dict[str, Any] | None) -> tuple[str, float, float] | None:
    if not raw:
        return None
    return str(raw["column"]), float(raw["min"]), float(raw["max"])


def build_lexicon(model: SemanticModel, vocabulary: Vocabulary | None = None) -> Lexicon:
    vocab = vocabulary or load_vocabulary()
    lex = Lexicon(model, vocab)
    for table in model.tables.values():
        for phrase in (*table.synonyms, table.name.replace("_", " ")):
            lex.add(phrase, Entry("table", table.name))
        for column in table.columns.values():
            if column.private:
                continue  # private metrics and facts exist for rollups and other metrics only
            kind: EntryKind = column.kind
            lex.add(column.name.replace("_", " "), Entry(kind, table.name, column.name, exact=True))
            for synonym in column.synonyms:
                lex.add(synonym, Entry(kind, table.name, column.name))
            if column.kind == "dimension":
                proper = column.ref in vocab.proper_noun_dimensions
                for value in column.sample_values:
                    upper = len(value) == 2 and value.isupper()  # state codes: "CA", never "ca"
                    lex.add(
                        value,
                        Entry(
                            "value",
                            table.name,
                            column.name,
                            value,
                            proper=proper or _needs_capital(value, vocab),
                            upper=upper,
                            exact=True,
                        ),
                    )
        for flt in table.filters.values():
            for phrase in (*flt.synonyms, flt.name.replace("_", " ")):
                lex.add(phrase, Entry("filter", table.name, filter=flt.name))
    for ref, values in vocab.value_aliases.items():
        table_name, _, column_name = ref.partition(".")
        if table_name not in model.tables or column_name not in model.tables[table_name].columns:
            continue  # the vocabulary may mention columns a trimmed model does not have
        for value, phrases in values.items():
            for phrase in phrases:
                lex.add(phrase, Entry("value", table_name, column_name, value))
    for table_name, spec in vocab.entities.items():
        if table_name in model.tables:
            for noun in spec["nouns"]:
                lex.add(noun, Entry("entity", table_name))
    _add_geography(lex, model)
    return lex


def add_warehouse_values(lex: Lexicon, values: Mapping[str, Iterable[str]]) -> None:
    """Values of a dimension read from the warehouse (`vocabulary.yaml: warehouse_values`: every city, not only
    the model's sample values), matched like its sample values: only written capitalised when the dimension is a
    proper noun. A value whose words already mean something (a state name, a channel, another column's value, a
    grammar word) is left to that meaning."""
    for ref, found in values.items():
        table_name, _, column_name = ref.partition(".")
        table = lex.model.tables.get(table_name)
        if table is None or column_name not in table.columns:
            continue
        proper = ref in lex.vocabulary.proper_noun_dimensions
        for value in found:
            key = phrase_key(value)
            if not key or lex.phrases.get(key) or (len(key) == 1 and key[0] in lex.vocabulary.stopwords):
                continue
            lex.add(value, Entry("value", table_name, column_name, value, proper=proper, exact=True))


def _needs_capital(value: str, vocab: Vocabulary) -> bool:
    key = phrase_key(value)
    return len(key) == 1 and key[0] in vocab.stopwords


def _add_geography(lex: Lexicon, model: SemanticModel) -> None:
    profile = model.tables.get(STATE_TABLE)
    if profile is None or STATE_COLUMN not in profile.columns:
        return
    for state in STATES:
        # a state name always filters on the state code (one condition, whatever the spelling)
        key = phrase_key(state.name)
        lex.phrases[key] = [e for e in lex.phrases.get(key, []) if e.kind != "value"]
        lex.add(state.name, Entry("value", STATE_TABLE, STATE_COLUMN, state.code, exact=True))
        lex.add(state.code, Entry("value", STATE_TABLE, STATE_COLUMN, state.code, upper=True, exact=True))
    lex.add("Washington DC", Entry("value", STATE_TABLE, STATE_COLUMN, "DC"))
    lex.add("Washington D.C.", Entry("value", STATE_TABLE, STATE_COLUMN, "DC"))
    if REGION_COLUMN in profile.columns:
        for region in sorted({s.region for s in STATES}):
            lex.add(region, Entry("value", STATE_TABLE, REGION_COLUMN, region, exact=True))
            lex.add(
                f"{region}ern", Entry("value", STATE_TABLE, REGION_COLUMN, region)
            )  # "Western", "Southern"
            lex.add(f"the {region}", Entry("value", STATE_TABLE, REGION_COLUMN, region))
            lex.add(f"{region} region", Entry("value", STATE_TABLE, REGION_COLUMN, region))


def unavailable_concept(
    tokens: Sequence[Token], vocab: Vocabulary, lexical: Sequence[tuple[int, int]] = ()
) -> str | None:
    """The reason to refuse when the question asks for data the platform does not have. A match that lies
    inside one vocabulary phrase is that phrase's meaning ("phone bills" is Telecom spend, not calls); one
    that spans several ("merchant cities") is a concept the data lacks."""
    lemmas = [t.lemma for t in tokens]
    for phrases, reason in vocab.unavailable:
        for phrase in phrases:
            n = len(phrase)
            for i in range(len(lemmas) - n + 1):
                if tuple(lemmas[i : i + n]) != phrase:
                    continue
                if any(start <= i and i + n <= end for start, end in lexical):
                    continue
                return reason
    return None
