"""Measures: counts ("how many Premium customers"), aggregations ("average age", "total LTV") and shares
("what share of customers in Texas are Premium")."""

from __future__ import annotations

import itertools
from dataclasses import replace

from c360.assistant.grammar import SHARE_VERBS
from c360.assistant.query import Condition, Dimension, Measure, Option
from c360.assistant.reading.items import Item, Reading, Refusal, back_reference, next_item, prev_item
from c360.assistant.reading.lookups import Lookups

UNIT_WORDS = frozenset({"percentage", "percent", "point", "dollar", "day", "month", "year", "week"})


# counts: "how many premium customers", "number of transactions", "how many High-Value Travelers"
def counts(lk: Lookups, r: Reading) -> Refusal | None:
    items = r.items
    for idx, item in enumerate(items):
        if item.used or item.kind not in ("COUNT", "DIST"):
            continue
        target = None
        direct = next_item(items, idx)
        if item.kind == "COUNT" and direct is not None and direct.kind == "LEX" and not direct.used:
            counts = [e for e in direct.of("metric") if lk.is_count_metric(e)]
            if counts and not direct.of("entity"):  # "how many declined transactions": that count
                item.used = direct.used = True
                options = tuple(dict.fromkeys(Option(e.table, e.column) for e in counts))
                r.measures.append(Measure(counts[0].column or "value", options))
                continue
            before = prev_item(items, idx)
            aggregated = (
                before is not None and before.kind == "AGG"
            )  # "the average number of days ...": there
            if (
                aggregated
                and direct.tokens[0].lemma in UNIT_WORDS
                and direct.of("fact")
                and not direct.of("entity")
            ):
                continue  # read by the aggregation before it
            unit = direct.tokens[0].lemma in UNIT_WORDS and not direct.of("entity") and not aggregated
            measure = lk.plain_measure(direct) if unit else None
            if measure is not None:  # "by how many percentage points did ...": the measure in that unit
                item.used = direct.used = True
                r.measures.append(measure)
                continue
        if item.kind == "COUNT" and (in_unit := _measure_in_unit(lk, items, idx)) is not None:
            # "how many months will it take for the campaign to pay for itself": the measure counted in months
            item.used = True
            r.measures.append(in_unit)
            continue
        rows_in_cue = None
        for j in range(idx + 1, min(idx + 6, len(items))):
            nxt = items[j]
            if nxt.kind == "LEX" and nxt.of("entity"):
                target = nxt
                for between in items[idx + 1 : j]:
                    if between.kind == "DISTINCT":
                        between.used = True  # "how many distinct customers": rows are counted once anyway
                break
            if nxt.kind == "DISTINCT":
                continue
            if nxt.kind == "CUE" and (rows_in_cue := _rows_named_in_cue(lk, nxt)) is not None:
                break  # "how many new accounts were opened": the cue's own noun names the rows
            if nxt.kind == "LEX" and nxt.of("value", "filter") and not nxt.of("metric", "fact"):
                continue
            if nxt.kind in ("NEG", "AND", "OR", "TIME", "WH", "CMP", "NUM", "PRONOUN"):
                continue  # "how many of those got the offer": the rows of the question before, with a value
            break
        if item.kind == "DIST":
            _band_of_score(lk, r, idx)  # "the churn risk breakdown": customers by churn risk band
            named = _names_a_measure(items, idx)
            if named is not None:
                grouped = bool(r.dimensions) or any(
                    g.kind == "GROUP" and n.kind == "LEX" and bool(n.of("dimension"))
                    for g, n in itertools.pairwise(items)
                )
                additive = any(
                    lk.model.tables[e.table]
                    .columns[e.column or ""]
                    .expr.strip()
                    .upper()
                    .startswith(("SUM(", "COUNT("))
                    for e in named.of("metric")
                )
                if not grouped and not additive:
                    return Refusal(
                        "incomplete", f"I can't show how {named.text!r} is distributed (ranges of a number)."
                    )
                item.used = True  # "break down spend by channel", "spend breakdown": the measure is named
                continue
        if item.kind == "DIST" and target is None:
            target_prev = prev_item(items, idx)
            if target_prev is not None and target_prev.kind == "LEX" and target_prev.of("entity"):
                target = target_prev
        if target is None and item.kind == "COUNT" and _counts_each_group(items, idx):
            # "which regions do customers live in, and how many in each?": the rows named before, per group
            for before in reversed(items[:idx]):
                if before.kind == "LEX" and before.of("entity"):
                    target = before
                    break
                if before.kind == "CUE" and (rows_in_cue := _rows_named_in_cue(lk, before)) is not None:
                    break
        if target is None and item.kind == "COUNT":
            target = _counted_beside_share(items, idx)
        if target is None and rows_in_cue is None:
            rows_in_cue = _rows_before_count(items, idx)  # "premium upgrade count by segment"
        measure = lk.count_measure(r, target, idx, table=rows_in_cue)
        if measure is None:
            if item.kind == "DIST" and not any(
                i.kind == "LEX" and i.of("entity", "metric", "fact") for i in items
            ):  # "split that by region", "break it down by card type": the question before, divided further
                item.used = True
                continue
            if item.kind == "DIST":
                measure = lk.count_measure(r, None, idx, default_entity=True)
            counted = r.measures or any(
                i.kind == "LEX" and any(lk.is_count_metric(e) for e in i.of("metric")) for i in items[:idx]
            )
            if measure is None and counted and item.kind == "COUNT":
                item.used = True  # "count and % of total", "how many in treatment and how many in control"
                continue
            if measure is None and item.kind == "COUNT" and not any(i.kind == "LEX" for i in items):
                item.used = True  # "how many are there?": the rows of the question before (a follow-up)
                r.count_rows = True
                continue
            if measure is None:
                return Refusal("incomplete", f"I can't tell what to count after {item.text!r}.")
        item.used = True
        if target is not None and target.of("entity", "table") and not target.of("metric"):
            target.used = True
        r.measures.append(measure)
    return None


