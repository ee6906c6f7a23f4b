"""The local analyst: the same request/response shape as Cortex Analyst, answered by the semantic compiler.

For a conversation (alternating user/analyst messages) it re-reads the user's earlier questions to rebuild
the context, so follow-ups ("and in Texas?", "only Premium", "by month instead") refine the last query.
Order of precedence: refuse unsafe questions -> verified queries -> compile -> refuse with suggestions.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from c360.assistant import safety
from c360.assistant.compiler import CompiledQuery, Compiler, PlanError
from c360.assistant.followup import merge_followup
from c360.assistant.lexicon import Lexicon, add_warehouse_values, build_lexicon, load_vocabulary, table_noun
from c360.assistant.messages import (
    ANALYST,
    USER,
    AnalystReply,
    Message,
    SqlContent,
    SuggestionsContent,
    TextContent,
    VerifiedQueryUsed,
)
from c360.assistant.model import SemanticModel
from c360.assistant.named_row import PERSON_PRONOUNS, SINGULAR_PERSON, about_named_row, relative_to_named_row
from c360.assistant.query import Condition, SemanticQuery
from c360.assistant.reading import Parsed, QuestionParser, Refusal
from c360.assistant.reading.parser import WHO_NOTE
from c360.assistant.reading.yesno import about_row, checkable, is_yes_no, key_columns
from c360.assistant.suggest import suggestions_for
from c360.assistant.text import tokenize
from c360.assistant.timeframe import GRAIN_ADJECTIVES, UNITS
from c360.assistant.values import ValueIndex, load_values, masked_columns, read_dimension_values
from c360.assistant.verified import IndexedQuery, VerifiedIndex
from c360.engines.base import WarehouseSession
from c360.grants import DEFAULT_APP_ROLE, Role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LocalTurn:
    """What the local analyst decided, beyond the Cortex-shaped reply: what to run and how to describe it."""

    reply: AnalystReply
    query: SemanticQuery | None = None
    compiled: CompiledQuery | None = None  # compiled SQL with bound parameters
    verified: IndexedQuery | None = None  # a verified query answers instead
    baseline: CompiledQuery | None = None  # the same measures without filters (for "x% above overall")
    total: CompiledQuery | None = (
        None  # a listing's row count (run only when the listing is cut at its limit)
    )
    refusal: Refusal | None = None


class LocalAnalyst:
    """Backend `local`: compiles questions against the semantic model; no network, no model weights."""

    name = "local"

    def __init__(
        self,
        model: SemanticModel,
        as_of: date,
        *,
        dialect: str = "duckdb",
        use_verified: bool = True,
        values: ValueIndex | None = None,
        role: Role | str = DEFAULT_APP_ROLE,
        dimension_values: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.model = model
        self.as_of = as_of
        self.lexicon: Lexicon = build_lexicon(model, load_vocabulary())
        if dimension_values:  # every city of the warehouse, as the role reads them (values.py)
            add_warehouse_values(self.lexicon, dimension_values)
        self.parser = QuestionParser(self.lexicon, as_of, values, masked_columns(model, role))
        self.compiler = Compiler(model, self.lexicon.vocabulary, dialect)
        self.verified = VerifiedIndex(model, self.lexicon, self.parser, dialect) if use_verified else None

    @classmethod
    def on_session(
        cls, model: SemanticModel, as_of: date, session: WarehouseSession, role: Role | str = DEFAULT_APP_ROLE
    ) -> LocalAnalyst:
        """The analyst for a warehouse session: also knows the searchable values (customers' names)."""
        vocabulary = load_vocabulary()
        values = load_values(session, model, vocabulary, role)
        found = read_dimension_values(session, model, vocabulary, role)
        return cls(model, as_of, dialect=session.dialect, values=values, role=role, dimension_values=found)

    # the AnalystBackend protocol ------------------------------------------------------------------------
    def message(self, messages: Sequence[Message]) -> AnalystReply:
        return self.turn(messages).reply

    def turn(self, messages: Sequence[Message]) -> LocalTurn:
        request_id = f"local-{uuid.uuid4()}"
        question = messages[-1].text
        threat = safety.detect(question)
        if threat is not None:
            return self._refuse(request_id, question, Refusal("unsafe", threat.reason, (threat.kind,)))
        parsed, context_refusal = self._understand(messages)
        if (
            context_refusal is None
            and parsed.query is not None
            and self._unnamed_person(question, parsed.query)
        ):
            context_refusal = Refusal(
                "no_context",
                "I can't tell who 'he' or 'she' is here: no one customer was named before; ask with the customer "
                "id (or name).",
            )
        if context_refusal is not None:
            return self._refuse(request_id, question, context_refusal)
        query = parsed.query
        barred = self._forecast(query) or self._masked_listing(query) or _limited_aggregate(query)
        if barred is not None:
            return self._refuse(request_id, question, barred)
        if self.verified is not None and not parsed.followup:
            hit = self.verified.match(question, query)
            if hit is not None:
                return self._verified_reply(request_id, question, hit, query)
        if query is None:
            refusal = parsed.refusal or Refusal("incomplete", "I couldn't tell what to measure or list.")
            return self._refuse(request_id, question, refusal)
        try:
            compiled = self.compiler.compile(query)
        except PlanError as exc:
            # a second reading: "monthly spend in Dining" is spend by month when the per-customer monthly
            # spend cannot be restricted to a merchant category
            alternative = self._alternative(messages) if _has_time_adjective(question) else None
            if alternative is None:
                refusal = Refusal("incomplete", f"I can't answer that as asked: {exc}.")
                return self._refuse(request_id, question, refusal)
            query, compiled = alternative
        baseline = self._baseline(query)
        text = interpretation(question, query, compiled)
        content = (TextContent(text), SqlContent(compiled.display_sql()))
        reply = AnalystReply(request_id, Message(ANALYST, content), warnings=compiled.warnings)
        return LocalTurn(
            reply, query=query, compiled=compiled, baseline=baseline, total=self._total(query, compiled)
        )

    # ---- understanding a conversation ------------------------------------------------------------------
    def _alternative(self, messages: Sequence[Message]) -> tuple[SemanticQuery, CompiledQuery] | None:
        parsed, refusal = self._understand(messages, time_adjectives=True)
        if refusal is not None or parsed.query is None:
            return None
        try:
            return parsed.query, self.compiler.compile(parsed.query)
        except PlanError:
            return None

    def _understand(
        self, messages: Sequence[Message], *, time_adjectives: bool = False
    ) -> tuple[Parsed, Refusal | None]:
        """Parse the last question; a follow-up is merged into the query of the question before it."""
        user_turns = [m.text for m in messages if m.role == USER]
        parsed = self.parser.parse(user_turns[-1], time_adjectives=time_adjectives)
        if (
            parsed.partial is not None
            and len(user_turns) > 1
            and PERSON_PRONOUNS.search(user_turns[-1])
            and (earlier := self._context(user_turns[:-1])) is not None
            and relative_to_named_row(self.parser, earlier, parsed.partial, user_turns[-1])
        ):
            return parsed, Refusal(
                "incomplete",
                "I can't yet compare other customers with the one looked up ('in their segment', 'like them'); "
                "name the group instead, e.g. 'customers in the Declining segment'.",
            )
        if parsed.refusal is not None or not parsed.followup:
            return parsed, None
        previous = self._context(user_turns[:-1])
        pronoun = parsed.partial is not None and any(i.kind == "PRONOUN" for i in parsed.partial.items)
        if previous is None:
            if parsed.query is not None and (not pronoun or _has_content(parsed.query)):
                # "how much revenue did the offer bring in, and what did it cost?": 'it' is in the question
                return Parsed(parsed.query, followup=False), None
            if (headline := self._headline_count(parsed, user_turns[-1], time_adjectives)) is not None:
                return headline, None
            return parsed, Refusal(
                "no_context",
                "That sounds like a follow-up, but there is no earlier question to refine; ask the full question.",
            )
        assert parsed.partial is not None
        named = about_named_row(self.parser, previous, user_turns[-1], time_adjectives)
        if named is not None:
            return named, None
        tokens = tokenize(user_turns[-1])
        merged = merge_followup(previous, parsed.partial, tokens, self.parser.lk)
        if is_yes_no(tokens) and merged.mode == "list" and self._names_one_row(previous):
            # "is she high risk?" after a customer was looked up: asked about that customer, not filtered
            keys = key_columns(self.parser.lk)
            lookup = next((o.table for c in previous.conditions for o in c.options if o.column in keys), None)
            asked = checkable(parsed.partial.conditions, keys, lookup)
            return Parsed(about_row(merged, asked), followup=True), None
        if (
            parsed.query is not None
            and (parsed.query.measures or parsed.query.mode == "list")
            and not _is_refinement(parsed)
        ):
            return Parsed(self._same_customer(previous, parsed.query), followup=False), None
        return Parsed(merged, followup=True), None

    def _headline_count(self, parsed: Parsed, question: str, time_adjectives: bool) -> Parsed | None:
        """'At-risk customers per segment', 'lapsed customers by region': a noun phrase grouped by a column and
        nothing else is the count of those rows per group ('how many …'), when it opens a conversation and names
        what is counted; 'by region' alone, or with a pronoun or 'now / instead', stays a follow-up."""
        partial = parsed.partial
        if partial is None or not partial.dimensions or partial.measures or partial.list_requested:
            return None
        if any(i.kind in ("PRONOUN", "FOLLOW", "INSTEAD", "ONLY", "AND") for i in partial.items):
            return None
        counted = self.parser.parse(f"how many {question}", time_adjectives=time_adjectives).query
        # "customers by region, with % of total": the count and each group's share of it
        counted_measures = 2 if partial.percent_of_total else 1
        if counted is None or not counted.dimensions or len(counted.measures) != counted_measures:
            return None
        note = "read as a count of the rows in each group ('how many …')"
        return Parsed(replace(counted, notes=(*counted.notes, note)), followup=False)

    def _context(self, questions: Sequence[str]) -> SemanticQuery | None:
        query: SemanticQuery | None = None
        for question in questions:
            if safety.detect(question) is not None:
                query = None
                continue
            parsed = self.parser.parse(question)
            if parsed.refusal is not None:
                query = None
            elif (
                parsed.followup
                and query is not None
                and (named := about_named_row(self.parser, query, question, False)) is not None
            ):
                query = named.query
            elif parsed.followup and query is not None and parsed.partial is not None:
                candidate = merge_followup(query, parsed.partial, tokenize(question), self.parser.lk)
                fresh = parsed.query is not None and not _is_refinement(parsed)
                query = self._same_customer(query, parsed.query) if fresh and parsed.query else candidate
            elif parsed.query is not None:
                query = parsed.query
            elif query is None and (headline := self._headline_count(parsed, question, False)) is not None:
                query = headline.query  # "monthly active cardholders over the last 12 months", then "only …"
        return query

    def _unnamed_person(self, question: str, query: SemanticQuery) -> bool:
        """'and what's his lifetime value?' when no one customer is named (here or before): a person the answer
        cannot be about, so it is refused instead of answered for everyone. Only he / she / him / his / her
        ('they' and 'their' are as often the customers of a group)."""
        return SINGULAR_PERSON.search(question) is not None and not self._names_one_row(query)

    def _names_one_row(self, query: SemanticQuery) -> bool:
        keys = key_columns(self.parser.lk)
        return any(
            c.op == "in" and len(c.values) == 1 and any(o.column in keys for o in c.options)
            for c in query.conditions
        )

    def _same_customer(self, previous: SemanticQuery, query: SemanticQuery) -> SemanticQuery:
        """'Pull up CUST00000036' ... 'and their last 3 transactions?': a follow-up with a question of its
        own stays about the one customer (or other row) the conversation looked up by its key."""
        keys = {i.ref.partition(".")[2] for i in self.lexicon.vocabulary.identifiers}
        keys.add("full_name")

        def is_key(c: Condition) -> bool:
            return c.op == "in" and len(c.values) == 1 and any(o.column in keys for o in c.options)

        carried = [c for c in previous.conditions if is_key(c)]
        if not carried or any(is_key(c) for c in query.conditions):
            return query
        return replace(query, conditions=(*query.conditions, *carried))

    def _total(self, query: SemanticQuery, compiled: CompiledQuery) -> CompiledQuery | None:
        """For a listing without an explicit limit: the same rows counted."""
        if query.mode != "list" or query.limit is not None or query.order:
            return None
        nouns = self.lexicon.vocabulary.entities.get(compiled.anchor, {}).get("nouns", [])
        measure = self.parser.lk.measure_by_phrase(f"number of {nouns[0]}") if nouns else None
        if measure is None:
            return None
        counted = replace(
            query, mode="aggregate", entity=None, measures=(measure,), columns=(), order=(), limit=None
        )
        try:
            return self.compiler.compile(counted)
        except PlanError:
            return None

    def _baseline(self, query: SemanticQuery) -> CompiledQuery | None:
        if query.mode != "aggregate" or query.dimensions or not query.conditions or not query.measures:
            return None
        try:
            baseline = self.compiler.compile(replace(query, conditions=(), order=(), limit=None))
        except PlanError:
            return None
        # the comparison is a courtesy: only when a pre-aggregated table answers it (never a second full scan)
        large = {r.of for r in self.lexicon.vocabulary.rollups}
        return None if baseline.anchor in large else baseline

    # ---- replies ------------------------------------------------------------------------------------------
    def _verified_reply(
        self, request_id: str, question: str, hit: IndexedQuery, query: SemanticQuery | None
    ) -> LocalTurn:
        vq = hit.query
        used = VerifiedQueryUsed(vq.name, vq.question, vq.sql, vq.verified_at, vq.verified_by)
        text = f"This is a verified answer to \u201c{vq.question}\u201d (verified by {vq.verified_by or 'the data team'})."
        content = (TextContent(text), SqlContent(hit.sql, used))
        return LocalTurn(AnalystReply(request_id, Message(ANALYST, content)), query=query, verified=hit)

    def _forecast(self, query: SemanticQuery | None) -> Refusal | None:
        """A period that starts after the as-of date ("in January 2027", "Q1 2027") is a forecast: refused,
        never answered with an empty result."""
        window = query.window if query is not None else None
        if window is None or window.start is None or window.start <= self.as_of:
            return None
        reason = f"The data ends on {self.as_of.isoformat()}; I can't forecast {window.label}."
        return Refusal("unavailable", reason)

    def _masked_listing(self, query: SemanticQuery | None) -> Refusal | None:
        """A column the role sees masked (full names), asked for over many customers, is refused with the
        reason instead of listed masked; one customer's profile (a condition on one id) may still show it."""
        masked = self.parser.lk.masked
        if query is None or not masked:
            return None
        identifiers = {ident.ref for ident in self.lexicon.vocabulary.identifiers}
        grouped = [d.options for d in query.dimensions]
        keyed = any(
            f"{o.table}.{o.column}" in identifiers - masked for options in grouped for o in options
        )  # a group per customer ("top 5 spenders": id and name) shows the name beside the id, not asked for;
        # a masked identifier as the group ("customers by email") is a listing of what the role may not see
        shown = [*query.columns, *(grouped if not keyed else ())]
        if WHO_NOTE in query.notes:  # "who made it": the name beside the id, as the role sees it
            shown = [options for options in shown if not any(o.column == "full_name" for o in options)]
        asked = [o for options in shown for o in options if f"{o.table}.{o.column}" in masked]
        if not asked:
            return None
        for condition in query.conditions:
            refs = {f"{o.table}.{o.column}" for o in condition.options}
            if condition.op == "in" and len(condition.values) == 1 and refs & identifiers:
                return None
        column = asked[0].column or ""
        reason = (
            f"{column.replace('_', ' ').capitalize()} values are masked for your role, so I can't list them; "
            "ask about one customer by id, or for counts."
        )
        return Refusal("unavailable", reason)

    def _refuse(self, request_id: str, question: str, refusal: Refusal) -> LocalTurn:
        suggestions = suggestions_for(question, self.model, self.lexicon)
        text = refusal.reason + " Try one of these questions instead."
        content = (TextContent(text), SuggestionsContent(tuple(suggestions)))
        return LocalTurn(AnalystReply(request_id, Message(ANALYST, content)), refusal=refusal)


POSSESSIVES = frozenset({"their", "theirs", "its", "her", "hers", "his"})


def _has_time_adjective(question: str) -> bool:
    tokens = tokenize(question)
    per_unit = any(
        a.lemma in ("per", "each", "every") and b.lemma in UNITS for a, b in itertools.pairwise(tokens)
    )  # "total spend per month": the measure's name or the grain
    return per_unit or any(t.lemma in GRAIN_ADJECTIVES for t in tokens)


def _has_content(query: SemanticQuery) -> bool:
    """A question complete on its own (a pronoun in it points inside it): measures, a ranking or filters."""
    return bool(query.measures or query.order or query.conditions)


def _is_refinement(parsed: Parsed) -> bool:
    """A follow-up that only adds filters, time, grouping or ranking (it has no measure or listing of its own)."""
    partial = parsed.partial
    if partial is None:
        return True
    if any(i.kind == "PRONOUN" for i in partial.items):
        return True  # "list them", "what about those": about the previous result
    if partial.implied_count:
        return True  # "split by region": the question before, divided further
    own_rows = any(i.kind == "LEX" and i.of("entity") for i in partial.items) or partial.conditions
    if any(t.norm in POSSESSIVES for t in partial.tokens) and not own_rows:
        return True  # "what's their average LTV?": of the rows of the question before
    if any(i.kind in ("ONLY", "FOLLOW") for i in partial.items) and not partial.list_requested:
        return not partial.measures  # "now only premium card holders": the same rows, one more filter
    return not partial.measures and not partial.entity and not partial.list_requested


def interpretation(question: str, query: SemanticQuery, compiled: CompiledQuery) -> str:
    """Cortex-style first text block: how the question was read."""
    measures = [c.label for c in compiled.columns if c.role == "measure"]
    groups = [c.label for c in compiled.columns if c.role in ("dimension", "time")]
    if query.mode == "list":
        what = f"a list of {table_noun(load_vocabulary(), compiled.anchor, plural=True)}"
    else:
        what = " and ".join(measures) or "the measure"
    parts = [f"This is our interpretation of your question: {what}"]
    if groups and query.mode == "aggregate":
        parts.append(" by " + ", ".join(groups))
    if compiled.filters_text:
        parts.append(" for " + ", ".join(compiled.filters_text))
    if compiled.window_label:
        parts.append(f" in {compiled.window_label}")
    return "".join(parts) + "."


__all__ = ["LocalAnalyst", "LocalTurn", "interpretation"]


def _limited_aggregate(query: SemanticQuery | None) -> Refusal | None:
    """'top 200 customers' over an aggregate of no groups: the aggregate is one row, so a limit of N rows
    selects nothing; refused, never answered as the aggregate of every row (or a count) with a LIMIT."""
    if (
        query is None
        or query.mode != "aggregate"
        or query.dimensions
        or query.limit is None
        or query.limit <= 1
    ):
        return None
    return Refusal(
        "incomplete",
        f"I can't rank {query.limit} rows by one aggregate number; ask for the top {query.limit} as a list, "
        "or for the aggregate on its own.",
    )
