"""Card or credit-limit changes of many customers: 'how many customers had a credit limit change in 2026?',
'Premium customers whose credit limit changed in the last 6 months'.

The card history (a versioned table, `vocabulary.yaml: entities.*.versions_of`) lists one customer's versions; a
question about many customers that names its changes asks who had one: the entity's `changes.filter` (customers
whose card or limit changed), with a window on `changes.latest_date`. That date is each customer's LATEST change,
so it answers "a change in <window>" exactly only when the window reaches the as-of date (a change in 2026 ⇔ the
latest change is in 2026); a window that ends before it ("in 2025") is refused with the reason — the latest date
cannot say whether an earlier change fell in it. Before this the phrase was read as context and dropped: the
active customers were counted (a wrong answer).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from c360.assistant.query import Condition, Measure, Option
from c360.assistant.reading.items import Item, Reading, Refusal, next_item, prev_item
from c360.assistant.reading.lookups import Lookups


def changes_of_many(lk: Lookups, r: Reading) -> Refusal | None:
    if _one_customer(r):
        return None  # "show CUST00000005's credit limit changes": that customer's history
    for idx, item in enumerate(r.items):
        if item.used or item.kind != "LEX":
            continue
        changed = _changes_of(lk, item)
        history = next_item(r.items, idx)
        if changed is None and history is not None and history.kind == "HISTORY" and not history.used:
            # "customers whose credit limit changed": the column's versions table, when it has one
            changed = next(
                (c for e in item.of("fact", "dimension") if (c := _changes(lk, e.table, e.column))), None
            )
            if changed is not None:
                history.used = True
        if changed is None:
            continue
        table, spec = changed
        item.used = True  # a window that ends before the as-of date: past_changes (after every pass)
        before = prev_item(r.items, idx)
        negated = before is not None and before.kind == "NEG"
        if before is not None and negated:
            before.used = True
        r.add(
            Condition((Option(table, filter=spec["filter"]),), "not_named" if negated else "named"),
            item.start,
        )
    return None


def _changes_of(lk: Lookups, item: Item) -> tuple[str, dict[str, str]] | None:
    """The filter of changes an item names: the versioned entity's noun of changes ('credit limit changes')."""
    for entry in item.of("entity"):
        spec = lk.vocab.entities.get(entry.table, {})
        if spec.get("changes") and item.tokens[-1].lemma == "change":
            return str(spec["versions_of"]), dict(spec["changes"])
    return None


def _changes(lk: Lookups, table: str, column: str | None) -> tuple[str, dict[str, str]] | None:
    """The changes filter of a versioned entity that keeps this column's versions ('credit limit')."""
    for owner, changes, spec in _versioned(lk):
        if owner == table and column in spec.get("columns", []):
            return table, dict(changes)
    return None


def _versioned(lk: Lookups) -> Iterator[tuple[str, Any, Any]]:
    """(table versioned, its changes spec, the entity's spec) of every versioned entity with changes."""
    for spec in lk.vocab.entities.values():
        if spec.get("changes"):
            yield str(spec["versions_of"]), spec["changes"], spec


def _one_customer(r: Reading) -> bool:
    return any(i.kind == "PRONOUN" for i in r.items) or any(
        e.identifier for i in r.items if i.kind == "LEX" for e in i.of("value")
    )


def changes_or_included(lk: Lookups, r: Reading) -> Refusal | None:
    """'upgraded their card or had a limit change in 2026': an 'or' of the changes filter and filters whose events
    are such changes (`changes.includes`) has its window on the latest change date — any of them in the window is
    a change in it. Other 'or's with a window are left to the planner (it refuses dates that differ)."""
    if r.window is None or r.window.time_dimension is not None:
        return None
    for owner, changes, _ in _versioned(lk):
        allowed = {str(changes["filter"]), *map(str, changes.get("includes", []))}
        for cond in r.conditions:
            named = [o.filter for alt in cond.either for o in alt.options if alt.op == "named"]
            if cond.op != "any" or len(named) != len(cond.either) or not set(named) <= allowed:
                continue
            if changes["filter"] not in named:
                continue
            r.window = replace(r.window, time_dimension=(Option(owner, str(changes["latest_date"])),))
            r.notes.append(
                f"'{r.window.label}' applies to each customer's latest card or credit-limit change "
                "(an upgrade is a card change)"
            )
            return None
    return None


def past_changes(lk: Lookups, r: Reading) -> Refusal | None:
    """A change in a period that ends before the as-of date ('in 2025', 'last quarter'). The profile keeps each
    customer's LATEST change (and its direction), which cannot say whether an earlier one fell in the period; the
    card versions can: *how many customers had a credit limit change last quarter* counts the customers with a
    card version dated in it (`changes.versions_count`, its date `changes.version_date`). Anything else about such
    a period (a direction, a listing, other filters or groups) is refused with the reason."""
    window = r.window
    if window is None or window.end is None or window.end > lk.as_of:
        return None
    for owner, changes, _ in _versioned(lk):
        latest = {str(changes["filter"]), *map(str, changes.get("latest", []))}
        named = [
            c for c in r.conditions if c.op == "named" and any(o.filter in latest for o in c.options)
        ] + [
            c
            for c in r.conditions
            if c.op == "any" and any(o.filter in latest for alt in c.either for o in alt.options)
        ]
        if not named:
            continue
        plain = (
            len(r.conditions) == 1
            and r.conditions[0].op == "named"
            and r.conditions[0].options[0].filter == changes["filter"]
            and not r.dimensions
            and not r.order
            and len(r.measures) == 1
            and Option(owner, "customer_count") in r.measures[0].options
            and not r.measures[0].where
        )
        versions = changes.get("versions_count")
        if not plain or not versions:
            return Refusal(
                "incomplete",
                f"The platform keeps each customer's latest card or credit-limit change only, so it can't tell "
                f"who had one (or which way it went) in {window.label}; ask how many customers had a change then, "
                f"or about a period up to today (this year, the last 6 months).",
            )
        table, _, metric = str(versions).partition(".")
        date_table, _, date_column = str(changes["version_date"]).partition(".")
        r.conditions.clear()
        r.measures[:] = [Measure("customers", (Option(table, metric),))]
        r.window = replace(window, time_dimension=(Option(date_table, date_column),))
        r.notes.append(
            f"customers with a card version dated in {window.label} (each version after the first is a card or "
            "credit-limit change)"
        )
        return None
    return None
