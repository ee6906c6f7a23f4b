"""The churn model's datasets, read from the dbt models in GOLD (dbt/models/ml), and their checks.

Only this module names the ML relations; trainers receive Dataset objects.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from c360 import names
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.ml.features import FEATURE_NAMES, TARGET
from c360.ml.policy import TrainingPolicy
from c360.ml.trainer import Dataset
from c360.sqlfiles import load_sql

log = logging.getLogger(__name__)

TRAINING_TABLE = "ML_TRAINING_DATA"
SCORING_TABLE = "ML_SCORING_DATA"
CUTOFFS_TABLE = "ML_CUTOFFS"
BASE_RATES_TABLE = "ML_CHURN_BASE_RATES"
ML_TABLES = (CUTOFFS_TABLE, TRAINING_TABLE, SCORING_TABLE, BASE_RATES_TABLE)
SCORING_BASES = ("model", "lapsed", "new")


class TrainingDataError(C360Error):
    """The training data is missing or fails validation; the message lists every problem."""


@dataclass(frozen=True)
class Cutoffs:
    train: tuple[date, ...]
    validation: date
    scoring: date
    as_of: date
    label: dict[str, float]  # horizon, inactive days, spend ratio, baseline days, population window

    def describe(self) -> dict[str, object]:
        return {
            "train_cutoffs": [d.isoformat() for d in self.train],
            "validation_cutoff": self.validation.isoformat(),
            "scoring_cutoff": self.scoring.isoformat(),
            "as_of": self.as_of.isoformat(),
            **self.label,
        }


@dataclass(frozen=True)
class ChurnData:
    cutoffs: Cutoffs
    train: Dataset
    validation: Dataset
    scoring: Dataset
    base_rates: pd.DataFrame
    warnings: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Content hash of the rows a model is trained and validated on (changes => retrain)."""
        digest = hashlib.sha256()
        for dataset in (self.train, self.validation):
            columns = [dataset.key, "cutoff_date", *FEATURE_NAMES, TARGET]
            hashed = pd.util.hash_pandas_object(dataset.frame.loc[:, columns], index=False)
            digest.update(dataset.name.encode())
            digest.update(np.asarray(hashed, dtype=np.uint64).tobytes())
        return digest.hexdigest()

    def lapsed_churn_rate(self) -> float | None:
        """Observed churn rate of lapsed customers at the training cutoffs (None: there were none)."""
        rates = self.base_rates
        lapsed = rates[(rates["dataset"] == "train") & (rates["customer_group"] == "lapsed")]
        customers = int(lapsed["customers"].sum())
        return None if customers == 0 else float(lapsed["churned_customers"].sum()) / customers


def ml_tables_exist(session: WarehouseSession) -> bool:
    return all(session.table_exists(names.GOLD, table) for table in ML_TABLES)


def load_data(session: WarehouseSession) -> ChurnData:
    """Read cutoffs, both training splits, the scoring rows and the base rates."""
    missing = [t for t in ML_TABLES if not session.table_exists(names.GOLD, t)]
    if missing:
        raise TrainingDataError(
            f"{', '.join(f'{names.GOLD}.{t}' for t in missing)} missing: the churn datasets are dbt models "
            "(dbt/models/ml) built by the churn_model step; run `c360 up` (or `c360 train`) first"
        )
    cutoffs = _cutoffs(session.query(load_sql("ml/cutoffs")))
    relation = f"{names.GOLD}.{TRAINING_TABLE}"
    train = Dataset(
        "train",
        _typed(session.query(load_sql("ml/training_rows"), ["train"])),
        "training_row_key",
        relation,
        "dataset = ?",
        ("train",),
    )
    validation = Dataset(
        "validation",
        _typed(session.query(load_sql("ml/training_rows"), ["validation"])),
        "training_row_key",
        relation,
        "dataset = ?",
        ("validation",),
    )
    scoring = Dataset(
        "scoring",
        _typed(session.query(load_sql("ml/scoring_rows"))),
        "customer_id",
        f"{names.GOLD}.{SCORING_TABLE}",
        "scoring_basis = ?",
        ("model",),
    )
    base_rates = session.query(load_sql("ml/base_rates"))
    base_rates["cutoff_date"] = pd.to_datetime(base_rates["cutoff_date"]).dt.date
    return ChurnData(cutoffs, train, validation, scoring, base_rates)


