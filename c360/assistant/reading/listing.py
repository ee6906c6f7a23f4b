"""Listing or aggregate: what the remaining measure and column names mean once the rest is read — measures
of an aggregate question, or the shown and ranked columns of a listing of rows ("show customers with ...")."""

from __future__ import annotations

from c360.assistant.query import Measure, Option, Ordering
from c360.assistant.reading.events import about_latest_change
from c360.assistant.reading.items import Item, Reading, Refusal, explicit_aggregate
from c360.assistant.reading.lookups import Lookups


# remaining measures and columns: standalone metric names become measures (aggregate questions) or
# shown/ranked columns (listings)
def remaining_lexical(lk: Lookups, r: Reading) -> Refusal | None:
    r.list_requested = any(i.kind in ("LIST", "WHO") for i in r.items)
    entity_items = [i for i in r.items if i.kind == "LEX" and i.of("entity") and not i.used]
    for item in r.items:
        if item.kind in ("LIST", "WHO", "WH"):
            item.used = True
    # ranking targets recorded as ("ITEM", item): resolve now that the mode is known
    listing = is_listing(lk, r, entity_items)
    for item, descending in r.rank_items:
        if listing and not lk.facts_of(item) and item.of("metric"):
            # "top 10 customers by spend in the last 30 days": aggregate the measure per customer
            entity = next((i.of("entity")[0].table for i in entity_items), None) or (
                r.implied_entities[0] if r.implied_entities else lk.vocab.anchor_preference[0]
            )
            measure = lk.plain_measure(item)
            if measure is None:
                return Refusal("incomplete", f"I can't rank rows by {item.text!r}.")
            listing = False
            r.measures.append(measure)
            r.order.append(Ordering(measure=measure, descending=descending))
            r.dimensions.extend(lk.entity_dimensions(entity))
            for ent in entity_items:
                ent.used = True
            continue
        if listing:
            facts = lk.facts_of(item)
            if not facts:
                return Refusal("incomplete", f"I can't rank rows by {item.text!r}.")
            r.order.append(Ordering(column=facts, descending=descending))
            noun = entity_items[0].tokens[-1] if entity_items else None
            singular = noun.norm == noun.lemma if noun is not None else _singular_who(r) or _which_one(r)
            if r.limit is None and singular:
                r.limit, r.ties = (
                    1,
                    True,
                )  # "which customer has / who has the highest credit limit": the top one(s)
        elif (
            not _grouped(r)
            and (facts := lk.facts_of(item))
            and not explicit_aggregate(item)
            and (row := _asks_which_row(lk, r, facts)) is not None
        ):
            # "which High-Value Traveler has the lowest LTV?", "which of those has the biggest LTV?": the row
            # that holds the extreme (every row tied for it), not the extreme value alone
            r.entity = row
            r.order.append(Ordering(column=facts, descending=descending))
            r.limit, r.ties = r.limit or 1, True
        elif not _grouped(r) and lk.facts_of(item) and not explicit_aggregate(item):
            # "what is the highest credit limit we've given anyone": the extreme value itself
            extreme = lk.measure_from("max" if descending else "min", item)
            if extreme is None:
                return Refusal("incomplete", f"I can't rank by {item.text!r}.")
            r.measures.append(extreme)
        else:
            measure = lk.plain_measure(item)
            if measure is None:
                return Refusal("incomplete", f"I can't rank by {item.text!r}.")
            if all(m.concept != measure.concept for m in r.measures):
                r.measures.append(measure)
            r.order.append(Ordering(measure=measure, descending=descending))
    for item in r.items:
        if item.used or item.kind != "LEX":
            continue
        if item.of("dimension") and not item.of("entity", "metric", "fact") and not listing:
            item.used = True  # "top 3 categories by spend": a grouping
            r.dimensions.append(lk.dimension(item))
            continue
        if item.of("entity", "table") and r.measures and not listing:
            item.used = True  # "customers who made purchases": context, not another measure
            r.context_tables.extend(e.table for e in item.of("entity", "table"))
            continue
        if item.of("metric", "fact") and not listing:
            measures = lk.plain_measures(item)
            if measures:
                item.used = True
                r.measures.extend(m for m in measures if all(m.concept != x.concept for x in r.measures))
                continue
        if listing and item.of("entity") and r.entity is None and not explicit_aggregate(item):
            item.used = True  # "show every Grocery transaction of CUST...": the rows listed
            r.entity = item.of("entity")[0].table
            continue
        if item.of("metric", "fact", "dimension", "time_dimension") and listing:
            cols = lk.facts_of(item) or tuple(
                dict.fromkeys(Option(e.table, e.column) for e in item.of("dimension", "time_dimension"))
            )
            if cols:
                item.used = True
                r.columns.append(cols)
                continue
        if item.of("dimension") and not listing and not item.of("entity"):
            item.used = True
            r.dimensions.append(lk.dimension(item))
            continue
        if item.of("entity", "table"):
            item.used = True
            if listing and item.of("entity") and r.entity is None:
                r.entity = item.of("entity")[0].table
            continue
    if listing and r.entity is None:
        r.entity = r.implied_entities[0] if r.implied_entities else entity_of_conditions(lk, r)
    if (
        listing
        and r.entity is not None
        and r.lookup is not None
        and lk.vocab.entities.get(r.entity, {}).get("versions_of") == r.lookup
        and about_latest_change(lk, r, r.entity)
        and not any(
            i.kind == "LEX"
            and any(e.table == r.entity for e in i.of("entity"))
            and not any(t.lemma == "change" for t in i.tokens)
            for i in r.items
        )
    ):  # "did her limit change, and what was it before?": the latest change, on the customer's own row (a
        # history asked for by name keeps every version)
        r.entity = r.lookup
    if listing and r.lookup is not None and r.entity == r.lookup:
        # "which group is CUST00000484 in": a column of another table the customer also has, read on the customer
        r.columns = [
            cols
            if any(lk.model.join_path(r.entity, o.table) is not None for o in cols)
            else _on_table(lk, cols, r.entity)
            for cols in r.columns
        ]
    if listing and r.entity is not None and lk.vocab.entities.get(r.entity, {}).get("versions_of"):
        r.columns = [_on_table(lk, cols, r.entity) for cols in r.columns]  # each version's own card type
        r.columns = [cols for cols in r.columns if not _other_dates(lk, cols, r.entity)]
    if listing and r.lookup is not None and r.entity is not None and _unkeyed(lk, r, r.entity):
        # "is CUST00000001 part of the retention campaign, and which group is she in?": the campaign's rows
        # have no customer; the looked-up customer's own columns of the same name answer it
        r.columns = [_on_table(lk, cols, r.lookup) for cols in r.columns]
        r.entity = r.lookup
    if listing and r.lookup is not None and r.entity == r.lookup and not r.columns:
        # "the profile of CUST00000042", "look up aknapp@gmail.com": the row's main columns
        for name in lk.vocab.entities.get(r.lookup, {}).get("profile_columns", []):
            r.columns.append((Option(r.lookup, name),))
    unordered = listing and r.entity is not None and not r.order and not r.rank_items
    if unordered and (
        r.time_order or any(i.kind in ("RANK", "DIRECTION", "SUPER", "SUPERFACT") for i in r.items)
    ):
        unordered = False  # "…, newest first", "sorted": the order asked (or the default it names)
    if unordered and r.entity is not None and r.lookup is None:
        _filtered_order(lk, r, r.entity)
    if unordered and r.entity is not None and not r.order and r.limit is None and r.window:
        _period_order(lk, r, r.entity)
    if r.measures and not listing:
        _extremes_of_sized_rows(r)
    asks = any(i.kind in ("WH", "LIST", "WHO", "DIST") or _breakdown(i) for i in r.items)
    compared = [c.measure for c in r.conditions if c.measure is not None]
    if not listing and not r.measures and r.dimensions and compared:
        r.measures.extend(compared)  # "which states have an average LTV over X"
    names_rows = any(
        i.kind == "LEX" and i.of("entity", "value", "filter", "metric", "fact") and not i.of("dimension")
        for i in r.items
    )
    if not listing and not r.measures and r.dimensions and asks:
        # "which segments have Premium cards?", "customer distribution across states": count the rows ("split
        # by region" naming no rows divides the question before; opening a conversation it is a count there)
        table = next((o.table for d in r.dimensions for o in d.options), None)
        measure = lk.count_measure(r, None, 0, default_entity=True) if table is None else None
        if table is not None:
            nouns = lk.vocab.entities.get(table, {}).get("nouns", [])
            measure = lk.measure_by_phrase(f"number of {nouns[0]}") if nouns else None
        if measure is not None:
            r.measures.append(measure)
            # "now just the West, broken down by state": a follow-up's value filters the rows of the question
            # before (its measure kept), it names no rows of its own
            refines = any(i.kind in ("FOLLOW", "ONLY") for i in r.items) and not any(
                i.kind == "LEX" and i.of("entity", "metric", "fact") for i in r.items
            )
            r.implied_count = not names_rows or refines
    return None


