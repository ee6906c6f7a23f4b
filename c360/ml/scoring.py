"""Turn probabilities into GOLD.CHURN_PREDICTIONS rows: score 0-100, risk band, flag at the threshold.

Who gets which probability (GOLD.ML_SCORING_DATA.scoring_basis):
  model   active: an approved transaction in the last 60 days (dbt var lapsed_after_days) before the
          as-of date: the champion model's probability and a risk band
  lapsed  no approved transaction in those days (account older than that): no probability. They already
          meet the churn label's inactivity rule, so a "risk of churning" would only say they are gone;
          the profile shows them as 'Lapsed' (the win-back audience), outside the risk bands
  new     account younger than that without an approved transaction: not scored (profile: 'Not Scored')

The bands rank active customers by the calibrated probability: High Risk >= 50 (more likely than not to
churn in 90 days), Medium Risk >= 10 (at least the portfolio's typical churn rate), Low Risk below
(c360/names.py; the model card reports each band's observed churn rate on the hold-out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from c360.engines.base import WarehouseSession
from c360.ml.registry import PREDICTIONS_TABLE
from c360.ml.trainer import TrainedModel
from c360.names import HIGH_RISK_THRESHOLD, MEDIUM_RISK_THRESHOLD, RISK_CATEGORIES

HIGH, MEDIUM, LOW = RISK_CATEGORIES
PREDICTION_COLUMNS = (
    "customer_id",
    "churn_probability",
    "churn_risk_score",
    "churn_risk_category",
    "predicted_churn",
    "model_version",
    "scored_at",
)


def risk_category(score: float) -> str:
    """'High Risk' >= 50, 'Medium Risk' >= 10, else 'Low Risk' (score = probability x 100; names.py)."""
    if score >= HIGH_RISK_THRESHOLD:
        return HIGH
    if score >= MEDIUM_RISK_THRESHOLD:
        return MEDIUM
    return LOW


@dataclass(frozen=True)
class ScoringSummary:
    scored: int
    by_basis: dict[str, int]
    not_scored: int
    by_category: dict[str, int]
    predicted_churners: int
    mean_probability: float
    model_version: str
    scored_at: datetime

    def as_dict(self) -> dict[str, object]:
        return {
            "scored": self.scored,
            "by_basis": self.by_basis,
            "not_scored": self.not_scored,
            "by_category": self.by_category,
            "predicted_churners": self.predicted_churners,
            "mean_probability": round(self.mean_probability, 4),
            "model_version": self.model_version,
            "scored_at": self.scored_at.isoformat(),
        }


def build_predictions(
    scoring: pd.DataFrame, model_probabilities: np.ndarray, model: TrainedModel, scored_at: datetime
) -> pd.DataFrame:
    """One row per scored customer. `model_probabilities` align with the scoring_basis == 'model' rows."""
    basis = scoring["scoring_basis"].to_numpy()
    is_model = basis == "model"
    if int(is_model.sum()) != len(model_probabilities):
        raise ValueError(
            f"{len(model_probabilities)} probabilities for {int(is_model.sum())} modelled customers"
        )
    probability = np.full(len(scoring), np.nan)
    probability[is_model] = model_probabilities
    scored = ~np.isnan(probability)
    p = probability[scored]
    score = np.round(p * 100.0, 2)
    return pd.DataFrame(
        {
            "customer_id": scoring["customer_id"].to_numpy()[scored],
            "churn_probability": p,
            "churn_risk_score": score,
            "churn_risk_category": [risk_category(s) for s in score],
            "predicted_churn": p >= model.threshold,
            "model_version": model.version,
            "scored_at": scored_at,
        },
        columns=list(PREDICTION_COLUMNS),
    )


def summarize(
    scoring: pd.DataFrame, predictions: pd.DataFrame, model: TrainedModel, scored_at: datetime
) -> ScoringSummary:
    """`by_basis` counts every scoring row (model, lapsed, new); only `model` rows are scored."""
    basis_counts = scoring["scoring_basis"].value_counts()
    categories = predictions["churn_risk_category"].value_counts()
    return ScoringSummary(
        scored=len(predictions),
        by_basis={str(k): int(v) for k, v in basis_counts.items()},
        not_scored=len(scoring) - len(predictions),
        by_category={c: int(categories.get(c, 0)) for c in RISK_CATEGORIES},
        predicted_churners=int(predictions["predicted_churn"].sum()),
        mean_probability=float(predictions["churn_probability"].mean()) if len(predictions) else 0.0,
        model_version=model.version,
        scored_at=scored_at,
    )


def write_predictions(session: WarehouseSession, predictions: pd.DataFrame) -> int:
    """Store one scoring run: it replaces the scores of the same model version (one row per customer and
    model version, the semantic model's key), while other versions' scores stay as history. The caller
    holds the transaction; the profile reads each customer's latest row."""
    for version in sorted(set(predictions["model_version"])):
        session.execute(f"delete from {PREDICTIONS_TABLE} where model_version = ?", [version])
    return session.insert_frame(PREDICTIONS_TABLE, predictions)


@dataclass(frozen=True)
class BandRate:
    """What a risk band means on the hold-out: its score range, size, mean prediction, observed churn."""

    band: str
    score_from: float
    score_to: float | None  # exclusive; None = up to 100
    customers: int
    mean_probability: float | None
    observed_churn_rate: float | None


def band_rates(labels: np.ndarray, probabilities: np.ndarray) -> list[BandRate]:
    """Per risk band (High, Medium, Low): customers, mean predicted and observed churn rate."""
    scores = np.round(np.asarray(probabilities, dtype=float) * 100.0, 2)
    y = np.asarray(labels, dtype=bool)
    edges = {
        HIGH: (HIGH_RISK_THRESHOLD, None),
        MEDIUM: (MEDIUM_RISK_THRESHOLD, HIGH_RISK_THRESHOLD),
        LOW: (0, MEDIUM_RISK_THRESHOLD),
    }
    out = []
    for band, (lo, hi) in edges.items():
        mask = (scores >= lo) & (scores < hi if hi is not None else True)
        n = int(mask.sum())
        out.append(
            BandRate(
                band,
                float(lo),
                None if hi is None else float(hi),
                n,
                float(np.mean(probabilities[mask])) if n else None,
                float(np.mean(y[mask])) if n else None,
            )
        )
    return out
