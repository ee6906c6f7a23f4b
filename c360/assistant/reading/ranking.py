"""Ranking: "top 10 customers by churn risk", "the 3 regions with the lowest ...", "the most Premium
cardholders", "the 10 oldest customers", and the limit a ranking takes."""

from __future__ import annotations

import re

from c360.assistant.query import Condition, Dimension, Measure, Option, Ordering
from c360.assistant.reading.items import Item, Reading, Refusal, has_list_cue, next_item, prev_item
from c360.assistant.reading.lookups import Lookups
from c360.assistant.reading.percent_of import OWNERS, ratio_of


# ranking: "top 10 customers by churn risk", "highest churn risk", "the most Premium cardholders"
def ties(lk: Lookups, r: Reading) -> Refusal | None:
    """'list everyone tied at the max': a ranked listing keeps every row tied for the first place."""
    for item in r.items:
        if item.kind == "TIES" and not item.used and (r.order or r.rank_items):
            item.used = True
            r.ties = True
            r.limit = r.limit or 1
    return None


def recent(lk: Lookups, r: Reading) -> Refusal | None:
    """'the last 5 transactions', 'latest purchases', 'oldest first': ordered by the rows' own time column."""
    items = r.items
    for idx, item in enumerate(items):
        if item.used or item.kind not in ("RECENT", "TIMEORDER"):
            continue
        if item.kind == "TIMEORDER":
            item.used = True
            r.time_order = item.arg
            continue
        number, entity = None, None
        for nxt in items[idx + 1 : idx + 5]:
            if nxt.kind == "NUM" and number is None and not nxt.used:
                number = nxt
            elif nxt.kind == "LEX" and nxt.of("entity"):
                entity = nxt
                break
            elif not (nxt.kind == "LEX" and nxt.of("value") and not nxt.of("metric", "fact")):
                break
        if entity is None:
            continue
        table = entity.of("entity")[0].table
        column = lk.vocab.default_time_dimension.get(table)
        if column is None:
            continue
        item.used = True
        r.order.append(Ordering(column=(Option(table, column),), descending=item.arg == "desc"))
        before = prev_item(items, idx)
        if number is None and before is not None and before.kind == "NUM" and not before.used:
            number = before  # "the 3 most recent transactions"
        if number is not None:
            number.used = True
            r.limit = int(number.number or 0)
        elif entity.tokens[-1].norm == entity.tokens[-1].lemma:
            r.limit = 1  # "the last transaction"
    return None