def is_listing(lk: Lookups, r: Reading, entity_items: list[Item]) -> bool:
    """Rows of an entity ("show customers with ...") rather than an aggregate ("average age of ...")."""
    if r.measures or r.dimensions:
        return False  # "which categories did customers spend the most on": a grouping, not a listing
    sorts = [i for i in r.items if i.kind == "RANK"]
    grouping = any(
        i.kind == "LEX" and not i.used and i.of("dimension") and not i.of("entity", "value") for i in r.items
    )
    if sorts and not grouping:
        return True  # "sort them by LTV", "lapsed Premium customers ordered by LTV": rows in an order
    measure_items = [
        i for i in r.items if i.kind == "LEX" and not i.used and i.of("metric") and not i.of("entity")
    ]
    if any(explicit_aggregate(i) for i in measure_items):
        return False  # "average age", "total spend": an aggregate even after "show me"
    if measure_items and any(i.kind in ("HOWMUCH", "COMPARE") for i in r.items):
        return False  # "how much did they spend", "compare the churn risk of ..."
    if r.lookup is not None and any(not lk.facts_of(i) for i in measure_items):
        return False  # "CUST00000042 spend in the last 30 days": a measure of that one customer, no column
    facts_asked = [
        i for i in r.items if i.kind == "LEX" and not i.used and i.of("fact") and not i.of("entity")
    ]
    if facts_asked and any(i.kind == "HOWMUCH" for i in r.items) and r.lookup is None:
        return False  # "how much incremental spend did the campaign generate": the measure, not its rows
    ranked = bool(r.order or r.rank_items)
    grouping_nouns = [
        i
        for i in r.items
        if i.kind == "LEX"
        and not i.used
        and i.of("dimension")
        and not i.of("entity", "value")
        and not _possessed(r, i)  # "the top 10 customers ... with their segment": a column shown
    ]
    if grouping_nouns and not entity_items and not r.implied_entities:
        return False  # "show the top 10 merchants by spend": a ranking of groups, not a listing of rows
    if grouping_nouns and any(item.of("metric") for item, _ in r.rank_items):
        return False  # "top 3 categories by number of transactions for Budget-Conscious customers"
    if ranked and (r.limit or 0) > 1 and not measure_items and r.conditions:
        return True  # "the top 10 High-Value Travelers by lifetime value": rows of those values, ranked
    if entity_items or r.implied_entities:
        if _asks_what(r) and measure_items and not ranked and r.lookup is None and not r.list_requested:
            return False  # "what was the ROI of the month-16 campaign": the measure, not the rows
        return r.list_requested or ranked or bool(r.conditions) or not measure_items
    return r.list_requested and not measure_items


