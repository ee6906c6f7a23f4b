"""Grouping: "by state", "per segment", "which states ...", time grains, and comparisons of groups
("California vs Texas" groups by state)."""

from __future__ import annotations

from c360.assistant.query import Dimension, Grain, Measure, Option, TimeWindow
from c360.assistant.reading.items import Item, Reading, Refusal, back_reference, next_item
from c360.assistant.reading.lookups import Lookups
from c360.assistant.reading.yesno import is_yes_no
from c360.assistant.timeframe import UNITS, current_period_start


# grouping: "by state", "per segment", "across card types", "which states", "monthly"
def groupings(lk: Lookups, r: Reading) -> Refusal | None:
    items = r.items
    trailing: Item | None = None
    for idx, item in enumerate(items):
        if item.used or item.kind != "GROUP":
            continue
        nxt = next_item(items, idx)
        if nxt is None and (back_reference(item) or _each_after_count(items, idx)):
            trailing = item  # "by segment - how many are in each?": the groups named before, judged below
            continue
        if nxt is None:
            return Refusal("incomplete", f"I can't tell what to group by after {item.text!r}.")
        if nxt.kind == "LEX" and nxt.of("dimension", "time_dimension") and not nxt.used:
            item.used = nxt.used = True
            r.dimensions.append(lk.dimension(nxt))
        elif nxt.kind == "LEX" and nxt.of("metric", "fact"):
            if any(i.kind == "DIST" for i in items) and not nxt.of("metric"):
                return Refusal(
                    "incomplete", f"I can't split the rows into ranges of {nxt.text!r} (such as age bands)."
                )
            continue  # "top 10 by churn risk": an ordering, handled by _ranking
        elif (
            nxt.kind == "LEX"
            and nxt.of("entity", "table")
            and item.tokens[0].lemma in ("per", "each", "across", "among")
        ):
            item.used = True  # "average spend per customer", "across customers"
        elif nxt.kind == "TIME" and nxt.span and nxt.span.grain:
            item.used = True
        elif nxt.kind == "TIME" and nxt.span and nxt.span.window and _unit_of(nxt) is not None:
            item.used = True  # "for each of the last 6 complete months": by month, over that window
            r.grain = _unit_of(nxt)
        elif nxt.kind in ("COUNT", "SHARE") or (
            nxt.kind == "LEX" and nxt.of("value") and _measure_follows(items, idx + 1)
        ):
            continue  # "top 5 states by number of ...", "by approved spend": what a ranking ranks by
        elif item.tokens[0].lemma == "by" and nxt.kind in ("SUPER", "AGG"):
            continue
        elif (
            len(item.tokens) == 1
            and item.tokens[0].lemma == "by"
            and nxt.kind == "LEX"
            and nxt.of("value", "filter")
            and not nxt.of("dimension")
        ):
            item.used = True  # "held by the Northeast", "made by Premium cardholders": who, not a grouping
        elif item.tokens[0].lemma in ("each", "per", "across", "among"):
            continue  # "each" as a determiner; judged at the end
        else:
            return Refusal("incomplete", f"I can't group by {nxt.text!r}: it is not a dimension of the data.")
    # "which states ...", "what segment ..." (aggregate questions): group by the named dimension
    for idx, item in enumerate(items):
        if item.kind != "WH":
            continue
        nxt = next_item(items, idx)
        if nxt is not None and nxt.kind == "UNIT" and r.grain is None:  # "which day in November ..."
            item.used = nxt.used = True
            r.grain = _unit_of(nxt)  # the unit the UNIT item names (its arg)
            r.singular_group = nxt.tokens[-1].norm == nxt.tokens[-1].lemma
            if len(nxt.tokens) > 1 and r.window is None:  # "which complete month": before the current one
                start = current_period_start(r.grain or "", lk.as_of)
                r.window = TimeWindow(None, start, f"complete {r.grain}s (before {start.isoformat()})")
            continue
        after = next_item(items, idx, 2)
        if (  # "which customer state ...": the rows' noun, then the grouped column
            nxt is not None
            and nxt.kind == "LEX"
            and nxt.of("entity")
            and not nxt.of("dimension", "metric", "fact")
            and after is not None
            and after.kind == "LEX"
            and after.of("dimension")
            and any(e.table == nxt.of("entity")[0].table for e in after.of("dimension"))
        ):
            nxt.used = True
            nxt = after
        if (
            nxt is not None
            and nxt.kind == "LEX"
            and not nxt.used
            and nxt.of("dimension", "time_dimension")  # "which calendar month had the highest spend"
            and not nxt.of("value")
            and (
                r.lookup is None or bool(r.measures) or _asks_a_measure(items)
            )  # "which segment is CUST00000007 in?": a column
        ):
            item.used = nxt.used = True
            if nxt.of("dimension"):
                r.dimensions.append(lk.dimension(nxt))
            elif r.grain is None:  # "which calendar month ...": by month, on whatever table measures it
                r.grain = "month"
            if nxt.tokens[-1].norm == nxt.tokens[-1].lemma:
                r.singular_group = True
        item.used = True
    if trailing is not None:
        if not r.dimensions and r.grain is None:
            return Refusal("incomplete", f"I can't tell what to group by after {trailing.text!r}.")
        trailing.used = True
    if r.grain:
        dim = time_grain_dimension(lk, r)
        r.dimensions.append(dim)
    elif r.trend:
        r.grain = "month"
        r.dimensions.append(time_grain_dimension(lk, r))
    return None


