"""The real app in headless Chromium: start `c360 app`'s Streamlit command on the 1,000-customer platform,
open every tab, run a search and a question, assert on visible text, save a screenshot per tab."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from c360.app_server import streamlit_command
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


@pytest.fixture
def app_url(app_home: Path) -> Iterator[str]:
    port = _free_port()
    command = streamlit_command(app_home, port=port, address="127.0.0.1")
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
            viewport={"width": 1440, "height": 1000},
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
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 8000)})
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1000})
    assert path.stat().st_size > 10_000


def test_every_tab_in_a_real_browser(app_url, page, reference, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    customer = reference(
        "select customer_id, full_name from gold.customer_360_profile order by lifetime_value desc limit 1"
    ).iloc[0]
    segments = reference(
        "select count(*) as n from gold.customer_360_profile "
        "where customer_segment in ('High-Value Travelers', 'Declining')"
    )["n"].iloc[0]

    page.goto(app_url)
    tabs = page.get_by_role("tab")
    expect(tabs.first).to_be_visible(timeout=TIMEOUT_MS)
    expect(tabs).to_have_count(5)

    # Segment Explorer: the summary and the charts render
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Customer segment distribution")).to_be_visible(timeout=TIMEOUT_MS)
    expect(main.get_by_text(f"{int(segments):,}", exact=True).first).to_be_visible()
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

    # AI Assistant: ask a question
    tabs.nth(2).click()
    page.get_by_label("Ask a question").fill("How many customers are in each segment?")
    page.get_by_role("button", name="🚀 Ask").click()
    expect(main.get_by_text("Verified answer").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(main.get_by_text("View generated SQL")).to_be_visible()
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