def own_count_filters(lk: Lookups, r: Reading) -> Refusal | None:
    """'average churn score and number of High Risk customers by region': values said inside a count named
    after another measure ('number of High Risk customers') pick the rows that count counts, not the rows
    of the measure before it (the average is over every customer of the region). Said first ('the number of
    High Risk customers and their average score') they stay filters of the whole question."""
    if len(r.measures) < 2:
        return None
    for idx, item in enumerate(r.items):
        if item.kind != "COUNT" or not item.used:
            continue
        if not any(i.kind == "AGG" or (i.kind == "LEX" and i.of("metric", "fact")) for i in r.items[:idx]):
            continue
        target = next(  # "number of lapsed customers": a filter whose phrase names the rows too
            (n for n in r.items[idx + 1 : idx + 6] if n.kind == "LEX" and n.of("entity", "filter")), None
        )
        if target is None:
            continue
        own = [
            c
            for c in r.conditions
            if item.end <= r.position(c) < target.end and c.measure is None and c.op in ("in", "named")
        ]
        tables = {o.table for o in target.of("entity", "filter")}
        counted = [
            m
            for m in r.measures
            if not m.where
            and any(o.table in tables for o in m.options)
            and all(o.aggregation is None and _counts_rows(lk, o) for o in m.options)
        ]
        if not own or len(counted) != 1:
            continue
        for cond in own:
            r.conditions.remove(cond)
        r.measures[r.measures.index(counted[0])] = replace(counted[0], where=tuple(own))
    return None


def _counts_rows(lk: Lookups, option: Option) -> bool:
    column = lk.model.tables[option.table].columns.get(option.column or "")
    return column is not None and column.expr.strip().upper().startswith("COUNT(")


def restated(lk: Lookups, r: Reading) -> Refusal | None:
    """'avg monthly spend before and after the offer': a measure followed by columns whose names contain it
    (pre_avg_monthly_spend, post_avg_monthly_spend) only names what those columns hold; they are measured,
    with the aggregation asked for (an average when none is)."""
    items = r.items
    for idx, item in enumerate(items):
        if item.used or item.kind != "LEX" or not item.of("metric", "fact"):
            continue
        words = {_canonical(t.lemma) for t in item.tokens}
        qualifiers = []
        for nxt in items[idx + 1 :]:
            if nxt.kind == "AND":
                continue
            if nxt.kind == "LEX" and not nxt.used and _contains(lk, nxt, words):
                qualifiers.append(nxt)
                continue
            break
        before = prev_item(items, idx)
        qualifier_first = before is not None and before.kind == "LEX" and not before.used
        if not qualifiers and before is not None and qualifier_first and _contains(lk, before, words):
            qualifiers, before = [before], prev_item(items, idx - 1)  # "post-offer monthly spend"
        if not qualifiers:
            continue
        agg = before.arg if before is not None and before.kind == "AGG" and not before.used else "avg"
        found = [lk.measure_from(agg, q) for q in qualifiers]
        measures = [m for m in found if m is not None]
        if len(measures) < len(found):
            continue
        item.used = True
        if before is not None and before.kind == "AGG":
            before.used = True
        for q, m in zip(qualifiers, measures, strict=True):
            q.used = True
            r.measures.append(m)
    return None


