"""Everyday phrasings that mean a grammar form the reader knows, normalised before the passes run: "what has
CUST00000042 spent in the past 30 days" asks how much (like "how much has ... spent"), not which rows."""

from __future__ import annotations

from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups


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
