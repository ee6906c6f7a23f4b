"""Follow-up questions: refine the previous question's semantic query with what the new one adds.

"and in Texas?" replaces the condition on the same column; "only Premium" adds one; "by card type instead"
or "what about by region?" replaces the grouping ("also by region", "break that down by region" add one); a new window, ranking or limit
replaces the old; "list them" turns an aggregate into the listing of the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from c360.assistant.query import Ordering, SemanticQuery
from c360.assistant.reading import Reading
from c360.assistant.reading.lookups import Lookups
from c360.assistant.reading.measures import share_of_total
from c360.assistant.text import Token

SUBDIVIDE = frozenset({"break", "broken", "breakdown", "split", "subdivide", "divide", "divided"})


def merge_followup(
    previous: SemanticQuery, partial: Reading, question_tokens: Sequence[Token], lookups: Lookups
) -> SemanticQuery:
    """Apply a follow-up ('and in Texas?', 'only Premium', 'by month instead', 'list them') to the last query."""
    lemmas = [t.lemma for t in question_tokens]
    query = previous
    conditions = list(previous.conditions)
    adding = "only" in lemmas or "also" in lemmas or "just" in lemmas
    for cond in partial.conditions:
        same = [c for c in conditions if c.subject == cond.subject]
        if same and not adding:
            for c in same:
                conditions.remove(c)
        conditions.append(cond)
    query = replace(query, conditions=tuple(conditions))
    if partial.window is not None:
        query = replace(query, window=partial.window)
    if partial.dimensions:
        adding_groups = bool({"also", "too", "additionally"} & set(lemmas)) or (
            "as" in lemmas and "well" in lemmas
        )
        # "break that down by card type", "split it by region": each row shown divided further (the months of a
        # trend kept), unless 'instead'
        adding_groups = adding_groups or (bool(SUBDIVIDE & set(lemmas)) and "instead" not in lemmas)
        if adding_groups:  # "also by region": one more grouping
            existing = {d.concept for d in query.dimensions}
            # "now just the West, broken down by state": a grouping pinned to one value by the follow-up is dropped
            pinned = {
                o.key for c in partial.conditions if c.op == "in" and len(c.values) == 1 for o in c.options
            }
            kept = tuple(
                d
                for d in query.dimensions
                if d.grain is not None or d.bands or d.width or not pinned & {o.key for o in d.options}
            )
            query = replace(
                query,
                dimensions=kept + tuple(d for d in partial.dimensions if d.concept not in existing),
            )
        else:  # "by region instead", "what about by region?": the new grouping replaces the old one
            query = replace(query, dimensions=tuple(partial.dimensions))
    if partial.order:
        query = replace(query, order=tuple(partial.order))
    elif partial.bare_rank is not None and query.measures:
        query = replace(query, order=(Ordering(measure=query.measures[0], descending=partial.bare_rank),))
    if partial.limit is not None:
        query = replace(query, limit=partial.limit)
    if partial.count_rows and not partial.measures:  # "how many are there?": the rows shown before, counted
        table = query.entity if query.mode == "list" else None
        nouns = lookups.vocab.entities.get(table or lookups.vocab.anchor_preference[0], {}).get("nouns", [])
        counted = lookups.measure_by_phrase(f"number of {nouns[0]}") if nouns else None
        if counted is not None:
            query = replace(
                query, measures=(counted,), mode="aggregate", entity=None, columns=(), order=(), limit=None
            )
    elif partial.columns and query.mode == "list" and not partial.measures:
        query = replace(query, columns=tuple(partial.columns))  # "when did she last use her card?"
    if previous.mode == "list" and partial.dimensions and (partial.implied_count or not partial.measures):
        query = _divided_listing(previous, query, partial, set(lemmas), lookups)
    elif partial.measures and not partial.implied_count:
        query = replace(query, measures=tuple(partial.measures), mode="aggregate", entity=None)
    elif partial.percent_of_total and query.measures:  # "now show it as a percentage of the total"
        shares = tuple(m for m in (share_of_total(lookups, m) for m in query.measures) if m is not None)
        query = replace(query, measures=shares or query.measures)
    elif partial.list_requested and query.mode == "aggregate":
        # "list them", "show me those customers": the same population as rows
        query = replace(
            query,
            mode="list",
            entity=partial.entity or _entity_of(query),
            measures=(),
            dimensions=(),
            order=(),
            limit=None,
        )
    if partial.notes:
        query = replace(query, notes=tuple(dict.fromkeys(query.notes + tuple(partial.notes))))
    return query


def _divided_listing(
    previous: SemanticQuery, query: SemanticQuery, partial: Reading, lemmas: set[str], lookups: Lookups
) -> SemanticQuery:
    """'lapsed customers' ... 'break them down by segment': the rows listed before, counted per group; a ranked
    listing ('top 10 ...') keeps its rows and shows the group as a column instead."""
    nouns = lookups.vocab.entities.get(previous.entity or "", {}).get("nouns", [])
    counted = lookups.measure_by_phrase(f"number of {nouns[0]}") if nouns else None
    if previous.limit is None and counted is not None and (partial.implied_count or SUBDIVIDE & lemmas):
        return replace(
            query,
            measures=(counted,),
            mode="aggregate",
            entity=None,
            columns=(),
            order=(),
            limit=None,
            dimensions=tuple(partial.dimensions),
        )
    shown = tuple(d.options for d in partial.dimensions if d.grain is None)
    return replace(query, dimensions=(), columns=(*previous.columns, *shown))


def _entity_of(query: SemanticQuery) -> str:
    for cond in query.conditions:
        for opt in cond.options:
            return opt.table
    return "customer_360_profile"