def ranking(lk: Lookups, r: Reading) -> Refusal | None:
    items = r.items
    direction = next((i for i in items if i.kind == "DIRECTION"), None)
    if direction is not None:  # "sort them by LTV, highest first", "by LTV descending": an order, no cut
        direction.used = True
        if not any(i.kind in ("SUPER", "RANK", "SUPERFACT") for i in items):
            direction.kind = "RANK"
        for item in items:
            if item.kind == "RANK":
                item.arg = direction.arg
    for idx, item in enumerate(items):  # "what's their LTV rank?": a position among all rows, not an order
        before = prev_item(items, idx)
        if (
            item.kind == "RANK"
            and item.tokens[-1].lemma in ("rank", "ranking", "position", "percentile")
            and idx == len(items) - 1
            and before is not None
            and before.kind == "LEX"
            and before.of("metric", "fact")
        ):
            return Refusal(
                "incomplete", f"I can't compute a row's {item.text!r} among all rows from this data."
            )
    if any(i.kind == "RANK" for i in items) and not any(i.kind in ("SUPER", "SUPERFACT") for i in items):
        r.limit = r.limit or lk.vocab.default_list_limit  # "sort by ...": every row, in that order
    for idx, item in enumerate(items):
        if item.kind == "SUPERFACT" and not item.used:  # "the 10 oldest customers"
            item.used = True
            sort_direction, _, ref = item.arg.partition("|")
            table, _, column = ref.partition(".")
            r.order.append(Ordering(column=(Option(table, column),), descending=sort_direction == "desc"))
            prev = prev_item(items, idx)
            if item.end < len(r.tokens) and r.tokens[item.end].lemma == "first":
                r.limit = r.limit or lk.vocab.default_list_limit  # "riskiest first": an order, every row
            elif prev is not None and prev.kind == "NUM" and not prev.used:
                r.limit = int(prev.number or 0)
                prev.used = True
            else:
                noun = next_item(items, idx)
                if (
                    noun is not None
                    and noun.kind == "LEX"
                    and noun.of("entity")
                    and r.limit is None
                    and noun.tokens[-1].norm == noun.tokens[-1].lemma
                ):  # "the most at-risk customer": one row
                    r.limit, r.ties = 1, True
            continue
        if item.used or item.kind not in ("SUPER", "RANK"):
            continue
        descending = item.arg != "asc"
        item.used = True
        nxt = next_item(items, idx)
        if item.kind == "SUPER" and nxt is not None and nxt.kind == "NUM" and not nxt.used:
            r.limit = int(nxt.number or 0)
            nxt.used = True
        elif item.kind == "SUPER":
            prev = prev_item(items, idx)
            if prev is not None and prev.kind == "NUM" and not prev.used:  # "10 highest"
                r.limit = int(prev.number or 0)
                prev.used = True
        if item.kind == "SUPER" and _spent_on_what(lk, r, idx):
            continue
        extremes = size_extremes(lk, r, idx)
        if extremes:  # "the smallest and largest single transactions in 2026": MIN and MAX of their size
            continue
        sized = size_ranking(lk, r, idx)
        if sized is not None and r.measures:  # "its average value and largest transaction": MAX(amount)
            size = sized[0]
            aggregation = "max" if descending else "min"
            extreme = Option(size.table, size.column, aggregation=aggregation)
            r.measures.append(Measure(f"{aggregation}_{size.column}", (extreme,)))
            r.limit, r.ties = None, False
            continue
        if sized is not None:  # "the largest transaction", "CUST00000044's biggest purchase"
            r.order.append(Ordering(column=sized, descending=descending))
            approved_rows(lk, r, sized[0].table)
            continue
        if _most_of_column(lk, r, idx, descending):
            continue  # "using the most of their credit limit": ranked by the column's declared ratio
        target = rank_target(lk, r, idx)
        if target is None:
            if (r.order or r.rank_items) and item.kind == "SUPER" and r.limit is not None:
                continue  # "which customers are most at risk? Give me the top 20": the same ranking, 20 rows
            later = any(i.kind == "SUPERFACT" and not i.used for i in items[idx + 1 :])
            if later and item.kind == "SUPER" and r.limit is not None:
                continue  # "top 10 customers at highest risk of churning": the ranking named after, 10 rows
            if r.measures:
                r.order.append(Ordering(measure=r.measures[0], descending=descending))
                continue
            if item.kind == "SUPER" and _named_ranking_after(items, idx):
                continue  # "which customers increased spending the most? Top 10 by dollar increase": that one
            filter_column = filter_order_column(lk, r)
            if filter_column is not None:
                filter_options, filter_desc = filter_column
                r.order.append(
                    Ordering(
                        column=filter_options,
                        descending=filter_desc if item.arg == "desc" else not filter_desc,
                    )
                )
                continue
            if item.kind == "RANK":
                continue  # "rank by ..." resolved later, or plain "sorted"
            if not names_anything_measurable(lk, r):
                r.bare_rank = descending  # "top 5 only": ranks the previous question's measure
                continue
            closing = _the_one_measure_before(lk, r, idx)
            if closing is not None:  # "decline rate by category, top 5": ranked by the one measure named
                r.rank_items.append((closing, descending))
                continue
            return Refusal(
                "incomplete",
                f"I can't tell what {item.text!r} ranks by; name a measure, e.g. 'highest lifetime value'.",
            )
        if isinstance(target, Measure):
            r.order.append(Ordering(measure=target, descending=descending))
        else:
            r.rank_items.append((target, descending))
    return None


