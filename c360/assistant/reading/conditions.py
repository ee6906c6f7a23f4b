"""Conditions: the time window, inactivity, numeric comparisons ("LTV above 100,000", "older than 60",
"over $5K a month") and values and named filters with their negation ("not in Texas", "High Risk")."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Final

from c360.assistant.lexicon import Entry
from c360.assistant.query import Condition, Dimension, Measure, Option, TimeWindow
from c360.assistant.reading import group_size
from c360.assistant.reading.items import Item, Reading, Refusal, explicit_aggregate, next_item, prev_item
from c360.assistant.reading.lookups import Lookups
from c360.assistant.text import Token
from c360.assistant.timeframe import complete_periods


def time_window(lk: Lookups, r: Reading) -> Refusal | None:
    merged = _listed_months(r)
    for item in r.items:
        if item.kind != "TIME" or (r.periods and item.used):  # "November vs October": read as two periods
            continue
        if any(item is m for m in merged):
            continue  # "Sep, Oct and Nov": read into the first month's window
        span = item.span
        assert span is not None
        if span.rate:
            continue  # consumed by the comparison it qualifies
        item.used = True
        if span.window:
            if r.window is not None:
                return Refusal(
                    "incomplete", "The question has two time windows; ask about one period at a time."
                )
            r.window = span.window
            if span.note:
                r.notes.append(span.note)
        if span.grain:
            r.grain = span.grain
        if span.trend:
            r.trend = True
    cue = time_cue(lk, r)
    if cue and r.window:
        r.window = TimeWindow(r.window.start, r.window.end, r.window.label, r.window.days, cue)
    return None


def _listed_months(r: Reading) -> list[Item]:
    """'Sep, Oct and Nov', 'September, October and November': three or more whole calendar months listed one
    after the other (joined by commas or 'and' only) are one window from the first to the last; the first
    item then holds it and the others are read. Two months stay two windows ('September and October' may be
    a comparison), and so do months that skip one."""
    listed: list[Item] = []
    for item in r.items:
        if item.used or item.kind not in ("TIME", "AND"):
            if len(listed) >= 3:
                break
            listed = []
            continue
        if item.kind == "AND":
            continue
        window = item.span.window if item.span is not None else None
        if window is None or window.start is None or window.end is None or not _one_month(window):
            if len(listed) >= 3:
                break
            listed = []
            continue
        last = listed[-1].span.window if listed and listed[-1].span is not None else None
        if last is not None and last.end != window.start:
            if len(listed) >= 3:
                break
            listed = []
        listed.append(item)
    if len(listed) < 3:
        return []
    first, final = listed[0], listed[-1]
    assert first.span is not None and final.span is not None
    start_window, end_window = first.span.window, final.span.window
    assert start_window is not None and end_window is not None
    window = replace(
        start_window,
        end=end_window.end,
        label=f"{start_window.label} to {end_window.label}",
        current=end_window.current,
    )
    first.span = replace(first.span, window=window)
    merged = r.items[r.items.index(first) + 1 : r.items.index(final) + 1]
    for item in merged:
        item.used = True
    return [i for i in merged if i.kind == "TIME"]


def _one_month(window: TimeWindow) -> bool:
    start, end = window.start, window.end
    assert start is not None and end is not None
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start.day == 1 and end == following and window.rolling is None


def whole_periods(lk: Lookups, r: Reading) -> Refusal | None:
    """'spend by month for the last 6 months', 'for each of the last 3 months': a series of whole periods (a
    rolling window would cut the first and the current one short and show them as if they were whole). A
    'trend over the last 6 months' is the same series: two blind writers read it as whole months, and a cut
    current month drawn as the last point of a trend looks like a collapse in spend."""
    window = r.window
    if window is None or window.rolling is None:
        return None
    grain: str | None = r.grain or next((d.grain for d in r.dimensions if d.grain), None)
    monthly = window.rolling[1] == "month" and any(t.norm == "monthly" for t in r.tokens)
    # 'the trend over the last 6 months', 'monthly spend for one customer over the last 6 months': by month
    series = grain or (window.rolling[1] if r.trend or monthly else None)
    if window.rolling[1] != series or series in (None, "day"):
        return None
    count, unit = window.rolling
    r.window = replace(complete_periods(count, unit, lk.as_of), time_dimension=window.time_dimension)
    r.notes.append(f"'{window.label}' by {unit} read as {r.window.label}")
    return None


def time_cue(lk: Lookups, r: Reading) -> tuple[Option, ...] | None:
    """'opened their account in 2026': the window is on the cue's date column when the two are next to
    each other; 'acquired customers ... this month' (apart) keeps the window on what is measured."""
    cue: tuple[Option, ...] | None = None
    times = [i for i, item in enumerate(r.items) if item.kind == "TIME" and item.span and item.span.window]
    for idx, item in enumerate(r.items):
        if item.kind == "CUE":
            item.used = True
            if not any(abs(idx - t) <= 2 for t in times):
                continue
            table, _, column = item.arg.partition(".")
            cue = cue or (Option(table, column),)
    return cue


def inactive(lk: Lookups, r: Reading) -> Refusal | None:
    for item in r.items:
        if item.kind == "RECENCY":  # "31 to 59 days since their last purchase": both ends included
            item.used = True
            low, _, high = item.arg.partition("|")
            r.add(
                Condition((lk.option(lk.vocab.recency_fact),), "between", (int(low), int(high))), item.start
            )
        if item.kind == "INACTIVE":
            item.used = True
            days, _, op = item.arg.partition("|")
            r.add(
                Condition((lk.option(lk.vocab.recency_fact),), op or ">", (int(days),)),
                item.start,
            )
    return None


def changes(lk: Lookups, r: Reading) -> Refusal | None:
    """'spend drop by more than 50% month over month': a percent change in a direction, on the change column
    the question names (or the default one, stated): down by more than 50 is a change below -50."""
    items = r.items
    for idx, item in enumerate(items):
        if item.kind != "CHANGE" or item.used:
            continue
        j = idx + 1
        if j < len(items) and items[j].kind == "GROUP" and items[j].tokens[0].lemma == "by":
            j += 1
        cmp_item = items[j] if j < len(items) and items[j].kind == "CMP" else None
        num = items[j + 1] if cmp_item is not None and j + 1 < len(items) else None
        if cmp_item is None or num is None or num.kind != "NUM" or not num.tokens[0].is_percent:
            if all(t.lemma in lk.vocab.stopwords for t in item.tokens):
                item.used = True  # "customers who fall in each category": an everyday word here
            continue  # "spend grew": no amount, read elsewhere (or refused)
        if cmp_item.arg not in (">", ">="):
            return Refusal("incomplete", "I can only read a change of more than (or at least) a percentage.")
        subject = change_column(lk, r, idx)
        if subject is None:
            return Refusal("incomplete", f"I can't tell which change {item.text!r} refers to.")
        column, named = subject
        down = item.arg == "down"
        value = -abs(num.number or 0.0) if down else abs(num.number or 0.0)
        op = {">": "<", ">=": "<="}[cmp_item.arg] if down else cmp_item.arg
        for used in (item, cmp_item, num, *items[idx + 1 : j]):
            used.used = True
        claim_change_subject(lk, r, column, named)
        before = prev_item(items, idx)
        if before is not None and before.kind == "LEX" and lk.is_spend(before):
            before.used = True  # "their spend drop": the change is of spend
        r.add(Condition((column,), op, (value,)), item.start)
    return None


def claim_change_subject(lk: Lookups, r: Reading, column: Option, named: Item | None) -> None:
    """Mark the word that named the change's measure used or, when none did, say which change was read."""
    if named is not None:
        named.used = True
        return
    described = lk.model.tables[column.table].columns[column.column or ""].description.split(";")[0]
    r.notes.append(f"I read the change as the {(column.column or '').replace('_', ' ')} ({described})")


