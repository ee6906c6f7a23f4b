"""Metrics and filters are written over the table's declared logical columns, as Cortex Analyst resolves
them (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-analyst/semantic-model-spec); the
validator checks that at the logical level, and the local compiler runs their physical translation."""

from __future__ import annotations

import pytest
import yaml

from c360.assistant.model import MODEL_PATH, SemanticModelError, load_model, parse_model
from c360.assistant.spec import validate_structure

TABLE = """
name: m
tables:
  - name: t
    base_table: {database: D, schema: S, table: T}
    dimensions:
      - {name: customer_id, expr: customer_id, data_type: VARCHAR}
      - {name: is_paid, expr: status = 'paid', data_type: BOOLEAN}
    facts:
      - {name: group_customers, expr: customers, data_type: NUMBER}
    metrics:
      - {name: people, expr: SUM(group_customers)}
      - {name: paid_people, expr: "SUM(CASE WHEN is_paid THEN group_customers ELSE 0 END)"}
"""


def test_the_shipped_model_names_only_declared_logical_columns() -> None:
    assert validate_structure(yaml.safe_load(MODEL_PATH.read_text())) == []


@pytest.mark.parametrize(
    ("metric", "unknown"),
    [
        ("SUM(CASE WHEN is_approved THEN 1 ELSE 0 END)", "is_approved"),  # not declared at all
        ("SUM(customers)", "customers"),  # the physical name of a declared fact
    ],
)
def test_a_metric_on_an_undeclared_column_is_refused(metric: str, unknown: str) -> None:
    raw = yaml.safe_load(TABLE)
    raw["tables"][0]["metrics"].append({"name": "bad", "expr": metric})
    problems = validate_structure(raw)
    assert problems == [
        f"tables.t.metrics.bad.expr: {unknown} is not a declared logical column of the table (Cortex Analyst "
        "resolves expressions against dimensions, time dimensions and facts by name)"
    ]
    with pytest.raises(SemanticModelError, match="not a declared logical column"):
        parse_model(yaml.safe_dump(raw))


def test_logical_metrics_compile_to_the_physical_columns() -> None:
    table = parse_model(TABLE).tables["t"]
    assert table.columns["people"].expr == "SUM(customers)"
    assert (table.columns["people"].aggregation, table.columns["people"].base_column) == ("sum", "customers")
    assert table.columns["paid_people"].expr == "SUM(CASE WHEN (status = 'paid') THEN customers ELSE 0 END)"


def test_the_shipped_metrics_run_on_the_physical_tables_as_before() -> None:
    model = load_model()
    mom = model.tables["metric_mom_spend_change"].columns
    assert mom["monthly_declined_count"].expr == "SUM(declined_transactions)"
    assert model.tables["campaign_performance"].columns["campaign_participants"].expr == "SUM(customers)"
    assert "is_approved" in model.tables["fct_transactions"].columns
