"""CortexTrainer: the churn model as SNOWFLAKE.ML.CLASSIFICATION, same contract as LocalTrainer.

SQL lives in sql/ml/cortex_*.snowflake.sql (Jinja templates: identifiers come from c360/ml/features.py,
c360/names.py and validated model versions only; values are bound with `?`). What it does per version:
  - a view with exactly the model features + a string label ('churned' | 'retained'), customer_id
    excluded, so every non-target column is a feature and training and scoring lists are identical;
  - CREATE SNOWFLAKE.ML.CLASSIFICATION with CONFIG_OBJECT {evaluate, on_error, evaluation_config};
  - the threshold from !SHOW_THRESHOLD_METRICS (Cortex's random hold-out of the TRAINING rows, class
    'churned'): best F1 with precision >= the policy minimum;
  - !SHOW_EVALUATION_METRICS pivoted for the positive class (recorded as training diagnostics);
  - !PREDICT(INPUT_DATA => OBJECT_CONSTRUCT(...)) -> prediction:probability:"churned" per row;
  - !SHOW_FEATURE_IMPORTANCE (rank, feature, score) as the importance table.
Probabilities are Cortex's own (not re-calibrated); the temporal validation and every metric are computed
by the shared code in c360/ml/evaluation.py, as for the local model.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from c360 import names
from c360.engines.base import WarehouseSession
from c360.errors import WarehouseError
from c360.ml.features import FEATURE_NAMES
from c360.ml.trainer import Dataset, FeatureImportance, TrainedModel, TrainerError, check_probabilities
from c360.sqlfiles import render_sql
from c360.values import as_float

log = logging.getLogger(__name__)

POSITIVE_CLASS = "churned"
NEGATIVE_CLASS = "retained"
TARGET_COLUMN = "churn_label"
TRAINING_VIEW = f"{names.DATABASE}.{names.GOLD}.ML_CHURN_CORTEX_TRAINING"
TRAINING_TABLE = f"{names.GOLD}.ML_TRAINING_DATA"
MODEL_PREFIX = "CHURN_MODEL_"
_IDENTIFIER = re.compile(r"^[A-Z][A-Z0-9_]*(\.[A-Z][A-Z0-9_]*){0,2}$", re.IGNORECASE)
_ALLOWED_RELATIONS = frozenset({f"{names.GOLD}.ML_TRAINING_DATA", f"{names.GOLD}.ML_SCORING_DATA"})
_ALLOWED_FILTERS = frozenset({"dataset = ?", "scoring_basis = ?", "1 = 1"})
_ALLOWED_KEYS = frozenset({"training_row_key", "customer_id"})


@dataclass(frozen=True)
class CortexTrainerConfig:
    test_fraction: float = 0.2  # Cortex's own evaluation split of the training rows (threshold choice)


def model_object_name(version: str) -> str:
    """GOLD.CHURN_MODEL_<VERSION> as a fully qualified, validated identifier."""
    name = f"{names.DATABASE}.{names.GOLD}.{MODEL_PREFIX}{re.sub(r'[^A-Za-z0-9]', '_', version).upper()}"
    return _identifier(name)


def _identifier(value: str) -> str:
    if not _IDENTIFIER.match(value):
        raise TrainerError(f"refusing to use {value!r} as a Snowflake identifier")
    return value


def render(name: str, **context: object) -> str:
    """Render sql/ml/<name>.snowflake.sql with identifiers from the allow-lists."""
    return render_sql(
        f"ml/{name}",
        "snowflake",
        features=FEATURE_NAMES,
        positive_class=POSITIVE_CLASS,
        negative_class=NEGATIVE_CLASS,
        target=TARGET_COLUMN,
        **context,
    )


def pivot_evaluation_metrics(frame: pd.DataFrame, positive_class: str = POSITIVE_CLASS) -> dict[str, float]:
    """SHOW_EVALUATION_METRICS rows (dataset_type, class, error_metric, metric_value) -> {metric: value}
    for the positive class (global metrics, whose class is NULL, are left out)."""
    if frame.empty:
        return {}
    rows = frame[
        (frame["class"].astype(str).str.strip('"') == positive_class) & frame["metric_value"].notna()
    ]
    return {str(r.error_metric).lower(): as_float(r.metric_value) for r in rows.itertuples()}


def threshold_from_metrics(
    frame: pd.DataFrame, min_precision: float, positive_class: str = POSITIVE_CLASS
) -> float:
    """Best F1 with precision >= min_precision among SHOW_THRESHOLD_METRICS rows of the positive class."""
    rows = frame[frame["class"].astype(str).str.strip('"') == positive_class].dropna(
        subset=["f1", "threshold"]
    )
    if rows.empty:
        raise TrainerError(f"SHOW_THRESHOLD_METRICS returned no rows for class {positive_class!r}")
    eligible = rows[rows["precision"] >= min_precision]
    chosen = (eligible if not eligible.empty else rows).sort_values(
        ["f1", "threshold"], ascending=[False, True]
    )
    return float(chosen.iloc[0]["threshold"])


class CortexTrainer:
    kind = "cortex"

    def __init__(self, config: CortexTrainerConfig | None = None) -> None:
        self.settings = config or CortexTrainerConfig()

    def config(self) -> dict[str, object]:
        return {"algorithm": "SNOWFLAKE.ML.CLASSIFICATION (gradient boosting)", **vars(self.settings)}

    def train(
        self, session: WarehouseSession, train: Dataset, version: str, min_precision: float
    ) -> TrainedModel:
        if train.relation != TRAINING_TABLE or train.params != ("train",):
            raise TrainerError("Cortex trains on the 'train' rows of GOLD.ML_TRAINING_DATA only")
        model = model_object_name(version)
        session.execute(
            render("cortex_training_view", training_view=TRAINING_VIEW, training_table=TRAINING_TABLE)
        )
        log.info("training %s on %s (%s rows)", model, TRAINING_VIEW, f"{len(train):,}")
        session.execute(
            render(
                "cortex_create_model",
                model=model,
                training_view=TRAINING_VIEW,
                test_fraction=float(self.settings.test_fraction),
            )
        )
        evaluation = pivot_evaluation_metrics(session.query(render("cortex_evaluation_metrics", model=model)))
        threshold = threshold_from_metrics(
            session.query(render("cortex_threshold_metrics", model=model)), min_precision
        )
        notes = [
            f"trained in the warehouse as {model} on {len(train):,} rows; Cortex's own evaluation "
            f"({self.settings.test_fraction:.0%} random split of the training rows, class '{POSITIVE_CLASS}'): "
            + ", ".join(f"{k} {v:.3f}" for k, v in sorted(evaluation.items()))
        ]
        return TrainedModel(
            version=version,
            trainer=self.kind,
            features=FEATURE_NAMES,
            threshold=threshold,
            trained_at=datetime.now().replace(microsecond=0),
            train_cutoffs=(),
            params={**self.config(), "cortex_evaluation": evaluation},
            data_fingerprint="",
            training_notes=notes,
            artifact_uri=model,
        )

    def predict(self, session: WarehouseSession, model: TrainedModel, data: Dataset) -> np.ndarray:
        if len(data) == 0:
            return np.array([], dtype=float)
        if (
            data.relation not in _ALLOWED_RELATIONS
            or data.where not in _ALLOWED_FILTERS
            or data.key not in _ALLOWED_KEYS
        ):
            raise TrainerError(f"Cortex cannot predict on {data.relation} where {data.where}")
        sql = render(
            "cortex_predict",
            model=self._object(model),
            key=data.key,
            relation=data.relation,
            where=data.where,
        )
        result = session.query(sql, list(data.params))
        result["row_key"] = result["row_key"].astype(str)
        if result["row_key"].duplicated().any():
            raise TrainerError("Cortex PREDICT returned duplicate rows")
        by_key = result.set_index("row_key")["churn_probability"]
        keys = data.frame[data.key].astype(str)
        missing = int((~keys.isin(by_key.index)).sum())
        if missing:
            raise TrainerError(
                f"Cortex PREDICT returned no probability for {missing:,} of {len(keys):,} rows"
            )
        return check_probabilities(
            by_key.reindex(keys).to_numpy(dtype=float), len(data), f"Cortex model {model.version}"
        )

    def feature_importance(
        self, session: WarehouseSession, model: TrainedModel, validation: Dataset
    ) -> FeatureImportance:
        frame = session.query(render("cortex_feature_importance", model=self._object(model)))
        importance = pd.DataFrame(
            {
                "feature": frame["feature"].astype(str).str.lower(),
                "importance": frame["score"].astype(float),
                "importance_std": np.nan,
            }
        )
        unknown = sorted(set(importance["feature"]) - set(FEATURE_NAMES))
        if unknown:
            raise TrainerError(f"Cortex reports importance for unknown feature(s): {', '.join(unknown)}")
        return FeatureImportance(importance, "Cortex SHOW_FEATURE_IMPORTANCE score")

    def save(self, model: TrainedModel) -> str:
        """The model object already lives in the warehouse; its name is the artifact."""
        return self._object(model)

    def load(self, session: WarehouseSession, metadata: dict[str, object]) -> TrainedModel | None:
        model = TrainedModel.from_metadata(metadata)
        name = self._object(model)
        try:
            shown = session.query(render("cortex_models", schema=f"{names.DATABASE}.{names.GOLD}"))
        except WarehouseError as exc:
            raise TrainerError(f"cannot list the Cortex models in {names.GOLD}: {exc}") from exc
        existing = {str(n).upper() for n in shown.get("name", pd.Series(dtype=str))}
        if name.rsplit(".", 1)[-1].upper() not in existing:
            log.warning("champion %s: model object %s no longer exists", model.version, name)
            return None
        return model

    @staticmethod
    def _object(model: TrainedModel) -> str:
        return _identifier(model.artifact_uri or model_object_name(model.version))
