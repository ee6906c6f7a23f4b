"""One round of the app benchmark's query latency, run as the app runs: in a process of its own whose import
path starts with the app folder (`streamlit run` puts the main script's folder first; so does
`query_round_in_child`, through PYTHONPATH), so the runtime never edits its own sys.path to import the app.

`python -m c360.bench.app_queries --home PATH` prints one JSON list of samples on stdout: every SQL file each
tab runs, through the app's own local backend (query guard, a cursor on the read-only snapshot, DataFrame
conversion) with Streamlit's cache bypassed, and every suggested assistant question end to end.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from c360.errors import C360Error
from c360.paths import STREAMLIT_DIR

log = logging.getLogger(__name__)

QUERY_REPEATS: Final = 5  # executions of each query per run
ASSISTANT_REPEATS: Final = 3  # answers of each suggested question per run (compile + guard + query + summary)
SAMPLE_CUSTOMERS: Final = 20
WARM_UP: Final = "(once per server)"
EXPORT: Final = "Segment Explorer export (on click)"


@dataclass(frozen=True)
class QuerySample:
    tab: str
    query: str
    milliseconds: float
    rows: int


def query_round_in_child(home: Path, timeout: float = 3600) -> list[QuerySample]:
    """One round in a fresh interpreter (a cold backend, as a just-started app server has)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (str(STREAMLIT_DIR), os.environ.get("PYTHONPATH")))),
    }
    done = subprocess.run(
        [sys.executable, "-m", __name__, "--home", str(home)],
        cwd=STREAMLIT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise C360Error(f"the app query round failed (exit {done.returncode}): {' | '.join(tail)}")
    return [QuerySample(**sample) for sample in json.loads(done.stdout)]


class _TimedContext:
    """Looks like the app's AppContext to queries.py, but times every statement and never caches."""

    def __init__(
        self, backend: Any, role: str, tab: str, sink: list[QuerySample], load_sql: Callable[..., str]
    ):
        self.backend, self.role, self.tab, self.sink, self.load_sql = backend, role, tab, sink, load_sql

    def query(self, name: str, params: Sequence[object] = (), max_rows: int = 10_000) -> Any:
        sql = self.load_sql(name, self.backend.dialect)
        frame = None
        for _ in range(QUERY_REPEATS):
            began = time.perf_counter()
            frame = self.backend.run(sql, list(params), self.role, max_rows)
            self.sink.append(QuerySample(self.tab, name, _ms(began), len(frame)))
        return frame


def _app_module(name: str) -> ModuleType:
    """One of the app's modules (streamlit/ is the first folder on this process's path)."""
    return importlib.import_module(name)


def query_round(home: Path) -> list[QuerySample]:
    for name in (  # "no runtime" notices outside a server (Streamlit sets each logger's own level)
        "streamlit",
        "streamlit.runtime.caching.cache_data_api",
        "streamlit.runtime.scriptrunner_utils.script_run_context",
    ):
        logging.getLogger(name).setLevel(logging.ERROR)
    app_context, app_types = _app_module("app_context"), _app_module("app_types")
    q, exports = _app_module("queries"), _app_module("exports")
    samples: list[QuerySample] = []
    backend = _app_module("backend_local").LocalBackend(str(home))
    began = time.perf_counter()
    backend.warm_up()
    samples.append(QuerySample(WARM_UP, "open the read-only snapshot", _ms(began), 0))
    began = time.perf_counter()
    backend.warm_up("MARKETING_MANAGER")
    samples.append(
        QuerySample(WARM_UP, "assistant warm-up (semantic model, lexicon, session)", _ms(began), 0)
    )

    def ctx(tab: str, role: str = "MARKETING_MANAGER") -> _TimedContext:
        return _TimedContext(backend, role, tab, samples, app_context.load_sql)

    seg = ctx("Segment Explorer")
    q.platform_summary(seg)
    q.filter_options(seg)
    variants = [
        q.SegmentFilters(),  # the default view: every customer
        q.SegmentFilters(segments=("High-Value Travelers", "Declining")),
        q.SegmentFilters(states=("CA", "NY", "TX"), cards=("Premium",), min_ltv=10_000),
        q.SegmentFilters(monthly_spend_from=1_000, monthly_spend_to=5_000),
        q.SegmentFilters(min_travel_dining_monthly=3_000),
    ]
    for filters in variants:
        q.segment_breakdown(seg, filters)
        q.segment_customers(seg, filters)
    everyone = app_context.AppContext(backend=backend, role="MARKETING_MANAGER")
    for _ in range(QUERY_REPEATS):  # what the export button does when clicked: every customer, as CSV
        began = time.perf_counter()
        exported = exports.csv_file(q.segment_export(everyone, q.SegmentFilters()))
        rows = exported.getvalue().count(b"\n") - 1
        samples.append(
            QuerySample(EXPORT, "segment export: every customer as CSV (streamed)", _ms(began), rows)
        )

    c360 = ctx("Customer 360")
    picks = backend.run(
        "select customer_id, last_name, email from customer_analytics.gold.customer_360_profile "
        "order by total_transactions desc, customer_id",
        [],
        "MARKETING_MANAGER",
        1_000_000,
    )
    step = max(1, len(picks) // SAMPLE_CUSTOMERS)
    for row in picks.iloc[::step].head(SAMPLE_CUSTOMERS).itertuples():
        q.search_customers(c360, "id", row.customer_id)
        q.search_customers(c360, "name", str(row.last_name)[:4])
        q.search_customers(c360, "email", str(row.email).split("@")[0])
        q.customer_profile(c360, row.customer_id)
        q.customer_monthly(c360, row.customer_id)
        q.customer_transactions(c360, row.customer_id)
        q.customer_card_history(c360, row.customer_id)

    campaign = ctx("Campaign Performance")
    q.campaign_results(campaign)
    q.campaign_monthly(campaign)
    for audience in (
        q.AudienceFilters(),
        q.AudienceFilters(risks=(), min_ltv=0),
        q.AudienceFilters(segments=()),
    ):
        q.campaign_audience(campaign, audience)
        q.campaign_targets(campaign, audience)

    health = ctx("Pipeline Health", role="DATA_ANALYST")
    for name in (*q.HEALTH_QUERIES, "churn_model_metrics"):
        try:
            q.health(health, name)
        except app_types.AppDataError as exc:  # e.g. no churn model yet: recorded, not timed
            log.warning("app bench: %s unavailable: %s", name, exc)

    for question in _app_module("assistant_questions").all_questions():
        for _ in range(ASSISTANT_REPEATS):
            began = time.perf_counter()
            reply = backend.ask(question, [], "MARKETING_MANAGER")
            samples.append(QuerySample("AI Assistant", f"ask: {question}", _ms(began), len(reply.rows)))
    backend.close()
    return samples


def _ms(began: float) -> float:
    return (time.perf_counter() - began) * 1000


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, type=Path, help="the benchmark platform's folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    json.dump([asdict(s) for s in query_round(args.home)], sys.stdout)


if __name__ == "__main__":
    main()