def _canonical(word: str) -> str:
    return {"average": "avg", "mean": "avg"}.get(word, word)


def _contains(lk: Lookups, item: Item, words: set[str]) -> bool:
    """Every fact or metric the item names has all `words` in its column name (and it names some)."""
    columns = [lk.model.tables[e.table].columns[e.column or ""] for e in item.of("fact", "metric")]
    if not columns or item.of("value", "entity"):
        return False
    return all(words <= {_canonical(w) for w in c.name.split("_")} for c in columns)


def _names_a_measure(items: list[Item], idx: int) -> Item | None:
    """A measure right before the breakdown word, or after it past values and periods ('break down
    CUST00000045's spending by category', 'break down last month's spend by channel')."""

    def measure(n: Item | None) -> bool:
        return (
            n is not None
            and n.kind == "LEX"
            and not n.used
            and bool(n.of("metric", "fact"))
            and not n.of("entity")
        )

    before = prev_item(items, idx)
    if measure(before):
        return before
    for n in items[idx + 1 :]:
        if measure(n):
            return n
        if n.kind == "TIME":
            continue  # "break down the last 90 days' spend by ...": a period's measure
        if not (n.kind == "LEX" and n.of("value") and not n.of("metric", "fact", "entity")):
            return None
    return None


def _band_of_score(lk: Lookups, r: Reading, idx: int) -> None:
    """A breakdown of a score ('churn risk breakdown', 'distribution of churn risk') is the count per band of
    that score: the categorical column listed with it (vocabulary companion_columns)."""
    for near in (prev_item(r.items, idx), next_item(r.items, idx)):
        if near is None or near.kind != "LEX" or near.used or near.of("dimension", "value", "entity"):
            continue
        for fact in lk.facts_of(near):
            for ref in lk.vocab.companion_columns.get(f"{fact.table}.{fact.column}", ()):
                table, _, column = ref.partition(".")
                if lk.model.tables[table].columns[column].kind == "dimension":
                    near.used = True
                    r.dimensions.append(Dimension((Option(table, column),)))
                    return


def _rows_before_count(items: list[Item], idx: int) -> str | None:
    """'<a value or named filter> count' ('premium upgrade count by segment', 'High Risk count per region'):
    the word 'count' after the rows' value counts the rows of that value's table."""
    item = items[idx]
    before = prev_item(items, idx)
    if item.tokens[0].lemma != "count" or len(item.tokens) != 1 or before is None or before.kind != "LEX":
        return None
    if before.of("metric", "fact", "entity", "dimension") or not before.of("value", "filter"):
        return None
    tables = {e.table for e in before.of("value", "filter")}
    return tables.pop() if len(tables) == 1 else None


def _measure_in_unit(lk: Lookups, items: list[Item], idx: int) -> Measure | None:
    """'How many <unit> … <a measure counted in that unit>': a bare unit word right after 'how many' and, later
    in the same clause, one measure whose column is counted in it (payback_months); both are read as it."""
    unit = next_item(items, idx)
    if unit is None or unit.kind != "LEX" or unit.used or len(unit.tokens) != 1:
        return None
    word = unit.tokens[0].lemma
    if word not in UNIT_WORDS or unit.of("metric", "fact", "entity"):
        return None
    if any(
        i.kind in ("EVENT", "WH", "WHO") or (i.kind == "LEX" and i.tokens[0].lemma == "when") for i in items
    ):
        return None  # "when did … open the account, and how many months is that?": the event's own reading
    found: list[tuple[Item, Measure]] = []
    for later in items[items.index(unit) + 1 :]:
        if later.kind in ("AND", "OR", "GROUP", "COUNT"):
            break
        if later.kind != "LEX" or later.used:
            continue
        columns = [e for e in later.of("metric", "fact") if (e.column or "").endswith(f"_{word}s")]
        columns += [
            e
            for e in later.of("metric")
            if lk.model.tables[e.table].columns[e.column or ""].base_column
            and str(lk.model.tables[e.table].columns[e.column or ""].base_column).endswith(f"_{word}s")
        ]
        if columns:
            measure = lk.plain_measure(later)
            if measure is not None:
                found.append((later, measure))
    if len(found) != 1:
        return None
    later, measure = found[0]
    unit.used = later.used = True
    return measure


