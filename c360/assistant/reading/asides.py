"""Why the asker asks, not what: a clause in the first person set off by a dash or a sentence break ("I'm
planning the travel card push - how many customers ...", "Top 10 lapsed customers by LTV - I want to try to win
them back"). When the words the reader does not know all sit in such clauses, the question is read without them
and the answer says what was left out. A clause with a number or a negation is never left out (it may be a
condition), and neither is anything outside the first person (or its subjectless form: "Thinking about a win-back
push.", "Prepping the board deck - ...")."""

from __future__ import annotations

import re
from collections.abc import Sequence

SEPARATORS = re.compile(r"\s+[-\u2013\u2014]+\s+|(?<=[.;:!?])\s+")
FIRST_PERSON = re.compile(
    r"^(?:i|i'm|im|i am|i'd|i've|we|we're|we'd|we've|my|our team|for my|for our)\b", re.I
)
# the same clause with its subject left out, as people type it: "Thinking about a win-back push.", "Prepping the
# QBR deck - ...", "Just curious.", and what the list is for: "That's my upsell list."
WHY_OPENERS = re.compile(
    r"^(?:thinking (?:about|of)|planning|considering|looking to|trying to|want to|wanting to|hoping to|prepping"
    r"|preparing (?:for|a|the)|working on|just curious|curious|asking (?:for|because)|need (?:this|it) for"
    r"|this is for|it's for|its for|that's (?:my|our)|thats (?:my|our)|that is (?:my|our)|this is (?:my|our))\b",
    re.I,
)
KEEP = re.compile(r"\d|\b(?:not|no|never|nothing|none|without|except|excluding|only)\b|n't\b", re.I)


def without_context(question: str, unknown: Sequence[str]) -> tuple[str, str] | None:
    """(the question without its first-person context clauses, what was left out), when every unknown word is
    in those clauses; None otherwise."""
    clauses = [c for c in SEPARATORS.split(question.strip()) if c.strip()]
    if len(clauses) < 2:
        return None
    dropped = [
        c
        for c in clauses
        if (FIRST_PERSON.match(c.strip()) or WHY_OPENERS.match(c.strip())) and not KEEP.search(c)
    ]
    kept = [c for c in clauses if c not in dropped]
    if not dropped or not kept:
        return None
    left_out = " ".join(dropped).lower()
    if any(re.search(rf"\b{re.escape(w.lower())}\b", left_out) is None for w in unknown):
        return None
    if any(re.search(rf"\b{re.escape(w.lower())}\b", " ".join(kept).lower()) for w in unknown):
        return None
    return " ".join(c.strip() for c in kept), " / ".join(c.strip(" .;:!?-") for c in dropped)
