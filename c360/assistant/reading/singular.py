"""A singular superlative asks for one row: "which segment has the most customers?", "which channel does
CUST00000042 use the most?", "which customer made the most purchases in November?". The question word is
followed by a singular noun (a dimension or the rows' entity), a superlative ranks the groups, and nothing
groups them further ("in each state") or names how many to show: the answer is the first row only."""

from __future__ import annotations

from c360.assistant.query import Ordering
from c360.assistant.reading.items import Reading, Refusal, next_item
from c360.assistant.reading.lookups import Lookups


def bare_superlative(lk: Lookups, r: Reading) -> Refusal | None:
    """'which segment is the biggest?', 'the smallest region': a superlative that names no measure ranks the
    groups by the measure the question was given (the count of their rows) instead of being dropped."""
    if r.bare_rank is None or r.order or not r.measures or not r.dimensions:
        return None
    r.order.append(Ordering(measure=r.measures[0], descending=r.bare_rank))
    r.bare_rank = None
    return None


def one_row(lk: Lookups, r: Reading) -> Refusal | None:
    if r.limit is not None or not r.order or not r.dimensions or r.grain is not None:
        return None
    if any(
        i.kind in ("GROUP", "NUM", "TIES", "COMPARE", "RANK", "DIRECTION") and i.text.lower() != "among"
        for i in r.items
    ):
        return None  # ("among Premium cardholders" narrows the rows, it groups nothing)
    if not any(i.kind == "SUPER" for i in r.items):
        return None
    for idx, item in enumerate(r.items):
        if item.kind != "WH":
            continue
        noun = next_item(r.items, idx)
        if noun is not None and noun.kind == "SUPER":  # "what's the top state?"
            noun = next_item(r.items, idx, 2)
            if noun is not None and noun.kind == "POPULAR":  # "what's the most common card type?"
                noun = next_item(r.items, idx, 3)
        if noun is None or noun.kind != "LEX" or not noun.of("dimension", "entity"):
            return None
        last = noun.tokens[-1]
        if last.norm == last.lemma:  # "segment", "customer" — not "segments", "customers"
            r.singular_group = True
        return None
    return None


RANK_ALL_AFTER = frozenset({"them", "all", "everything", "every", "each", "these", "those"})


def rank_them(lk: Lookups, r: Reading) -> Refusal | None:
    """'which day of the week do customers spend the most? rank them', '… - ranked', 'sorted': a word that
    asks for the groups in order after a singular superlative keeps every group, ranked (not the first one);
    so does a closing 'show all seven' (the number is how many groups the asker expects, not a limit)."""
    if not r.singular_group or r.limit is not None or not r.order:
        return None
    for item in r.items:
        before = r.tokens[item.start - 1].lemma if item.start else None
        if item.kind == "NUM" and not item.used and before == "all" and item.end == len(r.tokens):
            # "which day of the week sees the most spend? Show all seven.": every one
            r.singular_group = False
            item.used = True
            return None
        if item.kind != "RANK" or item.tokens[0].lemma not in ("rank", "ranked", "sort", "sorted", "ranking"):
            continue
        after = r.tokens[item.end].lemma if item.end < len(r.tokens) else None
        if after is None or after in RANK_ALL_AFTER:
            r.singular_group = False
            item.used = True
            return None
    return None
