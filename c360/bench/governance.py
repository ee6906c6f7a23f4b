"""What masking and alerting cost at full scale.

- Masking: one customer's profile (the Customer 360 lookup) and a name search through the query guard, as the
  marketing persona (names and e-mail masked: the guard reads the profile through the masked projection and
  looks up the table's columns) and as DATA_ENGINEER (clear: no projection) — the difference is what masking
  adds to every app and assistant query (target: the lookup stays within 50 ms).
- Alerting: one evaluation of all rules on the writer session, as every `c360 up`, streamed batch and ingest
  runs it before its last publish (target 500 ms; a streamed batch evaluates once its gold is published).
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Callable
from time import perf_counter
from typing import Final

from c360.bench.platform import ensure_platform
from c360.bench.registry import BenchContext, BenchSection, Metric, benchmark
from c360.engines import open_session
from c360.engines.readers import open_reader
from c360.grants import Role
from c360.guard import run_guarded

LOOKUP_TARGET_MS: Final = 50.0
EVALUATION_TARGET_MS: Final = 500.0
REPEATS: Final = 20
LOOKUP: Final = "select * from customer_analytics.gold.customer_360_profile where customer_id = ?"
SEARCH: Final = (
    "select customer_id, full_name, email from customer_analytics.gold.customer_360_profile "
    "where lower(full_name) like ? order by full_name, customer_id limit 20"
)


def _timed_ms(call: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median milliseconds of `repeats` calls (after one warm-up call)."""
    call()
    samples = []
    for _ in range(repeats):
        began = perf_counter()
        call()
        samples.append((perf_counter() - began) * 1000)
    return statistics.median(samples)


@benchmark("governance", "Masking and alerting: the guard's masked reads and one alert evaluation", order=70)
def bench_governance(ctx: BenchContext) -> BenchSection:
    settings = ensure_platform(ctx)
    section = BenchSection("governance", "Masking and alerting")
    reader = open_reader(settings)
    try:
        customer = str(
            reader.scalar("select customer_id from gold.customer_360_profile order by customer_id limit 1")
        )
        samples: dict[str, list[float]] = {}
        for _ in range(ctx.runs):
            for role in (Role.MARKETING_MANAGER, Role.DATA_ENGINEER):
                lookup = f"customer lookup as {role.value} (ms)"
                search = f"name search as {role.value} (ms)"
                samples.setdefault(lookup, []).append(
                    _timed_ms(functools.partial(run_guarded, reader, LOOKUP, role, [customer]))
                )
                samples.setdefault(search, []).append(
                    _timed_ms(functools.partial(run_guarded, reader, SEARCH, role, ["%an%"]), repeats=5)
                )
    finally:
        reader.close()
    for name, values in samples.items():
        target = LOOKUP_TARGET_MS if name.startswith("customer lookup") else None
        section.metrics.append(Metric(name, "ms", tuple(values), target))

    from c360.alerts.evaluation import evaluate_rules

    writer = open_session(settings)
    try:
        evaluations = [_timed_ms(lambda: evaluate_rules(writer), repeats=5) for _ in range(ctx.runs)]
    finally:
        writer.close()
    section.metrics.append(
        Metric("alert evaluation, all rules (ms)", "ms", tuple(evaluations), EVALUATION_TARGET_MS)
    )
    section.notes.append(
        f"Each sample is the median of {REPEATS} lookups / 5 searches / 5 evaluations after a warm-up, on the "
        f"read-only published warehouse (guard) and the writer session (alerts) of the {settings.scale.customers:,}"
        "-customer bench platform."
    )
    return section