def _names_whose(items: list[Item], item: Item) -> bool:
    """A bare table noun between an aggregation and a measure names whose measure it is, nothing more."""
    after = next_item(items, items.index(item))
    return (
        item.kind == "LEX"
        and not item.used
        and bool(item.of("table"))
        and not item.of("fact", "metric", "value", "dimension")
        and after is not None
        and after.kind == "LEX"
        and bool(after.of("fact", "metric"))
    )


# aggregations: "average age", "median credit limit", "total LTV"
def aggregations(lk: Lookups, r: Reading) -> Refusal | None:
    items = r.items
    for idx, item in enumerate(items):
        if item.used or item.kind != "AGG":
            continue
        nxt = next_item(items, idx)
        counted = next_item(items, idx, 2)
        if (  # "the average number of days since the last purchase": a count that is a column
            nxt is not None
            and nxt.kind == "COUNT"
            and counted is not None
            and counted.kind == "LEX"
            and counted.tokens[0].lemma in UNIT_WORDS
            and counted.of("fact")
            and not counted.of("entity")
        ):
            nxt.used = True
            nxt = counted
        if nxt is not None and nxt.kind == "COUNT":
            per_row = per_customer_count(lk, r, idx)
            if per_row is not None:  # "the average number of approved transactions per customer"
                r.measures.append(per_row)
                continue
            if item.arg != "sum":  # "the average number of categories a customer shops in"
                return Refusal(
                    "incomplete", f"I can't compute the {item.text} of a count per row from this data."
                )
            continue  # "total number of ..."
        while (  # "average approved transaction amount", "average 90-day spend change": qualifiers
            nxt is not None
            and (
                (nxt.kind == "LEX" and nxt.of("value") and not nxt.of("fact", "metric"))
                or nxt.kind == "TIME"
                or _names_whose(items, nxt)  # "total portfolio lifetime value", "average cardholder spend"
            )
        ):
            nxt = next_item(items, items.index(nxt))
        if nxt is None or nxt.kind != "LEX" or nxt.used or not nxt.of("fact", "metric"):
            if item.arg == "sum" and item.tokens[0].lemma in ("total", "combined"):
                item.used = True  # "in total", "total" before something already counted
                continue
            restated = restated_aggregation(lk, r, idx) or _aggregated_restatement(lk, r, idx)
            if restated is not None:
                r.measures.append(restated)
                continue
            return Refusal("incomplete", f"I can't tell what to aggregate after {item.text!r}.")
        measure = lk.measure_from(item.arg, nxt)
        per_customer = lk.vocab.spend_window_facts.get(r.window.days or 0) if r.window is not None else None
        if measure is None and per_customer is not None and lk.is_spend(nxt):
            # "median 30-day spend", "average spend over the last 90 days": customers' spend in that window
            table, _, column = per_customer.partition(".")
            declared = lk.declared_metric(table, column, item.arg)
            option = Option(table, declared) if declared else Option(table, column, aggregation=item.arg)
            measure = Measure(declared or f"{item.arg}_{column}", (option,))
            r.window = None
        if measure is None:
            return Refusal("incomplete", f"{nxt.text!r} can't be aggregated with {item.text!r}.")
        item.used = nxt.used = True
        r.measures.append(measure)
    return None


