"""Probabilities -> GOLD.CHURN_PREDICTIONS rows: score, risk band, flag, who is scored how."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from c360.ml.scoring import PREDICTION_COLUMNS, build_predictions, risk_category, summarize
from c360.ml.trainer import TrainedModel


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (100, "High Risk"),
        (70, "High Risk"),
        (69.99, "Medium Risk"),
        (40, "Medium Risk"),
        (39.99, "Low Risk"),
        (0, "Low Risk"),
    ],
)
def test_risk_bands_follow_the_contract(score: float, band: str) -> None:
    assert risk_category(score) == band


def test_predictions_by_scoring_basis() -> None:
    scoring = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4", "C5"],
            "scoring_basis": ["model", "lapsed", "model", "new", "model"],
        }
    )
    model = TrainedModel(
        "local-20260101t000000-aaaaaaaa", "local", (), 0.35, datetime(2026, 1, 1), (), {}, "fp"
    )
    model.lapsed_churn_rate = 0.98
    at = datetime(2026, 10, 15, 6, 0)
    out = build_predictions(scoring, np.array([0.705, 0.35, 0.1]), model, at)
    assert list(out.columns) == list(PREDICTION_COLUMNS)
    assert out["customer_id"].tolist() == ["C1", "C2", "C3", "C5"]  # the new account is not scored
    assert out["churn_probability"].tolist() == pytest.approx([0.705, 0.98, 0.35, 0.1])
    assert out["churn_risk_score"].tolist() == pytest.approx([70.5, 98.0, 35.0, 10.0])
    assert out["churn_risk_category"].tolist() == ["High Risk", "High Risk", "Low Risk", "Low Risk"]
    assert out["predicted_churn"].tolist() == [True, True, True, False]  # threshold 0.35 is inclusive
    assert set(out["model_version"]) == {model.version} and set(out["scored_at"]) == {at}
    summary = summarize(scoring, out, model, at)
    assert summary.by_basis == {"model": 3, "lapsed": 1} and summary.not_scored == 1
    assert summary.by_category == {"High Risk": 2, "Medium Risk": 0, "Low Risk": 2}


def test_lapsed_customers_are_not_scored_without_an_observed_rate() -> None:
    scoring = pd.DataFrame({"customer_id": ["C1", "C2"], "scoring_basis": ["model", "lapsed"]})
    model = TrainedModel(
        "local-20260101t000000-aaaaaaaa", "local", (), 0.5, datetime(2026, 1, 1), (), {}, "fp"
    )
    out = build_predictions(scoring, np.array([0.2]), model, datetime(2026, 1, 1))
    assert out["customer_id"].tolist() == ["C1"]


def test_probability_count_must_match_modelled_customers() -> None:
    scoring = pd.DataFrame({"customer_id": ["C1", "C2"], "scoring_basis": ["model", "model"]})
    model = TrainedModel(
        "local-20260101t000000-aaaaaaaa", "local", (), 0.5, datetime(2026, 1, 1), (), {}, "fp"
    )
    with pytest.raises(ValueError, match="1 probabilities for 2 modelled customers"):
        build_predictions(scoring, np.array([0.2]), model, datetime(2026, 1, 1))
