"""'mean and median lifetime value', 'average and max credit limit by segment': two aggregations of one measure,
the measure named once. Read as 'mean lifetime value and median lifetime value' (each aggregation with the
measure written out); tried only when the question as written cannot be read. The measure is the words after the
second aggregation up to the first word that starts a grouping, a window or a condition."""

from __future__ import annotations

from typing import Final

from c360.assistant.text import Token

AGGREGATIONS: Final = frozenset(
    {"average", "avg", "mean", "median", "total", "sum", "minimum", "min", "maximum", "max"}
)
BOUNDARY: Final = frozenset(
    {"by", "per", "across", "for", "in", "of", "among", "over", "from", "with", "where", "who", "that", "and",
     "or", "each", "during", "since", "last", "this", "between", "on", "at", "to", "vs", "versus"}
)  # fmt: skip


def spread(tokens: list[Token]) -> list[Token] | None:
    """The tokens with the shared measure written after the first aggregation too; None without the form."""
    lemmas = [t.lemma for t in tokens]
    for i in range(len(tokens) - 3):
        if lemmas[i] in AGGREGATIONS and lemmas[i + 1] == "and" and lemmas[i + 2] in AGGREGATIONS:
            if lemmas[i] == lemmas[i + 2]:
                return None
            end = i + 3
            while end < len(tokens) and lemmas[end] not in BOUNDARY and not tokens[end].aside:
                end += 1
            if end == i + 3:
                return None
            return tokens[: i + 1] + tokens[i + 3 : end] + tokens[i + 1 :]
    return None
