"""The Streamlit app at full scale: every tab's queries (p95 <= 300 ms) and each tab's first render (<= 2 s).

Query latency: the exact SQL files the tabs run, through the app's own local backend (query guard, a cursor on
the read-only snapshot, DataFrame conversion) with Streamlit's cache bypassed, so every sample is a real
warehouse round trip. Each run opens a fresh backend (cold connection); per tab and run the p95 over all the
tab's query executions is one sample.

First render: the real app (`c360 app`'s Streamlit command) in headless Chromium. Only the open tab runs, so
each tab is measured two ways after a data-version bump (cold caches, reopened DuckDB session): a new session
opened on the tab's link (`?tab=<title>`), from navigation until the tab's last section is visible; and a
switch to the tab from a freshly opened Segment Explorer, from the click until the same landmark.
"""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from socket import socket
from typing import Any, Final
from urllib.parse import urlencode

from c360.app_server import streamlit_command
from c360.bench.platform import ensure_platform
from c360.bench.registry import BenchContext, BenchSection, Metric, benchmark
from c360.config import Settings
from c360.errors import C360Error
from c360.paths import STREAMLIT_DIR
from c360.percentiles import percentile

log = logging.getLogger(__name__)

QUERY_TARGET_MS: Final = 300.0
RENDER_TARGET_S: Final = 2.0
QUERY_REPEATS: Final = 5  # executions of each query per run
ASSISTANT_REPEATS: Final = 3  # answers of each suggested question per run (compile + guard + query + summary)
WARM_UP: Final = "(once per server)"
EXPORT: Final = "Segment Explorer export (on click)"
COLD_START: Final = "cold server"
SWITCH: Final = "switch"
BASELINE: Final = "baseline"
# The control for browser timings: Streamlit's own page shell with one line of text, served the same way.
BASELINE_APP: Final = 'import streamlit as st\n\nst.title("Baseline")\nst.write("Framework ready")\n'
CHROMIUM: Final = Path("/usr/bin/chromium")
CHROMIUM_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TABS: Final = ("Segment Explorer", "Customer 360", "AI Assistant", "Campaign Performance", "Pipeline Health")
# The last section of each tab on first load: when it is visible, the whole tab has rendered.
LANDMARKS: Final = {
    "Segment Explorer": "Export segment",
    "Customer 360": "Search for a customer",
    "AI Assistant": "How to use the AI Assistant",
    "Campaign Performance": "Campaign recommendations",
    "Pipeline Health": "Churn model",
}


@dataclass(frozen=True)
class QuerySample:
    tab: str
    query: str
    milliseconds: float
    rows: int


