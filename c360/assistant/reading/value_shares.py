"""Every value of one column set against the others, then a share: "Online vs in-store vs mobile: share of spend
in the last 90 days", "Premium vs Standard - what percentage of customers?". Each value's share of the whole
(the column grouped, its percentage of the total), not one share of all the values together (always 100 %).
Values that do not cover the column (*Dining vs Groceries*: a share of all spend or of the two?) are refused.
Without *vs*, a share of a list that names every value of the column ("what share of spend went through online,
in-store and mobile?") is each value's share too: their share together is always 100 %."""

from __future__ import annotations

from c360.assistant.query import Dimension
from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups

VERSUS = frozenset({"vs", "versus", "compare"})  # "compare California and Texas share of spend"


def every_value_share(lk: Lookups, r: Reading) -> Refusal | None:
    shares = [i for i in r.items if i.kind in ("SHARE", "PCTTOTAL") and not i.used]
    versus = [i for i in r.items if i.kind == "COMPARE" and i.tokens[0].lemma in VERSUS]
    if not shares:
        return None
    listed = [
        c
        for c in r.conditions
        if c.op == "in" and c.measure is None and not c.either and len(c.values) >= 2 and c.options
    ]
    if len(listed) != 1:
        return None
    cond = listed[0]
    option = cond.options[0]
    column = lk.model.tables[option.table].columns[option.column or ""]
    every = set(column.sample_values)
    if not versus and (not column.is_enum or {str(v) for v in cond.values} != every):
        return None  # "share of spend online or mobile": the share of those together
    if not column.is_enum or {str(v) for v in cond.values} != every:
        named = " vs ".join(str(v) for v in cond.values)
        return Refusal(
            "incomplete",
            f"I can't tell whether the share of {named} is of everything or of those listed; ask for the share "
            f"by {column.name.replace('_', ' ')} (every value's share of the total).",
        )
    r.conditions.remove(cond)
    r.dimensions.append(Dimension(cond.options))
    r.shares_per_group = True
    for item in versus:
        item.used = True
    return None
