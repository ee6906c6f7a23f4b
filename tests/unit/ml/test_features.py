"""The feature contract: no generator truth, no campaign assignment, nothing after the cutoff."""

from __future__ import annotations

import re

import pytest

from c360.ml.features import (
    CATEGORICAL_FEATURES,
    FEATURE_NAMES,
    FORBIDDEN_COLUMNS,
    FeatureContractError,
    check_feature_list,
)
from c360.paths import DBT_DIR
from c360.reference import GENERATOR_TRUTH_COLUMNS

ML_MODELS = DBT_DIR / "models" / "ml"
FEATURE_MODELS = ("ml_customer_days", "ml_customer_features", "ml_scoring_data")


def test_feature_list_excludes_generator_truth_and_campaign_group() -> None:
    hidden = {*GENERATOR_TRUTH_COLUMNS, "campaign_group", "customer_segment", "customer_id"}
    assert {"customer_segment", "decline_type", "attrition_date", "attrition_type"} <= set(
        GENERATOR_TRUTH_COLUMNS
    )
    assert hidden <= FORBIDDEN_COLUMNS
    assert not hidden & set(FEATURE_NAMES)
    assert not any(name.startswith("synthetic_") for name in FEATURE_NAMES)
    assert len(FEATURE_NAMES) >= 15 and len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)


@pytest.mark.parametrize(
    "intruder", ["campaign_group", "decline_type", "attrition_date", "customer_id", "churned"]
)
def test_contract_check_rejects_forbidden_columns(intruder: str) -> None:
    with pytest.raises(FeatureContractError, match=intruder):
        check_feature_list((*FEATURE_NAMES, intruder))


def test_contract_check_rejects_duplicates_and_short_lists() -> None:
    with pytest.raises(FeatureContractError, match="duplicate"):
        check_feature_list((*FEATURE_NAMES, FEATURE_NAMES[0]))
    with pytest.raises(FeatureContractError, match="at least 15"):
        check_feature_list(FEATURE_NAMES[:10])


def test_issue_feature_families_are_covered() -> None:
    names = set(FEATURE_NAMES)
    for family in (
        "days_since_last_transaction",  # recency
        "transactions_30d",
        "transactions_90d",
        "transactions_180d",  # frequency windows
        "spend_30d",
        "spend_90d",
        "spend_180d",  # monetary windows
        "spend_change_90d",
        "monthly_spend_cv_180d",
        "mom_spend_change",  # trend, volatility, MoM
        "travel_share_180d",
        "necessities_share_180d",
        "discretionary_share_180d",  # category mix
        "online_share_90d",  # channel mix
        "declined_rate_90d",
        "credit_utilization_30d",
        "tenure_months",
        "card_type",
        "credit_limit",
        "age",
        "employment_status",
        "region",
    ):
        assert family in names
    assert set(CATEGORICAL_FEATURES) == {"card_type", "employment_status", "region"}


def test_dbt_macro_lists_the_same_features_in_the_same_order() -> None:
    macro = (DBT_DIR / "macros" / "ml" / "ml_params.sql").read_text()
    body = macro[macro.index("macro ml_feature_columns") :]
    listed = re.findall(r"'([a-z0-9_]+)'", body[: body.index("endmacro")])
    assert tuple(listed) == FEATURE_NAMES


def test_feature_models_never_read_truth_columns_or_labels() -> None:
    for model in FEATURE_MODELS:
        sql = (ML_MODELS / f"{model}.sql").read_text().lower()
        code = re.sub(r"\{#.*?#\}", "", sql, flags=re.S)  # documentation comments may name them
        code = re.sub(r"--[^\n]*", "", code)
        for forbidden in ("synthetic_", "campaign_group", "attrition", "decline_type", "customer_segment"):
            assert forbidden not in code, f"{model} mentions {forbidden}"
        assert "ml_churn_labels" not in code, f"{model} reads the labels"
        assert "stg_customers" not in code, f"{model} bypasses dim_customer (truth columns live in staging)"


def test_features_only_read_days_before_the_cutoff() -> None:
    sql = (ML_MODELS / "ml_customer_features.sql").read_text()
    lookback = sql[sql.index("lookback as (") : sql.index("aggregated as (")]
    assert "d.activity_date < k.cutoff_date" in lookback
    assert ">=" not in lookback.split("d.activity_date < k.cutoff_date")[0].split("on", 1)[-1]
