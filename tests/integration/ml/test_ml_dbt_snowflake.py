"""The churn datasets (dbt models/ml) on the Snowflake rendering: built with dbt-snowflake against the fakesnow
emulator on the dbt suite's hand-made bronze sample, their data tests pass, and every compiled statement
parses as Snowflake SQL and calls only functions on the reviewed Snowflake list."""

from __future__ import annotations

import sqlglot

from c360.config import Settings
from c360.transform.dbt import ML_SELECTOR, DbtPaths, run_dbt
from tests.integration.test_dbt_snowflake import (
    NO_DOCS,
    SNOWFLAKE_FUNCTIONS,
    _called_functions,
    _load_bronze,
    _query,
    fakesnow_port,  # noqa: F401 (fixture)
    pytestmark,  # noqa: F401 (integration + slow)
    snowflake_settings,  # noqa: F401 (fixture)
)

# functions models/ml adds to the dbt project's reviewed list (all in Snowflake's SQL reference)
ML_FUNCTIONS = frozenset({"floor", "greatest", "least"})
NOT_CALLS = frozenset({"on"})  # `on (a or b)` join conditions: a keyword before a parenthesis


def test_ml_models_build_on_the_snowflake_emulator(fakesnow_port: int, snowflake_settings: Settings) -> None:  # noqa: F811
    _load_bronze(fakesnow_port)
    parents = run_dbt(
        snowflake_settings,
        ["build", "--exclude", ML_SELECTOR, "--exclude-resource-type", "test"],
        vars=NO_DOCS,
        timeout=600,
    )
    assert parents.ok, parents.failures
    ml = run_dbt(snowflake_settings, ["build", "--select", ML_SELECTOR], vars=NO_DOCS, timeout=600)
    assert ml.ok, ml.failures
    # one not_null_columns test covers the non-key not_null columns of each model
    assert ml.models_run == 7 and ml.tests_failed == 0 and ml.tests_passed > 40

    rows = _query(fakesnow_port, "select customer_id, scoring_basis from GOLD.ML_SCORING_DATA order by 1")
    assert [r[0] for r in rows] == ["CUST00000001", "CUST00000002", "CUST00000003", "CUST00000004"]
    cutoffs = _query(fakesnow_port, "select dataset, count(*) from GOLD.ML_CUTOFFS group by 1 order by 1")
    assert cutoffs == [("scoring", 1), ("train", 2), ("validation", 1)]

    compiled = DbtPaths.for_settings(snowflake_settings).target_dir / "compiled" / "c360" / "models" / "ml"
    files = sorted(compiled.rglob("*.sql"))
    assert len(files) >= 7
    for path in files:
        sqlglot.parse(path.read_text(), read="snowflake", error_level=sqlglot.ErrorLevel.RAISE)
    called = {name for path in files for name in _called_functions(path.read_text())}
    assert called - SNOWFLAKE_FUNCTIONS - ML_FUNCTIONS - NOT_CALLS == set(), (
        "functions Snowflake does not have"
    )
