"""The Streamlit app at full scale: every tab's queries (p95 <= 300 ms) and each tab's first render (<= 2 s).

Query latency: the exact SQL files the tabs run, through the app's own local backend (query guard, a cursor on
the read-only snapshot, DataFrame conversion) with Streamlit's cache bypassed, so every sample is a real
warehouse round trip. Each run is a fresh process with the app folder first on its path, as `streamlit run`
has it (c360.bench.app_queries; this process never imports the app's modules); per tab and run the p95 over
all the tab's query executions is one sample.

First render: the real app (`c360 app`'s Streamlit command) in headless Chromium. Only the open tab runs, so
each tab is measured two ways after a re-publish of the snapshot (a new data version: cold caches, a reopened
DuckDB session): a new session
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from socket import socket
from typing import Any, Final
from urllib.parse import urlencode

from c360.app_server import APP_FILE, streamlit_command
from c360.bench.app_queries import (
    ASSISTANT_REPEATS,
    EXPORT,
    QUERY_REPEATS,
    SAMPLE_CUSTOMERS,
    WARM_UP,
    QuerySample,
    query_round_in_child,
)
from c360.bench.platform import ensure_platform
from c360.bench.registry import BenchContext, BenchSection, Metric, benchmark
from c360.config import Settings
from c360.errors import C360Error
from c360.paths import STREAMLIT_DIR
from c360.percentiles import percentile

log = logging.getLogger(__name__)

QUERY_TARGET_MS: Final = 300.0
RENDER_TARGET_S: Final = 2.0
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
# The app's deep-link parameter: `?tab=<title>` opens that tab (streamlit/navigation.py OPEN_TAB_KEY).
TAB_PARAMETER: Final = "tab"
TABS: Final = ("Segment Explorer", "Customer 360", "AI Assistant", "Campaign Performance", "Pipeline Health")
# The last section of each tab on first load: when it is visible, the whole tab has rendered.
LANDMARKS: Final = {
    "Segment Explorer": "Export segment",
    "Customer 360": "Search for a customer",
    "AI Assistant": "How to use the AI Assistant",
    "Campaign Performance": "Campaign recommendations",
    "Pipeline Health": "Churn model",
}


@benchmark("app", "Streamlit app: query latency and first render per tab (full scale)", order=60)
def bench_app(ctx: BenchContext) -> BenchSection:
    settings = ensure_platform(ctx)
    load_before = os.getloadavg()[0]
    query_runs = [query_round_in_child(settings.home) for _ in range(ctx.runs)]
    titles = _tab_titles(settings)
    server = _server_rounds(settings, ctx.runs, titles)
    renders = _render_rounds(settings, ctx.runs, titles)
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
            f"Query latency: every SQL file each tab runs (default filters, typical filter changes, {SAMPLE_CUSTOMERS} "
            "customers for Customer 360, every suggested assistant question end to end), through the app's backend "
            f"with its cache bypassed; {QUERY_REPEATS} executions per query per run ({ASSISTANT_REPEATS} per "
            "question), a fresh process and backend per run.",
            "First render: the real app in headless Chromium; before each sample the snapshot is published again "
            "(a new publication record, as `c360 stream` publishing a batch writes), so the data version changes, "
            "the session's queries all miss the cache and the DuckDB session reopens. Only the open tab runs (lazy tabs), so a tab opened from its link "
            "(`?tab=<title>`) costs the page shell, the WebSocket handshake, header, sidebar and its own work; the "
            "clock runs from navigation to the tab's last section being visible, in a returning user's browser "
            "(scripts cached). A switch runs from the click on the tab to the same landmark, in a session that "
            "has just rendered the Segment Explorer. The first-visit sample adds the server process's imports, its "
            "first connection and a browser with nothing cached.",
            "Server-side run: the app script in Streamlit's AppTest (same process as a server would run it), opened "
            "on one tab after a re-publish (a new data version), so every query misses the cache; one warm-up run (imports, "
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
    return sorted(rows, key=lambda r: (order.index(str(r["tab"])), -float(str(r["p95_ms"]))))


# ---- first render in a real browser ---------------------------------------------------------------------


@contextmanager
def _app_arguments(settings: Settings) -> Iterator[None]:
    """The app's own command line (`streamlit run streamlit_app.py -- --home PATH`) while AppTest runs it."""
    saved_argv = sys.argv
    sys.argv = [APP_FILE.name, "--home", str(settings.home)]
    try:
        yield
    finally:
        sys.argv = saved_argv


