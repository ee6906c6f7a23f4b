"""A ranking inside each group: "the highest LTV in each state", "the top customer by spend in each region",
"top 3 merchants per channel". A superlative next to "in each / per / for every X" ranks within every X, not the
X groups against each other (it had been read as one ranking over all groups: an average by state for "the highest
LTV in each state", the overall top 3 for "top 3 merchants per channel"). The extreme value of a column per group is
MAX/MIN per X; the top rows within each group are ranked again inside every X (per_group.py), the rows' key or the
other grouping breaking ties."""

from __future__ import annotations

from c360.assistant.query import Dimension, Measure, Option, Ordering
from c360.assistant.reading.items import Item, Reading, Refusal, explicit_aggregate, next_item
from c360.assistant.reading.lookups import Lookups

EACH_WORDS = frozenset({"each", "every", "per", "within"})
RANK_KINDS = frozenset({"SUPER", "RANK", "POPULAR", "TIES", "SUPERFACT"})


def within_groups(lk: Lookups, r: Reading) -> Refusal | None:
    ranked = [i for i in r.items if i.kind in RANK_KINDS and i.kind != "RANK"]
    if not ranked or not (r.order or r.limit is not None or r.measures):
        return None
    each = _each_group(lk, r)
    if each is None:
        return None
    group_item, dimension = each
    others = [d for d in r.dimensions if d.concept != dimension.concept]
    rows = [
        i
        for i in r.items
        if i.kind == "LEX" and i.of("entity") and not i.of("metric", "fact") and i is not group_item
    ]
    superlative = ranked[0]
    target = next_item(r.items, r.items.index(superlative))
    if (
        not others
        and not rows
        and r.limit is None
        and superlative.kind == "SUPER"
        and target is not None
        and target.kind == "LEX"
        and lk.facts_of(target)
        and not explicit_aggregate(target)
        and len(r.measures) == 1
    ):
        # "the highest LTV in each state": the largest value of the column within every state
        extreme = lk.measure_from("max" if superlative.arg != "asc" else "min", target)
        if extreme is None:
            return None
        r.measures[0] = extreme
        r.order[:] = [Ordering(measure=extreme, descending=superlative.arg != "asc")]
        r.singular_group = False
        return None
    return _top_rows(lk, r, group_item, dimension, others, rows)


def _top_rows(
    lk: Lookups, r: Reading, group_item: Item, dimension: Dimension, others: list[Dimension], rows: list[Item]
) -> Refusal | None:
    """'top 3 merchant categories by spend per channel', 'the highest-LTV customer in each state': the groups
    (categories; customers by their key) ranked by the measure inside every value of the 'each' grouping, the
    first N of each kept (a singular noun keeps one, a plural without a number the default top N); ties are
    broken by the ranked grouping's values, so the rows are the same every time."""
    noun = group_item.text
    refusal = Refusal(
        "incomplete",
        f"I can't rank within each {noun} that way; ask about one {noun} at a time, or for the ranking over all "
        "of them.",
    )
    ranking = r.order[0] if len(r.order) == 1 else None
    if ranking is not None and ranking.measure is None and ranking.column and not r.measures and not others:
        # "the biggest spender in each segment": rows ranked by their own column, read as that column's value
        # per row (the rows' key grouped), so the ranking can restart in every segment
        table = ranking.column[0].table
        if not lk.entity_dimensions(table) or any(o.table != table for o in ranking.column):
            return refusal
        value = Measure(
            ranking.column[0].column or "value",
            tuple(Option(o.table, o.column, aggregation="max") for o in ranking.column),
        )
        r.measures.append(value)
        ranking = Ordering(measure=value, descending=ranking.descending)
        r.order[:] = [ranking]
        superlative = next(i for i in r.items if i.kind in RANK_KINDS)
        rows = rows or [i for i in r.items[r.items.index(superlative) + 1 :] if i.kind == "LEX"][:1]
        r.entity = None
        r.list_requested = False
    if ranking is None or ranking.measure is None or not r.measures or r.grain is not None:
        return refusal
    rows = [i for i in rows if not _measured(lk, r, i)]
    if rows and not others:
        tables = {e.table for i in rows for e in i.of("entity")} or {
            o.table for m in r.measures for o in m.options if o.column and lk.entity_dimensions(o.table)
        }
        keys = lk.entity_dimensions(next(iter(tables))) if len(tables) == 1 else []
        if not keys:
            return refusal
        r.dimensions.extend(keys)
        ranked, tiebreak = rows[0], (keys[0].options[0].column or "key").replace("_", " ")
    elif len(others) == 1 and not rows and not any(o.column is None for o in others[0].options):
        named = next((i for i in r.items if i.kind == "LEX" and _names(lk, i, others[0])), None)
        if named is None:
            return refusal
        ranked, tiebreak = named, " ".join(t.lemma for t in named.tokens) + " name"
    else:
        return refusal
    last = ranked.tokens[-1]
    per = r.limit if r.limit is not None else 1 if last.norm == last.lemma else lk.vocab.default_top_limit
    r.limit, r.within, r.ties, r.singular_group = per, dimension, False, False
    group = " ".join(t.lemma for t in group_item.tokens)
    by = next((i for i in r.items if i.kind == "LEX" and i.of("metric", "fact") and i.used), None)
    measure = by.text if by is not None else ranking.measure.label.replace("_", " ")
    end = "highest" if ranking.descending else "lowest"
    r.notes.append(
        f"ranked within each {group}: the {end if per == 1 else f'{per} {end}'} by {measure} in every {group}, "
        f"ties broken by {tiebreak}"
    )
    return None


def _measured(lk: Lookups, r: Reading, item: Item) -> bool:
    """'the most customers': the rows a count measures, not the rows ranked."""
    counted = {
        m.concept
        for e in item.of("entity")
        for noun in lk.vocab.entities.get(e.table, {}).get("nouns", [])[:1]
        if (m := lk.measure_by_phrase(f"number of {noun}")) is not None
    }
    return any(m.concept in counted for m in r.measures)


def _names(lk: Lookups, item: Item, dimension: Dimension) -> bool:
    return bool(item.of("dimension", "entity")) and (
        bool(item.of("dimension")) and lk.dimension(item).concept == dimension.concept
    )


def _each_group(lk: Lookups, r: Reading) -> tuple[Item, Dimension] | None:
    """The dimension named right after 'in each' / 'per' / 'for every' (not the rows' own entity: 'per customer'
    is an average)."""
    for idx, item in enumerate(r.items):
        if item.kind != "GROUP" or not any(t.lemma in EACH_WORDS for t in item.tokens):
            continue
        noun = next_item(r.items, idx)
        if noun is None or noun.kind != "LEX" or not noun.of("dimension") or noun.of("entity"):
            continue
        dimension = lk.dimension(noun)
        if any(d.concept == dimension.concept for d in r.dimensions):
            return noun, dimension
    return None
