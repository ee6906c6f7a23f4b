"""The real app in headless Chromium: `c360 app`'s Streamlit command on the 1,000-customer platform (and on a
copy widened past 5,000 customers), the journeys of a marketer, an account manager and an analyst, asserted on
what the browser shows; plus `c360 app` itself started and stopped."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from c360.app_server import streamlit_command
from c360.config import Settings
from c360.paths import STREAMLIT_DIR

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_SECONDS = 90
TIMEOUT_MS = 60_000
WIDTH = 1_500  # the analyst's screen in the issue: Pipeline Health must be readable at this width
EXTRA_CUSTOMERS = 6  # copies of every customer in the widened platform (1,000 -> 7,000)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _wait_for_ready(process: subprocess.Popen[str], seconds: float) -> list[str]:
    """Read the server's output until it says it is serving (or exits, or the deadline passes)."""
    lines: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip())
            if "You can now view your Streamlit app" in line:
                ready.set()
        ready.set()  # EOF: the process ended

    threading.Thread(target=pump, daemon=True).start()
    ready.wait(seconds)
    return lines


def _serve(home: Path) -> Iterator[str]:
    port = _free_port()
    command = streamlit_command(home, port=port, address="127.0.0.1")
    process = subprocess.Popen(
        command, cwd=STREAMLIT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        output = _wait_for_ready(process, STARTUP_SECONDS)
        if process.poll() is not None:
            pytest.fail("the app did not start:\n" + "\n".join(output[-20:]))
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def app_url(app_home: Path) -> Iterator[str]:
    yield from _serve(app_home)


@pytest.fixture(scope="module")
def wide_home(
    platform: object, platform_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A copy of the platform whose gold profile holds 7,000 customers: the 1,000 real ones and six copies of
    each under new ids (CUST001xxxxx … CUST006xxxxx). Only the Segment Explorer's export journey uses it: a
    real build at that scale takes minutes, and the export reads nothing but the profile."""
    from c360.engines import open_session
    from c360.snapshots import publish_snapshot

    home = tmp_path_factory.mktemp("wide") / "home"
    shutil.copytree(platform_settings.home, home, ignore=shutil.ignore_patterns("logs", "dbt", "tmp"))
    settings = Settings.load(target="local", home=home, env={}, create_home=False)
    session = open_session(settings)  # the lake's writer; readers see the rows once published
    try:
        session.execute(
            "insert into gold.customer_360_profile "
            "select * exclude (k) replace ('CUST' || lpad(cast(100000 * k + cast(substr(customer_id, 5) as integer) "
            "as varchar), 8, '0') as customer_id) "
            "from gold.customer_360_profile, range(1, ?) as copies(k)",
            [EXTRA_CUSTOMERS + 1],
        )
        publish_snapshot(settings, session)
    finally:
        session.close()
    return home


@pytest.fixture
def wide_url(wide_home: Path) -> Iterator[str]:
    yield from _serve(wide_home)


@pytest.fixture
def page(tmp_path: Path):  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium (make browser-deps installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh profile per test
            executable_path=str(CHROMIUM),
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": WIDTH, "height": 1000},
            accept_downloads=True,
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def _shoot(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    """A full-height screenshot (Streamlit scrolls inside its main block, so grow the viewport first)."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]'); return m ? m.scrollHeight : 2000; }"
    )
    page.set_viewport_size({"width": WIDTH, "height": min(int(height) + 40, 8000)})
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    assert path.stat().st_size > 10_000


def _open_tab(page, app_url: str, name: str):  # type: ignore[no-untyped-def]
    from tabs import title_of

    page.goto(f"{app_url}/?{urlencode({'tab': title_of(name)})}")
    main = page.locator('[data-testid="stMain"]')
    from playwright.sync_api import expect

    expect(page.get_by_role("tab", selected=True)).to_have_text(title_of(name), timeout=TIMEOUT_MS)
    return main


def _metric(main, label: str):  # type: ignore[no-untyped-def]
    """The value element of the metric labelled `label`."""
    return (
        main.locator('[data-testid="stMetric"]')
        .filter(has=main.page.get_by_text(label, exact=True))
        .locator('[data-testid="stMetricValue"]')
        .first
    )


def test_every_tab_in_a_real_browser(app_url, page, reference, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    customer = reference(
        "select customer_id, first_name || ' ' || left(last_name, 1) || '.' as full_name from gold.customer_360_profile "
        "order by lifetime_value desc limit 1"  # the name as the marketing persona sees it (masked)
    ).iloc[0]
    everyone = reference("select count(*) as n from gold.customer_360_profile")["n"].iloc[0]

    page.goto(app_url)
    tabs = page.get_by_role("tab")
    expect(tabs.first).to_be_visible(timeout=TIMEOUT_MS)
    expect(tabs).to_have_count(5)

    # Segment Explorer: the whole portfolio by default; the summary and the charts render
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Customer segment distribution")).to_be_visible(timeout=TIMEOUT_MS)
    expect(_metric(main, "Customers")).to_have_text(f"{int(everyone):,}")
    expect(main.locator(".js-plotly-plot").first).to_be_visible()
    expect(main.get_by_text("Customers by state")).to_be_visible()
    _shoot(page, tmp_path / "1_segment_explorer.png")

    # Customer 360: search by id
    tabs.nth(1).click()
    page.get_by_label("Search text (partial, case-insensitive)").fill(customer["customer_id"])
    page.get_by_role("button", name="Search", exact=True).click()
    expect(main.get_by_text(customer["full_name"]).first).to_be_visible(timeout=TIMEOUT_MS)
    expect(main.get_by_text("Monthly spend and month-over-month change")).to_be_visible(timeout=TIMEOUT_MS)
    _shoot(page, tmp_path / "2_customer_360.png")

    # AI Assistant: ask a question; the SQL is laid out on several lines
    tabs.nth(2).click()
    page.get_by_label("Ask a question").fill("How many customers are in each segment?")
    page.get_by_role("button", name="🚀 Ask").click()
    expect(main.get_by_text("Verified answer").first).to_be_visible(timeout=TIMEOUT_MS)
    main.get_by_text("View generated SQL").click()
    code = main.locator('[data-testid="stCode"] code').first
    expect(code).to_be_visible()
    assert len(code.inner_text().strip().splitlines()) >= 4
    _shoot(page, tmp_path / "3_ai_assistant.png")

    # Campaign Performance
    tabs.nth(3).click()
    expect(main.get_by_text("Campaign ROI simulator")).to_be_visible(timeout=TIMEOUT_MS)
    expect(main.get_by_text("retention offer: A/B result")).to_be_visible()
    _shoot(page, tmp_path / "4_campaign_performance.png")

    # Pipeline Health: the marketing persona is told why; the analyst persona sees the runs
    tabs.nth(4).click()
    expect(main.get_by_text("cannot read pipeline health")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("combobox", name="Viewing as").click()
    page.get_by_role("option", name="Data analyst (all schemas)").click()
    tabs.nth(4).click()
    expect(main.get_by_text("Pipeline runs")).to_be_visible(timeout=TIMEOUT_MS)
    _shoot(page, tmp_path / "5_pipeline_health.png")

    assert page.locator('[data-testid="stException"]').count() == 0
    assert not main.get_by_text("Something went wrong").count()

    # a link opens its tab directly, and only that tab runs
    page.goto(f"{app_url}/?{urlencode({'tab': '📈 Campaign Performance'})}")
    expect(main.get_by_text("Campaign ROI simulator")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("tab", selected=True)).to_have_text("📈 Campaign Performance")
    assert not main.get_by_text("Customer segment distribution").count()


def test_search_by_part_of_an_id_lists_every_match(app_url, page, reference) -> None:  # type: ignore[no-untyped-def]
    """An account manager types the digits they remember: the exact id opens, and every id holding those
    digits is listed (the issue: `4242` opened CUST00004242 and never listed CUST00014242)."""
    from playwright.sync_api import expect

    matches = reference(
        "select customer_id, first_name || ' ' || left(last_name, 1) || '.' as full_name from gold.customer_360_profile where customer_id like '%42%' "
        "order by customer_id"
    )
    exact = matches[matches["customer_id"] == "CUST00000042"].iloc[0]
    other = matches[matches["customer_id"] != "CUST00000042"].iloc[0]
    main = _open_tab(page, app_url, "Customer 360")
    page.get_by_label("Search text (partial, case-insensitive)").fill("42")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(main.get_by_text(f"{len(matches)} customers match “42” (id)")).to_be_visible(timeout=TIMEOUT_MS)
    expect(main.get_by_role("heading", name=exact["full_name"])).to_be_visible()  # the exact id is open
    main.get_by_role("combobox", name="customers match").click()
    expect(page.get_by_role("option", name=other["customer_id"], exact=False)).to_be_visible()
    page.get_by_role("option", name=other["customer_id"], exact=False).click()
    expect(main.get_by_role("heading", name=other["full_name"])).to_be_visible(timeout=TIMEOUT_MS)


def test_a_filter_change_is_flagged_until_applied(app_url, page, reference) -> None:  # type: ignore[no-untyped-def]
    """A marketer changes a filter: the view says its numbers are for the previous filters until Apply."""
    from playwright.sync_api import expect

    everyone = int(reference("select count(*) as n from gold.customer_360_profile")["n"].iloc[0])
    premium = int(
        reference("select count(*) as n from gold.customer_360_profile where card_type = 'Premium'")[
            "n"
        ].iloc[0]
    )
    main = _open_tab(page, app_url, "Segment Explorer")
    customers = _metric(main, "Customers")
    expect(customers).to_have_text(f"{everyone:,}", timeout=TIMEOUT_MS)
    main.get_by_role("combobox", name="Card type").click()
    page.get_by_role("option", name="Premium").click()
    page.keyboard.press("Escape")
    pending = main.get_by_text("Filters changed")
    expect(pending).to_be_visible(timeout=TIMEOUT_MS)
    expect(customers).to_have_text(f"{everyone:,}")  # not silently updated, not silently stale
    main.get_by_role("button", name="Apply filters").click()
    expect(customers).to_have_text(f"{premium:,}", timeout=TIMEOUT_MS)
    expect(pending).to_have_count(0)


def test_export_of_more_than_5000_customers(wide_url, page, wide_home, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The whole matching audience downloads, however large (the issue: exports stopped at 5,000 rows)."""
    from playwright.sync_api import expect

    expected = 1_000 * (EXTRA_CUSTOMERS + 1)
    main = _open_tab(page, wide_url, "Segment Explorer")
    expect(_metric(main, "Customers")).to_have_text(f"{expected:,}", timeout=TIMEOUT_MS)
    button = main.get_by_role("button", name=f"Download all {expected:,} customers (CSV)")
    expect(button).to_be_visible(timeout=TIMEOUT_MS)  # the row count, before downloading
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("customer_segment_") and saved.suffix == ".csv"
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert len(rows) == expected > 5_000
    assert len({r["customer_id"] for r in rows}) == expected
    values = [float(r["lifetime_value"]) for r in rows]
    assert values == sorted(values, reverse=True)  # most valuable first, as listed


def test_pipeline_health_is_readable_at_1500_px(app_url, page, reference) -> None:  # type: ignore[no-untyped-def]
    """An analyst at 1,500 px: full layer counts in Bronze → Silver → Gold order, no literal "None", and the
    Error and Checked columns shown whole."""
    from playwright.sync_api import expect

    layers = reference(
        "select layer, sum(record_count) as n from (select * from observability.layer_record_counts "
        "qualify row_number() over (partition by layer, table_name order by counted_at desc, run_id desc) = 1) "
        "group by layer"
    ).set_index("layer")["n"]
    main = _open_tab(page, app_url, "Pipeline Health")
    page.get_by_role("combobox", name="Viewing as").click()
    page.get_by_role("option", name="Data analyst (all schemas)").click()
    expect(main.get_by_text("Pipeline runs")).to_be_visible(timeout=TIMEOUT_MS)
    expect(main.locator('[data-testid="stTable"]').first).to_be_visible(timeout=TIMEOUT_MS)
    # all_inner_texts() does not wait: on a loaded machine the layer metrics render after the table
    expect(main.locator('[data-testid="stMetricLabel"]').filter(has_text="Gold").first).to_be_visible(
        timeout=TIMEOUT_MS
    )

    labels = main.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert [label for label in labels if label in ("Bronze", "Silver", "Gold")] == [
        "Bronze",
        "Silver",
        "Gold",
    ]
    for layer in ("bronze", "silver", "gold"):
        value = _metric(main, layer.title())
        expect(value).to_have_text(f"{int(layers[layer]):,}")
        assert _clipped(value) == [], f"the {layer} count is cut off"
        # room for the full-scale counts too (13,252,748 bronze rows at 50,000 customers), not just this platform's
        assert _fits(value, "99,999,999"), f"a full-scale {layer} count would be cut off"

    tables = main.locator('[data-testid="stTable"]')
    runs = tables.filter(has=page.get_by_role("columnheader", name="Error"))
    checks = tables.filter(has=page.get_by_role("columnheader", name="Checked", exact=True))
    expect(runs).to_have_count(1)
    expect(checks).to_have_count(1)
    assert "None" not in runs.locator("td").all_inner_texts()
    for table in (runs, checks):
        assert _clipped(table) == [], "a table cell is cut off"
    assert not main.get_by_text("None", exact=True).count()


def _fits(locator, text: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether `text`, set in the element's own font, fits the element's width."""
    return locator.evaluate(
        """(el, text) => {
            const ctx = document.createElement('canvas').getContext('2d');
            ctx.font = getComputedStyle(el).font;
            return ctx.measureText(text).width <= el.clientWidth;
        }""",
        text,
    )


def _clipped(locator) -> list[str]:  # type: ignore[no-untyped-def]
    """Texts of the elements inside `locator` (itself included) whose content is wider than their box and
    hidden by it (cut or ellipsized): what a reader cannot see."""
    return locator.evaluate(
        """(root) => [root, ...root.querySelectorAll('*')].filter((el) => {
            const style = getComputedStyle(el);
            const hides = style.overflowX === 'hidden' || style.overflowX === 'clip' || style.textOverflow === 'ellipsis';
            return hides && el.scrollWidth > el.clientWidth + 1 && el.innerText.trim() !== '';
        }).map((el) => el.innerText)"""
    )


def test_stopping_c360_app_frees_its_port(app_home: Path, tmp_path: Path) -> None:
    """SIGTERM to `c360 app` stops its Streamlit server too, and only then does `c360 app` exit."""
    port = _free_port()
    command = [sys.executable, "-m", "c360.cli.main", "app", "--home", str(app_home), "--port", str(port)]
    log = (
        tmp_path / "c360-app.log"
    )  # a file, not a pipe: a server that outlives `c360 app` would hold a pipe open
    process = subprocess.Popen(
        [*command, "--address", "127.0.0.1", "--no-open"],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "C360_TARGET": "local"},
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                with urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"`c360 app` never served port {port}")
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        assert code == 0, log.read_text()
        assert _port_is_free(port), f"port {port} is still served after `c360 app` exited"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
