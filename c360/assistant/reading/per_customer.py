"""Spend per customer: "which region spends the most per customer?", "spend per customer by card type". A
customer's spend is the average monthly spend (docs/assistant.md: "average spend" of customers), so spend named
without an aggregation and followed by 'per customer' is that average — before, 'per customer' was dropped and
the groups' total lifetime spend answered. A total per customer ("total spend per customer") or a window (the
average is a fixed 90-day measure) is refused: each customer's lifetime total averaged, or a monthly figure?"""

from __future__ import annotations

from dataclasses import replace

from c360.assistant.query import Measure, Option
from c360.assistant.reading.items import Reading, Refusal, next_item
from c360.assistant.reading.lookups import Lookups

AVERAGE_SPEND = ("average", "spend", "per", "customer")  # the model's synonym for the average monthly spend
TOTAL_WORDS = frozenset({"total", "sum", "overall", "lifetime", "all"})


def _unclear() -> Refusal:
    return Refusal(
        "incomplete",
        "I can't tell which spend per customer you mean: ask for the average monthly spend per customer, "
        "or each customer's total (lifetime value).",
    )


def spend_per_customer(lk: Lookups, r: Reading) -> Refusal | None:
    customers = lk.vocab.anchor_preference[0]
    per = next(
        (
            item
            for idx, item in enumerate(r.items)
            if item.kind == "GROUP"
            and len(item.tokens) == 1
            and item.tokens[0].lemma == "per"
            and (noun := next_item(r.items, idx)) is not None
            and noun.kind == "LEX"
            and any(e.table == customers for e in noun.of("entity"))
            and not noun.of("dimension", "metric", "fact")
        ),
        None,
    )
    spend = [i for i in r.items if lk.is_spend(i)]
    if per is None or len(spend) != 1 or len(r.measures) != 1:
        return None
    named_total = {
        (e.table, e.column)
        for e in spend[0].of("metric")
        if lk.model.tables[e.table].columns[e.column or ""].expr.strip().upper().startswith("SUM(")
    }
    if not named_total or not {(o.table, o.column) for o in r.measures[0].options} <= named_total:
        return None  # "the spend lift per customer": another measure, only named with the spend word
    aggregations = [i for i in r.items if i.kind == "AGG"]
    if any(a.arg == "avg" for a in aggregations):
        return None  # "average spend per customer": read as it is
    if aggregations or r.window is not None:
        return _unclear()
    if any(t.lemma in TOTAL_WORDS for t in spend[0].tokens):
        return _unclear()  # "total spend per customer"
    named = [e for e in lk.lex.phrases.get(AVERAGE_SPEND, []) if e.kind == "metric" and e.table == customers]
    if len(named) != 1:
        return None
    average = Measure(named[0].column or "value", (Option(customers, named[0].column),))
    before = r.measures[0]
    r.measures[0] = average
    r.order[:] = [replace(o, measure=average) if o.measure == before else o for o in r.order]
    r.notes.append("spend per customer: the average monthly spend (last 90 days ÷ 3) of a customer")
    return None