def change_column(lk: Lookups, r: Reading, idx: int) -> tuple[Option, Item | None] | None:
    """The change column named nearest to the change word, else the default (None: the question named none)."""
    named = [
        (abs(i - idx), item, fact)
        for i, item in enumerate(r.items)
        if item.kind == "LEX" and not item.used
        for fact in lk.facts_of(item)
        if f"{fact.table}.{fact.column}" in lk.vocab.change_facts
    ]
    if named:
        _, item, fact = min(named, key=lambda n: n[0])
        return fact, item
    if lk.vocab.default_change_fact is None:
        return None
    return lk.option(lk.vocab.default_change_fact), None


# comparisons: "LTV above 100,000", "more than 20 transactions", "older than 60", "over $5K a month"
def comparisons(lk: Lookups, r: Reading) -> Refusal | None:
    items = r.items
    for idx, item in enumerate(items):
        if item.used or item.kind not in ("CMP", "AGECMP", "BETWEEN", "AGEBETWEEN", "AGED", "NUM"):
            continue
        if item.kind == "NUM":
            post = next_item(items, idx)
            if post is not None and post.kind == "POSTCMP":  # "60 or more"
                refusal = bind_comparison(lk, r, idx, post.arg, [item.number or 0.0], post)
                if refusal:
                    return refusal
                post.used = True
            elif item.tokens[0].is_plus and not item.used:
                refusal = bind_comparison(lk, r, idx, ">=", [item.number or 0.0], None)
                if refusal:
                    return refusal
            continue
        if item.kind in ("BETWEEN", "AGEBETWEEN"):
            a, conj, b = next_item(items, idx), next_item(items, idx, 2), next_item(items, idx, 3)
            if not (a and b and conj and a.kind == "NUM" and b.kind == "NUM" and conj.kind == "AND"):
                if item.kind == "BETWEEN":
                    continue  # "between California and Texas": a comparison of groups
                return Refusal("incomplete", "I could not read the range after 'between'.")
            conj.used = True
            values = sorted([a.number or 0.0, b.number or 0.0])
            if item.kind == "AGEBETWEEN":
                item.used = a.used = b.used = True
                r.add(
                    Condition((lk.option(lk.vocab.age_fact),), "between", tuple(values)),
                    item.start,
                )
                continue
            refusal = bind_comparison(lk, r, idx, "between", values, b, first_num=a)
            if refusal:
                return refusal
            continue
        num = next_item(items, idx)
        if _at_least_one_event(lk, r, idx):
            continue  # "had at least one card or credit-limit change": the named filter itself (it happened)
        if num is None or num.kind != "NUM":
            if item.kind in ("CMP", "AGECMP") and len(item.tokens) == 2 and item.tokens[1].lemma == "than":
                continue  # "a higher churn score than Standard ones": a comparison of groups (grouping.py)
            if item.kind == "CMP" and item.arg == ">" and item.tokens[0].lemma == "over":
                continue  # "over" without a number: "over the last 6 months", "over time"
            if item.kind == "CMP" and item.tokens[0].lemma in ("under", "above", "below"):
                continue
            if item.kind == "AGED":
                continue
            return Refusal("incomplete", f"I could not find the number after {item.text!r}.")
        if item.kind in ("AGECMP", "AGED"):
            item.used = num.used = True
            op = item.arg if item.kind == "AGECMP" else "="
            after = next_item(items, idx, 2)
            if item.kind == "AGED" and after is not None and after.kind in ("POSTCMP",):
                op, after.used = after.arg, True
            elif item.kind == "AGED" and after is not None and after.kind == "AND" and after.text == "plus":
                op, after.used = ">=", True  # "aged 70 plus"
            if item.kind == "AGED" and after is not None and after.kind == "NUM" and not after.used:
                after.used = True  # "aged 25 to 35"
                low, high = sorted([num.number or 0.0, after.number or 0.0])
                r.add(
                    Condition((lk.option(lk.vocab.age_fact),), "between", (low, high)),
                    item.start,
                )
                continue
            r.add(Condition((lk.option(lk.vocab.age_fact),), op, (num.number,)), item.start)
            continue
        refusal = bind_comparison(lk, r, idx, item.arg, [num.number or 0.0], num)
        if refusal:
            return refusal
    return None


