"""Where churn models are recorded: training runs (OBSERVABILITY.CHURN_TRAINING_RUNS), evaluation metrics
(GOLD.CHURN_MODEL_METRICS) and feature importance (GOLD.CHURN_FEATURE_IMPORTANCE), on both targets.

The champion is the `champion_version` of the most recent completed training run; the run that promoted
it holds its metadata (threshold, calibration, features, artifact location) in `details`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from c360 import names
from c360.engines.base import WarehouseSession
from c360.ml.evaluation import Metrics
from c360.ml.trainer import FeatureImportance, TrainedModel
from c360.sqlfiles import load_sql

log = logging.getLogger(__name__)

# Fully qualified: the Snowflake session's insert_frame (write_pandas) needs database.schema.table.
RUNS_TABLE = f"{names.DATABASE}.{names.OBSERVABILITY}.CHURN_TRAINING_RUNS"
METRICS_TABLE = f"{names.DATABASE}.{names.GOLD}.CHURN_MODEL_METRICS"
IMPORTANCE_TABLE = f"{names.DATABASE}.{names.GOLD}.CHURN_FEATURE_IMPORTANCE"
PREDICTIONS_TABLE = f"{names.DATABASE}.{names.GOLD}.CHURN_PREDICTIONS"

# Training-run statuses
PROMOTED = "PROMOTED"  # the challenger became the champion
REJECTED = "REJECTED"  # the challenger was worse than the champion on the same hold-out; champion kept
REUSED = "REUSED"  # inputs unchanged since the champion was trained: nothing trained
FAILED = "FAILED"  # bad training data, a quality gate (incl. suspected leakage) or an error


def ensure_tables(session: WarehouseSession) -> None:
    session.run_script(load_sql("ddl/ml", session.dialect))


@dataclass
class TrainingRunRecord:
    training_run_id: str
    pipeline_run_id: str | None
    trainer: str
    started_at: datetime
    as_of_date: date | None = None
    train_cutoffs: tuple[date, ...] = ()
    validation_cutoff: date | None = None
    train_rows: int | None = None
    validation_rows: int | None = None
    data_fingerprint: str | None = None
    challenger_version: str | None = None
    champion_version_before: str | None = None
    champion_version: str | None = None
    status: str = FAILED
    reason: str = ""
    metrics: Metrics | None = None
    finished_at: datetime | None = None
    seconds: float | None = None
    details: dict[str, object] = field(default_factory=dict)

    def row(self) -> dict[str, object]:
        m = self.metrics
        return {
            "training_run_id": self.training_run_id,
            "pipeline_run_id": self.pipeline_run_id,
            "trainer": self.trainer,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status": self.status,
            "reason": self.reason[:4000],
            "challenger_version": self.challenger_version,
            "champion_version_before": self.champion_version_before,
            "champion_version": self.champion_version,
            "data_fingerprint": self.data_fingerprint,
            "as_of_date": self.as_of_date,
            "train_cutoffs": ",".join(d.isoformat() for d in self.train_cutoffs) or None,
            "validation_cutoff": self.validation_cutoff,
            "train_rows": self.train_rows,
            "validation_rows": self.validation_rows,
            "roc_auc": m.roc_auc if m else None,
            "pr_auc": m.pr_auc if m else None,
            "f1_score": m.f1 if m else None,
            "precision_score": m.precision if m else None,
            "recall_score": m.recall if m else None,
            "threshold": m.threshold if m else None,
            "seconds": self.seconds,
            "details": json.dumps(self.details, default=str),
        }


def record_run(session: WarehouseSession, record: TrainingRunRecord) -> None:
    session.insert_frame(RUNS_TABLE, _frame([record.row()]))


def champion_metadata(session: WarehouseSession) -> dict[str, Any] | None:
    """Metadata of the current champion (from the run that promoted it), or None before any promotion."""
    if not session.table_exists("OBSERVABILITY", "CHURN_TRAINING_RUNS"):
        return None
    found = session.query(load_sql("ml/champion_run"))
    if found.empty:
        return None
    details = json.loads(str(found.iloc[0]["details"] or "{}"))
    model = details.get("model")
    if not isinstance(model, dict):
        log.warning("champion run %s carries no model metadata", found.iloc[0]["training_run_id"])
        return None
    return model


def recent_runs(session: WarehouseSession, limit: int = 10) -> pd.DataFrame:
    return session.query(load_sql("ml/training_runs"), [limit])


def metrics_row(
    record: TrainingRunRecord,
    model: TrainedModel,
    metrics: Metrics,
    role: str,
    is_champion: bool,
    train_base_rate: float,
) -> dict[str, object]:
    c = metrics.confusion
    return {
        "training_run_id": record.training_run_id,
        "model_version": model.version,
        "trainer": model.trainer,
        "role": role,
        "evaluated_at": record.finished_at or datetime.now().replace(microsecond=0),
        "train_cutoffs": ",".join(d.isoformat() for d in model.train_cutoffs),
        "validation_cutoff": record.validation_cutoff,
        "as_of_date": record.as_of_date,
        "train_rows": record.train_rows,
        "validation_rows": metrics.rows,
        "train_base_rate": train_base_rate,
        "validation_base_rate": metrics.base_rate,
        "threshold": metrics.threshold,
        "roc_auc": metrics.roc_auc,
        "pr_auc": metrics.pr_auc,
        "f1_score": metrics.f1,
        "precision_score": metrics.precision,
        "recall_score": metrics.recall,
        "accuracy": metrics.accuracy,
        "brier_score": metrics.brier_score,
        "expected_calibration_error": metrics.expected_calibration_error,
        "true_positives": c.true_positives,
        "false_positives": c.false_positives,
        "true_negatives": c.true_negatives,
        "false_negatives": c.false_negatives,
        "heuristic_roc_auc": metrics.heuristic_roc_auc,
        "heuristic_f1": metrics.heuristic_f1,
        "heuristic_precision": metrics.heuristic_precision,
        "heuristic_recall": metrics.heuristic_recall,
        "lapsed_churn_rate": model.lapsed_churn_rate,
        "is_champion": is_champion,
    }


def write_metrics(session: WarehouseSession, rows: list[dict[str, object]]) -> None:
    if rows:
        session.insert_frame(METRICS_TABLE, _frame(rows))


def write_importance(
    session: WarehouseSession,
    record: TrainingRunRecord,
    model: TrainedModel,
    importance: FeatureImportance,
) -> pd.DataFrame:
    frame = importance.frame.copy()
    frame = frame.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
    frame["importance_rank"] = range(1, len(frame) + 1)
    frame.insert(0, "trainer", model.trainer)
    frame.insert(0, "model_version", model.version)
    frame.insert(0, "training_run_id", record.training_run_id)
    frame["method"] = importance.method
    frame["computed_at"] = datetime.now().replace(microsecond=0)
    session.insert_frame(IMPORTANCE_TABLE, frame)
    return frame


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows)