def _filtered_order(lk: Lookups, r: Reading, table: str) -> None:
    """'Which of my Texas customers are high risk?': rows cut by a column the entity orders by another
    (`entities.*.filtered_order`: a churn risk band -> its score) come highest score first, not by the default
    order, and the answer says so."""
    orders = lk.vocab.entities.get(table, {}).get("filtered_order") or {}
    for cond in r.conditions:
        if cond.op not in ("in", ">", ">=", "<", "<=", "between"):
            continue
        column = next((orders.get(o.column) for o in cond.options if o.table == table and o.column), None)
        if column:
            r.order.append(Ordering(column=(Option(table, str(column)),), descending=True))
            r.limit = r.limit or lk.vocab.default_list_limit
            r.notes.append(f"Listed by {str(column).replace('_', ' ')}, highest first")
            return


def _period_order(lk: Lookups, r: Reading, table: str) -> None:
    """'Show every declined transaction on CUST… in the last 90 days': every row of a period, no number and no
    direction asked, in time order (`entities.*.period_ascending`), and the answer says so."""
    spec = lk.vocab.entities.get(table, {})
    column = spec.get("default_order")
    if spec.get("period_ascending") and column:
        r.order.append(Ordering(column=(Option(table, str(column)),), descending=False))
        r.limit = lk.vocab.default_list_limit
        r.notes.append("Listed in date order, oldest first")


def _unkeyed(lk: Lookups, r: Reading, table: str) -> bool:
    """The listed table cannot hold the looked-up row's key (its rows belong to no customer)."""
    keys = {o.column for c in r.conditions if c.op == "in" for o in c.options if o.table == r.lookup}
    return bool(keys) and not any(
        k in lk.model.tables[table].columns and lk.model.join_path(table, r.lookup or "") is not None
        for k in keys
    )


