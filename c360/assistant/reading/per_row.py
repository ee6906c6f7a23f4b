"""A measure and 'per customer' apart: "what's the cost of the campaign per customer?", "what do we assume per
customer for the offer cost?". When the measure's own words followed by the 'per <noun>' phrase name another
column ("cost per customer" is cost_per_customer, not campaign_cost), that column is asked for — one item, one
reading. Before this the 'per customer' was dropped and the total cost answered (a wrong answer). Nothing else
changes: a 'per <noun>' whose words name no such column stays what the other passes read (a grouping, or an
aggregation said after the measure)."""

from __future__ import annotations

from c360.assistant.lexicon import Entry
from c360.assistant.reading.items import Item, Reading, Refusal
from c360.assistant.reading.lookups import Lookups
from c360.assistant.text import tokenize


def measure_per_row(lk: Lookups, r: Reading) -> Refusal | None:
    for idx, per in enumerate(r.items[:-1]):
        noun = r.items[idx + 1]
        if per.used or per.kind != "GROUP" or [t.lemma for t in per.tokens] != ["per"]:
            continue
        if noun.used or noun.kind != "LEX" or not noun.of("entity"):
            continue
        suffix = tuple(t.lemma for t in (*per.tokens, *noun.tokens))
        found = []
        for item in r.items:
            if item.used or item.kind != "LEX" or item in (per, noun) or not item.of("fact", "metric"):
                continue
            measures = _per_row_measures(lk, item, suffix)
            if measures:
                found.append((item, measures))
        if len(found) != 1:
            continue  # none, or more than one measure it could belong to: left as it was
        item, measures = found[0]
        item.entries = measures
        per.used = noun.used = True
    return None


def _per_row_measures(lk: Lookups, item: Item, suffix: tuple[str, ...]) -> tuple[Entry, ...]:
    """The measures that the item's words, or another name of its column ('cost of the campaign' is also
    'cost'), name with the 'per <noun>' after them — only when they are one column of the item's table."""
    names = [tuple(t.lemma for t in item.tokens)]
    for entry in item.of("fact", "metric"):
        column = lk.model.tables[entry.table].columns[entry.column or ""]
        names.extend(tuple(t.lemma for t in tokenize(s)) for s in column.synonyms)
    tables = {e.table for e in item.of("fact", "metric")}
    hits: dict[str, tuple[Entry, ...]] = {}
    for name in names:
        entries = lk.lex.phrases.get((*name, *suffix), [])
        measures = tuple(e for e in entries if e.kind in ("fact", "metric") and e.table in tables)
        if measures:
            facts = {f"{o.table}.{o.column}" for o in lk.facts_of(Item("LEX", 0, 0, (), entries=measures))}
            hits["|".join(sorted(facts))] = measures
    return next(iter(hits.values())) if len(hits) == 1 else ()
