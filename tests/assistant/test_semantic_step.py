"""The semantic_model lifecycle step refuses a model that does not match the warehouse, listing every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from c360.assistant.live_check import validate_live
from c360.assistant.model import SemanticModel
from c360.config import Settings
from c360.engines.duckdb import DuckDBSession
from c360.steps import semantic_model
from c360.steps.context import StepContext
from tests.conftest import AS_OF


def test_live_check_lists_missing_tables_columns_and_values(
    tiny_gold: DuckDBSession, model: SemanticModel
) -> None:
    report = validate_live(tiny_gold, model)
    problems = "\n".join(report.problems)
    assert not report.ok
    assert "base table GOLD.FCT_TRANSACTIONS does not exist" in problems
    assert "customer_360_profile.email (dimension): expr 'email' does not compile" in problems
    assert (
        "customer_360_profile.customer_segment: sample values not in the data" in problems
    )  # 3 of 5 present
    assert "verified query" in problems


def test_step_fails_with_every_problem_and_deploys_nothing(tmp_path: Path, tiny_gold: DuckDBSession) -> None:
    settings = Settings.load(target="local", as_of=AS_OF, home=tmp_path / "home", env={})
    ctx = StepContext(settings, tiny_gold, store=None, run_id="test")  # type: ignore[arg-type]
    with pytest.raises(semantic_model.SemanticModelInvalid, match=r"problem\(s\)") as err:
        semantic_model.run(ctx)
    assert str(err.value).count("\n") > 10
    assert not semantic_model.deployed_path(settings).exists()


def test_a_column_still_in_its_described_placeholder_state_is_a_warning_not_a_problem(
    tiny_gold: DuckDBSession, model: SemanticModel
) -> None:
    """Too few customers to train the churn model: the bands hold only 'Not Scored' and 'Lapsed'."""
    tiny_gold.execute(
        "update gold.customer_360_profile set churn_risk_category = "
        "case when customer_id = 'CUST00000001' then 'Lapsed' else 'Not Scored' end"
    )
    report = validate_live(tiny_gold, model)
    assert not any("churn_risk_category" in p for p in report.problems)
    assert any("churn_risk_category" in w and "'Not Scored'" in w for w in report.warnings)
    tiny_gold.execute("update gold.customer_360_profile set churn_risk_category = 'Unknown'")
    assert any("churn_risk_category" in p for p in validate_live(tiny_gold, model).problems)
