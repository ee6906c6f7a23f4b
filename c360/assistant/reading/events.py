"""Events of one customer: "When did CUST00000042 last use their card?" shows the date column that records
the event; "How many days since Jane Doe's last purchase?" shows the measure of the time since it in the unit
asked (`vocabulary.yaml: time_events`). Read only for a row named by its key: when a whole population
happened to do something is a grouping question, not a lookup."""

from __future__ import annotations

from c360.assistant.query import Measure, Option
from c360.assistant.reading.items import Item, Reading, Refusal
from c360.assistant.reading.lookups import Lookups


def events(lk: Lookups, r: Reading) -> Refusal | None:
    asked = [i for i in r.items if i.kind == "EVENT"]
    pronoun = any(i.kind == "PRONOUN" for i in r.items)  # "when did she last use her card?" (a follow-up)
    by_ref = {e.ref: e for e in lk.vocab.time_events}
    if asked and r.lookup is None and all(by_ref[i.arg].once for i in asked):
        return _table_event(lk, r, asked)
    if not asked or (r.lookup is None and not pronoun):
        return None
    elapsed = next((i for i in r.items if i.kind == "ELAPSED"), None)
    # "when did he open his account, and how many months ago is that?": the date and the time since it
    when = any(
        i.kind == "WHEN" or (i.kind == "LEX" and [t.lemma for t in i.tokens] == ["when"]) for i in r.items
    )
    for item in asked:
        event = by_ref[item.arg]
        ref = event.ref
        if elapsed is not None:
            unit = elapsed.arg or next(iter(event.elapsed), "")  # "how long has ...": the event's own unit
            ref = event.elapsed.get(unit, "")
            if not ref:
                return Refusal(
                    "incomplete", f"I can't measure the {unit}s since {item.text!r} from this data."
                )
            elapsed.used = True
            if when:
                r.columns.append((lk.option(event.ref),))
        item.used = True
        r.columns.append((lk.option(ref),))
    for item in r.items:  # "when", "what date": asked by the event's column
        if item.kind == "WHEN" or (item.kind == "LEX" and [t.lemma for t in item.tokens] == ["when"]):
            item.used = True
    return None


def _table_event(lk: Lookups, r: Reading, asked: list[Item]) -> Refusal | None:
    """'When did the retention offer go out?': an event with one date for its whole table (`once`), shown as
    that date (the earliest, which is the only one)."""
    for item in asked:
        table, _, column = item.arg.partition(".")
        if any(i.kind == "ELAPSED" for i in r.items):
            return Refusal("incomplete", f"I can't measure the time since {item.text!r} from this data.")
        item.used = True
        r.measures.append(Measure(f"{column}_date", (Option(table, column, aggregation="min"),)))
    for item in r.items:
        if item.kind == "WHEN" or (item.kind == "LEX" and [t.lemma for t in item.tokens] == ["when"]):
            item.used = True
        elif (
            item.kind == "LEX"
            and not item.used
            and not item.of("metric", "fact")  # "… and what are the before and after windows?": asked too
            and all(e.table == table for e in item.entries)
        ):
            item.used = True  # "the retention offer": the table the event belongs to
    return None


def history(lk: Lookups, r: Reading) -> Refusal | None:
    """'Has CUST00000042's card or credit limit changed over time?': the versions of the looked-up row, from the
    table that keeps them (an entity with `versions_of` that table); refused for anything else."""
    asked = [i for i in r.items if i.kind == "HISTORY" and not i.used]
    if not asked:
        return None
    table = next(
        (t for t, spec in lk.vocab.entities.items() if r.lookup and spec.get("versions_of") == r.lookup), None
    )
    if table is None:
        return Refusal(
            "incomplete", "I can only show how one customer's card and credit limit changed over time."
        )
    for item in asked:
        item.used = True
    if about_latest_change(lk, r, table):
        return None  # "has her limit changed? what was it before?": the latest change answers both
    r.implied_entities.insert(0, table)
    return None


def about_latest_change(lk: Lookups, r: Reading, table: str) -> bool:
    """A column of the looked-up row that states its latest change (shown with that change's date: vocabulary
    companion_columns, e.g. the limit before the last change) is asked beside 'has it changed?'."""
    spec = lk.vocab.entities.get(table, {})
    latest = (spec.get("changes") or {}).get("latest_date")
    of = spec.get("versions_of")
    if not latest or not of:
        return False
    dated = f"{of}.{latest}"
    return any(
        dated in lk.vocab.companion_columns.get(f"{e.table}.{e.column}", ())
        for i in r.items
        if i.kind == "LEX"
        for e in i.of("fact")
        if e.table == of
    )