def _at_least_one_event(lk: Lookups, r: Reading, idx: int) -> bool:
    """'at least one' (or 'at least 1') right before a named filter about an event is that filter: the event
    happened at least once. Only the number one: 'at least 2 changes' counts them, which a filter cannot."""
    items = r.items
    item = items[idx]
    if item.kind != "CMP" or item.arg != ">=":
        return False
    nxt = next_item(items, idx)
    one = item.end < len(r.tokens) and r.tokens[item.end].lemma in ("one", "a", "an")
    if nxt is not None and nxt.kind == "NUM" and nxt.number == 1 and not nxt.tokens[0].is_money:
        one, nxt = True, next_item(items, idx, 2)
    if (
        not one
        or nxt is None
        or nxt.kind != "LEX"
        or not nxt.of("filter")
        or nxt.of("fact", "metric", "value")
    ):
        return False
    item.used = True
    if items[idx + 1].kind == "NUM":
        items[idx + 1].used = True
    return True


def bind_comparison(
    lk: Lookups,
    r: Reading,
    idx: int,
    op: str,
    values: list[float],
    last: Item | None,
    first_num: Item | None = None,
) -> Refusal | None:
    items = r.items
    op_item = items[idx]
    num_item = first_num or (last if last is not None and last.kind == "NUM" else op_item)
    end_item = last or op_item
    end_idx = items.index(end_item)
    rate = None
    after = next_item(items, end_idx)
    if after is not None and after.kind == "TIME" and after.span and after.span.rate:
        rate = after.span.rate
        after.used = True
        end_idx += 1
    subject, subject_item = comparison_subject(lk, r, idx, end_idx, rate, num_item)
    if subject is None:
        what = " ".join(i.text for i in items[idx : end_idx + 1])
        return Refusal(
            "incomplete",
            f"I can't tell what {what!r} applies to; name the measure, e.g. 'lifetime value over 100,000'.",
        )
    for it in items[idx : end_idx + 1]:
        it.used = True
    if num_item is not None:
        num_item.used = True
    if subject_item is not None:
        subject_item.used = True
    if isinstance(subject, Measure):
        r.add(Condition((), op, tuple(values), measure=subject), op_item.start)
    else:
        r.add(Condition(subject, op, tuple(values)), op_item.start)
    return None


