"""Question -> SemanticQuery, or a Refusal that says why.

The reader accounts for every word: each one must be a stopword, part of the small grammar (aggregations,
comparisons, grouping, ranking, negation, time), or a name, synonym or value from the semantic model. Any
other content word, any comparison or ranking it cannot attach to something measurable, and any concept the
data does not have makes it refuse instead of guessing.

The passes run in a fixed order over one Reading; each lives in the module named for what it reads
(conditions, measures, grouping, ranking, listing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Final, Literal

from c360.assistant.grammar import FOLLOWUP_OPENERS
from c360.assistant.lexicon import Lexicon, unavailable_concept
from c360.assistant.query import Option, Ordering, SemanticQuery
from c360.assistant.reading import (
    absent,
    amounts,
    asides,
    bands,
    beside_measure,
    card_then,
    change_size,
    complete_only,
    conditions,
    contrast,
    correlation,
    dated_events,
    distinct,
    elided,
    events,
    extremes,
    flag_sides,
    group_word,
    grouping,
    happened,
    horizon,
    intervals,
    listing,
    many_changes,
    measures,
    month_in_progress,
    named_ids,
    on_average,
    per_customer,
    per_row,
    percent_of,
    periods,
    phrasing,
    presence,
    ranking,
    repeated,
    rolling,
    series,
    singular,
    spelling,
    status_customers,
    than_before,
    token_forms,
    two_aggregates,
    value_shares,
    within,
    yesno,
)
from c360.assistant.reading.items import Item, Parsed, Reading, Refusal, quote_list
from c360.assistant.reading.lookups import Lookups
from c360.assistant.reading.scanner import scan
from c360.assistant.text import Token, tokenize
from c360.assistant.values import ValueIndex

Pass = Callable[[Lookups, Reading], Refusal | None]
PASSES: tuple[Pass, ...] = (
    happened.happened_to,
    per_row.measure_per_row,
    group_word.generic_group,
    amounts.money_of_rows,
    horizon.horizon_measures,
    contrast.combined,
    phrasing.what_spent,
    phrasing.rate_or_series,
    periods.side_by_side,
    conditions.time_window,
    rolling.changed_most,
    than_before.spent_than_before,
    many_changes.changes_of_many,
    absent.no_activity,
    conditions.inactive,
    change_size.sized_changes,
    conditions.changes,
    percent_of.percent_of_column,
    percent_of.how_much_used,
    correlation.correlation,
    conditions.comparisons,
    extremes.both_extremes,
    bands.widths,
    measures.restated,
    distinct.distinct_values,
    measures.counts,
    measures.aggregations,
    conditions.inclusions,
    flag_sides.both_sides,
    conditions.values_and_filters,
    conditions.alternatives,
    many_changes.changes_or_included,
    yesno.yes_no,
    events.events,
    events.history,
    measures.likelihood,
    bands.banded,
    grouping.comparative,
    value_shares.every_value_share,
    measures.share,
    grouping.groupings,
    dated_events.per_period,
    conditions.whole_periods,
    conditions.asides,
    ranking.recent,
    ranking.ranking,
    ranking.ranking_limit,
    ranking.ties,
    listing.remaining_lexical,
    per_customer.spend_per_customer,
    rolling.window_before,
    status_customers.declined_customers,
    status_customers.active_in_period,
    status_customers.declines_beside_their_rate,
    series.series_change,
    series.portfolio_change,
    periods.rank_by_change,
    contrast.one_column,
    grouping.compare_groups,
    intervals.interval_of_the_estimate,
    repeated.one_number,
    many_changes.past_changes,
    measures.part_of_all,
    measures.all_attempts,
    measures.own_count_filters,
    measures.percent_of_total,
    singular.bare_superlative,
    singular.one_row,
    singular.rank_them,
    within.within_groups,
    bands.one_grouping,
)
HARMLESS_LEFTOVERS = frozenset(
    {
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
        "AGED",
        "ALLTIME",
        "EITHER",
        "LIKELYTO",
        "ONAVERAGE",
        "UNITASIDE",
        "CHANGESHOWN",
    }
)


WHO_NOTE: Final = "who made each: the customer's id and name, as your role sees them"


class QuestionParser:
    def __init__(
        self,
        lexicon: Lexicon,
        as_of: date,
        values: ValueIndex | None = None,
        masked: frozenset[str] = frozenset(),
    ) -> None:
        self.lk = Lookups(lexicon, as_of, values or ValueIndex(), masked)
        self.speller = spelling.Speller(lexicon)

    @property
    def lex(self) -> Lexicon:
        return self.lk.lex

    def parse(self, question: str, *, time_adjectives: bool = False) -> Parsed:
        """Read one question. `time_adjectives`: read "monthly"/"weekly" as a time grain even where they
        start a vocabulary phrase ("monthly spend in Dining" = spend by month): the second reading tried
        when the first cannot be planned. Words it does not know only in first-person context clauses
        ("I'm planning the travel push - ...") are left out, and the answer says so (reading/asides.py)."""
        parsed = self._parse(question, time_adjectives)
        if parsed.refusal is None or parsed.refusal.kind != "not_understood":
            return parsed
        context = asides.without_context(question, parsed.refusal.words)
        if context is None:
            return parsed
        rest, left_out = context
        again = self._parse(rest, time_adjectives)
        if again.refusal is not None or again.query is None or again.partial is None:
            return parsed
        if any(i.kind == "PRONOUN" for i in again.partial.items):
            return parsed  # "I want to target ... . Who are they?": the left-out clause names the rows
        note = f"I left out '{left_out}' (why you ask, not what)"
        return Parsed(
            replace(again.query, notes=(*again.query.notes, note)),
            followup=again.followup,
            partial=again.partial,
        )

    def _parse(self, question: str, time_adjectives: bool) -> Parsed:
        tokens, held_then = card_then.strip(
            tokenize(question)
        )  # "card type held at the time of the transaction"
        parsed = self._parse_months(question, tokens, time_adjectives)
        if parsed.query is not None and (held_then or card_then.on_cards(self.lk, tokens)):
            return replace(parsed, query=replace(parsed.query, at_rows=held_then, on_cards=True))
        if parsed.query is not None and card_then.held_today(self.lk, tokens):
            return replace(parsed, query=replace(parsed.query, held_today=True))
        return parsed

    def _parse_months(self, question: str, tokens: list[Token], time_adjectives: bool) -> Parsed:
        tokens, whole_months = complete_only.strip(tokens)  # "(complete months only)"
        if not whole_months:
            return self._series_months(question, tokens, time_adjectives)
        parsed = self._spread(
            self._read(tokens, question, time_adjectives), tokens, question, time_adjectives
        )
        query = complete_only.complete_months(parsed.query, self.lk.as_of) if parsed.query else None
        if query is None:  # the words say nothing the reading can apply: read as written (and refused)
            return self._read(tokenize(question), question, time_adjectives)
        return Parsed(query, followup=parsed.followup, partial=parsed.partial)

    def _spread(self, parsed: Parsed, tokens: list[Token], question: str, time_adjectives: bool) -> Parsed:
        spread = two_aggregates.spread(tokens) if parsed.refusal is not None else None
        if spread is not None:  # "mean and median lifetime value"
            again = self._read(spread, question, time_adjectives)
            parsed = again if again.query is not None else parsed
        return parsed

    def _series_months(self, question: str, tokens: list[Token], time_adjectives: bool) -> Parsed:
        """A monthly series without the month in progress unless it is asked for ('including December': the
        words are taken out, and kept when what is left is no monthly series, as in 'last month and the current
        month')."""
        rest, asked = month_in_progress.strip(tokens, self.lk.as_of)
        default_time = frozenset(self.lk.vocab.default_time_dimension.items())
        for adjectives in (
            (time_adjectives, True) if asked else ()
        ):  # asked of a series: 'monthly' is its grain
            parsed = self._spread(self._read(rest, question, adjectives), rest, question, adjectives)
            if parsed.query is not None and (
                month_in_progress.monthly(parsed.query)
                or month_in_progress.month_rows(parsed.query, default_time)
            ):
                return parsed
        parsed = self._spread(
            self._read(tokens, question, time_adjectives), tokens, question, time_adjectives
        )
        if parsed.query is None:
            return parsed
        query = month_in_progress.leave_out(parsed.query, parsed.partial, self.lk.as_of, default_time)
        return replace(parsed, query=query)

    def _read(self, tokens: list[Token], question: str, time_adjectives: bool) -> Parsed:
        tokens, closing = token_forms.rewrite(self.lk, elided.with_unit(tokens))
        tokens, short_notes, no_such_key = named_ids.short_ids(self.lk, question, tokens)  # "cust 1435"
        if no_such_key is not None:
            return Parsed(None, Refusal("incomplete", no_such_key))
        tokens = presence.presence_of_rows(self.lk, _shared_head(self.lk, tokens))
        if not tokens:
            return Parsed(None, Refusal("incomplete", "The question is empty."))
        items, unknown = scan(self.lk, question, tokens, time_adjectives)
        unknown = [t for t in unknown if not self.lk.restates(items, t)]  # "High Risk for churn"
        unknown = [t for t in unknown if not _direction_after_superlative(items, tokens, t)]
        corrections = self.speller.correct(tokens, unknown) if unknown else []
        written = unavailable_concept(tokens, self.lk.vocab, _lexical_spans(items))
        if corrections and written:  # "interest rate" is never corrected into something the data has
            return Parsed(None, Refusal("unavailable", written.replace("{as_of}", self.lk.as_of.isoformat())))
        if corrections:  # "segmnet" -> segment, "txns" -> transactions: read again with the corrections
            tokens = spelling.apply(tokens, corrections)
            items, unknown = scan(self.lk, question, tokens, time_adjectives)
        unknown = [t for t in unknown if not self.lk.restates(items, t)]  # "High Risk for churn"
        unknown = [t for t in unknown if not self.lk.shows_companion(items, tokens, t)]  # "…? show score"
        reason = unavailable_concept(tokens, self.lk.vocab, _lexical_spans(items))
        if reason:
            return Parsed(None, Refusal("unavailable", reason.replace("{as_of}", self.lk.as_of.isoformat())))
        if unknown:
            words = tuple(dict.fromkeys(t.text for t in unknown))
            return Parsed(
                None,
                Refusal(
                    "not_understood", f"I don't know what {quote_list(words)} means in this data.", words
                ),
            )
        ambiguous = next((i for i in items if i.kind == "AMBIGUOUS"), None)
        if ambiguous is not None:  # a name several customers are shown with
            return Parsed(None, Refusal("incomplete", ambiguous.arg, (ambiguous.text,)))
        reading = Reading(items, tokens)
        reading.notes.extend(short_notes)
        reading.notes.extend(c.note for c in corrections)
        reading.notes.extend(i.note for i in items if i.note)
        refusal = self._assemble(reading)
        if refusal:
            return Parsed(None, refusal, partial=reading)
        followup = _looks_like_followup(reading, tokens)
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
        query, beside = beside_measure.columns_beside_measures(self.lk, reading, self._to_query(reading))
        if beside is not None and not (followup and not beside_measure.measure_asked(reading)):
            # "which segment are they in, and when did they last transact?": read with the question before
            return Parsed(None, beside, partial=reading)
        if reading.bare_rank is not None and not query.order and (not followup or query.mode == "list"):
            superlative = next(i.text for i in reading.items if i.kind in ("SUPER", "RANK"))
            return Parsed(  # "the 10 highest churn risk customers": a ranking nothing in the question ranks
                None,
                Refusal(
                    "incomplete",
                    f"I can't tell what {superlative!r} ranks by; name a measure, e.g. 'highest churn risk score'.",
                ),
                partial=reading,
            )
        if (unaveraged := on_average.unread_average(self.lk.model, tokens, query)) is not None:
            return Parsed(None, unaveraged, partial=reading)  # "on average how many …": not the total
        if closing is not None and not (
            query.mode == "list" and query.entity in token_forms.dated_tables(self.lk)
        ):  # "…: when and where?" is answered only by a listing of the rows (their date and merchant)
            return Parsed(None, Refusal("incomplete", f"I can't tell what {closing!r} asks for here."))
        asks_who = closing is not None and bool({"who", "whom", "whose"} & set(closing.lower().split()))
        which_person = self._which_person_made(reading, query)
        if which_person is not None:  # "which customer made the largest transaction?": that transaction
            query, asks_who = which_person, True
        if asks_who or any(i.kind == "WHO" for i in reading.items):
            query = self._who_made_it(query)
        return Parsed(query, followup=followup, partial=reading)

    def _who_made_it(self, query: SemanticQuery) -> SemanticQuery:
        """'the biggest purchase on record — who made it?': a listing of rows that belong to a customer
        (transactions) shows the customer's name beside the id (masked as the role sees it)."""
        person = self.lk.vocab.anchor_preference[0]
        if query.mode != "list" or query.entity is None or query.entity == person:
            return query
        if query.entity not in token_forms.dated_tables(self.lk):
            return query
        if self.lk.model.join_path(query.entity, person) is None:
            return query
        listed = set(self.lk.vocab.entities.get(query.entity, {}).get("columns", []))
        shown = {o.key for cols in query.columns for o in cols}
        extra = tuple(
            (Option(person, c),)
            for c in self.lk.vocab.entities.get(person, {}).get("columns", [])
            if c not in listed and Option(person, c).key not in shown
        )
        if not extra:
            return query
        return replace(query, columns=query.columns + extra, notes=(*query.notes, WHO_NOTE))

    def _which_person_made(self, r: Reading, query: SemanticQuery) -> SemanticQuery | None:
        """'Which customer made the largest transaction ever?': customers listed in the order of another table's
        rows by their size (the biggest transaction) are those rows, each with who made it — the customer's
        own rows hold no transaction amount to rank them by."""
        person = self.lk.vocab.anchor_preference[0]
        if query.mode != "list" or query.entity != person or not query.order or query.limit is None:
            return None
        tables = {o.table for ordering in query.order for o in ordering.column or ()}
        if len(tables) != 1 or any(ordering.column is None for ordering in query.order):
            return None
        rows = next(iter(tables))
        if rows == person or rows not in token_forms.dated_tables(self.lk):
            return None
        if self.lk.vocab.entities.get(rows, {}).get("size") not in {
            o.column for o in query.order[0].column or ()
        }:
            return None
        first = next((i for i in r.items if i.kind != "WH"), None)
        opens = r.items[0].kind == "WH" and r.items[0].tokens[-1].lemma in ("which", "what")
        if not opens or first is None or first.kind != "LEX" or not first.of("entity"):
            return None
        named = [i for i in r.items if i.kind == "LEX" and i is not first]
        if first.of("entity")[0].table != person or len(named) != 1 or not named[0].of("entity"):
            return None  # only the customer and the rows sized: nothing else asked of either
        if named[0].of("entity")[0].table != rows:
            return None
        return replace(
            query, entity=rows, columns=()
        )  # the rows' own columns (the noun read as a count is not)

    def _assemble(self, r: Reading) -> Refusal | None:
        for step in PASSES:
            refusal = step(self.lk, r)
            if refusal:
                return refusal
        return _leftovers(self.lk, r)

    def _to_query(self, r: Reading) -> SemanticQuery:
        mode: Literal["aggregate", "list"] = "aggregate" if r.measures else "list"
        entity = None
        if mode == "list":
            entity = r.entity or self.lk.vocab.anchor_preference[0]
        limit = r.limit
        if r.singular_group and limit is None and r.order and mode == "aggregate":
            limit = 1
        order = list(r.order)
        time_column = self.lk.vocab.default_time_dimension.get(entity or "")
        if mode == "list" and r.time_order and not order and time_column:  # "newest first"
            order.append(
                Ordering(column=(Option(entity or "", time_column),), descending=r.time_order == "desc")
            )
            limit = limit or self.lk.vocab.default_list_limit
        return SemanticQuery(
            mode=mode,
            entity=entity,
            measures=tuple(
                {m.concept: m for m in r.measures}.values()
            ),  # "customer base ... how many people"
            dimensions=tuple({d.concept: d for d in r.dimensions}.values()),
            conditions=tuple({c.concept: c for c in r.conditions}.values()),
            window=r.window,
            order=tuple(order),
            limit=limit,
            ties=r.ties,
            within=r.within,
            periods=r.periods,
            period_change=r.period_change,
            rolling_periods=r.rolling_periods,
            series_change=r.series_change,
            columns=tuple(r.columns),
            prefer_tables=tuple(dict.fromkeys(r.context_tables)),
            notes=tuple(r.notes),
            claim=r.claim,
            checks=tuple(r.checks),
        )


def _direction_after_superlative(items: list[Item], tokens: list[Token], token: Token) -> bool:
    """'riskiest first', 'oldest first': 'first' right after a superlative only says which end comes first."""
    if token.lemma != "first":
        return False
    index = next((i for i, t in enumerate(tokens) if t is token), -1)
    return any(i.end == index and i.kind in ("SUPER", "SUPERFACT") for i in items)


def _lexical_spans(items: list[Item]) -> list[tuple[int, int]]:
    return [(i.start, i.end) for i in items if i.kind == "LEX"]


def _leftovers(lk: Lookups, r: Reading) -> Refusal | None:
    """Anything the passes did not use: a refusal that names it (a few grammar words are harmless)."""
    for idx, (conj, count, pronoun) in enumerate(zip(r.items, r.items[1:], r.items[2:], strict=False)):
        if idx and conj.kind == "AND" and count.kind == "COUNT" and pronoun.kind == "PRONOUN":
            # "how many customers bought ..., and how many of them are Standard cardholders?": two counts, the
            # second of the first one's rows; one query would answer only the second
            return Refusal("incomplete", "That is two counts in one question; ask for each on its own.")
    for idx, item in enumerate(r.items):
        if item.kind == "HOWMUCH" and not item.used and _of_a_whole(r, item):
            # "how much of all lifetime value do the top 50 customers hold?": a part of a total the reading
            # did not compute (a listing of the part would answer another question)
            return Refusal("incomplete", "I can't compute what part of the total that is from this question.")
        if (
            item.kind == "HOWMUCH"
            and not item.used
            and idx
            and r.items[idx - 1].kind in ("AND", "FOLLOW")
            and not _already_shown(lk, r, idx)
        ):
            # "how many transactions ..., and for how much?": a second question the reading left out
            return Refusal(
                "incomplete", f"I can't tell what {item.text!r} asks for after the first question."
            )
        if item.used or item.kind in HARMLESS_LEFTOVERS:
            continue
        if item.kind == "CMP" and item.tokens[0].lemma in ("over", "under", "above", "below"):
            continue
        if item.kind == "NEG":
            return Refusal("incomplete", f"I can't tell what {item.text!r} excludes.")
        if item.kind == "NUM":
            return Refusal("incomplete", f"I can't tell what the number {item.text!r} refers to.")
        return Refusal("incomplete", f"I can't tell how {item.text!r} fits into the question.")
    return None


def _of_a_whole(r: Reading, item: Item) -> bool:
    return item.end < len(r.tokens) and r.tokens[item.end].lemma == "of"


def _already_shown(lk: Lookups, r: Reading, idx: int) -> bool:
    """'..., and how much incremental revenue did it bring in?': the second clause names a measure the reading
    already shows; 'who has the highest X, and how much is it?': 'it' is the ranked value, shown beside the row.
    Anything else in the clause is a second question the reading would drop."""
    clause = []
    for item in r.items[idx + 1 :]:
        if item.kind in ("AND", "FOLLOW", "HOWMUCH"):
            break
        clause.append(item)
    shown = {(o.table, o.column) for m in r.measures for o in m.options}
    named = [i for i in clause if i.kind == "LEX"]
    if named:
        return all(
            i.used
            and i.of("metric", "fact")
            and (
                {(e.table, e.column) for e in i.of("metric", "fact")} & shown
                or any(m.concept in {s.concept for s in r.measures} for m in lk.plain_measures(i))
            )
            for i in named
        )
    if not clause or any(i.kind != "PRONOUN" for i in clause):
        return False
    ranked = [o for o in r.order if o.measure is None or o.measure.concept in {m.concept for m in r.measures}]
    return bool(ranked) and len(r.order) == 1 and (r.limit == 1 or r.ties)


def _looks_like_followup(r: Reading, tokens: list[Token]) -> bool:
    first = tokens[0].lemma
    if first in FOLLOWUP_OPENERS and len(tokens) <= 8:
        return True
    return any(i.kind in ("FOLLOW", "PRONOUN", "INSTEAD") for i in r.items)


SIBLING_HEADS: Final = frozenset({"category", "band", "level", "tier", "segment"})


def _shared_head(lk: Lookups, tokens: list[Token]) -> list[Token]:
    """'churn risk category and score': the second noun shares the words before the first ('churn risk score')
    when those words and it name a column of the vocabulary; otherwise the tokens as they are."""
    for i in range(2, len(tokens) - 1):
        if tokens[i].lemma != "and" or tokens[i - 1].lemma not in SIBLING_HEADS:
            continue
        second = tokens[i + 1]
        if (second.lemma,) in lk.lex.phrases:
            continue  # a word of its own ('segment and region')
        for width in (3, 2, 1):
            head = tokens[max(0, i - 1 - width) : i - 1]
            if len(head) == width and (*(t.lemma for t in head), second.lemma) in lk.lex.phrases:
                return [*tokens[: i + 1], *head, *tokens[i + 1 :]]
    return tokens
