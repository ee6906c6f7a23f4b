"""A period count whose unit the question already named: "which month in the last 12 had the highest spend?",
"the week with the most declines over the past 8" — the unit after the number is left out because a noun
before it says it. The unit is read back in ("the last 12 months") before anything else reads the question,
only when one unit noun precedes; a count after no unit ("customers in the last 12") is left alone."""

from __future__ import annotations

from typing import Final

from c360.assistant.text import Token
from c360.assistant.timeframe import COMPLETE_WORDS, UNITS

LINKS: Final = frozenset({"in", "during", "over", "of", "from", "within", "for"})
RECENT: Final = frozenset({"last", "past", "previous", "prior"})


def with_unit(tokens: list[Token]) -> list[Token]:
    for i in range(1, len(tokens) - 3):
        link, the, recent, count = tokens[i : i + 4]
        after = tokens[i + 4] if i + 4 < len(tokens) else None
        if not (
            link.lemma in LINKS
            and the.lemma == "the"
            and recent.lemma in RECENT
            and count.number is not None
            and count.number == int(count.number)
            and count.number > 1
            and not (count.is_money or count.is_percent or count.is_date)
            and (after is None or after.lemma not in UNITS)
            and not _complete_unit(tokens[i + 4 : i + 7])  # "the last 6 complete (calendar) months"
        ):
            continue
        units = {UNITS[t.lemma] for t in tokens[:i] if t.lemma in UNITS}
        if len(units) != 1:
            return tokens
        plural = f"{units.pop()}s"
        return [*tokens[: i + 4], Token(plural, plural, plural[:-1]), *tokens[i + 4 :]]
    return tokens


def _complete_unit(tokens: list[Token]) -> bool:
    lemmas = [t.lemma for t in tokens if t.lemma != "calendar"]
    return len(lemmas) >= 2 and lemmas[0] in COMPLETE_WORDS and lemmas[1] in UNITS