def comparison_subject(
    lk: Lookups, r: Reading, idx: int, end_idx: int, rate: str | None, num_item: Item | None
) -> tuple[tuple[Option, ...] | Measure | None, Item | None]:
    items = r.items
    money = bool(num_item and num_item.tokens and num_item.tokens[0].is_money)
    before = prev_item(items, idx)
    after = next_item(items, end_idx)
    # "spending over $5K a month" -> the per-customer monthly rate fact
    if rate is not None:
        named = lk.vocab.category_rate_facts.get(rate, ())
        for candidate in (after, before):  # "$3K or more a month on travel and dining"
            if candidate is not None and candidate.kind == "LEX" and not candidate.used:
                rate_facts = [f for f in lk.facts_of(candidate) if f"{f.table}.{f.column}" in named]
                if rate_facts:
                    if before is not None and lk.is_spend(before):
                        before.used = True
                    return tuple(rate_facts), candidate
        fact = lk.vocab.rate_facts.get(rate)
        if fact is None:
            return None, None
        subject_item = before if before is not None and lk.is_spend(before) else None
        return (lk.option(fact),), subject_item
    named_after = after is not None and after.kind == "LEX" and bool(lk.facts_of(after))
    adjacent = before is not None and before.end == items[idx].start
    sized = _sized_rows(lk, before, money) if adjacent and not named_after else None
    if sized is not None:
        return sized, before
    for candidate in (before, after):
        if candidate is None or candidate.used or candidate.kind != "LEX":
            continue
        agg_item = prev_item(items, idx - 1) if candidate is before else None
        if agg_item is not None and agg_item.kind == "AGG":
            measure = lk.measure_from(agg_item.arg, candidate)
            if measure is not None and (r.dimensions or has_group_ahead(lk, items)):
                agg_item.used = True
                return measure, candidate
        if (
            explicit_aggregate(candidate)
            and candidate.of("metric")
            and (r.dimensions or has_group_ahead(lk, items))
        ):
            measure = lk.plain_measure(
                candidate
            )  # "which states have an average LTV over $60,000": per state
            if measure is not None:
                return measure, candidate
        # spend in a window: "spent more than $10,000 in the last 90 days"
        if lk.is_spend(candidate) and r.window is not None and r.window.days in lk.vocab.spend_window_facts:
            fact = lk.vocab.spend_window_facts[r.window.days]
            r.window = None
            return (lk.option(fact),), candidate
        facts = lk.facts_of(candidate)
        if facts:
            return facts, candidate
    if after is not None and after.kind == "LEX" and after.of("entity", "table") and not lk.facts_of(after):
        # "among states with at least 50 customers": a count of rows per group, not a column of each row (never
        # age); without groups there is nothing to size
        counted = group_size.rows_counted(lk, r, after, bool(r.dimensions) or has_group_ahead(lk, items))
        return (counted, after) if counted is not None else (None, None)
    bare = lk.vocab.bare_number_fact
    number = num_item.number if num_item is not None else None
    if (
        bare is not None
        and num_item is not None
        and number is not None
        and not money
        and not num_item.tokens[0].is_percent
        and bare[1] <= number <= bare[2]
        and lk.about_table(r, bare[0].partition(".")[0])
    ):
        return (lk.option(bare[0]),), None  # "customers over 70": their age
    return None, None