@benchmark("app", "Streamlit app: query latency and first render per tab (full scale)", order=60)
def bench_app(ctx: BenchContext) -> BenchSection:
    settings = ensure_platform(ctx)
    load_before = os.getloadavg()[0]
    query_runs = [_query_round(settings) for _ in range(ctx.runs)]
    server = _server_rounds(settings, ctx.runs)
    renders = _render_rounds(settings, ctx.runs)
    load_after = os.getloadavg()[0]
    metrics: list[Metric] = []
    for tab in TABS:
        per_run_p95 = tuple(
            percentile([s.milliseconds for s in run if s.tab == tab], 95) for run in query_runs
        )
        if all(v == v for v in per_run_p95):  # NaN-free: the tab ran queries
            metrics.append(
                Metric(
                    f"{tab}: query latency p95 (all its queries, per run)", "ms", per_run_p95, QUERY_TARGET_MS
                )
            )
    exports = tuple(s.milliseconds / 1000 for run in query_runs for s in run if s.tab == EXPORT)
    if exports:
        metrics.append(
            Metric("Segment Explorer: CSV export of every customer, on click (all rows)", "s", exports)
        )
    for label in ("open the read-only snapshot", "assistant warm-up"):
        warm = tuple(
            s.milliseconds
            for run in query_runs
            for s in run
            if s.tab == WARM_UP and s.query.startswith(label)
        )
        metrics.append(Metric(f"{label} (once per server)", "ms", warm))
    for tab in TABS:
        metrics.append(
            Metric(
                f"{tab}: server-side run with fresh data (header, sidebar and this tab)",
                "s",
                server[tab],
                RENDER_TARGET_S,
            )
        )
    for tab in TABS:
        metrics.append(
            Metric(
                f"{tab}: first render in the browser (new session on its link, fresh data, returning user)",
                "s",
                renders[tab],
                RENDER_TARGET_S,
            )
        )
    for tab in TABS[1:]:
        metrics.append(
            Metric(
                f"{tab}: switch from Segment Explorer (fresh data)",
                "s",
                renders[f"{tab} {SWITCH}"],
                RENDER_TARGET_S,
            )
        )
    metrics.append(
        Metric(
            "first visit: just-started server, empty browser cache (imports, connection, Segment Explorer)",
            "s",
            renders[COLD_START],
        )
    )
    metrics.append(
        Metric(
            "control: a one-line Streamlit page in the same browser (framework only)", "s", renders[BASELINE]
        )
    )
    metrics.append(Metric("Customer 360: search to full profile", "s", renders["search"], RENDER_TARGET_S))
    metrics.append(Metric("AI Assistant: question to answer", "s", renders["question"], RENDER_TARGET_S))
    detail = _query_table(query_runs)
    customers = settings.scale.customers
    return BenchSection(
        "app",
        "Streamlit app (full scale)",
        metrics=metrics,
        notes=[
            f"{customers:,} customers, as-of {settings.scale.as_of}, local target (DuckDB read-only snapshot).",
            f"Query latency: every SQL file each tab runs (default filters, typical filter changes, {_SAMPLE_CUSTOMERS} "
            "customers for Customer 360, every suggested assistant question end to end), through the app's backend "
            f"with its cache bypassed; {QUERY_REPEATS} executions per query per run, a fresh backend per run.",
            "First render: the real app in headless Chromium; before each sample the snapshot's mtime is bumped, as "
            "`c360 stream` publishing a snapshot would, so the session's queries all miss the cache and the "
            "DuckDB session reopens. Only the open tab runs (lazy tabs), so a tab opened from its link "
            "(`?tab=<title>`) costs the page shell, the WebSocket handshake, header, sidebar and its own work; the "
            "clock runs from navigation to the tab's last section being visible, in a returning user's browser "
            "(scripts cached). A switch runs from the click on the tab to the same landmark, in a session that "
            "has just rendered the Segment Explorer. The first-visit sample adds the server process's imports, its "
            "first connection and a browser with nothing cached.",
            "Server-side run: the app script in Streamlit's AppTest (same process as a server would run it), opened "
            "on one tab after a data-version bump, so every query misses the cache; one warm-up run (imports, "
            "connection) is not counted. It is the app's own work, without the browser.",
            f"Machine: 2 shared cores; 1-minute load average {load_before:.1f} when the section started and "
            f"{load_after:.1f} when it ended ({_load_note(load_before)}). Headless Chromium renders without a GPU "
            "and parses Streamlit's ~4.7 MB Plotly bundle on every fresh profile, so browser times on this machine "
            "are an upper bound.",
            "Targets: p95 <= 300 ms per tab's queries, first render <= 2 s (the original app targeted < 3 s per query).",
        ],
        tables={"query latency by query (all runs)": detail},
    )


def _load_note(load_before: float) -> str:
    if load_before > 1.5:
        return "other work was running when it started"
    return "a quiet machine; the rise is the benchmark's own server, browser and queries"


# ---- platform -------------------------------------------------------------------------------------------


# ---- query latency --------------------------------------------------------------------------------------

_SAMPLE_CUSTOMERS: Final = 20


@contextmanager
def _app_modules() -> Iterator[dict[str, Any]]:
    """The app's own modules (streamlit/ is not a package; it is put on sys.path like `streamlit run` does)."""
    for name in (  # "no runtime" notices outside a server (Streamlit sets each logger's own level)
        "streamlit",
        "streamlit.runtime.caching.cache_data_api",
        "streamlit.runtime.scriptrunner_utils.script_run_context",
    ):
        logging.getLogger(name).setLevel(logging.ERROR)
    added = str(STREAMLIT_DIR) not in sys.path
    if added:
        sys.path.insert(0, str(STREAMLIT_DIR))
    try:
        import app_context
        import assistant_questions
        import exports
        import navigation
        import queries
        import tabs

        yield {
            "app_context": app_context,
            "exports": exports,
            "queries": queries,
            "questions": assistant_questions,
            "navigation": navigation,
            "tabs": tabs,
        }
    finally:
        if added:
            sys.path.remove(str(STREAMLIT_DIR))


class _TimedContext:
    """Looks like the app's AppContext to queries.py, but times every statement and never caches."""

    def __init__(
        self, backend: Any, role: str, tab: str, sink: list[QuerySample], load_sql: Callable[..., str]
    ):
        self.backend, self.role, self.tab, self.sink, self.load_sql = backend, role, tab, sink, load_sql

    def query(self, name: str, params: Any = (), max_rows: int = 10_000) -> Any:
        sql = self.load_sql(name, self.backend.dialect)
        frame = None
        for _ in range(QUERY_REPEATS):
            began = time.perf_counter()
            frame = self.backend.run(sql, list(params), self.role, max_rows)
            self.sink.append(QuerySample(self.tab, name, (time.perf_counter() - began) * 1000, len(frame)))
        return frame


