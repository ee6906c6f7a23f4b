"""A ranking inside each group: "the highest LTV in each state", "the top customer by spend in each region",
"top 3 merchants per channel". A superlative next to "in each / per / for every X" ranks within every X, not the
X groups against each other. The extreme value of a column per group is answered (MAX/MIN per X); the top rows
within each group are refused, never answered as one ranking over all groups (it had been: an average by state
for "the highest LTV in each state", the overall top 3 for "top 3 merchants per channel")."""

from __future__ import annotations

from c360.assistant.query import Dimension, Ordering
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
    noun = group_item.text
    return Refusal(
        "incomplete",
        f"I can't rank within each {noun} yet; ask about one {noun} at a time, or for the ranking over all of them.",
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
