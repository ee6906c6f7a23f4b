"""LocalTrainer: scikit-learn HistGradientBoosting, Platt-calibrated, artifacts under C360_HOME/models.

Training, per version:
  1. split the training rows by CUSTOMER (a customer appears at several training cutoffs; all of their
     rows go to one side) into a fit part and a calibration part (stratified, seeded);
  2. fit HistGradientBoostingClassifier on the fit part (native categorical support, early stopping on
     an internal split of the fit part);
  3. calibrate on the calibration part with scikit-learn's Platt scaling (CalibratedClassifierCV,
     method="sigmoid", over the frozen booster's log-odds), and choose the decision threshold there (best
     F1 with precision >= the policy minimum).
The validation cutoff is never touched here. Feature importance: permutation importance (drop in ROC-AUC)
on a seeded sample of the validation rows.
"""

from __future__ import annotations

import json
import logging
import pickle
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from c360.engines.base import WarehouseSession
from c360.ml.evaluation import choose_threshold, evaluate
from c360.ml.features import CATEGORICAL_FEATURES, FEATURE_NAMES
from c360.ml.trainer import Dataset, FeatureImportance, TrainedModel, TrainerError, check_probabilities

log = logging.getLogger(__name__)

ARTIFACT_FILE = "model.pkl"
METADATA_FILE = "metadata.json"


@dataclass(frozen=True)
class LocalTrainerConfig:
    seed: int = 42
    learning_rate: float = 0.1
    max_iter: int = 400
    max_leaf_nodes: int = 31
    min_samples_leaf: int = 40
    l2_regularization: float = 1.0
    validation_fraction: float = 0.12
    n_iter_no_change: int = 25
    calibration_folds: int = 4  # 1 / folds of the training customers calibrate and set the threshold
    importance_rows: int = 4_000
    importance_repeats: int = 2
    # OpenMP threads for fitting and prediction. One is faster on a shared 2-core machine: measured at full
    # scale under load, a fit took 11 s on 1 thread and 54 s on 2 (oversubscription), a 8,000-row
    # prediction 0.06 s vs 1.2 s.
    threads: int = 1


def as_model_input(features: pd.DataFrame) -> pd.DataFrame:
    """Feature frame in contract order with categoricals as pandas categories (native HGB support)."""
    missing = [c for c in FEATURE_NAMES if c not in features.columns]
    if missing:
        raise TrainerError(f"feature column(s) missing: {', '.join(missing)}")
    frame = features.loc[:, list(FEATURE_NAMES)].copy()
    for name in FEATURE_NAMES:
        if name in CATEGORICAL_FEATURES:
            frame[name] = frame[name].astype(str).astype("category")
        else:
            frame[name] = pd.to_numeric(frame[name], errors="raise").astype(float)
    return frame


