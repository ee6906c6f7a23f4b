"""Rows with no activity in a calendar period: "how many customers had no spend last month", "customers with no
transactions in October", "Premium customers who didn't buy anything in Q3". The period belongs to the activity
(no approved transaction of the customer dated in it: an anti-join on the transactions), not to the rows, so it
is taken out of the question's window. A trailing 'no transaction in over 60 days' stays the recency column
(conditions.inactive)."""

from __future__ import annotations

import re
from typing import Final

from c360.assistant.query import Condition, Option
from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups
from c360.assistant.text import Token, pattern_spans

ACTIVITY: Final = "spend|spending|spent|transaction|transact|purchase|buy|bought|shop|shopping|activity"
NEGATION: Final = (
    r"(?:no|zero|not any|without any|without|never|"
    r"(?:did|do|does|have|has|had) not (?:make |made |have |had )?(?:any )?|"
    r"(?:didnt|dont|doesnt|havent|hasnt|hadnt) (?:make |made |have |had )?(?:any )?)"
)
ABSENT: Final = re.compile(rf"\b{NEGATION} ?(?:approved )?(?:{ACTIVITY})(?: anything| at all)?\b")


def absent_spans(tokens: list[Token]) -> dict[int, int]:
    """{start: end} over token indices of 'no spend', "didn't buy anything", 'without any purchases'."""
    return {start: end for start, end, _ in pattern_spans(ABSENT, tokens)}


def no_activity(lk: Lookups, r: Reading) -> Refusal | None:
    item = next((i for i in r.items if i.kind == "ABSENT"), None)
    if item is None:
        return None
    item.used = True
    window = r.window
    if (window is None or window.start is None) and item.tokens[0].lemma == "never":
        ever = _never_filter(lk, item.tokens)
        if ever is not None:  # "never bought anything": no approved transaction on record (a named filter)
            r.add(Condition((ever,), "named"), item.start)
            return None
    if window is None or window.start is None:
        return Refusal(
            "incomplete", "Name the period without activity, e.g. 'customers with no spend last month'."
        )
    status = lk.vocab.status_column
    activity = status.partition(".")[0] if status else ""
    rows = r.entity or next((t for t in lk.vocab.anchor_preference if lk.model.join_path(activity, t)), None)
    key = next(iter(lk.model.tables[rows].primary_key), None) if rows else None
    if not activity or rows is None or key is None or not lk.model.join_path(activity, rows):
        return Refusal("incomplete", "I can't tell whose activity to look for in that period.")
    r.add(Condition((Option(rows, key),), "absent", (window.start, window.end)), item.start)
    r.window = None
    r.notes.append(f"customers with no approved transaction in the period ({window.label})")
    return None


def _never_filter(lk: Lookups, tokens: tuple[Token, ...]) -> Option | None:
    """The named filter the words mean ('never bought anything' is a synonym of never_transacted), if one."""
    entries = lk.lex.phrases.get(tuple(t.lemma for t in tokens)) or []
    return next((Option(e.table, filter=e.filter) for e in entries if e.kind == "filter"), None)
