"""The model-trainer seam: one train / predict / importance contract, two implementations.

LocalTrainer (c360/ml/local.py): scikit-learn gradient boosting in this process, artifacts under
  C360_HOME/models/<version>/.
CortexTrainer (c360/ml/cortex.py): SNOWFLAKE.ML.CLASSIFICATION in the warehouse, one model object per
  version in GOLD.

Both receive the same Dataset objects (rows of GOLD.ML_TRAINING_DATA / GOLD.ML_SCORING_DATA with the
feature columns of c360/ml/features.py) and return probabilities aligned with the dataset's rows; the
metrics, threshold policy, champion/challenger decision and output tables are shared (c360/ml/training.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

import numpy as np
import pandas as pd

from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.ml.evaluation import Metrics
from c360.ml.features import FEATURE_NAMES

VERSION_PATTERN = re.compile(r"^[a-z]+-\d{8}t\d{6}-[0-9a-f]{8}$")


class TrainerError(C360Error):
    """Training or prediction failed in the trainer (the message says where)."""


@dataclass(frozen=True)
class Dataset:
    """Rows of one split: `key` identifies a row (training_row_key or customer_id) in `frame`.

    `relation` and `where` say where the same rows live in the warehouse, for in-warehouse trainers:
    `select ... from <relation> where <where>` with `params` bound; both come from c360/ml/data.py only.
    """

    name: str  # train | validation | scoring
    frame: pd.DataFrame
    key: str
    relation: str
    where: str = "1 = 1"
    params: tuple[object, ...] = ()

    @property
    def features(self) -> pd.DataFrame:
        return self.frame.loc[:, list(FEATURE_NAMES)]

    @property
    def labels(self) -> np.ndarray:
        return self.frame["churned"].astype(int).to_numpy()

    def __len__(self) -> int:
        return len(self.frame)


@dataclass
class TrainedModel:
    """A trained churn model and everything needed to use and describe it later."""

    version: str
    trainer: str
    features: tuple[str, ...]
    threshold: float
    trained_at: datetime
    train_cutoffs: tuple[date, ...]
    params: dict[str, object]
    data_fingerprint: str
    lapsed_churn_rate: float | None = None
    calibration: dict[str, float] | None = None
    holdout_metrics: Metrics | None = None  # on held-out training rows (what set the threshold)
    training_notes: list[str] = field(default_factory=list)
    estimator: object | None = None  # LocalTrainer only; never serialised into the warehouse
    artifact_uri: str | None = None

    def metadata(self) -> dict[str, object]:
        """JSON-able description (OBSERVABILITY.CHURN_TRAINING_RUNS.details, metadata.json)."""
        return {
            "version": self.version,
            "trainer": self.trainer,
            "features": list(self.features),
            "threshold": self.threshold,
            "trained_at": self.trained_at.isoformat(),
            "train_cutoffs": [d.isoformat() for d in self.train_cutoffs],
            "params": self.params,
            "data_fingerprint": self.data_fingerprint,
            "lapsed_churn_rate": self.lapsed_churn_rate,
            "calibration": self.calibration,
            "holdout_metrics": self.holdout_metrics.as_dict() if self.holdout_metrics else None,
            "training_notes": list(self.training_notes),
            "artifact_uri": self.artifact_uri,
        }

    @classmethod
    def from_metadata(cls, data: Mapping[str, Any]) -> TrainedModel:
        """From `metadata()` as stored in JSON (metadata.json, the training run's details)."""
        holdout = data.get("holdout_metrics")
        return cls(
            version=str(data["version"]),
            trainer=str(data["trainer"]),
            features=tuple(data["features"]),
            threshold=float(data["threshold"]),
            trained_at=datetime.fromisoformat(str(data["trained_at"])),
            train_cutoffs=tuple(date.fromisoformat(str(d)) for d in data["train_cutoffs"]),
            params=dict(data.get("params") or {}),
            data_fingerprint=str(data["data_fingerprint"]),
            lapsed_churn_rate=None
            if data.get("lapsed_churn_rate") is None
            else float(data["lapsed_churn_rate"]),
            calibration=data.get("calibration"),
            holdout_metrics=Metrics.from_dict(holdout) if isinstance(holdout, dict) else None,
            training_notes=list(data.get("training_notes") or []),
            artifact_uri=None if data.get("artifact_uri") is None else str(data["artifact_uri"]),
        )


@dataclass(frozen=True)
class FeatureImportance:
    frame: pd.DataFrame  # feature, importance, importance_std (nullable)
    method: str


class ChurnTrainer(Protocol):
    """Train on one dataset, predict probabilities of churn for another, explain the model."""

    kind: str  # "local" | "cortex": the prefix of every model version it creates

    def config(self) -> dict[str, object]:
        """Hyperparameters and settings: part of the data fingerprint and the model card."""
        ...

    def train(
        self, session: WarehouseSession, train: Dataset, version: str, min_precision: float
    ) -> TrainedModel:
        """Fit a model on `train`; choose the decision threshold on held-out training rows."""
        ...

    def predict(self, session: WarehouseSession, model: TrainedModel, data: Dataset) -> np.ndarray:
        """P(churn) for every row of `data.frame`, in its row order."""
        ...

    def feature_importance(
        self, session: WarehouseSession, model: TrainedModel, validation: Dataset
    ) -> FeatureImportance: ...

    def save(self, model: TrainedModel) -> str:
        """Persist what `load` needs; return where it lives (path or warehouse object)."""
        ...

    def load(self, session: WarehouseSession, metadata: dict[str, object]) -> TrainedModel | None:
        """The model described by `metadata` ready to predict, or None when its artifact is gone."""
        ...


def new_version(kind: str, fingerprint: str, at: datetime) -> str:
    """`<kind>-<yyyymmddThhmmss>-<8 hex of the data fingerprint>`, e.g. local-20261122t101500-3fa2c1d9."""
    version = f"{kind}-{at:%Y%m%dt%H%M%S}-{fingerprint[:8]}".lower()
    if not VERSION_PATTERN.match(version):
        raise TrainerError(f"invalid model version {version!r}")
    return version


def check_probabilities(values: np.ndarray, expected_rows: int, where: str) -> np.ndarray:
    probabilities = np.asarray(values, dtype=float)
    if probabilities.shape != (expected_rows,):
        raise TrainerError(
            f"{where} returned {probabilities.shape[0]} probabilities for {expected_rows} rows"
        )
    bad = ~np.isfinite(probabilities) | (probabilities < 0) | (probabilities > 1)
    if bad.any():
        raise TrainerError(f"{where} returned {int(bad.sum())} probabilities outside [0, 1]")
    return probabilities
