"""Whose confidence interval (`vocabulary.yaml: intervals`): the campaign keeps two estimates with intervals, the
spend lift (lift_ci_low/high) and the retention lift (retention_lift_ci_low/high). A bare "confidence interval"
names both intervals; "the retention lift, with its confidence interval" asks for the retention lift's, so the
estimate the question names picks its own interval. No estimate named is the first one's (the spend lift: "the
lift" of the campaign); two estimates named with one bare interval are refused — which one's is not said.
Before this the bare phrase always meant the spend lift's interval (a wrong answer beside the retention lift)."""

from __future__ import annotations

from c360.assistant.query import Measure, Option
from c360.assistant.reading.items import Reading, Refusal
from c360.assistant.reading.lookups import Lookups


def interval_of_the_estimate(lk: Lookups, r: Reading) -> Refusal | None:
    if not lk.vocab.intervals:
        return None
    refusal = _flag_of_another(lk, r)
    if refusal is not None:
        return refusal
    bounds = {ref: estimate for estimate, pair in lk.vocab.intervals.items() for ref in pair}
    asked = {bounds[ref] for m in r.measures if (ref := fact_of(lk, m)) in bounds}
    if len(asked) < 2:
        return None  # one interval named ('the retention lift confidence interval'), or none
    named = [e for e in lk.vocab.intervals if any(fact_of(lk, m) == e for m in r.measures)]
    if len(named) > 1:
        labels = [_label(lk, e) for e in named]
        return Refusal(
            "incomplete",
            f"The question names the {' and the '.join(labels)}, and each has its own confidence interval; ask "
            f"for one of them ('the {labels[-1]} with its confidence interval').",
        )
    keep = named[0] if named else next(iter(lk.vocab.intervals))
    drop = {ref for estimate, pair in lk.vocab.intervals.items() if estimate != keep for ref in pair}
    r.measures[:] = [m for m in r.measures if fact_of(lk, m) not in drop]
    return None


def fact_of(lk: Lookups, measure: Measure) -> str | None:
    """table.fact a one-column measure reads (a fact averaged, or a metric over one fact)."""
    if measure.where or len(measure.options) != 1:
        return None
    option: Option = measure.options[0]
    if option.filter or option.column is None or option.table not in lk.model.tables:
        return None
    column = lk.model.tables[option.table].columns.get(option.column)
    if column is None:
        return None
    if column.kind == "fact":
        return f"{option.table}.{column.name}"
    if column.kind == "metric" and column.base_column:
        fact = lk.fact_for_expr(option.table, column.base_column)
        return f"{option.table}.{fact}" if fact else None
    return None


def _label(lk: Lookups, ref: str) -> str:
    table, _, fact = ref.partition(".")
    column = lk.model.tables[table].columns[fact]
    named = [s for s in column.synonyms if " " in s] or list(column.synonyms)  # 'campaign lift', not 'lift'
    return named[0] if named else fact.replace("_", " ")


def _flag_of_another(lk: Lookups, r: Reading) -> Refusal | None:
    """'Is the retention lift significant?': the significance flag is stored for one estimate (the spend lift);
    asked beside another estimate and not its own it would answer for the wrong one, so it is refused."""
    options = [o for d in r.dimensions for o in d.options] + [o for c in r.checks for o in c.options]
    flagged = {f"{o.table}.{o.column}" for o in options}
    named = {e for e in lk.vocab.intervals if any(fact_of(lk, m) == e for m in r.measures)}
    for estimate, flag in lk.vocab.interval_flags.items():
        others = named - {estimate}
        if flag in flagged and others and estimate not in named:
            other = _label(lk, sorted(others)[0])
            return Refusal(
                "incomplete",
                f"Significance is stored for the {_label(lk, estimate)} only; for the {other}, ask for its "
                f"confidence interval ('the {other} with its confidence interval': significant when it excludes 0).",
            )
    return None
