"""The app with no platform, or a platform without gold tables: clear messages, never a stack trace."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from c360.config import Settings
from c360.engines.duckdb import DuckDBSession
from c360.snapshots import publish_snapshot
from tests.app.conftest import APP_FILE, OPEN_TAB_KEY, texts
from tests.conftest import PLATFORM_CUSTOMERS


def _app(home: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("C360_HOME", str(home))
    monkeypatch.setenv("C360_TARGET", "local")
    at = AppTest.from_file(str(APP_FILE), default_timeout=120)
    at.run()
    assert not at.exception
    return at


def test_no_platform_says_how_to_build_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(tmp_path / "nothing-here", monkeypatch)
    messages = texts(at, "error") + texts(at, "warning") + texts(at.sidebar, "warning")
    assert any("c360 up" in m for m in messages), messages


def test_platform_without_gold_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    settings = Settings.load(target="local", home=home, env={})
    with DuckDBSession.open(settings.warehouse_path) as session:
        session.execute("create schema if not exists gold")  # a warehouse, but nothing built in it
        publish_snapshot(settings, session)
    at = _app(home, monkeypatch)
    assert at.tabs[0].label == "🎯 Segment Explorer"
    assert any("not built yet" in w for w in texts(at.tabs[0], "warning"))
    for index, tab in enumerate(at.tabs):  # open each tab in turn: none fails, each says what is missing
        at.session_state[OPEN_TAB_KEY] = tab.label
        at.run()
        assert not at.exception
        assert not any("Something went wrong" in e for e in texts(at.tabs[index], "error")), tab.label
    assert any(
        "not built yet" in w or "No churn model" in w
        for w in texts(at.tabs[4], "warning") + texts(at.tabs[4], "info")
    )


@pytest.mark.integration
def test_exports_stream_in_batches_through_the_guard(app_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exports stream through the same query guard as every other query: the role's grants bound them."""
    import app_context
    from app_context import AppContext
    from app_types import AppDataError
    from backend_local import LocalBackend

    monkeypatch.setattr(app_context, "EXPORT_BATCH_ROWS", 300)

    backend = LocalBackend(str(app_home))
    try:
        analyst = AppContext(backend=backend, role="DATA_ANALYST")
        runs = pd.concat(list(analyst.stream("health_runs")))
        assert len(runs) > 0 and "run_id" in runs.columns
        marketing = AppContext(backend=backend, role="MARKETING_MANAGER")
        with pytest.raises(AppDataError) as refused:
            list(marketing.stream("health_runs"))
        assert refused.value.kind == "forbidden" and "MARKETING_MANAGER" in str(refused.value)
        everyone = [""] * 8 + [0.0, None, None, None, None, 0.0]  # queries.segment_filter_params: no filter
        batches = list(marketing.stream("segment_customers", everyone))
        assert [len(b) for b in batches] == [300, 300, 300, PLATFORM_CUSTOMERS - 900]
        ids = pd.concat(batches)["customer_id"]
        assert ids.is_unique and len(ids) == PLATFORM_CUSTOMERS
    finally:
        backend.close()


@pytest.mark.integration
def test_local_data_version_is_the_published_snapshot(app_home: Path) -> None:
    """The app's caches key on the publication record: a new publish is a new version, nothing else is."""
    from backend_local import LocalBackend
    from c360.snapshots import published, republish

    settings = Settings.load(target="local", home=app_home, env={}, create_home=False)
    backend = LocalBackend(str(app_home))
    try:
        record = published(settings)
        assert record is not None
        before = backend.data_version()
        assert before == f"snapshot {record.snapshot_id} published {record.published_at.isoformat()}"
        assert backend.data_version() == before == backend.refresh_data_version()  # nothing new: same key
        again = republish(settings)
        assert again.snapshot_id == record.snapshot_id and again.published_at > record.published_at
        assert (
            backend.data_version()
            == f"snapshot {again.snapshot_id} published {again.published_at.isoformat()}"
        )
    finally:
        backend.close()
