"""Probabilities -> GOLD.CHURN_PREDICTIONS rows: score, risk band, flag, who is scored how."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from c360.ml.scoring import PREDICTION_COLUMNS, band_rates, build_predictions, risk_category, summarize
from c360.ml.trainer import TrainedModel


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (100, "High Risk"),
        (50, "High Risk"),
        (49.99, "Medium Risk"),
        (10, "Medium Risk"),
        (9.99, "Low Risk"),
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
    model.lapsed_churn_rate = 0.98  # observed and reported, but never turned into a score
    at = datetime(2026, 10, 15, 6, 0)
    out = build_predictions(scoring, np.array([0.705, 0.35, 0.09]), model, at)
    assert list(out.columns) == list(PREDICTION_COLUMNS)
    assert out["customer_id"].tolist() == ["C1", "C3", "C5"]  # lapsed and new customers get no score
    assert out["churn_probability"].tolist() == pytest.approx([0.705, 0.35, 0.09])
    assert out["churn_risk_score"].tolist() == pytest.approx([70.5, 35.0, 9.0])
    assert out["churn_risk_category"].tolist() == ["High Risk", "Medium Risk", "Low Risk"]
    assert out["predicted_churn"].tolist() == [True, True, False]  # threshold 0.35 is inclusive
    assert set(out["model_version"]) == {model.version} and set(out["scored_at"]) == {at}
    summary = summarize(scoring, out, model, at)
    assert summary.by_basis == {"model": 3, "lapsed": 1, "new": 1} and summary.not_scored == 2
    assert summary.by_category == {"High Risk": 1, "Medium Risk": 1, "Low Risk": 1}


def test_band_rates_say_what_each_band_means() -> None:
    labels = np.array([1, 1, 0, 1, 0, 0, 0, 0])
    p = np.array([0.9, 0.6, 0.5, 0.3, 0.1, 0.05, 0.02, 0.0999])
    rates = {b.band: b for b in band_rates(labels, p)}
    assert (rates["High Risk"].customers, rates["Medium Risk"].customers, rates["Low Risk"].customers) == (
        3,
        2,
        3,
    )
    assert rates["High Risk"].observed_churn_rate == pytest.approx(2 / 3)
    assert rates["Medium Risk"].mean_probability == pytest.approx(0.2)
    assert rates["Low Risk"].score_to == 10 and rates["High Risk"].score_to is None


def test_probability_count_must_match_modelled_customers() -> None:
    scoring = pd.DataFrame({"customer_id": ["C1", "C2"], "scoring_basis": ["model", "model"]})
    model = TrainedModel(
        "local-20260101t000000-aaaaaaaa", "local", (), 0.5, datetime(2026, 1, 1), (), {}, "fp"
    )
    with pytest.raises(ValueError, match="1 probabilities for 2 modelled customers"):
        build_predictions(scoring, np.array([0.2]), model, datetime(2026, 1, 1))