def _sized_rows(lk: Lookups, noun: Item | None, money: bool) -> tuple[Option, ...] | None:
    """'transactions over 500', 'purchases above $1,000': the rows' own size column (a transaction's amount),
    not a count of them per customer; customers are sized this way only by money ('customers over 70' is age)."""
    if noun is None or noun.used or noun.kind != "LEX" or not noun.of("entity"):
        return None
    table = noun.of("entity")[0].table
    size = lk.vocab.entities.get(table, {}).get("size")
    bare = lk.vocab.bare_number_fact
    if size is None or (not money and bare is not None and bare[0].partition(".")[0] == table):
        return None
    return (Option(table, size),)


ASKED_OF_IT = frozenset({("is", "it"), ("was", "it"), ("is", "that"), ("was", "that"), ("are", "they"),
                         ("were", "they"), ("is", "this")})  # fmt: skip


def _asked_of_it(r: Reading, item: Item) -> bool:
    """'is it statistically significant?': a yes/no about the measure just asked for, not a filter on rows."""
    words = tuple(t.norm for t in r.tokens[max(0, item.start - 2) : item.start])
    return len(words) == 2 and words in ASKED_OF_IT


def has_group_ahead(lk: Lookups, items: list[Item]) -> bool:
    """Groups will be read: 'by state', or 'which states ...'."""
    return any(i.kind == "GROUP" for i in items) or any(
        a.kind == "WH" and b.kind == "LEX" and b.of("dimension") and not b.of("value", "metric", "fact")
        for a, b in itertools.pairwise(items)
    )