def _spent_on_what(lk: Lookups, r: Reading, idx: int) -> bool:
    """'What does CUST00000042 spend the most on?': the question ends on 'on' with nothing named after it; spend
    is ranked by what it is spent on (vocabulary spent_on), the first one."""
    item = r.items[idx]
    dangling = item.end < len(r.tokens) and r.tokens[item.end].lemma == "on"
    later = [i for i in r.items[idx + 1 :] if i.kind != "TIME"]  # "... the most on in 2025"
    spend = next((i for i in r.items[:idx] if not i.used and lk.is_spend(i)), None)
    if not dangling or later or spend is None or lk.vocab.spent_on is None or r.dimensions:
        return False
    measure = lk.plain_measure(spend)
    if measure is None:
        return False
    spend.used = True
    r.measures.append(measure)
    r.order.append(Ordering(measure=measure, descending=item.arg != "asc"))
    r.dimensions.append(Dimension((lk.option(lk.vocab.spent_on),)))
    r.singular_group = r.limit is None
    return True


def _the_one_measure_before(lk: Lookups, r: Reading, idx: int) -> Item | None:
    """'<measure> by <group>, top 5': a closing 'top N' (nothing after it but the number) after a grouping
    ranks the groups by the one measure named before it; two measures, or none, stay unread."""
    item = r.items[idx]
    if item.kind != "SUPER" or any(i.kind not in ("NUM",) for i in r.items[idx + 1 :]):
        return None
    before = r.items[:idx]
    if not any(i.kind == "GROUP" for i in before):
        return None
    if any(i.kind in ("AGG", "COUNT", "SHARE", "DIST", "WH", "WHO") for i in before):
        return None
    measures = [
        i
        for i in before
        if i.kind == "LEX" and not i.used and i.of("metric") and not i.of("dimension", "entity", "value")
    ]
    return measures[0] if len(measures) == 1 else None


def names_anything_measurable(lk: Lookups, r: Reading) -> bool:
    return any(
        i.kind in ("AGG", "COUNT", "SHARE", "DIST") or (i.kind == "LEX" and i.of("metric", "fact", "entity"))
        for i in r.items
    )


def ranking_limit(lk: Lookups, r: Reading) -> Refusal | None:
    """'the 20 customers with the highest ...', 'which 3 regions have the lowest ...', 'which 3 categories grew
    the most from October to November' (ranked by the change later: periods.rank_by_change): N is the limit."""
    if r.limit is not None or not (r.order or r.rank_items or r.period_change):
        return None
    for idx, item in enumerate(r.items):
        number = item.number
        if (
            item.kind == "NUM"
            and not item.used
            and number is not None
            and number == int(number)
            and 0 < number <= 10_000
            and not item.tokens[0].is_money
            and not item.tokens[0].is_percent
            and _counted_rows(r, idx)
        ):
            r.limit = int(number)
            item.used = True
            break
    return None


def _counted_rows(r: Reading, idx: int) -> bool:
    """The number counts the rows named next: 'the 20 customers', 'the 10 Premium cardholders' (a value that
    names its rows), 'the 5 Texas customers' (values, then the rows), 'which 10 lapsed customers' (a named filter);
    'of the customers who've lapsed, which 10 were …': 'which N' alone counts the rows the question names."""
    before = r.items[idx - 1] if idx > 0 else None
    if (
        before is not None
        and before.kind == "WH"
        and before.tokens[-1].lemma == "which"
        and any(i.kind == "LEX" and i.of("entity") for i in r.items[:idx])
        and not any(i.kind == "LEX" and i.of("entity", "dimension") for i in r.items[idx + 1 :])
    ):
        return True
    for cand in r.items[idx + 1 : idx + 4]:
        if cand.kind != "LEX":
            return False
        if cand.of("entity", "dimension"):
            return True
        if not cand.of("value", "filter"):
            return False
        if r.implied_entities and cand.tokens[-1].norm != cand.tokens[-1].lemma:  # "Premium cardholders"
            return True
    return False


SIZE_WORDS = frozenset(
    {"largest", "biggest", "smallest", "highest", "lowest", "greatest", "priciest", "cheapest"}
)