def _query_round(settings: Settings) -> list[QuerySample]:
    samples: list[QuerySample] = []
    with _app_modules() as m:
        q, app_context = m["queries"], m["app_context"]
        backend = app_context.LocalBackend(str(settings.home))
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
            exported = m["exports"].csv_file(q.segment_export(everyone, q.SegmentFilters()))
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
        step = max(1, len(picks) // _SAMPLE_CUSTOMERS)
        chosen = picks.iloc[::step].head(_SAMPLE_CUSTOMERS)
        for row in chosen.itertuples():
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
            except app_context.AppDataError as exc:  # e.g. no churn model yet: recorded, not timed
                log.warning("app bench: %s unavailable: %s", name, exc)

        for question in m["questions"].all_questions():
            for _ in range(ASSISTANT_REPEATS):
                began = time.perf_counter()
                reply = backend.ask(question, [], "MARKETING_MANAGER")
                samples.append(QuerySample("AI Assistant", f"ask: {question}", _ms(began), len(reply.rows)))
        backend.close()
    return samples


def _ms(began: float) -> float:
    return (time.perf_counter() - began) * 1000


def _query_table(runs: list[list[QuerySample]]) -> list[dict[str, object]]:
    by_query: dict[tuple[str, str], list[QuerySample]] = {}
    for run in runs:
        for sample in run:
            by_query.setdefault((sample.tab, sample.query), []).append(sample)
    rows = []
    for (tab, query), samples in by_query.items():
        ms = [s.milliseconds for s in samples]
        rows.append(
            {
                "tab": tab,
                "query": query,
                "executions": len(ms),
                "median_ms": round(statistics.median(ms), 1),
                "p95_ms": round(percentile(ms, 95), 1),
                "max_ms": round(max(ms), 1),
                "rows": max(s.rows for s in samples),
            }
        )
    order = (WARM_UP, *TABS, EXPORT)
    return sorted(rows, key=lambda r: (order.index(str(r["tab"])), -float(r["p95_ms"])))  # type: ignore[arg-type]


# ---- first render in a real browser ---------------------------------------------------------------------


def _server_rounds(settings: Settings, runs: int) -> dict[str, tuple[float, ...]]:
    from streamlit.testing.v1 import AppTest

    results: dict[str, list[float]] = {name: [] for name in TABS}
    snapshot = _snapshot_file(settings)
    app_file = str(STREAMLIT_DIR / "streamlit_app.py")
    saved_argv = sys.argv
    sys.argv = ["streamlit_app.py", "--home", str(settings.home)]  # the app's `-- --home PATH`
    try:
        with _app_modules() as modules:
            titles = {tab: modules["tabs"].title_of(tab) for tab in TABS}
            AppTest.from_file(app_file, default_timeout=600).run()  # warm-up: imports, connection
            for _ in range(runs):
                for tab in TABS:
                    _bump_data_version(snapshot)
                    at = AppTest.from_file(app_file, default_timeout=600)
                    at.session_state[modules["navigation"].OPEN_TAB_KEY] = titles[tab]
                    began = time.perf_counter()
                    at.run()
                    results[tab].append(time.perf_counter() - began)
                    if at.exception:
                        raise C360Error(f"the app failed in AppTest on {tab}: {at.exception[0].value}")
    finally:
        sys.argv = saved_argv
    return {name: tuple(values) for name, values in results.items()}


def _render_rounds(settings: Settings, runs: int) -> dict[str, tuple[float, ...]]:
    """Per run: one new server. Its first page load, in a fresh browser profile, is the first-visit sample.
    Then a returning user's browser (one profile, scripts cached) opens a new session per tab after the data
    version was bumped (the snapshot's mtime, as a newly published snapshot would), so every query misses
    the cache and the DuckDB session reopens."""
    if not CHROMIUM.exists():
        raise C360Error("render timings need headless Chromium at /usr/bin/chromium (`make browser-deps`)")
    from playwright.sync_api import sync_playwright

    names = (*TABS, *(f"{tab} {SWITCH}" for tab in TABS[1:]), COLD_START, BASELINE, "search", "question")
    results: dict[str, list[float]] = {name: [] for name in names}
    customer = _a_customer(settings)
    snapshot = _snapshot_file(settings)
    with _app_modules() as modules:
        titles = {tab: modules["tabs"].title_of(tab) for tab in TABS}
        tab_key = modules["navigation"].OPEN_TAB_KEY
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="c360-bench-app-") as scratch:
        baseline = Path(scratch) / "baseline_app.py"
        baseline.write_text(BASELINE_APP)

        def browse(label: str) -> Any:
            return playwright.chromium.launch_persistent_context(
                str(Path(scratch) / label),
                executable_path=str(CHROMIUM),
                args=list(CHROMIUM_FLAGS),
                headless=True,
                viewport={"width": 1440, "height": 1000},
            )

        for run in range(runs):
            with _server(settings) as url:
                first_visit = browse(f"first-visit-{run}")
                try:
                    results[COLD_START].append(_first_render(first_visit.new_page(), url, LANDMARKS[TABS[0]]))
                finally:
                    first_visit.close()
                returning = browse(f"returning-{run}")  # one profile: a daily user's cached scripts
                try:
                    _first_render(returning.new_page(), url, LANDMARKS[TABS[0]])  # fills its cache
                    with _server(settings, baseline) as baseline_url:  # the framework alone, same browser
                        page = returning.new_page()
                        results[BASELINE].append(_baseline_render(page, baseline_url))
                        page.close()
                    for index, tab in enumerate(TABS):
                        _bump_data_version(snapshot)
                        page = returning.new_page()  # a new session, opened on the tab's link
                        link = url if index == 0 else f"{url}/?{urlencode({tab_key: titles[tab]})}"
                        results[tab].append(_first_render(page, link, LANDMARKS[tab]))
                        if tab == "Customer 360":
                            results["search"].append(_search(page, customer))
                        if tab == "AI Assistant":
                            results["question"].append(_question(page))
                        page.close()
                        if index:
                            _bump_data_version(snapshot)
                            page = returning.new_page()
                            _first_render(page, url, LANDMARKS[TABS[0]])
                            results[f"{tab} {SWITCH}"].append(_switch(page, index, LANDMARKS[tab]))
                            page.close()
                finally:
                    returning.close()
    return {name: tuple(values) for name, values in results.items()}