def customer_split(customer_ids: pd.Series, folds: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(fit rows, calibration rows): a seeded 1/folds of the CUSTOMERS calibrates, with all their rows.

    A plain random split of customers (not stratified: at thousands of rows the churn share of both parts
    matches; sklearn's StratifiedGroupKFold took ~20 s for 50,000 customers).
    """
    customers = np.sort(customer_ids.unique())
    chosen = np.random.default_rng(seed).permutation(len(customers))[: max(1, len(customers) // folds)]
    in_calibration = customer_ids.isin(customers[chosen]).to_numpy()
    return np.flatnonzero(~in_calibration), np.flatnonzero(in_calibration)


class _FittedChurnModel:
    """The pickled artifact: the Platt-calibrated booster + the category levels seen in training."""

    def __init__(self, calibrated: CalibratedClassifierCV, levels: dict[str, list[str]]) -> None:
        self.calibrated = calibrated
        self.levels = levels

    def _input(self, features: pd.DataFrame) -> pd.DataFrame:
        frame = as_model_input(features)
        for name, levels in self.levels.items():
            # unseen categories become missing values (HGB routes them like NaN) instead of new codes
            frame[name] = pd.Categorical(frame[name].astype(str), categories=levels)
        return frame

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.calibrated.predict_proba(self._input(features))[:, 1])


def platt_parameters(calibrated: CalibratedClassifierCV) -> dict[str, float]:
    """(a, b) of p = sigmoid(a * log-odds + b), the booster's log-odds being its decision function."""
    sigmoid = calibrated.calibrated_classifiers_[0].calibrators[0]
    return {"a": -float(sigmoid.a_), "b": -float(sigmoid.b_)}  # sklearn fits 1 / (1 + exp(a_ f + b_))


class _CalibratedEstimator(ClassifierMixin, BaseEstimator):
    """sklearn-style wrapper for permutation_importance (needs fit / predict_proba / classes_).

    Takes frames already in model input form (`_FittedChurnModel._input`): permutation_importance predicts
    once per feature and repeat, and converting the frame each time cost more than the predictions.
    """

    def __init__(self, model: _FittedChurnModel | None = None) -> None:
        self.model = model
        self.classes_ = np.array([0, 1])

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> _CalibratedEstimator:
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        assert self.model is not None
        p = np.asarray(self.model.calibrated.predict_proba(X)[:, 1])
        return np.column_stack([1 - p, p])


def _roc_auc_scorer(estimator: _CalibratedEstimator, X: pd.DataFrame, y: np.ndarray) -> float:
    return float(roc_auc_score(y, estimator.predict_proba(X)[:, 1]))


class LocalTrainer:
    kind = "local"

    def __init__(self, models_dir: Path, config: LocalTrainerConfig | None = None) -> None:
        self.models_dir = models_dir
        self.settings = config or LocalTrainerConfig()

    def config(self) -> dict[str, object]:
        return {
            "algorithm": "sklearn.HistGradientBoostingClassifier + CalibratedClassifierCV(sigmoid)",
            **vars(self.settings),
        }

    # ---- train ---------------------------------------------------------------------------------
    def train(
        self, session: WarehouseSession, train: Dataset, version: str, min_precision: float
    ) -> TrainedModel:
        cfg = self.settings
        y = train.labels
        frame = as_model_input(train.features)
        fit_idx, cal_idx = customer_split(train.frame["customer_id"], cfg.calibration_folds, cfg.seed)
        if len(np.unique(y[cal_idx])) < 2 or len(np.unique(y[fit_idx])) < 2:
            raise TrainerError("the calibration split holds one class only: too few churners to train")
        estimator = HistGradientBoostingClassifier(
            learning_rate=cfg.learning_rate,
            max_iter=cfg.max_iter,
            max_leaf_nodes=cfg.max_leaf_nodes,
            min_samples_leaf=cfg.min_samples_leaf,
            l2_regularization=cfg.l2_regularization,
            categorical_features="from_dtype",
            early_stopping=True,
            validation_fraction=cfg.validation_fraction,
            n_iter_no_change=cfg.n_iter_no_change,
            random_state=cfg.seed,
        )
        with threadpool_limits(cfg.threads):
            estimator.fit(frame.iloc[fit_idx], y[fit_idx])
            calibrated = CalibratedClassifierCV(FrozenEstimator(estimator), method="sigmoid")
            calibrated.fit(frame.iloc[cal_idx], y[cal_idx])
            p_cal = calibrated.predict_proba(frame.iloc[cal_idx])[:, 1]
        levels = {name: list(frame[name].cat.categories) for name in CATEGORICAL_FEATURES}
        fitted = _FittedChurnModel(calibrated, levels)
        threshold = choose_threshold(y[cal_idx], p_cal, min_precision)
        holdout = evaluate(y[cal_idx], p_cal, threshold, train.frame["spend_change_90d"].to_numpy()[cal_idx])
        notes = [
            f"fit on {len(fit_idx):,} training rows, calibrated and thresholded on {len(cal_idx):,} rows of "
            f"other customers; {estimator.n_iter_} boosting iterations (early stopping)",
        ]
        log.info("trained %s: %s", version, notes[0])
        return TrainedModel(
            version=version,
            trainer=self.kind,
            features=FEATURE_NAMES,
            threshold=threshold,
            trained_at=datetime.now().replace(microsecond=0),
            train_cutoffs=(),
            params={**self.config(), "n_iter": int(estimator.n_iter_)},
            data_fingerprint="",
            calibration=platt_parameters(calibrated),
            holdout_metrics=holdout,
            training_notes=notes,
            estimator=fitted,
        )

    # ---- predict -------------------------------------------------------------------------------
    def predict(self, session: WarehouseSession, model: TrainedModel, data: Dataset) -> np.ndarray:
        fitted = self._fitted(model)
        if len(data) == 0:
            return np.array([], dtype=float)
        with threadpool_limits(self.settings.threads):
            probabilities = fitted.predict_proba(data.features)
        return check_probabilities(probabilities, len(data), "the local model")

    def feature_importance(
        self, session: WarehouseSession, model: TrainedModel, validation: Dataset
    ) -> FeatureImportance:
        cfg = self.settings
        fitted = self._fitted(model)
        sample = validation.frame
        if len(sample) > cfg.importance_rows:
            sample = sample.sample(cfg.importance_rows, random_state=cfg.seed)
        y = sample["churned"].astype(int).to_numpy()
        if len(np.unique(y)) < 2:
            raise TrainerError("permutation importance needs both classes in the validation sample")
        with threadpool_limits(cfg.threads):
            result = permutation_importance(
                _CalibratedEstimator(fitted),
                fitted._input(sample),  # converted once (see _CalibratedEstimator)
                y,
                scoring=_roc_auc_scorer,
                n_repeats=cfg.importance_repeats,
                random_state=cfg.seed,
            )
        frame = pd.DataFrame(
            {
                "feature": list(FEATURE_NAMES),
                "importance": result.importances_mean,
                "importance_std": result.importances_std,
            }
        )
        return FeatureImportance(frame, "permutation: mean drop in validation ROC-AUC")

    # ---- artifacts -----------------------------------------------------------------------------
    def save(self, model: TrainedModel) -> str:
        folder = self.models_dir / model.version
        folder.mkdir(parents=True, exist_ok=True)
        artifact = folder / ARTIFACT_FILE
        partial = artifact.with_suffix(".tmp")
        with partial.open("wb") as handle:
            pickle.dump(self._fitted(model), handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(artifact)
        model.artifact_uri = str(artifact)
        (folder / METADATA_FILE).write_text(json.dumps(model.metadata(), indent=2, default=str) + "\n")
        return str(artifact)

    def load(self, session: WarehouseSession, metadata: dict[str, object]) -> TrainedModel | None:
        model = TrainedModel.from_metadata(metadata)
        path = (
            Path(model.artifact_uri)
            if model.artifact_uri
            else self.models_dir / model.version / ARTIFACT_FILE
        )
        if not path.is_file():
            log.warning("champion %s has no artifact at %s", model.version, path)
            return None
        with path.open("rb") as handle:
            fitted = pickle.load(handle)  # our own artifact, written by save() under C360_HOME
        if not isinstance(fitted, _FittedChurnModel):
            raise TrainerError(f"{path} does not hold a churn model")
        model.estimator = fitted
        return model

    @staticmethod
    def _fitted(model: TrainedModel) -> _FittedChurnModel:
        if not isinstance(model.estimator, _FittedChurnModel):
            raise TrainerError(f"model {model.version} is not loaded (no local estimator)")
        return model.estimator
