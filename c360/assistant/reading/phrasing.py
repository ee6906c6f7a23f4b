"""Everyday phrasings that mean a grammar form the reader knows, normalised before the passes run: "what has
CUST00000042 spent in the past 30 days" asks how much (like "how much has ... spent"), not which rows."""

from __future__ import annotations

import itertools

from c360.assistant.lexicon import Entry
from c360.assistant.reading.items import Item, Reading, Refusal
from c360.assistant.reading.lookups import Lookups
from c360.assistant.reading.yesno import is_yes_no


def what_spent(lk: Lookups, r: Reading) -> Refusal | None:
    if not r.items or r.items[0].kind != "WH" or r.items[0].tokens[0].lemma != "what":
        return None
    if any(i.kind in ("SUPER", "SUPERFACT", "GROUP", "HOWMUCH", "LIST") for i in r.items):
        return None  # "what did she spend the most on", "what did they spend by channel"
    spend = [i for i in r.items[1:] if i.kind == "LEX" and lk.is_spend(i)]
    verb = len(spend) == 1 and [t.lemma for t in spend[0].tokens] in (["spend"], ["spent"])
    if verb and r.items[1].kind == "LEX" and r.items[1] is not spend[0]:  # "what has <someone> spent"
        r.items[0].kind = "HOWMUCH"
    return None


def rate_or_series(lk: Lookups, r: Reading) -> Refusal | None:
    """'Do retired customers spend more per month than employed ones?': in a yes/no question that compares
    groups, 'per month' after a measure may be its monthly rate or a breakdown by month — a time series cannot
    answer a yes/no, so this is refused with the wording that works rather than answered as a series."""
    if not is_yes_no(r.tokens):
        return None
    for before, item in itertools.pairwise(r.items):
        per = item.kind == "TIME" and item.span is not None and item.span.grain is not None
        rate = per and item.tokens[0].lemma in ("per", "each", "every")
        unit = item.span.grain if item.span is not None else None
        rate_entries = _rate_entries(lk, unit) if rate and lk.is_spend(before) and unit else ()
        compared = [
            (k, t)
            for k, t in enumerate(r.tokens[before.end : item.start], before.end)
            if t.lemma in ("more", "less")
        ]
        if rate_entries and unit and len(compared) == 1:
            # "do retired customers spend more per month than employed ones?": a time series cannot answer a
            # yes/no, so spend per month is the customers' monthly spend rate (vocabulary rate_facts)
            before.entries = rate_entries
            k, word = compared[0]  # "spend more per month": the comparison of the groups' rates
            r.items[r.items.index(item)] = Item("COMPARATIVE", k, k + 1, (word,), arg=f"{word.lemma}|")
            rate_name = lk.vocab.rate_facts[unit].partition(".")[2].replace("_", " ")
            r.notes.append(f"'{before.text} {item.text}' read as the customers' {rate_name}")
            return None
        if rate and before.kind == "LEX" and before.of("metric", "fact"):
            return Refusal(
                "incomplete",
                f"I can't tell whether {item.text!r} asks for a rate or a breakdown over time; name the "
                "rate (e.g. 'average monthly spend') or ask for the breakdown ('spend by month').",
            )
    return None


def _rate_entries(lk: Lookups, unit: str) -> tuple[Entry, ...]:
    """What the per-unit spend rate's own name means (its fact and the metric averaging it)."""
    ref = lk.vocab.rate_facts.get(unit)
    if ref is None:
        return ()
    table, _, column = ref.partition(".")
    for entries in lk.lex.phrases.values():
        if any(e.table == table and e.column == column and e.exact for e in entries):
            return tuple(e for e in entries if e.table == table)
    return ()
