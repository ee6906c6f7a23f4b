"""A percent change sized by its number: "customers with a 30%+ spend drop", "a 40%+ drop in spend", "spend
dropped by 30% or more", "a 25%+ spend increase". The number is a bound on the change column the question names
(or the default change, stated: the 90-day spend change): a 30%+ drop is a change of -30 or lower, a 25%+
increase one of 25 or more. Only a bound that is said is read ("N%+", "N% or more", "N% and over"); "a 30% drop"
(exactly? at least?) stays to conditions.changes, which refuses what it cannot place. Comparisons written before
the change ("fell by more than 30%") are conditions.changes's."""

from __future__ import annotations

from c360.assistant.query import Condition
from c360.assistant.reading.conditions import change_column, claim_change_subject
from c360.assistant.reading.items import Item, Reading, Refusal, next_item, prev_item
from c360.assistant.reading.lookups import Lookups


def sized_changes(lk: Lookups, r: Reading) -> Refusal | None:
    items = r.items
    for idx, change in enumerate(list(items)):
        if change.kind != "CHANGE" or change.used:
            continue
        bound = _plus_before(lk, items, idx) or _or_more_after(items, idx)
        if bound is None:
            continue
        number, parts = bound
        subject = change_column(lk, r, items.index(change))
        if subject is None:
            return Refusal("incomplete", f"I can't tell which change {change.text!r} refers to.")
        column, named = subject
        down = change.arg == "down"
        for used in (change, *parts):
            used.used = True
        claim_change_subject(lk, r, column, named)
        at = items.index(change)
        for near in (prev_item(items, at), next_item(items, at)):
            if near is not None and near.kind == "LEX" and not near.used and lk.is_spend(near):
                near.used = True  # "a spend drop", "a drop in spend": the change is of spend
        value = -abs(number) if down else abs(number)
        r.add(Condition((column,), "<=" if down else ">=", (value,)), change.start)
    return None


def _plus_before(lk: Lookups, items: list[Item], idx: int) -> tuple[float, tuple[Item, ...]] | None:
    """'30%+ (spend) drop': a percent with a plus right before the change word (a spend noun may sit between)."""
    before = prev_item(items, idx)
    if before is not None and before.kind == "LEX" and lk.is_spend(before):
        before = prev_item(items, idx - 1)
    if before is None or before.kind != "NUM" or before.used:
        return None
    token = before.tokens[0]
    if not (token.is_percent and token.is_plus) or token.number is None:
        return None
    return token.number, (before,)


def _or_more_after(items: list[Item], idx: int) -> tuple[float, tuple[Item, ...]] | None:
    """'dropped (by) 30% or more': a percent right after the change word, bounded by 'or more / and over'."""
    j = idx + 1
    parts: list[Item] = []
    by = next_item(items, idx)
    if by is not None and by.kind == "GROUP" and by.tokens[0].lemma == "by":
        parts.append(by)
        j += 1
    num = items[j] if j < len(items) else None
    post = items[j + 1] if j + 1 < len(items) else None
    if num is None or num.kind != "NUM" or num.used or not num.tokens[0].is_percent:
        return None
    if post is None or post.kind != "POSTCMP" or post.arg != ">=":
        return None
    return num.tokens[0].number or 0.0, (*parts, num, post)
