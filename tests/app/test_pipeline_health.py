"""Pipeline Health in AppTest: the marketing persona is told plainly; the analyst persona sees the data, layers in
the data's order and tables of readable text (full numbers, never a literal "None")."""

from __future__ import annotations

import pytest

from tests.app.conftest import tab_metrics, texts

pytestmark = pytest.mark.integration


def test_marketing_manager_cannot_read_observability(make_app) -> None:  # type: ignore[no-untyped-def]
    at = make_app("MARKETING_MANAGER", tab="Pipeline Health")
    at.run()
    assert not at.exception
    tab = at.tabs[4]
    assert any("cannot read pipeline health" in w for w in texts(tab, "warning"))
    assert not texts(tab, "error")
    assert "Last run" not in tab_metrics(tab)


def test_analyst_sees_runs_layers_and_checks(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    at = make_app("DATA_ANALYST", tab="Pipeline Health")
    at.run()
    assert not at.exception
    tab = at.tabs[4]
    assert not texts(tab, "error")
    metrics = tab_metrics(tab)
    last = reference(
        "select status from observability.pipeline_run_metadata order by started_at desc, run_id desc limit 1"
    )["status"].iloc[0]
    assert metrics["Last run"].endswith(last)
    layers = reference(
        "select layer, table_name, record_count from observability.layer_record_counts "
        "qualify row_number() over (partition by layer, table_name order by counted_at desc, run_id desc) = 1"
    )
    for layer, total in layers.groupby("layer")["record_count"].sum().items():
        assert metrics[str(layer).title()] == f"{int(total):,}"
    checks = reference(
        "select count(distinct (layer, table_name, check_type)) as n from observability.data_quality_metrics"
    )
    assert metrics["Checks passing"].endswith(f"of {int(checks['n'].iloc[0])}")


def test_persona_switch_in_the_sidebar(make_app) -> None:  # type: ignore[no-untyped-def]
    at = make_app("MARKETING_MANAGER", tab="Pipeline Health")
    at.run()
    at.sidebar.selectbox(key="app.role").set_value("DATA_ANALYST").run()
    assert not at.exception
    assert not any("cannot read pipeline health" in w for w in texts(at.tabs[4], "warning"))


def test_layers_in_order_and_tables_as_readable_text(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    at = make_app("DATA_ANALYST", tab="Pipeline Health")
    at.run()
    assert not at.exception
    tab = at.tabs[4]
    layers = [m.label for m in tab.metric if m.label in ("Bronze", "Silver", "Gold")]
    assert layers == ["Bronze", "Silver", "Gold"]
    runs = next(t.value for t in tab.table if "Error" in t.value.columns)
    stored = reference(
        "select count(*) as n, count(error_message) as errors from observability.pipeline_run_metadata"
    ).iloc[0]
    assert len(runs) == min(15, int(stored["n"]))
    cells = [str(v) for row in runs.itertuples(index=False) for v in row]
    assert "None" not in cells and "nan" not in cells and "NaT" not in cells
    if int(stored["errors"]) < int(stored["n"]):
        assert "—" in set(runs["Error"])  # a run without an error shows a dash
    quality = next(t.value for t in tab.table if "Checked" in t.value.columns)
    checked = reference(
        "select records_checked from observability.data_quality_metrics "
        "qualify row_number() over (partition by layer, table_name, check_type order by checked_at desc, run_id desc) = 1"
    )["records_checked"]
    assert sorted(quality["Checked"]) == sorted(f"{int(v):,}" for v in checked)  # full numbers, as text


def test_analyst_sees_the_alerts_and_the_observability_views(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    """Issue 16: open alerts by severity (OBSERVABILITY.ALERT_EVENTS), the latest run per pipeline, the
    latest dbt run node by node and the 7-day data-quality findings (the seed-004 views)."""
    at = make_app("DATA_ANALYST", tab="Pipeline Health")
    at.run()
    assert not at.exception
    tab = at.tabs[4]
    assert not texts(tab, "error") or any("node(s) failed" in e for e in texts(tab, "error"))
    metrics = tab_metrics(tab)
    open_critical = reference(
        "select count(*) as n from observability.alert_events where resolved_at is null and severity = 'critical'"
    )["n"].iloc[0]
    assert metrics["Critical open"] == f"{int(open_critical):,}"
    markdown = " ".join(m.value for m in tab.markdown)
    for heading in (
        "Alerts",
        "Latest run of each pipeline",
        "Latest dbt run, node by node",
        "Data-quality findings",
    ):
        assert heading in markdown
    pipelines = reference("select count(*) as n from observability.v_latest_pipeline_runs")["n"].iloc[0]
    latest = [d.value for d in tab.dataframe if "run_type" in d.value and "run_id" not in d.value]
    assert len(latest) == 1 and len(latest[0]) == int(pipelines)  # one row per pipeline