def _on_table(lk: Lookups, columns: tuple[Option, ...], table: str) -> tuple[Option, ...]:
    """The same columns read on `table` when it has columns of the same names."""
    moved = tuple(Option(table, o.column) for o in columns if o.column in lk.model.tables[table].columns)
    return moved or columns


def _other_dates(lk: Lookups, columns: tuple[Option, ...], table: str) -> bool:
    """'CUST…'s card history with the dates': a bare date asked of a history whose rows carry their own dates
    (each version's start and end, shown anyway) is those dates, never another table's (a transaction date)."""
    own = {c.name for c in lk.model.tables[table].time_dimensions}
    listed = set(lk.vocab.entities.get(table, {}).get("columns", []))
    return bool(own & listed) and all(
        o.table != table and lk.model.tables[o.table].columns[o.column or ""].kind == "time_dimension"
        for o in columns
        if o.table in lk.model.tables and o.column
    )


def entity_of_conditions(lk: Lookups, r: Reading) -> str | None:
    for cond in r.conditions:
        for opt in cond.options:
            if opt.table in lk.vocab.entities:
                return opt.table
    return None


SINGULAR_VERBS = frozenset({"has", "is", "was", "does", "holds", "carries"})


def _singular_who(r: Reading) -> bool:
    """'Who has the lowest LTV ...': one person asked about (ties kept), unlike 'who are the ...'."""
    for idx, token in enumerate(r.tokens[:-1]):
        if token.lemma == "who":
            return r.tokens[idx + 1].norm in SINGULAR_VERBS
    return False


def _which_one(r: Reading) -> bool:
    """'Which Premium cardholder has the lowest ...': 'which' and a singular noun of rows named by a value."""
    if not r.tokens or r.tokens[0].lemma != "which" or len(r.items) < 2:
        return False
    noun = r.items[1]
    return noun.kind == "LEX" and bool(noun.of("value")) and noun.tokens[-1].norm == noun.tokens[-1].lemma


def _asks_which_row(lk: Lookups, r: Reading, facts: tuple[Option, ...]) -> str | None:
    """The table whose row a 'which ...' question asks for ('which High-Value Traveler has ...', 'which of
    those ...'): the ranked column's own table when it is an entity; None when the question asks 'what'."""
    if not r.tokens or r.tokens[0].lemma != "which" or r.grain is not None:
        return None
    if any(i.kind == "TIME" and i.span is not None and i.span.grain for i in r.items):
        return None  # "which month had the highest ...": a period, read elsewhere
    table = facts[0].table
    return table if table in lk.vocab.entities else None


POSSESSIVE_WORDS = frozenset({"their", "his", "her", "its"})


def _possessed(r: Reading, item: Item) -> bool:
    return item.start > 0 and r.tokens[item.start - 1].norm in POSSESSIVE_WORDS


def _asks_what(r: Reading) -> bool:
    return bool(r.tokens) and r.tokens[0].lemma in ("what", "whats", "how")


def _grouped(r: Reading) -> bool:
    """Groups to rank: dimensions already read, or a dimension still to be read as one."""
    return bool(r.dimensions) or any(
        i.kind == "LEX" and not i.used and i.of("dimension") and not i.of("entity", "metric", "fact", "value")
        for i in r.items
    )


def _extremes_of_sized_rows(r: Reading) -> None:
    """'its average transaction value and largest single transaction': next to measures, the largest row
    is the maximum of its size (a row ordering has nothing to order in an aggregate)."""
    grouped = {o for d in r.dimensions for o in d.options}
    for ordering in list(r.order):
        if ordering.column and not set(ordering.column) & grouped and r.limit == 1 and r.ties:
            r.order.remove(ordering)
            size = ordering.column[0]
            aggregation = "max" if ordering.descending else "min"
            r.measures.append(
                Measure(f"{aggregation}_{size.column}", (Option(size.table, size.column, aggregation),))
            )
            r.limit, r.ties = None, False


BREAKDOWN_WORDS = frozenset({"break", "broken", "breakdown", "split"})


def _breakdown(item: Item) -> bool:
    """'how do customers break down by card type?', 'customers split by region': a grouping that asks for the
    rows' distribution, like 'distribution' does."""
    return item.kind == "GROUP" and any(t.lemma in BREAKDOWN_WORDS for t in item.tokens)
