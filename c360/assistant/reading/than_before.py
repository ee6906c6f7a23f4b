"""'How many customers spent less in the last 90 days than in the 90 days before?': each customer's own
comparison of the two windows, which the profile stores for the last 90 days vs the 90 days before
(spend_change_amount = spend_last_90_days - spend_prior_90_days). *Spent less* is a change below zero, *spent
more* one above it — in dollars, so a customer with no spend in the earlier window who spent since counts as
spending more (the percent change is empty for them). Read only for spend said with *less / more / lower /
higher* right after it and the stored windows exactly (the last 90 days, the 90 days before); any other window or
measure stays refused by rolling.window_before (each row's change of another window is not stored)."""

from __future__ import annotations

from typing import Final

from c360.assistant.query import Condition, Option
from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups
from c360.assistant.reading.rolling import AMOUNT, CHANGE_DAYS, PROFILE

DIRECTION: Final = {"less": "<", "lower": "<", "more": ">", "higher": ">"}


def spent_than_before(lk: Lookups, r: Reading) -> Refusal | None:
    before = next((i for i in r.items if i.kind == "PRIORWINDOW" and not i.used), None)
    if before is None:
        return None
    written, _, connector = before.arg.partition("|")
    window = r.window
    if connector != "than" or window is None or window.end is not None or window.days != CHANGE_DAYS:
        return None
    if written and int(written) != CHANGE_DAYS:
        return None
    spend = next(
        (
            i
            for i in r.items
            if lk.is_spend(i)
            and not i.used
            and i.end < len(r.tokens)
            and r.tokens[i.end].lemma in DIRECTION
            and i.end < before.start
        ),
        None,
    )
    if spend is None:
        return None
    word = r.tokens[spend.end].lemma
    spend.used = before.used = True
    r.window = None
    r.add(Condition((Option(PROFILE, AMOUNT),), DIRECTION[word], (0,)), spend.start)
    r.notes.append(
        f"spent {word} in the last {CHANGE_DAYS} days than in the {CHANGE_DAYS} days before: the profile's spend "
        f"change in dollars {'below' if DIRECTION[word] == '<' else 'above'} 0"
    )
    return None