def _sized_entity(lk: Lookups, r: Reading, idx: int) -> tuple[Item, str, str] | None:
    """The rows right after a size superlative ('largest ... transaction') and the column they are sized by."""
    if r.items[idx].tokens[-1].lemma not in SIZE_WORDS:
        return None
    after = r.items[idx + 1 : idx + 4]
    measured = any(c.kind == "LEX" and c.of("metric", "fact") for c in after)
    # "which transaction was the biggest" (nothing measured after it): the rows named before
    before = [] if measured else list(reversed(r.items[max(0, idx - 2) : idx]))
    for side in (after, before):
        for cand in side:
            if cand.kind == "LEX" and cand.of("entity"):
                table = cand.of("entity")[0].table
                size = lk.vocab.entities.get(table, {}).get("size")
                return (cand, table, size) if size else None
            if not (cand.kind in ("NUM", "AND", "SUPER", "WH") or (cand.kind == "LEX" and cand.of("value"))):
                break
    return None


def size_ranking(lk: Lookups, r: Reading, idx: int) -> tuple[Option, ...] | None:
    """'the largest transaction' ranks transactions by their amount (the entity's size column); without a
    number, one row for a singular noun ('which customer has ...' keeps every row tied for it)."""
    found = _sized_entity(lk, r, idx)
    if found is None:
        return None
    cand, table, size = found
    if r.limit is None and cand.tokens[-1].norm == cand.tokens[-1].lemma:
        r.limit, r.ties = 1, True
    return (Option(table, size),)


def approved_rows(lk: Lookups, r: Reading, table: str) -> None:
    """'the biggest purchase', 'the 5 largest transactions': attempts ranked by their amount are the approved
    ones (a declined attempt is no purchase and no spend), unless the question names a status itself."""
    status_table, _, status = (lk.vocab.status_column or "").partition(".")
    if status_table != table or any(
        o.table == table and o.column == status for c in r.conditions for o in c.options
    ):
        return
    approved = lk.vocab.approved_status
    r.conditions.append(Condition((Option(table, status),), "in", (approved,)))
    r.notes.append(f"{approved} transactions only (a declined attempt is not a purchase)")


def size_extremes(lk: Lookups, r: Reading, idx: int) -> bool:
    """'the smallest and largest transactions': the minimum and the maximum of the rows' size."""
    items = r.items
    conj, other = next_item(items, idx), next_item(items, idx, 2)
    if (
        conj is None
        or other is None
        or conj.kind != "AND"
        or other.kind != "SUPER"
        or other.arg == items[idx].arg
    ):
        return False
    found = _sized_entity(lk, r, idx + 2)
    if found is None:
        return False
    cand, table, size = found
    conj.used = other.used = cand.used = True
    for option in (Option(table, size, aggregation="min"), Option(table, size, aggregation="max")):
        r.measures.append(Measure(f"{option.aggregation}_{size}", (option,)))
    approved_rows(lk, r, table)
    return True


SPENT_ON = frozenset({"on", "at", "in", "through", "via", "with"})


