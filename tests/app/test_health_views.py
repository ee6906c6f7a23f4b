"""The Pipeline Health alert and observability helpers as plain functions (no Streamlit, no platform)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

import health_views
from c360.alerts.rules import RULES
from c360.paths import REPO_ROOT

ALERTS = pd.DataFrame(
    [
        ("gold_model_failed", "critical", "open", datetime(2026, 12, 4, 9, 0), 2.0, 0.0, 1.0),
        ("duplicate_rate", "warning", "open", datetime(2026, 12, 4, 8, 0), 6.667, 5.0, None),
        ("segment_shift", "info", "resolved", datetime(2026, 12, 3, 8, 0), 12.0, 10.0, 3.0),
    ],
    columns=["rule_name", "severity", "state", "fired_at", "observed_value", "threshold", "last_value"],
)


def test_open_alerts_are_counted_by_severity() -> None:
    assert health_views.open_by_severity(ALERTS) == {"critical": 1, "warning": 1, "info": 0}
    assert health_views.open_by_severity(ALERTS.iloc[0:0]) == {"critical": 0, "warning": 0, "info": 0}


def test_an_alert_reads_as_a_sentence_with_its_latest_value_and_runbook() -> None:
    critical, warning, _ = (row for _, row in ALERTS.iterrows())
    line = health_views.alert_line(critical)
    assert "CRITICAL" in line and "`gold_model_failed`: 1 (threshold > 0)" in line
    assert "docs/runbooks/alerts.md#gold_model_failed" in line
    assert ": 6.67 (threshold > 5)" in health_views.alert_line(warning)  # no latest value yet: the fired one


def test_every_rule_has_a_runbook_section() -> None:
    runbook = (REPO_ROOT / "docs" / "runbooks" / "alerts.md").read_text()
    for rule in RULES:
        anchor = health_views.runbook_anchor(rule.name)
        assert anchor == rule.runbook
        assert f"## {rule.name}" in runbook, f"docs/runbooks/alerts.md has no section for {rule.name}"


def test_node_problems_are_failures_skips_and_warnings() -> None:
    nodes = pd.DataFrame(
        {"node_name": ["a", "b", "c", "d"], "status": ["success", "error", "skipped", "pass"]}
    )
    assert list(health_views.node_problems(nodes)["node_name"]) == ["b", "c"]