def validate(data: ChurnData, policy: TrainingPolicy) -> ChurnData:
    """Raise TrainingDataError listing every problem; return the data with any warnings attached."""
    problems: list[str] = []
    warnings: list[str] = []
    for dataset, min_rows in (
        (data.train, policy.min_train_rows),
        (data.validation, policy.min_validation_rows),
    ):
        problems += _split_problems(dataset, min_rows, policy)
        if len(dataset) and TARGET in dataset.frame:
            rate = float(dataset.frame[TARGET].astype(bool).mean())
            low, high = policy.expected_base_rate
            if not low <= rate <= high:
                warnings.append(
                    f"{dataset.name} base rate {rate:.1%} is outside the expected {low:.0%}-{high:.0%}"
                )
    scoring = data.scoring.frame
    if scoring.empty:
        problems.append("no customers to score in GOLD.ML_SCORING_DATA")
    else:
        unknown = sorted(set(scoring["scoring_basis"]) - set(SCORING_BASES))
        if unknown:
            problems.append(f"unknown scoring_basis value(s) {', '.join(map(str, unknown))}")
        modelled = scoring[scoring["scoring_basis"] == "model"]
        problems += _null_problems(modelled, "scoring")
    if problems:
        raise TrainingDataError("training data failed validation: " + "; ".join(problems))
    for warning in warnings:
        log.warning("%s", warning)
    return ChurnData(
        data.cutoffs, data.train, data.validation, data.scoring, data.base_rates, tuple(warnings)
    )


def _split_problems(dataset: Dataset, min_rows: int, policy: TrainingPolicy) -> list[str]:
    frame = dataset.frame
    name = dataset.name
    problems: list[str] = []
    if len(frame) < min_rows:
        problems.append(f"{len(frame):,} {name} rows (at least {min_rows:,} needed)")
    missing = [c for c in (*FEATURE_NAMES, TARGET) if c not in frame.columns]
    if missing:
        return [*problems, f"{name} data lacks column(s) {', '.join(missing)}"]
    problems += _null_problems(frame, name)
    labels = frame[TARGET]
    if labels.isna().any():
        problems.append(f"{int(labels.isna().sum()):,} {name} rows have no label")
        return problems
    positives = int(labels.astype(bool).sum())
    negatives = len(frame) - positives
    if positives < policy.min_class_rows or negatives < policy.min_class_rows:
        problems.append(
            f"{name} data has {positives:,} churners and {negatives:,} non-churners "
            f"(at least {policy.min_class_rows:,} of each needed)"
        )
    elif not policy.min_positive_share <= positives / len(frame) <= policy.max_positive_share:
        problems.append(
            f"{name} class balance {positives / len(frame):.1%} churners is outside "
            f"{policy.min_positive_share:.0%}-{policy.max_positive_share:.0%}"
        )
    return problems


def _null_problems(frame: pd.DataFrame, name: str) -> list[str]:
    present = [c for c in FEATURE_NAMES if c in frame.columns]
    nulls = frame.loc[:, present].isna().sum()
    nulls = nulls[nulls > 0].sort_values(ascending=False)
    if nulls.empty:
        return []
    listed = ", ".join(f"{feature} ({count:,})" for feature, count in nulls.head(5).items())
    more = f" and {len(nulls) - 5} more" if len(nulls) > 5 else ""
    return [f"null feature values in {name} rows: {listed}{more}"]


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as dates and a clean index; feature values are left as read (validation reports nulls)."""
    frame = frame.reset_index(drop=True)
    if "cutoff_date" in frame:
        frame["cutoff_date"] = pd.to_datetime(frame["cutoff_date"]).dt.date
    if TARGET in frame and frame[TARGET].notna().all():
        frame[TARGET] = frame[TARGET].astype(bool)
    return frame


def _cutoffs(frame: pd.DataFrame) -> Cutoffs:
    if frame.empty:
        raise TrainingDataError(f"{names.GOLD}.{CUTOFFS_TABLE} is empty")
    frame = frame.copy()
    frame["cutoff_date"] = pd.to_datetime(frame["cutoff_date"]).dt.date
    by_dataset = frame.groupby("dataset")["cutoff_date"]
    try:
        train = tuple(sorted(by_dataset.get_group("train")))
        validation = by_dataset.get_group("validation").iloc[0]
        scoring = by_dataset.get_group("scoring").iloc[0]
    except KeyError as exc:
        raise TrainingDataError(f"{names.GOLD}.{CUTOFFS_TABLE} lacks a {exc.args[0]} cutoff") from None
    first = frame.iloc[0]
    label = {
        "label_horizon_days": int(first["label_horizon_days"]),
        "label_inactive_days": int(first["label_inactive_days"]),
        "label_spend_ratio": float(first["label_spend_ratio"]),
        "baseline_days": int(first["baseline_days"]),
        "population_active_days": int(first["population_active_days"]),
        "lapsed_after_days": int(first["lapsed_after_days"])
        if "lapsed_after_days" in first
        else names.LAPSED_AFTER_DAYS,
        "min_baseline_days": int(first["min_baseline_days"]),
    }
    as_of = pd.to_datetime(first["as_of_date"]).date()
    return Cutoffs(train, validation, scoring, as_of, label)
