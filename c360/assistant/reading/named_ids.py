"""A customer named twice: a (masked) name with the customer's id beside it, and a short id.

- **"Charles M., CUST00000611"**, *"Megan D. (CUST00000030)"*, *"Stacy R.'s (CUST00001308) transactions"*,
  *"Crystal N.'s credit limit ... (CUST00001251)"*: when the question types one id of the name's key column, that
  id settles a name several customers are shown with — if it is one of them; an id that is none of the
  customers shown with that name is refused (the question names two different customers), never guessed.
- **"cust 1435"**, *"customer #1435"*, *"customer id 1435"*, *"cust no. 1435"*: a number after the singular noun
  of a table whose key has a prefixed fixed-width shape (`CUST` + 8 digits) is that key, zero-padded — only when
  a row has that key (checked on the searchable values' index; a key no row has is refused). The noun written
  in full needs *#*, *id*, *no* or *number* before the digits (*Customer 360* is the platform); a number followed
  by a unit (*cust 5 days*) or after a rank word (*top cust 10*) is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from c360.assistant.lexicon import Entry
from c360.assistant.reading.lookups import Lookups
from c360.assistant.text import Token
from c360.assistant.values import NameMatch

ID_WORDS: Final = frozenset({"id", "no", "number", "nr", "num", "nbr"})
NOT_AFTER: Final = frozenset({"top", "bottom", "best", "worst", "first", "last", "the", "every", "per"})
UNITS_AFTER: Final = frozenset(
    {
        "d",
        "day",
        "days",
        "week",
        "weeks",
        "wk",
        "wks",
        "month",
        "months",
        "mo",
        "mos",
        "mth",
        "mths",
        "quarter",
        "quarters",
        "year",
        "years",
        "yr",
        "yrs",
        "k",
        "m",
        "percent",
        "pct",
        "%",
        "x",
        "time",
        "times",
    }
)
PREFIXED: Final = re.compile(r"([A-Za-z]+)\\d\{(\d+)\}")  # 'CUST\d{8}'


@dataclass(frozen=True)
class Settled:
    entries: tuple[Entry, ...] = ()  # the id's key entries (the name settled)
    note: str = ""
    refusal: str = ""  # the id is none of the customers shown with the name


def typed_keys(lk: Lookups, tokens: list[Token], key_ref: str) -> list[str]:
    """The distinct values of `key_ref` typed in the question, in order."""
    found: list[str] = []
    for token in tokens:
        for entry in lk.lex.identifier(token)[:1]:
            if entry.ref == key_ref and entry.value and entry.value not in found:
                found.append(entry.value)
    return found


def settle(lk: Lookups, tokens: list[Token], match: NameMatch) -> Settled | None:
    """A name read with the one id typed beside it; None when the question types no id (or several) of the
    name's key column."""
    typed = typed_keys(lk, tokens, match.key_ref)
    if len(typed) != 1:
        return None
    key = typed[0]
    if key not in match.keys:
        return Settled(refusal=match.not_shown_as(key))
    return Settled(entries=tuple(lk.key_entries(match, key)), note=match.by_key(key))


def _short_form(lk: Lookups) -> tuple[str, str, str, int, str] | None:
    """(key_ref, singular noun, prefix, width, case) of the first identifier with a prefixed fixed-width shape."""
    for ident in lk.vocab.identifiers:
        shape = PREFIXED.fullmatch(ident.pattern.pattern)
        table = ident.ref.partition(".")[0]
        nouns = lk.vocab.entities.get(table, {}).get("nouns", [])
        if shape and nouns:
            singular = next((n for n in nouns if not n.endswith("s") and " " not in n), None)
            if singular:
                return ident.ref, singular, shape.group(1), int(shape.group(2)), ident.case
    return None


def short_ids(lk: Lookups, question: str, tokens: list[Token]) -> tuple[list[Token], list[str], str | None]:
    """The tokens with each short id ('cust 1435') as the key it stands for, the notes saying so, and a refusal
    when a short id is no row's key."""
    form = _short_form(lk)
    if form is None:
        return tokens, [], None
    key_ref, noun, prefix, width, case = form
    nouns = {noun, *(k for k, v in lk.vocab.abbreviations.items() if v == noun)}
    out: list[Token] = []
    notes: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.norm in nouns and (not out or (out[-1].norm not in NOT_AFTER and out[-1].number is None)):
            j = i + 1
            labelled = j < len(tokens) and tokens[j].norm in ID_WORDS
            j += 1 if labelled else 0
            number = tokens[j] if j < len(tokens) else None
            after = tokens[j + 1].norm if j + 1 < len(tokens) else ""
            if (
                number is not None
                and number.number is not None
                and number.text.isdigit()
                and len(number.text) <= width
                and after not in UNITS_AFTER
                and (labelled or token.norm != noun or _hashed(question, token.text, number.text))
            ):
                key = prefix + number.text.zfill(width)
                key = key.upper() if case == "upper" else key.lower()
                if lk.values.has_key(key_ref, key) is False:
                    return (
                        tokens,
                        [],
                        f"No customer has the id {key} (read from '{token.text} {number.text}').",
                    )
                written = " ".join(t.text for t in tokens[i : j + 1])
                out.append(Token(key, key.lower(), key.lower()))
                notes.append(f"I read '{written}' as the customer id {key}")
                i = j + 1
                continue
        out.append(token)
        i += 1
    return out, notes, None


def _hashed(question: str, noun: str, digits: str) -> bool:
    """'customer #1435' (the tokens lose the '#')."""
    return re.search(rf"\b{re.escape(noun)}\s*#\s*{digits}\b", question, re.IGNORECASE) is not None