def _app_test(tab_title: str | None = None) -> Any:
    """The app's main script in Streamlit's AppTest (Streamlit puts the script's folder on the path while it
    runs, as `streamlit run` does), opened on the tab titled `tab_title` (its `?tab=` link)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP_FILE), default_timeout=600)
    if tab_title is not None:
        at.session_state[TAB_PARAMETER] = tab_title
    return at


def _ran(at: Any, what: str) -> Any:
    at.run()
    if at.exception:
        raise C360Error(f"the app failed in AppTest on {what}: {at.exception[0].value}")
    return at


def _tab_titles(settings: Settings) -> dict[str, str]:
    """Each tab's full title (icon included: what its `?tab=` link names), as the app draws its tabs."""
    with _app_arguments(settings):
        labels = [str(tab.label) for tab in _ran(_app_test(), "the tab titles").tabs]
    titles = {name: next((label for label in labels if label.endswith(name)), "") for name in TABS}
    missing = [name for name, title in titles.items() if not title]
    if missing:
        raise C360Error(f"the app has no tab titled {', '.join(missing)} (its tabs: {', '.join(labels)})")
    return titles


def _server_rounds(settings: Settings, runs: int, titles: dict[str, str]) -> dict[str, tuple[float, ...]]:
    results: dict[str, list[float]] = {name: [] for name in TABS}
    with _app_arguments(settings):
        _ran(_app_test(), "the warm-up")  # imports, connection: not counted
        for _ in range(runs):
            for tab in TABS:
                _republish(settings)
                at = _app_test(titles[tab])
                began = time.perf_counter()
                _ran(at, tab)
                results[tab].append(time.perf_counter() - began)
    return {name: tuple(values) for name, values in results.items()}


def _render_rounds(settings: Settings, runs: int, titles: dict[str, str]) -> dict[str, tuple[float, ...]]:
    """Per run: one new server. Its first page load, in a fresh browser profile, is the first-visit sample.
    Then a returning user's browser (one profile, scripts cached) opens a new session per tab after the
    snapshot was published again (a new data version, as a newly published batch gives), so every query
    misses the cache and the DuckDB session reopens."""
    if not CHROMIUM.exists():
        raise C360Error("render timings need headless Chromium at /usr/bin/chromium (`make browser-deps`)")
    from playwright.sync_api import sync_playwright

    names = (*TABS, *(f"{tab} {SWITCH}" for tab in TABS[1:]), COLD_START, BASELINE, "search", "question")
    results: dict[str, list[float]] = {name: [] for name in names}
    customer = _a_customer(settings)
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
                        _republish(settings)
                        page = returning.new_page()  # a new session, opened on the tab's link
                        link = url if index == 0 else f"{url}/?{urlencode({TAB_PARAMETER: titles[tab]})}"
                        results[tab].append(_first_render(page, link, LANDMARKS[tab]))
                        if tab == "Customer 360":
                            results["search"].append(_search(page, customer))
                        if tab == "AI Assistant":
                            results["question"].append(_question(page))
                        page.close()
                        if index:
                            _republish(settings)
                            page = returning.new_page()
                            _first_render(page, url, LANDMARKS[TABS[0]])
                            results[f"{tab} {SWITCH}"].append(_switch(page, index, LANDMARKS[tab]))
                            page.close()
                finally:
                    returning.close()
    return {name: tuple(values) for name, values in results.items()}


def _republish(settings: Settings) -> None:
    """The published snapshot published again: a new data version for the app (cold caches, a reopened
    session), the data unchanged."""
    from c360.snapshots import republish

    republish(settings)


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
        command[command.index(str(APP_FILE))] = str(script)
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