# shares: "what share of customers in Texas are Premium?" = Premium / all, among Texas customers;
# "what share of total spend came from High-Value Travelers?" = their spend / all spend
def share(lk: Lookups, r: Reading) -> Refusal | None:
    for idx, item in enumerate(r.items):
        if item.kind not in ("SHARE", "PCTTOTAL") or item.used:
            continue
        if item.kind == "SHARE" and _already_a_share(lk, r):
            item.used = True  # "what share of each group stayed active": the measure is that share itself
            continue
        if item.kind == "SHARE" and _value_share(lk, r, idx):
            continue  # "High Risk share by region": the share of customers who are High Risk, per region
        after = next_item(r.items, idx)
        if item.kind == "PCTTOTAL" and not (after is not None and after.kind == "LEX" and after.of("metric")):
            item.used = True  # "count and % of total": each group's part of the measure asked for
            r.percent_of_total = True
            continue
        item.used = True
        table, subject_end, base = None, item.end, None
        for nxt in r.items[idx + 1 :]:
            if nxt.kind == "LEX" and nxt.of("entity"):
                table, subject_end = nxt.of("entity")[0].table, nxt.end
                nxt.used = True
                break
            if nxt.kind == "LEX" and (additive := _additive_metric(lk, nxt)) is not None:
                base, subject_end = additive, nxt.end  # "share of all transactions / of total spend"
                nxt.used = True
                break
            if nxt.kind == "AGG" and nxt.arg == "sum":
                nxt.used = True  # "share of total spend"
                continue
            of_group = item.tokens[-1].norm == "of" and nxt.kind == "LEX" and nxt.of("dimension")
            if of_group and not nxt.of("value", "filter", "metric", "fact"):
                whole = f"{item.text} the {nxt.text}"  # "what share of the region is that": not read yet
                return Refusal(
                    "incomplete",
                    f"I can't tell what {whole!r} is a share of: ask 'what share of each {nxt.text}'s customers "
                    f"…' for the share within each {nxt.text}, or '… by {nxt.text} with % of total' for each "
                    f"{nxt.text}'s part of the whole.",
                )
            if not (nxt.kind == "LEX" and nxt.of("value", "filter")) and nxt.kind not in (
                "AND",
                "OR",
                "NEG",
                "TIME",
                "ALLTIME",
            ):
                break
        if base is None:
            table = table or (r.implied_entities[0] if r.implied_entities else lk.vocab.anchor_preference[0])
            metric = lk.vocab.share_base.get(table)
            if metric is None:
                return Refusal("incomplete", f"I can't compute a share of {table.replace('_', ' ')}.")
            base = Option(table, metric, aggregation="share")
        boundary = next(
            (i for i in range(subject_end, len(r.tokens)) if r.tokens[i].norm in SHARE_VERBS), None
        )
        follower = next((i for i in r.items if i.start == subject_end), None)
        if boundary is None and follower is not None and follower.kind == "LEX" and follower.of("value"):
            boundary = (
                follower.start
            )  # "percentage of transactions declined in each category": those declined
        grouped = r.shares_per_group or any(i.kind in ("GROUP", "DIST") for i in r.items)
        if boundary is None and grouped:  # "% of approved transactions by channel": each channel's part
            numerator = []
        else:  # ungrouped with no verb: every condition picks the part ("share of total LTV for Texas"), else 100 %
            numerator = [c for c in r.conditions if boundary is None or r.position(c) >= boundary]
            subject = [c for c in numerator if item.end <= r.position(c) < subject_end]
            if boundary is None and table is not None and subject and len(subject) < len(numerator):
                # "what percent of at-risk customers ... in the Declining segment": the words of the subject
                # ('at-risk') are the whole the part is taken of, the rest the part
                numerator = [c for c in numerator if c not in subject]
        # "what % of Elizabeth F.'s spend goes to travel": the one customer named inside the whole is that
        # whole's (her spend), never the part the share picks out of everyone's
        numerator = [c for c in numerator if not _lookup_inside(lk, r, c, item.end, subject_end)]
        earlier = _part_said_before(r, item, subject_end) if not grouped else []
        if (
            earlier
        ):  # "how many were declined, and what % of all attempts is that": the count before is the part
            numerator = list(dict.fromkeys([*numerator, *earlier]))
            r.part_of_all = tuple(earlier)  # the count asked before is of that part too (part_of_all below)
        for cond in numerator:
            r.conditions.remove(cond)
        r.measures.append(Measure("share_pct", (base,), where=tuple(numerator)))
    return None


WHOLE_WORDS = frozenset({"all", "every", "everything", "everyone", "everybody"})


def _part_said_before(r: Reading, item: Item, subject_end: int) -> list[Condition]:
    """'How many transactions were declined, and what % of all attempts is that?': a share of ALL the rows
    ('of all attempts', 'of everything') after a filtered count is that count over every row of the table; the
    conditions said before the share word pick the part, never restrict the whole (which made it 100 %)."""
    if not any(t.norm in WHOLE_WORDS for t in r.tokens[item.end : max(subject_end, item.end + 1)]):
        return []
    return [c for c in r.conditions if r.position(c) < item.start and c.measure is None]


def _lookup_inside(lk: Lookups, r: Reading, cond: Condition, start: int, end: int) -> bool:
    """The condition naming the one looked-up row by its key, said between the share word and its whole."""
    return lk.pins_looked_up_row(r, cond) and start <= r.position(cond) < end


