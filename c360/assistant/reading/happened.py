"""'happened / occurred' are fillers where they close a share's or a count's subject ("what share of Q3 spend
happened on weekends", "how many transactions occurred on weekdays"), but "what happened to spend in October?"
asks how it changed: that is refused, never answered with the level."""

from __future__ import annotations

from typing import Final

from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups

HAPPEN: Final = frozenset({"happen", "happens", "happened", "occur", "occurs", "occurred"})


def happened_to(lk: Lookups, r: Reading) -> Refusal | None:
    for word, after in zip(r.tokens, r.tokens[1:], strict=False):
        if word.norm in HAPPEN and after.lemma == "to":
            return Refusal(
                "incomplete",
                "I can't tell which change you mean; ask for it over time (e.g. 'monthly spend this year').",
            )
    return None