def _each_after_count(items: list[Item], idx: int) -> bool:
    """'how many of each?': 'each' closing a count of the groups named before."""
    before = items[idx - 1] if idx else None
    return items[idx].text.lower() == "each" and before is not None and before.kind == "COUNT"


def time_grain_dimension(lk: Lookups, r: Reading) -> Dimension:
    options = tuple(Option(t, c) for t, c in lk.vocab.default_time_dimension.items())
    if r.window and r.window.time_dimension:
        options = r.window.time_dimension
    return Dimension(options, grain=r.grain)


COMPARATIVE_WORDS = {
    "higher": "more", "greater": "more", "larger": "more", "bigger": "more", "more": "more",
    "lower": "less", "smaller": "less", "less": "less", "fewer": "less", "older": "more", "younger": "less",
}  # fmt: skip
RANGE_OPS = frozenset({">", ">=", "<", "<=", "between"})
AGE_COMPARATIVES = frozenset({"older", "younger"})  # "are Declining customers older than ...": their age


def comparative(lk: Lookups, r: Reading) -> Refusal | None:
    """'Do Premium customers have a higher average churn score than Standard ones?', 'Is utilization higher
    for Declining customers or for Stable Mid-Spenders?': the measure per group of the compared column (the
    groups named; every group for 'than the others'), answered yes/no (or which one) from that comparison."""
    if not is_yes_no(r.tokens) and not any(i.kind == "COMPARATIVE" for i in r.items):
        return None
    word = next((i for i in r.items if _comparative(i)), None)
    if word is None:
        return None
    groups = [c for c in r.conditions if c.op == "in" and c.measure is None and len(c.options) and c.values]
    compared = next((c for c in groups if len(c.values) >= 2), None)
    others = any(t.lemma in ("other", "others", "rest", "everyone", "everybody") for t in r.tokens)
    if compared is None and others and groups:
        compared = groups[-1]  # "... than the others": every group of that column
    direction, _, own_column = word.arg.partition("|") if word.kind == "COMPARATIVE" else ("", "", "")
    if word.tokens[0].lemma in AGE_COMPARATIVES:
        own_column = lk.vocab.age_fact  # "are Declining customers older than ...": their age
    named = r.measures or any(i.kind == "LEX" and i.of("metric", "fact") for i in r.items)
    if compared is None or not (named or own_column):
        return Refusal("incomplete", "I can't tell which groups to compare or on what measure.")
    word.used = True
    if own_column and not named:  # "are unemployed customers riskier than employed ones?": the churn score
        table, _, column = own_column.partition(".")
        declared = lk.declared_metric(table, column, "avg")
        option = Option(table, declared) if declared else Option(table, column, aggregation="avg")
        r.measures.append(Measure(declared or f"avg_{column}", (option,)))
    more = (direction or COMPARATIVE_WORDS[word.tokens[0].lemma]) == "more"
    if len(compared.values) == 1:
        r.conditions.remove(compared)
    either = id(compared) in r.disjunctive and len(compared.values) == 2
    r.dimensions.append(Dimension(compared.options))
    r.claim = ("" if either else str(compared.values[0]), more)  # "A or B": which one
    return None


