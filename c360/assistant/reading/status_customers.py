"""Customers counted by the status of their transactions in a period.

Declined: 'how many customers had a declined transaction last month?',
'customers who made a declined purchase in the last 30 days', 'number of customers with declines this year'.

The customer count over transactions counts customers with an APPROVED transaction (active customers); read
with "declined" it had answered the active customers beside the number of declines (or, with the status as a
filter, zero) — both wrong. A customer count whose rows are qualified by a status other than approved (the
declined count named right after the customers, or a status value filtered on) is the count of customers with
such a row: `fct_transactions.declined_customer_count`.
"""

from __future__ import annotations

from c360.assistant.query import Condition, Measure, Option
from c360.assistant.reading.items import Reading, Refusal, prev_item
from c360.assistant.reading.lookups import Lookups

DECLINED_COUNT = "declined_transaction_count"
ACTIVE_COUNT = "active_customer_count"
CUSTOMER_COUNTS = frozenset({ACTIVE_COUNT, "customer_count"})  # "how many customers" names the count itself


def declined_customers(lk: Lookups, r: Reading) -> Refusal | None:
    del lk
    counts = [m for m in r.measures if any(o.column == ACTIVE_COUNT for o in m.options)]
    if len(counts) != 1:
        return None
    declines = [m for m in r.measures if any(o.column == DECLINED_COUNT for o in m.options)]
    status = _not_approved(r)
    named_after = any(
        i.kind == "LEX"
        and any(e.column == DECLINED_COUNT for e in i.of("metric"))
        and (before := prev_item(r.items, idx)) is not None
        and before.kind == "LEX"
        and (bool(before.of("entity")) or any(e.column in CUSTOMER_COUNTS for e in before.of("metric")))
        for idx, i in enumerate(r.items)
    )
    if not (status or (declines and named_after)):
        return None
    table = next(o.table for o in counts[0].options if o.column == ACTIVE_COUNT)
    measure = Measure("declined_customer_count", (Option(table, "declined_customer_count"),))
    r.measures = [measure if m is counts[0] else m for m in r.measures if m not in declines or status]
    r.order = [o for o in r.order if o.measure is None or o.measure not in declines]
    return None


def active_in_period(lk: Lookups, r: Reading) -> Refusal | None:
    """'How many customers were active in March 2026?': active IN a period is an approved transaction in it (the
    count over transactions the period already applies to), not also today's status — a customer active in March
    who has lapsed since was left out."""
    del lk
    if r.window is None or not any(o.column == ACTIVE_COUNT for m in r.measures for o in m.options):
        return None
    r.conditions = [
        c
        for c in r.conditions
        if not (
            c.op == "in" and c.values == ("Active",) and any(o.column == "customer_status" for o in c.options)
        )
    ]
    return None


DECLINE_RATE = "decline_rate_pct"
TRANSACTION_COUNTS = frozenset(
    {"attempted_transaction_count", "transaction_count", "total_customer_transactions"}
)


def declines_beside_their_rate(lk: Lookups, r: Reading) -> Refusal | None:
    """'How many transactions were declined YTD, and what's the decline rate?': 'declined' names the count, not a
    filter on every figure (a decline rate of declined attempts is always 100 %). With the rate asked, a filter on
    a declined status becomes the declined count of the attempts counted; anything else beside it is refused."""
    del lk
    if not any(o.column == DECLINE_RATE for m in r.measures for o in m.options):
        return None
    status = _not_approved(r)
    if not status:
        return None
    others = [m for m in r.measures if not any(o.column == DECLINE_RATE for o in m.options)]
    if any(not any(o.column in TRANSACTION_COUNTS for o in m.options) for m in others):
        return Refusal("incomplete", "I can't tell which figures the declined status should filter here.")
    table = next(o.table for m in r.measures for o in m.options if o.column == DECLINE_RATE)
    declined = Measure(DECLINED_COUNT, (Option(table, DECLINED_COUNT),))
    r.measures = [declined if m in others else m for m in r.measures]
    r.conditions = [c for c in r.conditions if c not in status]
    return None


def _not_approved(r: Reading) -> list[Condition]:
    """The reading's filters on a transaction status other than approved ('declined')."""
    return [
        c
        for c in r.conditions
        if c.op == "in" and any(o.column == "status" for o in c.options) and "approved" not in c.values
    ]
