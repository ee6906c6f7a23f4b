"""Synthetic churn datasets with the real feature columns (no warehouse needed)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from c360.ml.data import ChurnData, Cutoffs
from c360.ml.features import CATEGORICAL_FEATURES, FEATURE_NAMES
from c360.ml.trainer import Dataset

LABEL = {
    "label_horizon_days": 90,
    "label_inactive_days": 60,
    "label_spend_ratio": 0.3,
    "baseline_days": 365,
    "population_active_days": 90,
    "lapsed_after_days": 60,
    "min_baseline_days": 30,
}
CATEGORY_LEVELS = {
    "card_type": ["Standard", "Premium"],
    "employment_status": ["Employed", "Self-Employed", "Retired", "Unemployed"],
    "region": ["Northeast", "Midwest", "South", "West"],
}


def synthetic_frame(rows: int, seed: int, dataset: str, cutoff: date) -> pd.DataFrame:
    """Rows whose churn depends on two features (30-day spend ratio, recency) plus noise, ~12 % churn."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for name in FEATURE_NAMES:
        if name in CATEGORICAL_FEATURES:
            data[name] = rng.choice(CATEGORY_LEVELS[name], size=rows)
        else:
            data[name] = rng.gamma(2.0, 1.0, size=rows)
    ratio = rng.uniform(0, 2, size=rows)
    recency = rng.integers(1, 90, size=rows)
    data["spend_30d_to_baseline"] = ratio
    data["days_since_last_transaction"] = recency
    data["spend_change_90d"] = np.clip(ratio - 1, -1, 1)
    logit = -2.2 - 3.0 * (ratio - 1) + 0.03 * (recency - 30) + rng.normal(0, 0.8, size=rows)
    churned = rng.uniform(size=rows) < 1 / (1 + np.exp(-logit))
    customers = [f"CUST{seed:02d}{i:06d}" for i in range(rows)]
    frame = pd.DataFrame(data)
    frame.insert(0, "cutoff_date", cutoff)
    frame.insert(0, "dataset", dataset)
    frame.insert(0, "customer_id", customers)
    frame.insert(0, "training_row_key", [f"{c}@{cutoff}" for c in customers])
    frame["churned"] = churned
    return frame


def scoring_frame(rows: int, seed: int, cutoff: date) -> pd.DataFrame:
    frame = synthetic_frame(rows, seed, "scoring", cutoff).drop(
        columns=["churned", "training_row_key", "dataset"]
    )
    basis = np.array(["model"] * rows, dtype=object)
    basis[: max(1, rows // 20)] = "lapsed"
    basis[-1] = "new"
    frame.insert(2, "scoring_basis", basis)
    return frame


def make_data(train_rows: int = 3000, validation_rows: int = 1500) -> ChurnData:
    t1, t2, as_of = date(2026, 4, 18), date(2026, 7, 17), date(2026, 10, 15)
    train = synthetic_frame(train_rows, 1, "train", t1)
    validation = synthetic_frame(validation_rows, 2, "validation", t2)
    scoring = scoring_frame(800, 3, as_of)
    base_rates = pd.DataFrame(
        {
            "dataset": ["train", "train", "validation"],
            "cutoff_date": [t1, t1, t2],
            "customer_group": ["population", "lapsed", "population"],
            "customers": [train_rows, 40, validation_rows],
            "churned_customers": [int(train["churned"].sum()), 38, int(validation["churned"].sum())],
            "inactive_churned_customers": [0, 38, 0],
            "spend_drop_churned_customers": [0, 38, 0],
            "churn_rate": [float(train["churned"].mean()), 0.95, float(validation["churned"].mean())],
        }
    )
    relation = "GOLD.ML_TRAINING_DATA"
    return ChurnData(
        Cutoffs((t1,), t2, as_of, as_of, dict(LABEL)),
        Dataset("train", train, "training_row_key", relation, "dataset = ?", ("train",)),
        Dataset("validation", validation, "training_row_key", relation, "dataset = ?", ("validation",)),
        Dataset("scoring", scoring, "customer_id", "GOLD.ML_SCORING_DATA", "scoring_basis = ?", ("model",)),
        base_rates,
    )


@pytest.fixture
def churn_data() -> ChurnData:
    return make_data()