def _comparative(item: Item) -> bool:
    """A comparative adjective without a number after it ('higher than 50' is a comparison)."""
    if item.kind == "COMPARATIVE":
        return True
    return (
        item.kind in ("CMP", "AGECMP") and item.tokens[0].lemma in COMPARATIVE_WORDS and len(item.tokens) == 2
    )


# "compare California and Texas", "Premium vs Standard": group by the compared dimension
def compare_groups(lk: Lookups, r: Reading) -> Refusal | None:
    for item in r.items:  # "lapsed vs active customers" on two different columns: no one grouping shows it
        if item.kind != "COMPARE" or item.tokens[0].lemma not in ("vs", "versus", "against", "compared"):
            continue
        before = [c for c in r.conditions if r.position(c) < item.start and c.measure is None]
        after = [c for c in r.conditions if r.position(c) > item.start and c.measure is None]
        if before and after:
            left, right = max(before, key=r.position), min(after, key=r.position)
            if left.subject != right.subject and left.op in ("in", "named") and right.op in ("in", "named"):
                return Refusal(
                    "incomplete",
                    f"I can only compare groups of one column; {item.text!r} joins two different ones here.",
                )
            if left.op in RANGE_OPS and right.op in RANGE_OPS:  # "older than 50 vs younger than 30"
                return Refusal(
                    "incomplete", "I can't compare ranges of a number as groups (such as age bands)."
                )
    compare = any(i.kind in ("COMPARE", "BETWEEN") for i in r.items)
    for i in r.items:
        if i.kind in ("COMPARE", "BETWEEN", "TOGETHER"):
            i.used = True
    r.together = any(i.kind == "TOGETHER" for i in r.items)
    if not r.measures or r.together:
        return None
    grouped = {d.concept for d in r.dimensions}
    for cond in r.conditions:
        if cond.op == "in" and (len(cond.values) > 1 or compare) and cond.options and cond.options[0].column:
            if compare and len(cond.values) == 1:
                continue  # "compare Premium customers' LTV across segments" is handled by the grouping
            if id(cond) in r.disjunctive and not compare:
                continue  # "at medium or high churn risk": one filter
            if r.tokens[r.position(cond)].aside:
                continue  # "(Airlines, Hotels, Travel, Car Rental)": explains a filter, no grouping
            dim = Dimension(cond.options)
            if dim.concept not in grouped:
                r.dimensions.append(dim)
                grouped.add(dim.concept)
    return None


def _asks_a_measure(items: list[Item]) -> bool:
    return any(i.kind == "LEX" and not i.used and i.of("metric") and not i.of("entity") for i in items)


def _measure_follows(items: list[Item], idx: int) -> bool:
    for nxt in items[idx + 1 : idx + 3]:
        if nxt.kind == "LEX" and nxt.of("metric", "fact"):
            return True
        if not (nxt.kind == "LEX" and nxt.of("value")):
            return False
    return False


def _unit_of(item: Item) -> Grain | None:
    """The calendar unit a window counts in ('the last 6 complete months' -> month)."""
    for token in reversed(item.tokens):
        unit = UNITS.get(token.lemma)
        if unit is not None:
            return unit
    return None
