"""A percentage of a column: 'customers using more than 30% of their credit limit', '... above $40k using over
half ... of it'.

Compared as written, "more than 40% of their credit limit" had read as `credit_limit > 40` (a wrong answer). A
percentage followed by "of <column>" (or "of it" after the column was named) is the column's ratio that the
vocabulary declares (`entities.*.percent_of`: credit limit → credit utilization, the spend-based proxy the data
dictionary defines — the platform has no balances, and the answer says which column it read). A percentage of a
column with no declared ratio is refused: it is never compared with the column itself.
"""

from __future__ import annotations

from c360.assistant.query import Condition, Option
from c360.assistant.reading.items import Item, Reading, Refusal, next_item
from c360.assistant.reading.lookups import Lookups

OWNERS = frozenset({"the", "their", "his", "her", "its", "our", "your", "a", "an"})  # "of their credit limit"


def percent_of_column(lk: Lookups, r: Reading) -> Refusal | None:
    items = r.items
    for idx, item in enumerate(items):
        num = next_item(items, idx)
        if (
            item.used
            or item.kind != "CMP"
            or num is None
            or num.kind != "NUM"
            or not num.tokens[0].is_percent
        ):
            continue
        if num.end >= len(r.tokens) or r.tokens[num.end].lemma != "of":
            continue
        target = next_item(items, idx, 2)
        if target is None or any(t.lemma not in OWNERS for t in r.tokens[num.end + 1 : target.start]):
            continue
        if target.kind == "PRONOUN":  # "of it": the column named before
            named = next((i for i in reversed(items[:idx]) if i.kind == "LEX" and i.of("fact")), None)
        elif target.kind == "LEX" and target.of("fact", "metric"):
            named = target
        else:
            continue
        if named is None:
            continue
        ratio = ratio_of(lk, named)
        if ratio is None:
            return Refusal(
                "incomplete", f"I can't compare {num.text} of {named.text!r}: the data has no such ratio."
            )
        option, note = ratio
        item.used = num.used = target.used = True
        r.add(Condition((option,), item.arg, (num.number or 0.0,)), item.start)
        r.notes.append(note)
    return None


def ratio_of(lk: Lookups, named: Item) -> tuple[Option, str] | None:
    for entry in named.of("fact", "metric"):
        declared = (lk.vocab.entities.get(entry.table, {}).get("percent_of") or {}).get(
            _base(lk, entry.table, entry.column)
        )
        if declared:
            return Option(entry.table, str(declared["column"])), " ".join(str(declared["note"]).split())
    return None


def _base(lk: Lookups, table: str, column: str | None) -> str | None:
    """A metric's aggregated column ('average credit limit' → credit_limit), or the column itself."""
    spec = lk.model.tables[table].columns.get(column or "")
    return spec.base_column if spec is not None and spec.kind == "metric" and spec.base_column else column