def rank_target(lk: Lookups, r: Reading, idx: int) -> Measure | Item | None:
    items = r.items
    verb = _verb_measure(lk, r, idx)
    if verb is not None:  # "which segment spends the most on travel": ranked by the spend, not a count
        return verb
    nxt = next_item(items, idx)
    if nxt is not None and nxt.kind == "POPULAR":  # "most popular": by number of transactions
        nxt.used = True
        # "the most common top spending categories" (a customer attribute): by number of customers
        owner = next(
            (
                e.table
                for i in items[idx + 2 : idx + 4]
                if i.kind == "LEX"
                for e in i.of("dimension")
                if e.table in lk.vocab.entities
            ),
            None,
        )
        nouns = lk.vocab.entities.get(owner or "", {}).get("nouns", [])
        phrase = f"number of {nouns[0]}" if nouns else lk.vocab.popularity_measure
        measure = lk.measure_by_phrase(phrase)
        if measure is not None:
            r.measures.append(measure)
        return measure
    spend_group: Item | None = None
    for j in range(idx + 1, min(idx + 7, len(items))):
        cand = items[j]
        if cand.kind in ("GROUP", "NUM", "WH", "AND", "PRONOUN"):
            continue
        ranked = (
            lk.vocab.ranked_nouns.get(" ".join(t.lemma for t in cand.tokens)) if cand.kind == "LEX" else None
        )
        if ranked is not None:  # "top 5 spenders": customers ranked by total spend
            table, phrase = ranked
            measure = lk.measure_by_phrase(phrase)
            if measure is not None:
                cand.used = True
                r.measures.append(measure)
                r.dimensions.extend(lk.entity_dimensions(table))
                return measure
        if cand.kind == "LEX" and cand.of("entity") and not cand.of("metric", "fact"):
            # "the most customers" / "most Premium cardholders" -> a count
            if j == idx + 1 or all(
                items[k].kind == "LEX" and items[k].of("value", "filter") for k in range(idx + 1, j)
            ):
                measure = lk.count_measure(r, cand, idx)
                if measure is not None and not has_list_cue(r):
                    cand.used = True
                    r.measures.append(measure)
                    return measure
            continue
        if cand.kind == "LEX" and cand.of("dimension") and not cand.of("metric", "fact", "value"):
            if spend_group is None and any(t.lemma in lk.vocab.spend_words for t in cand.tokens):
                spend_group = (
                    cand  # "the top 5 spending categories": ranked by spend unless a measure follows
                )
            continue  # "top 5 merchants by spend": the grouping sits between the rank and its measure
        if cand.kind == "LEX" and _one_row_key(lk, cand):
            continue  # "top 5 categories for CUST00000042": the id names the one customer, no rows to count
        if cand.kind == "LEX" and cand.of("value", "filter") and not cand.of("metric", "fact"):
            k = j + 1  # "top 5 Premium cardholders in Florida by lifetime value": past every value named
            while k < len(items) and (
                _plain_value(items[k])
                or (items[k].kind in ("AND", "OR") and k + 1 < len(items) and _plain_value(items[k + 1]))
            ):
                k += 1  # "... in Ohio and Texas by ...": values joined by 'and'/'or' name the rows too
            after = items[k] if k < len(items) else None
            ends_phrase = after is None or not (after.kind == "LEX" and after.of("metric", "fact", "entity"))
            by_measure = items[k + 1] if k + 1 < len(items) else None
            if (
                after is not None
                and after.kind == "GROUP"
                and by_measure is not None
                and by_measure.kind == "LEX"
                and by_measure.of("metric", "fact")
            ):
                continue  # "the top 10 High-Value Travelers by lifetime value": ranked by that measure
            if ends_phrase:
                # "the most Premium cardholders", "the most High-Value Travelers": count the value's rows
                table = (cand.of("value") or cand.of("filter"))[0].table
                nouns = lk.vocab.entities.get(table, {}).get("nouns", [])
                measure = lk.measure_by_phrase(f"number of {nouns[0]}") if nouns else None
                if measure is not None and not has_list_cue(r):
                    r.measures.append(measure)
                    return measure
            continue
        if cand.kind == "LEX" and cand.of("metric", "fact") and not cand.used:
            cand.used = True
            return cand
        if cand.kind == "AGG":
            nxt = next_item(items, j)
            if nxt is not None and nxt.kind == "LEX" and nxt.of("metric", "fact"):
                measure = lk.measure_from(cand.arg, nxt)
                if measure:
                    cand.used = nxt.used = True
                    r.measures.append(measure)
                    return measure
        break
    prev = prev_item(items, idx)
    if prev is not None and prev.kind == "LEX" and prev.of("metric", "fact") and not prev.used:
        prev.used = True
        return prev
    if spend_group is not None and not any(
        i.kind == "LEX" and not i.used and i.of("metric", "fact") for i in items
    ):
        word = next(t.lemma for t in spend_group.tokens if t.lemma in lk.vocab.spend_words)
        spend = lk.measure_by_phrase(word)  # the measure the word itself names (total spend)
        if spend is not None:
            r.measures.append(spend)
        return spend
    return None