def _snapshot_file(settings: Settings) -> Path:
    from c360.snapshots import latest_snapshot

    return latest_snapshot(settings) or settings.warehouse_path


def _bump_data_version(path: Path) -> None:
    """A new modification time = a new data version for the app: cold caches, a reopened session."""
    stamp = time.time_ns()
    os.utime(path, ns=(stamp, stamp))


def _a_customer(settings: Settings) -> str:
    from c360.engines.readers import open_reader

    session = open_reader(settings)
    try:
        return str(
            session.scalar(
                "select customer_id from gold.customer_360_profile order by total_transactions desc, customer_id limit 1"
            )
        )
    finally:
        session.close()


@contextmanager
def _server(settings: Settings, script: Path | None = None) -> Iterator[str]:
    """The app (or, with `script`, another Streamlit script run the same way) on a free local port."""
    with socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = list(streamlit_command(settings.home, port=port, address="127.0.0.1"))
    if script is not None:
        command[command.index(str(STREAMLIT_DIR / "streamlit_app.py"))] = str(script)
    process = subprocess.Popen(
        command, cwd=STREAMLIT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if "You can now view your Streamlit app" in line:
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        if not ready.wait(120) or process.poll() is not None:
            raise C360Error("the app server did not start for the render benchmark")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _main(page: Any) -> Any:
    return page.locator('[data-testid="stMain"]')


def _first_render(page: Any, url: str, landmark: str) -> float:
    from playwright.sync_api import expect

    began = time.perf_counter()
    page.goto(url)
    expect(_main(page).get_by_text(landmark).first).to_be_visible(timeout=120_000)
    return time.perf_counter() - began


def _switch(page: Any, index: int, landmark: str) -> float:
    from playwright.sync_api import expect

    began = time.perf_counter()
    page.get_by_role("tab").nth(index).click()
    expect(_main(page).get_by_text(landmark).first).to_be_visible(timeout=120_000)
    return time.perf_counter() - began


def _baseline_render(page: Any, url: str) -> float:
    from playwright.sync_api import expect

    began = time.perf_counter()
    page.goto(url)
    expect(page.get_by_text("Framework ready")).to_be_visible(timeout=120_000)
    return time.perf_counter() - began


def _search(page: Any, customer_id: str) -> float:
    from playwright.sync_api import expect

    page.get_by_label("Search text (partial, case-insensitive)").fill(customer_id)
    began = time.perf_counter()
    page.get_by_role("button", name="Search", exact=True).click()
    expect(_main(page).get_by_text("Transaction history").first).to_be_visible(timeout=120_000)
    return time.perf_counter() - began


def _question(page: Any) -> float:
    from playwright.sync_api import expect

    page.get_by_label("Ask a question").fill("What is the average lifetime value by state?")
    began = time.perf_counter()
    page.get_by_role("button", name="🚀 Ask").click()
    expect(_main(page).get_by_text("View generated SQL").first).to_be_visible(timeout=120_000)
    return time.perf_counter() - began
