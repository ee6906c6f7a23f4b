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
        shown = tuple(dict.fromkeys(Option(e.table, e.column) for e in named.of("fact")))
        if shown and shown not in r.columns:
            r.columns.append(
                shown
            )  # a listing shows the column named beside its ratio ("their credit limit")
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


USE_WORDS = frozenset({"use", "using", "used", "uses", "utilize", "utilizing", "utilise", "utilising"})


def how_much_used(lk: Lookups, r: Reading) -> Refusal | None:
    """'how much of it is she using?' (after 'her credit limit'), 'how much of their credit limit do they use': the
    part of a column in use is the ratio the vocabulary declares for a percentage of it (credit utilization),
    shown beside the column; only about one named customer and with a verb of use."""
    if not any(t.lemma in USE_WORDS or t.norm in USE_WORDS for t in r.tokens):
        return None
    if not any(i.kind == "LEX" and any(e.identifier for e in i.entries) for i in r.items):
        return None  # "how much of their limit do Premium customers use": each one's, or on average? not read
    items = r.items
    for idx, item in enumerate(items):
        if (
            item.used
            or item.kind != "HOWMUCH"
            or item.end >= len(r.tokens)
            or r.tokens[item.end].lemma != "of"
        ):
            continue
        target = next_item(items, idx)
        if target is None or any(t.lemma not in OWNERS for t in r.tokens[item.end + 1 : target.start]):
            continue
        if target.kind == "PRONOUN":  # "of it": the column named before
            named = next((i for i in reversed(items[:idx]) if i.kind == "LEX" and i.of("fact")), None)
        elif target.kind == "LEX" and target.of("fact"):
            named = target
        else:
            continue
        ratio = ratio_of(lk, named) if named is not None else None
        if named is None or ratio is None:
            continue
        option, note = ratio
        item.used = target.used = True
        shown = tuple(dict.fromkeys(Option(e.table, e.column) for e in named.of("fact")))
        if shown and (named is target or not named.used):
            named.used = True
            r.columns.append(shown)
        r.columns.append((option,))
        r.notes.append(note)
    return None