# values and named filters, with negation: "without premium cards", "not in Texas", "High Risk"
def values_and_filters(lk: Lookups, r: Reading) -> Refusal | None:
    items = r.items
    for idx, item in enumerate(items):
        if item.used or item.kind != "LEX":
            continue
        values = item.of("value")
        filters = item.of("filter")
        flags = [
            e for e in item.of("dimension") if lk.model.tables[e.table].columns[e.column or ""].is_boolean
        ]
        before = prev_item(items, idx)
        if flags and not values and not filters and not item.of("metric", "fact"):
            if before is None or before.kind != "GROUP":  # "predicted to churn": a true/false column
                item.used = True
                options = tuple(dict.fromkeys(Option(e.table, e.column) for e in flags))
                if _asked_of_it(r, item):  # "..., and is it statistically significant?": shown, not filtered
                    r.dimensions.append(Dimension(options))
                    continue
                r.add(Condition(options, "in", (not is_negated(lk, items, idx),)), item.start)
            continue
        if not values and not filters:
            continue
        if item.of("metric", "fact") and not values:
            continue  # a measure's name that is also a filter synonym: measures win
        negated = is_negated(lk, items, idx)
        nxt, prev = next_item(items, idx), prev_item(items, idx)
        if negated and _no_group(lk, prev, values):  # "without a merchant category (Uncategorized)"
            negated = False
            r.every_row = True  # rows delivered without a group: counted whatever their status
        # "Travel category" / "favorite category Dining": a value next to its own dimension's name
        named = next(
            (
                (v, near)
                for near in (nxt, prev)
                if near is not None and near.kind == "LEX" and not near.used and not _grouped(items, near)
                for v in values
                if any(
                    e.kind == "dimension" and (e.table, e.column) == (v.table, v.column) for e in near.entries
                )
            ),
            None,
        )
        if named is not None:
            chosen, near = named
            near.used = True
            values = [v for v in values if (v.table, v.column) == (chosen.table, chosen.column)]
            filters = []
        elif len({(v.table, v.column) for v in values}) > 1:
            values = sorted(values, key=lk.value_rank)
        if filters:
            item.used = True
            if any(t.lemma in lk.entity_lemmas() for t in item.tokens):
                r.implied_entities.append(filters[0].table)  # "lapsed customers" names the rows too
            options = tuple(Option(f.table, filter=f.filter) for f in filters)
            r.add(Condition(options, "not_named" if negated else "named"), item.start)
            continue
        item.used = True
        if nxt is not None and nxt.kind == "LEX" and not nxt.used and lk.describes(nxt, values[0]):
            nxt.used = True  # "High Risk category", "Premium card", "Declining segment"
        if any(t.lemma in lk.entity_lemmas() for t in item.tokens):
            r.implied_entities.append(values[0].table)  # "Premium cardholders" names the rows too
        elif (
            prev is not None
            and prev.kind in ("WH", "WHO", "LIST")
            and values[0].table == lk.vocab.anchor_preference[0]
            and not any(i.kind == "LEX" and i.of("entity") for i in items)
        ):
            # "which High-Value Travelers in California have a Standard card?": a group of customers named
            # by its value right after the question word is the rows asked for
            r.implied_entities.append(values[0].table)
        if values[0].identifier and not negated:  # "CUST00000042": one customer
            r.lookup = values[0].table
            r.implied_entities.append(values[0].table)
        value = values[0].value
        first = (values[0].table, values[0].column)
        # one value; the same column name may exist on several tables (campaign_group)
        values = [v for v in values if v.value == value and (v.column == first[1])]
        options = tuple(dict.fromkeys(Option(v.table, v.column) for v in values))
        op = "not_in" if negated else "in"
        existing = next(
            (c for c in r.conditions if c.op == op and c.measure is None and set(c.options) & set(options)),
            None,
        )
        if existing is None:
            r.add(Condition(options, op, (value,)), item.start)
        elif (
            value not in existing.values and (span := _value_range(lk, r, existing, item, value)) is not None
        ):
            # "Monday to Sunday": the values of an ordered enumeration from one to the other (all of them: no
            # filter)
            if span:
                r.swap(existing, Condition(existing.options, op, span))
            else:
                r.conditions.remove(existing)
        elif value not in existing.values:
            shared = tuple(o for o in existing.options if o in options)
            merged = Condition(shared, op, (*existing.values, value))
            between = [i for i in items if r.position(existing) <= i.start < item.start]
            if id(existing) in r.disjunctive or any(i.kind == "OR" for i in between):
                r.disjunctive.add(id(merged))  # "medium or high risk": one filter, not two groups
                for joined in between:
                    if joined.kind == "OR":
                        joined.used = True  # "in CA or NY and ...": this 'or' joins values of one column
            r.swap(existing, merged)
    return None


RANGE_WORDS = frozenset({"to", "through", "thru", "until", "till"})


def _value_range(
    lk: Lookups, r: Reading, existing: Condition, item: Item, value: object
) -> tuple[object, ...] | None:
    """The values from the existing condition's one value to `value` when a range word joins them and the
    column is a complete, ordered enumeration; () when that is every value; None when it is no range."""
    if len(existing.values) != 1 or existing.op != "in":
        return None
    between = r.tokens[r.position(existing) + 1 : item.start]
    if not between or not all(t.lemma in RANGE_WORDS for t in between):
        return None
    option = existing.options[0]
    column = lk.model.tables[option.table].columns[option.column or ""]
    ordered = list(column.sample_values)
    if not column.is_enum or existing.values[0] not in ordered or value not in ordered:
        return None
    a, b = sorted((ordered.index(str(existing.values[0])), ordered.index(str(value))))
    span = tuple(ordered[a : b + 1])
    return () if len(span) == len(ordered) else span