def _value_share(lk: Lookups, r: Reading, idx: int) -> bool:
    """'High Risk share by region', 'the Premium share in each state': a value right before 'share' is what the
    share counts, of all the rows of its table (per group when grouped)."""
    item = r.items[idx]
    value = r.items[idx - 1] if idx else None
    if value is None or value.kind != "LEX" or not value.of("value", "filter") or value.end != item.start:
        return False
    after = next_item(r.items, idx)
    if after is not None and after.kind not in ("GROUP", "TIME"):
        return False  # "the Premium share of spend": a share of a measure, read below
    counted = [c for c in r.conditions if r.position(c) == value.start and c.measure is None]
    tables = {o.table for c in counted for o in c.options}
    table = next(iter(tables)) if len(tables) == 1 else None
    metric = lk.vocab.share_base.get(table or "")
    if table is None or metric is None:
        return False
    item.used = True
    for cond in counted:
        r.conditions.remove(cond)
    r.measures.append(
        Measure("share_pct", (Option(table, metric, aggregation="share"),), where=tuple(counted))
    )
    return True


def _additive_metric(lk: Lookups, item: Item) -> Option | None:
    """The SUM or COUNT metric an item names (a share of it is meaningful; of an average it is not)."""
    for entry in item.of("metric"):
        column = lk.model.tables[entry.table].columns[entry.column or ""]
        if column.expr.strip().upper().startswith(("SUM(", "COUNT(")):
            return Option(entry.table, entry.column, aggregation="share")
    for fact in lk.facts_of(item):  # "what portion of lifetime value ...": of its total
        total = lk.declared_metric(fact.table, fact.column or "", "sum")
        if total is not None:
            return Option(fact.table, total, aggregation="share")
    return None


def part_of_all(lk: Lookups, r: Reading) -> Refusal | None:
    """The measures asked beside a share of all the rows ('how many were declined, and what % of all attempts
    is that') count the part the share picks out: its conditions, taken out of the whole, are theirs."""
    if r.part_of_all:
        r.measures = [
            replace(m, where=r.part_of_all) if _count_or_sum(lk, m) else m for m in r.measures
        ]  # a rate beside it ('the decline rate (declined as % of all attempts)') is the whole's own
    return None


def _count_or_sum(lk: Lookups, measure: Measure) -> bool:
    """A count or a sum (of the part it is asked of), never a rate or an average."""
    if measure.where:
        return False
    for option in measure.options:
        column = lk.model.tables[option.table].columns.get(option.column or "")
        if option.aggregation in ("count", "sum"):
            return True
        if column is not None and not option.aggregation:
            return column.expr.strip().upper().startswith(("SUM(", "COUNT("))
    return False


def all_attempts(lk: Lookups, r: Reading) -> Refusal | None:
    """'how many transactions were declined': approved-only measures become their every-attempt twins
    when the question filters on the authorization status."""
    status = lk.vocab.status_column
    on_status = [
        c
        for c in [*r.conditions, *r.part_of_all]
        if any(f"{o.table}.{o.column}" == status for o in c.options)
    ]
    if r.every_row and not on_status:  # "how many transactions came in without a category": every row
        counted = [m for m in r.measures if _approved_only(lk, m) and _is_count(lk, m)]
        r.measures = [_every_attempt(lk, _counted_rows(lk, m)) if m in counted else m for m in r.measures]
        if counted:
            r.notes.append(f"counted whatever the status ({lk.vocab.approved_status} or not)")
        return None
    if status is None or not on_status:
        return None
    approved = lk.vocab.approved_status
    if (
        r.measures
        and all(c.op == "in" and c.values == (approved,) for c in on_status)
        and all(_approved_only(lk, m) for m in r.measures)
    ):  # "approved spend", "number of approved transactions": what these measures count anyway
        for cond in on_status:
            r.conditions.remove(cond)
        r.notes.append(f"{approved} transactions only")
        return None
    r.measures = [_every_attempt(lk, m) for m in r.measures]
    return None


def _approved_only(lk: Lookups, measure: Measure) -> bool:
    return not measure.where and any(
        f"{o.table}.{o.column}" in lk.vocab.all_attempts and not o.aggregation for o in measure.options
    )


def _is_count(lk: Lookups, measure: Measure) -> bool:
    """A count of rows: its every-attempt twin is a declared metric, not AGG(fact) (vocabulary all_attempts)."""
    return bool(_counted_rows(lk, measure).options)


def _counted_rows(lk: Lookups, measure: Measure) -> Measure:
    """The measure's options that count rows with an every-attempt twin (not a rollup's per-customer total)."""
    options = tuple(
        o
        for o in measure.options
        if not o.aggregation and ":" not in lk.vocab.all_attempts.get(f"{o.table}.{o.column}", ":")
    )
    return replace(measure, options=options)


def _every_attempt(lk: Lookups, measure: Measure) -> Measure:
    options = []
    for option in measure.options:
        twin = (
            lk.vocab.all_attempts.get(f"{option.table}.{option.column}") if not option.aggregation else None
        )
        if twin is None:
            options.append(option)
            continue
        ref, _, aggregation = twin.partition(":")
        table, _, column = ref.partition(".")
        options.append(Option(table, column, aggregation=aggregation or None))
    return Measure(measure.label, tuple(options), measure.where)


