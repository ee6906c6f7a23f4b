"""The money of rows named after 'of': "the total amount of declined transactions", "the total value of
transactions last month", "the dollar amount of online purchases".

Two readings that lost the money went wrong before: a count named right after "<measure> of" ("declined
transactions" is also the declined-attempt count) became a second measure beside the spend, and "value" (an
everyday word elsewhere) between an aggregate and "of <rows>" was dropped, so "the total value of
transactions" counted them. Here the count's words are read again as the rows and their value ("declined" +
"transactions"), and "value / dollar amount of <rows>" is the rows' own size column
(`vocabulary.yaml: entities.<table>.size`: a transaction's amount).
"""

from __future__ import annotations

from c360.assistant.lexicon import Entry
from c360.assistant.reading.items import Item, Reading, Refusal
from c360.assistant.reading.lookups import Lookups

MONEY_WORDS = frozenset({"value", "dollar", "dollars"})


def money_of_rows(lk: Lookups, r: Reading) -> Refusal | None:
    items = r.items
    for idx, item in enumerate(items):
        if item.kind != "LEX" or not _of_before(r, item):
            continue
        before = items[idx - 1] if idx else Item("START", 0, 0, ())
        counts = [e for e in item.of("metric") if lk.is_count_metric(e)]
        money = _money_measure(before) or bool(
            {"dollar", "dollars"} & {t.lemma for t in r.tokens[before.end : item.start]}
        )
        if counts and money and len(item.tokens) > 1:
            parts = _split(lk, r, item)  # "amount of declined transactions": the declined ones, as rows
            if parts is not None:
                items[idx : idx + 1] = parts
                break
    for idx, item in enumerate(items):
        if item.kind != "AGG":
            continue
        size = _size_after(lk, r, item.end, items[idx + 1] if idx + 1 < len(items) else None)
        if size is not None:
            items.insert(idx + 1, size)
            return None
    for idx, item in enumerate(items):
        if item.kind == "LEX" and _of_before(r, item):
            start = items[idx - 1].end if idx else 0
            if not {"dollar", "dollars"} & {t.lemma for t in r.tokens[start : item.start]}:
                continue
            # "what is the dollar value of declined transactions": the total of their money
            size = _size_after(lk, r, start, item)
            if size is not None:
                total = Item("AGG", size.start, size.start, (), arg="sum")
                items[idx:idx] = [total, size]
                return None
    return None


def _of_before(r: Reading, item: Item) -> bool:
    return item.start > 0 and r.tokens[item.start - 1].lemma == "of"


def _money_measure(item: Item) -> bool:
    """A money fact or measure written before 'of' ('amount', 'total spend'), not a count."""
    return item.kind == "LEX" and bool(item.of("fact", "metric")) and not item.of("entity", "value")


def _split(lk: Lookups, r: Reading, item: Item) -> list[Item] | None:
    """The item's words read one phrase at a time: a value, then the rows' noun — or None."""
    parts: list[Item] = []
    i = item.start
    while i < item.end:
        upto = item.end - 1 if i == item.start else item.end  # shorter than the whole phrase
        found = lk.lex.match(r.tokens[:upto], i, False)
        if found is None:
            return None
        length, entries = found
        parts.append(Item("LEX", i, i + length, tuple(r.tokens[i : i + length]), entries=tuple(entries)))
        i += length
    if len(parts) < 2 or not parts[-1].of("entity") or not all(p.of("value") for p in parts[:-1]):
        return None
    return parts


def _size_after(lk: Lookups, r: Reading, begin: int, nxt: Item | None) -> Item | None:
    """'total value of transactions', 'the total dollar amount of ...': the money words sit between the
    aggregate and 'of' (everyday words, so no item of their own); the rows after 'of' say which size column."""
    between = r.tokens[begin : nxt.start] if nxt is not None else []
    words = [t.lemma for t in between]
    while words and words[0] in ("the", "a", "is", "was", "what"):
        words, begin = words[1:], begin + 1
    if not words or words[-1] != "of" or not any(w in MONEY_WORDS for w in words):
        return None
    if any(w not in MONEY_WORDS | {"amount", "of", "the"} for w in words):
        return None
    for later in [i for i in r.items if nxt is not None and i.start >= nxt.start]:
        if later.kind == "LEX" and later.of("value", "filter") and not later.of("entity"):
            continue  # "declined purchases", "online transactions": which rows
        entities = later.of("entity") if later.kind == "LEX" else []
        if not entities:
            return None
        table = entities[0].table
        size = lk.vocab.entities.get(table, {}).get("size")
        if not size:
            return None
        start = begin + next(i for i, w in enumerate(words) if w in MONEY_WORDS | {"amount"})
        tokens = tuple(r.tokens[start : nxt.start - 1]) if nxt is not None else ()
        return Item("LEX", start, start + len(tokens), tokens, entries=(Entry("fact", table, str(size)),))
    return None