def _one_row_key(lk: Lookups, item: Item) -> bool:
    """A value of a table's primary key (a customer id, also the key other tables refer to it by): it names one
    row, never rows to count."""
    values = item.of("value")
    return any(
        (e.column or "",) == lk.model.tables[e.table].primary_key
        for e in values
        if e.table in lk.model.tables
    )


def _most_of_column(lk: Lookups, r: Reading, idx: int, descending: bool) -> bool:
    """'the 10 customers using the most of their credit limit': 'the most / least of <owner> <column>' ranks by the
    ratio the vocabulary declares for a percentage of that column (credit limit -> utilization), shown beside the
    column itself, and the answer says which column it read. Never the column's own size (the largest limits)."""
    item = r.items[idx]
    target = next_item(r.items, idx)
    if item.end >= len(r.tokens) or r.tokens[item.end].lemma != "of" or target is None:
        return False
    if target.kind != "LEX" or target.used or not target.of("fact", "metric"):
        return False
    if any(t.lemma not in OWNERS for t in r.tokens[item.end + 1 : target.start]):
        return False
    ratio = ratio_of(lk, target)
    if ratio is None:
        return False
    option, note = ratio
    target.used = True
    r.order.append(Ordering(column=(option,), descending=descending))
    shown = tuple(dict.fromkeys(Option(e.table, e.column) for e in target.of("fact")))
    if shown:
        r.columns.append(shown)
    r.notes.append(note)
    noun = next((i for i in r.items[:idx] if i.kind == "LEX" and i.of("entity")), None)
    if r.limit is None and noun is not None and noun.tokens[-1].norm == noun.tokens[-1].lemma:
        r.limit, r.ties = 1, True  # "which customer uses the least of ...": the one row (ties kept)
    return True


def _plain_value(item: Item) -> bool:
    return item.kind == "LEX" and bool(item.of("value", "filter")) and not item.of("metric", "fact")


def _verb_measure(lk: Lookups, r: Reading, idx: int) -> Measure | Item | None:
    """The measure a verb right before 'the most' names when what follows is where it went ('spends the most
    on travel', 'spent the most at Costco'): that measure ranks, never a count of the place's rows."""
    item = r.items[idx]
    prev = prev_item(r.items, idx)
    after = r.tokens[item.end].lemma if item.end < len(r.tokens) else None
    if prev is None or prev.kind != "LEX" or prev.end != item.start or after not in SPENT_ON:
        return None
    if not lk.is_spend(prev):
        return None
    if not prev.used:
        prev.used = True
        return prev
    measure = lk.plain_measure(prev)
    return next((m for m in r.measures if measure is not None and m.concept == measure.concept), None)


def _named_ranking_after(items: list[Item], idx: int) -> bool:
    """A later 'top N by <measure>' (a superlative, its number, 'by' and a measure not yet read): the ranking
    the question names, which an earlier unnamed one ('... the most?') only announces."""
    for j in range(idx + 1, len(items) - 1):
        if items[j].kind != "SUPER" or items[j].used:
            continue
        rest = [i for i in items[j + 1 : j + 4] if i.kind not in ("NUM", "GROUP")]
        if rest and rest[0].kind == "LEX" and rest[0].of("metric", "fact") and not rest[0].used:
            return any(i.kind == "GROUP" and i.tokens[0].lemma == "by" for i in items[j + 1 : j + 4])
    return False


def filter_order_column(lk: Lookups, r: Reading) -> tuple[tuple[Option, ...], bool] | None:
    """'increased spending the most': order by the column a simple named filter compares."""
    for cond in reversed(r.conditions):
        if cond.op != "named":
            continue
        for opt in cond.options:
            flt = lk.model.tables[opt.table].filters[opt.filter or ""]
            m = re.fullmatch(r"\s*(\w+)\s*([<>]=?)\s*-?[\d.]+\s*", flt.expr)
            if m:
                fact = lk.fact_for_expr(opt.table, m.group(1))
                if fact:
                    return (Option(opt.table, fact),), m.group(2).startswith(">")
    return None
