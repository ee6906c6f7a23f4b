"""The card a transaction was made on (docs/metrics.md, card type): *spend by the card type held at the time of
the transaction*, *decline rate on Premium cards*, *transactions made with a Standard card*. Split by card type,
transaction figures already use the card of each transaction; these words say so outright.

- "held at the time of the transaction" (after a card word) is taken out before the question is read and the
  query is marked `at_rows`: the compiler refuses it when the card can't be the transaction's (a count of
  customers, a list).
- "on / with / for Premium cards" marks it `on_cards`: a condition on the card is each transaction's card when
  the figure is the transactions' own (spend, counts, average value, declines), else the card held today.
  "Premium cardholders", "customers with a Premium card" are the customers holding it today.
- "the card type customers hold today", "current card type", "Premium vs Standard cardholders" mark it
  `held_today`: the card each customer holds today, also for transaction figures (the answer says so)."""

from __future__ import annotations

import re
from typing import Final

from c360.assistant.reading.lookups import Lookups
from c360.assistant.text import Token, pattern_spans

ROWS: Final = r"(?:transaction|purchase|payment|sale|swipe)s?"
# "(held|used) at the time of (the|each) transaction", "each transaction was made on", "at transaction time"
WHEN_MADE: Final = re.compile(
    rf"\b(?:(?:that |which )?(?:was |were |they )?(?:held|used|had|in use|active|on file) )?"
    rf"(?:at the time of (?:the |each |every |a )?{ROWS}|at (?:the )?{ROWS} time|when (?:the |each )?{ROWS} "
    rf"(?:was|were|be) made|(?:that |which )?(?:each|the|every) {ROWS} (?:was|were|be) made (?:on|with))\b"
)
CARD_WORDS: Final = r"(?:card|cards|card type|card types|tier|tiers)"
HOLDERS: Final = r"(?:customer|customers|cardholder|cardholders|holder|holders|people|member|members|client|clients|user|users|who|account|accounts)"


def strip(tokens: list[Token]) -> tuple[list[Token], bool]:
    """The tokens without the 'held at the time of the transaction' words, and whether there were any (only
    right after a card word: 'card type held at the time of the transaction')."""
    for start, end, _ in pattern_spans(WHEN_MADE, tokens):
        if start and tokens[start - 1].lemma in ("card", "type", "tier", "cards", "types", "tiers"):
            return tokens[:start] + tokens[end:], True
    return tokens, False


def on_cards(lk: Lookups, tokens: list[Token]) -> bool:
    """'spend on Premium cards', 'decline rate for Standard cards', 'transactions made with a Premium card': a
    card value right before a card word and after on/with/for/using/from, not after a word for customers
    ('customers with a Premium card' are the customers holding it today)."""
    named = _card_values_pattern(lk)
    if named is None:
        return False
    pattern = re.compile(
        rf"(?:(?<!\S)(?P<who>{HOLDERS}) )?\b(?:on|with|for|using|from|by|via|paid with|made with|made on) "
        rf"(?:a |an |the |their |our )?(?:{named})(?: (?:or|and|vs|versus) (?:a |an )?(?:{named}))* {CARD_WORDS}\b"
    )
    return any(m.group("who") is None for _, _, m in pattern_spans(pattern, tokens))


def _card_values_pattern(lk: Lookups) -> str | None:
    """The card values as a regex alternation, longest first (None when the model has none)."""
    values = _card_values(lk)
    return "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)) if values else None


def _card_values(lk: Lookups) -> frozenset[str]:
    """The values of the columns a versioned table repeats (card types), lower-case as the lemmas read."""
    out: set[str] = set()
    for history, spec in lk.vocab.entities.items():
        of = spec.get("versions_of")
        if not of or history not in lk.model.tables or of not in lk.model.tables:
            continue
        shared = set(lk.model.tables[history].columns) & set(lk.model.tables[of].columns)
        for column in shared:
            out.update(str(v).lower() for v in lk.model.tables[of].columns[column].sample_values or ())
    return frozenset(out)


NOW: Final = r"(?:today|now|currently|at present|right now)"
HELD_TODAY: Final = re.compile(
    rf"\b(?:(?:current|present|today's|todays) (?:card type|card|tier)s?"
    rf"|{CARD_WORDS} (?:(?:that |which )?(?:customers|customer|they|people|cardholders|cardholder|each customer) )?"
    rf"(?:currently )?(?:hold|have|has|held|holding|had)(?: {NOW})?(?= |$)"
    rf"|{CARD_WORDS} (?:held |holding )?{NOW})"
)


def held_today(lk: Lookups, tokens: list[Token]) -> bool:
    """'split by the card type customers hold today', 'by current card type', 'Premium vs Standard
    cardholders', 'customers who hold a Premium card': the card is the one each customer holds now."""
    if any(True for _ in pattern_spans(HELD_TODAY, tokens)):
        return True
    named = _card_values_pattern(lk)
    if named is None:
        return False
    holders = re.compile(
        rf"\b(?:(?:{named})(?: card)? (?:holder|holders|cardholder|cardholders|customer|customers|member|members"
        rf"|client|clients)\b|(?:customer|customers|cardholder|cardholders|people|member|members|client|clients|who)"
        rf" (?:who )?(?:hold|holds|have|has|holding|having|with|on) (?:a |an |the )?(?:{named})\b)"
    )
    return any(True for _ in pattern_spans(holders, tokens))
