"""'At least one purchase': the presence of a row, said with a count of one.

"customers who made at least one approved purchase in the last 30 days", "with at least 1 declined transaction",
"bought at least once last month", "one or more purchases": having any such row is what "made a purchase" already
means, so the count of one is left out and the rest is read as usual (customers with a transaction in the window).
Only with a time window in the question (without one, "at least one transaction" is the lifetime count compared
with 1: the word *one* is read as the number) and only before a noun of a table's rows (`vocabulary.yaml:
entities`, up to three words between: *approved, declined, online*) or as "at least once"; "at least 1 year old",
"at least one customer" are not rows of activity and stay comparisons.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from c360.assistant.reading.lookups import Lookups
from c360.assistant.text import Token, lemma
from c360.assistant.timeframe import TimeParser

ONE: Final = frozenset({"one", "1", "a", "single"})
GAP: Final = 3  # words between the count and the noun: "at least one approved online purchase"


def presence_of_rows(lk: Lookups, tokens: list[Token]) -> list[Token]:
    """The tokens without the count of one in 'at least one <row noun>', 'at least once', 'one or more <row noun>'."""
    nouns = _row_nouns(lk)
    windowed = any(span.window is not None for span in TimeParser(tokens, lk.as_of).parse())
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        width = _count_of_one(tokens, i, nouns)
        if width and windowed:
            i += width
            continue
        if width and tokens[i].lemma == "at" and tokens[i + 2].lemma != "once":  # "at least one transaction"
            out.extend([tokens[i], tokens[i + 1], replace(tokens[i + 2], number=1.0)])
            i += 3
            continue
        out.append(tokens[i])
        i += 1
    return out


def _count_of_one(tokens: list[Token], i: int, nouns: frozenset[str]) -> int:
    words = [t.lemma for t in tokens[i : i + 4]]
    if words[:3] == ["at", "least", "once"]:
        return 3
    if (
        words[:2] == ["at", "least"]
        and len(words) > 2
        and words[2] in ONE
        and _noun_follows(tokens, i + 3, nouns)
    ):
        return 3
    if len(words) >= 3 and words[0] in ("one", "1") and words[1:3] == ["or", "more"]:
        return 3 if _noun_follows(tokens, i + 3, nouns) else 0
    return 0


def _noun_follows(tokens: list[Token], start: int, nouns: frozenset[str]) -> bool:
    for token in tokens[start : start + GAP + 1]:
        if token.is_number:
            return False
        if token.lemma in nouns:
            return True
    return False


def _row_nouns(lk: Lookups) -> frozenset[str]:
    """Head nouns of rows that record activity (tables with a default time column: transactions), not customers."""
    timed = set(lk.vocab.default_time_dimension)
    return frozenset(
        lemma(n.split()[-1])
        for table, spec in lk.vocab.entities.items()
        if table in timed
        for n in spec.get("nouns", [])
    )