def percent_of_total(lk: Lookups, r: Reading) -> Refusal | None:
    """'count and % of total': next to an additive measure, each group's percentage of its total."""
    if r.percent_of_total:
        r.measures.extend(m for m in (share_of_total(lk, m) for m in list(r.measures)) if m is not None)
    return None


def _already_a_share(lk: Lookups, r: Reading) -> bool:
    """A measure asked for is itself a share in percent (its description says so: 'Share of the group ...')."""
    named = [[(e.table, e.column or "") for e in i.of("fact", "metric")] for i in r.items if i.kind == "LEX"]
    asked = [[(o.table, o.column or "") for o in m.options] for m in r.measures]
    for refs in (*asked, *named):
        columns = [lk.model.tables[t].columns.get(c) for t, c in refs]
        if columns and all(
            c is not None and c.name.endswith("_pct") and "share" in (c.description or "").lower()
            for c in columns
        ):
            return True
    return False


def share_of_total(lk: Lookups, measure: Measure) -> Measure | None:
    """The same measure as a percentage of its total over the groups (None for an average or a rate)."""
    options = []
    for option in measure.options:
        column = lk.model.tables[option.table].columns.get(option.column or "")
        if column is None or option.aggregation or measure.where:
            continue
        if column.expr.strip().upper().startswith(("SUM(", "COUNT(")):
            options.append(Option(option.table, option.column, aggregation="share"))
    return Measure("share_pct", tuple(options)) if options else None


def likelihood(lk: Lookups, r: Reading) -> Refusal | None:
    """'Are Premium customers more likely to be High Risk than Standard ones?': the share of customers with
    the outcome in each group of the compared column (the yes/no is answered from that comparison)."""
    for item in r.items:
        if item.kind != "LIKELY" or item.used:
            continue
        after = [c for c in r.conditions if r.position(c) > item.start and c.measure is None]
        before = [
            c for c in r.conditions if r.position(c) < item.start and c.op == "in" and c.measure is None
        ]
        if not after or not before:
            return Refusal(
                "incomplete", "I can't tell which groups to compare or what they are more likely to do."
            )
        outcome = min(after, key=r.position)
        subject = max(before, key=r.position)
        column = next((o for o in subject.options if o.column), None)
        if column is None or subject.values[0] is None:
            return Refusal("incomplete", "I can't tell which groups to compare.")
        table = column.table
        base = lk.vocab.share_base.get(table)
        if base is None:
            return Refusal("incomplete", f"I can't compute a share of {table.replace('_', ' ')}.")
        item.used = True
        r.conditions.remove(outcome)
        if len(subject.values) == 1:  # "... than the others": every group of that column
            r.conditions.remove(subject)
        r.dimensions.append(Dimension(subject.options))
        r.measures.append(Measure("share_pct", (Option(table, base, aggregation="share"),), where=(outcome,)))
        r.claim = (str(subject.values[0]), item.arg == "more")
    return None


def _counts_each_group(items: list[Item], idx: int) -> bool:
    """'how many in each?' closing the question: a count per group of the rows named earlier."""
    rest = items[idx + 1 :]
    if len(rest) != 1:
        return False
    of_each = (
        items[idx].tokens[-1].lemma == "of" and rest[0].kind == "GROUP" and rest[0].text.lower() == "each"
    )
    return of_each or back_reference(rest[0])  # "how many of each?", "how many in each?"


def _counted_beside_share(items: list[Item], idx: int) -> Item | None:
    """'count and share of customers by status', 'customers by region: counts and shares': a count joined by
    'and' to a share counts the rows the share names (after it), else the rows named before the count."""
    rest = items[idx + 1 :]
    joined = [i for i in rest[:3] if i.kind in ("AND", "SHARE", "PCTTOTAL")]
    if not joined or rest[0].kind not in ("AND", "PCTTOTAL") or not any(i.kind != "AND" for i in joined):
        return None
    for nxt in rest[: len(joined) + 1]:
        if nxt.kind == "LEX" and nxt.of("entity"):
            return nxt
    if len(rest) > len(joined) and rest[len(joined)].kind == "LEX":
        return None  # "count and share of spend": no rows of a table named
    return next((b for b in reversed(items[:idx]) if b.kind == "LEX" and b.of("entity")), None)