def _no_group(lk: Lookups, prev: Item | None, values: list[Entry]) -> bool:
    """'without a merchant category (Uncategorized)': the value is the one that stands for no group of the
    dimension named right before it (vocabulary placeholder_values), so 'without' names it, not its opposite."""
    if prev is None or prev.kind != "LEX" or not values:
        return False
    return all(
        v.value in lk.vocab.placeholder_values.get(f"{v.table}.{v.column}", ())
        and any(e.kind == "dimension" and (e.table, e.column) == (v.table, v.column) for e in prev.entries)
        for v in values
    )


def is_negated(lk: Lookups, items: list[Item], idx: int) -> bool:
    for back in (1, 2, 3):
        prev = prev_item(items, idx - back + 1)
        if prev is None:
            return False
        if prev.kind == "NEG":
            prev.used = True
            return True
        if prev.kind == "LEX" and (prev.of("value") or prev.of("filter")):
            return False
        if prev.kind not in ("AND", "OR", "LEX", "WH"):
            return False
    return False


def inclusions(lk: Lookups, r: Reading) -> Refusal | None:
    """'including any declined ones': the values after 'including' are not excluded, so they filter nothing."""
    for idx, item in enumerate(r.items):
        if item.kind != "INCLUDING" or item.used:
            continue
        item.used = True
        for nxt in r.items[idx + 1 : idx + 4]:
            if nxt.kind == "LEX" and nxt.of("value") and not nxt.of("metric", "fact", "entity"):
                nxt.used = True
                r.notes.append(f"{nxt.text} included")
                break
            if nxt.kind not in ("AND", "OR"):
                break
    return None


def alternatives(lk: Lookups, r: Reading) -> Refusal | None:
    """'retired and either hold a Premium card or have a credit limit over $40,000': two conditions on
    different columns joined by 'or' become one condition that either satisfies."""
    for item in r.items:
        if item.kind != "OR" or item.used:
            continue
        before = [c for c in r.conditions if r.position(c) < item.start and c.measure is None]
        after = [c for c in r.conditions if r.position(c) > item.start and c.measure is None]
        if not before or not after:
            continue
        left = max(before, key=r.position)
        right = min(after, key=r.position)
        if left.subject == right.subject or (left.op == "any" and right.op == "any"):
            continue
        item.used = True
        merged = Condition((), "any", either=(*(left.either or (left,)), right))
        position = r.position(left)
        r.conditions.remove(right)
        r.swap(left, merged)
        r.positions[id(merged)] = position
    return None


def _grouped(items: list[Item], item: Item) -> bool:
    """'by category group (Leisure / Necessities / Other)': the dimension is grouped, the values list it."""
    before = prev_item(items, items.index(item))
    return before is not None and before.kind == "GROUP"


def asides(lk: Lookups, r: Reading) -> Refusal | None:
    """'travel spend (Airlines, Hotels, Travel, Car Rental)', 'by category group (Leisure / Necessities /
    Other)': values in parentheses that spell out a filter or grouping on the same table explain it and
    filter nothing themselves (a partial list would otherwise drop a member)."""
    spelled_out = {
        o.table
        for c in r.conditions
        if not r.tokens[r.position(c)].aside
        for o in (*c.options, *(x for e in c.either for x in e.options))
    }
    spelled_out |= {o.table for d in r.dimensions for o in d.options}
    for cond in list(r.conditions):
        if _restricts(r.tokens, r.position(cond)):
            continue  # '(lapsed customers only)', '(scored customers only)', '(excluding Premium)' narrow the question
        if r.tokens[r.position(cond)].aside and any(o.table in spelled_out for o in cond.options):
            r.conditions.remove(cond)
    return None


RESTRICTING: Final = frozenset({"only", "just", "excluding", "exclude", "except"})


def _restricts(tokens: Sequence[Token], at: int) -> bool:
    """The parentheses around position `at` hold a word that restricts ('only', 'excluding'); '(31 to 59 days
    without a purchase)' defines the group named before it."""
    if not tokens[at].aside:
        return False
    start, end = at, at
    while start > 0 and tokens[start - 1].aside:
        start -= 1
    while end < len(tokens) and tokens[end].aside:
        end += 1
    return any(t.lemma in RESTRICTING or t.norm in RESTRICTING for t in tokens[start:end])