def _rows_named_in_cue(lk: Lookups, item: Item) -> str | None:
    """The table of a date cue that names its own rows ('new accounts': customer_360_profile.account_open_date)."""
    table = item.arg.split(".")[0]
    nouns = {n for n in lk.vocab.entities.get(table, {}).get("nouns", []) if " " not in n}
    return table if any(t.lemma in nouns or t.norm in nouns for t in item.tokens) else None


def restated_aggregation(lk: Lookups, r: Reading, idx: int) -> Measure | None:
    """'compare credit limit across card types (average per customer)', 'churn score by region, average per
    customer': an aggregation named after the measure, closing the question, applies to the one measure named
    before it. Only when nothing but 'per customer' follows it and exactly one unaggregated measure precedes it."""
    items = r.items
    rest = [i for i in items[idx + 1 :] if not i.used]
    entity = lk.vocab.anchor_preference[0]
    if rest and not (
        len(rest) == 2
        and rest[0].kind == "GROUP"
        and rest[1].kind == "LEX"
        and any(e.table == entity for e in rest[1].of("entity"))
        and not rest[1].of("dimension", "metric", "fact", "value")
    ):
        return None
    before = [i for i in items[:idx] if i.kind == "LEX" and not i.used and i.of("fact", "metric")]
    measure = _aggregate_the_one_before(lk, items, idx, before)
    if measure is not None:
        for item in rest:
            item.used = True  # "per customer": the rows averaged, not a grouping
    return measure


def _aggregated_restatement(lk: Lookups, r: Reading, idx: int) -> Measure | None:
    """'Churn risk by region: average score and …': the word after the aggregation only repeats part of the
    name of the one measure named before it ('score' of the churn risk score), so it aggregates that measure."""
    items, agg = r.items, r.items[idx]
    if agg.end >= len(r.tokens) or any(i.start == agg.end for i in items):
        return None
    word = r.tokens[agg.end]
    before = [
        i
        for i in items[:idx]
        if i.kind == "LEX" and not i.used and i.of("fact", "metric") and lk.restates([i], word)
    ]
    return _aggregate_the_one_before(lk, items, idx, before)


def _aggregate_the_one_before(lk: Lookups, items: list[Item], idx: int, before: list[Item]) -> Measure | None:
    """The aggregation at `idx` applied to the one measure named before it (none when there are several, or an
    aggregation came earlier)."""
    if len(before) != 1 or any(i.kind == "AGG" for i in items[:idx]):
        return None
    measure = lk.measure_from(items[idx].arg, before[0])
    if measure is None:
        return None
    items[idx].used = before[0].used = True
    return measure


def per_customer_count(lk: Lookups, r: Reading, idx: int) -> Measure | None:
    """'the average number of (approved) transactions per customer', 'median number of purchases per cardholder':
    an aggregation of each customer's own count of those rows — the profile's lifetime count column (approved
    transactions). Only with 'per <customer noun>' after the rows, no window (the column is lifetime) and no
    qualifier other than the status the column already counts."""
    items = r.items
    agg, count = items[idx], items[idx + 1]
    rest = items[idx + 2 :]
    entity = lk.vocab.anchor_preference[0]
    if r.window is not None or len(rest) < 3:
        return None
    qualified = len(rest) >= 4 and rest[0].kind == "LEX" and bool(rest[0].of("value"))
    qualifiers = rest[:1] if qualified else []
    rows, per, noun = rest[1:4] if qualified else rest[:3]
    if per.kind != "GROUP" or per.tokens[0].lemma not in ("per", "each") or noun.kind != "LEX":
        return None
    if not any(e.table == entity for e in noun.of("entity")) or noun.of(
        "dimension", "metric", "fact", "value"
    ):
        return None
    if rows.kind != "LEX" or not rows.of("entity") or any(e.table == entity for e in rows.of("entity")):
        return None
    if any(q.kind != "LEX" or {v.value for v in q.of("value")} != {"approved"} for q in qualifiers):
        return None
    facts = [f for f in lk.facts_of(rows) if f.table == entity]
    if len(facts) != 1:
        return None
    column = facts[0].column or ""
    declared = lk.declared_metric(entity, column, agg.arg)
    measure = Measure(
        declared or f"{agg.arg}_{column}",
        (Option(entity, declared) if declared else Option(entity, column, aggregation=agg.arg),),
    )
    for item in (agg, count, *qualifiers, rows, per, noun):
        item.used = True
    counted = {e.column for q in (*qualifiers, rows) for e in q.of("metric")}
    r.measures = [m for m in r.measures if not any(o.column in counted for o in m.options)]  # the plain count
    return measure
