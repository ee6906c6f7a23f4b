"""Train (or re-use), validate on the later cutoff, decide champion/challenger, score, record everything.

One code path for both targets: the trainer seam (LocalTrainer | CortexTrainer) is the only difference.

    load + validate the datasets (GOLD.ML_*)            -> TrainingDataError, run recorded as FAILED
    champion trained on these exact inputs and not forced -> REUSED (nothing trained)
    else train a challenger on the training cutoffs, predict the validation cutoff
        ROC-AUC above the leakage ceiling or below a quality gate -> ModelQualityError, FAILED
        champion re-evaluated on the same validation rows; challenger worse -> REJECTED (champion kept)
        otherwise -> PROMOTED
    score every current customer with the champion -> GOLD.CHURN_PREDICTIONS
    metrics, feature importance, the run row, the model card
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from time import perf_counter

import numpy as np

from c360.config import Settings, Target
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.ml import registry
from c360.ml.data import ChurnData, TrainingDataError, load_data, validate
from c360.ml.evaluation import Curves, EvaluationError, Metrics, curves, evaluate
from c360.ml.features import FEATURE_NAMES
from c360.ml.policy import TrainingPolicy
from c360.ml.registry import FAILED, PROMOTED, REJECTED, REUSED, TrainingRunRecord
from c360.ml.scoring import (
    BandRate,
    ScoringSummary,
    band_rates,
    build_predictions,
    summarize,
    write_predictions,
)
from c360.ml.trainer import ChurnTrainer, Dataset, TrainedModel, new_version
from c360.names import LAPSED_AFTER_DAYS
from c360.observability import new_run_id, now, tracked_run
from c360.sqlfiles import load_sql
from c360.values import as_float, as_int

log = logging.getLogger(__name__)

# Bump when the label, population or feature definitions change meaning: forces a retrain.
MODEL_SPEC_VERSION = 1
RUN_TYPE = "churn_train"

# progress(completed, total, message)
TrainingProgress = Callable[[float, float, str], None]


def _no_progress(completed: float, total: float, message: str) -> None:
    return None


class ModelQualityError(C360Error):
    """The challenger failed a quality gate on the temporal hold-out (the message says which)."""


@dataclass(frozen=True)
class Gate:
    name: str
    value: float | None
    limit: float
    passed: bool
    fails_run: bool = True

    def describe(self) -> str:
        value = "n/a" if self.value is None else f"{self.value:.3f}"
        verdict = "ok" if self.passed else ("FAILED" if self.fails_run else "missed, advisory")
        return f"{self.name} {value} ({verdict}, limit {self.limit:.3f})"


@dataclass
class TrainingOutcome:
    training_run_id: str
    status: str
    reason: str
    champion: TrainedModel | None
    champion_version_before: str | None
    challenger_version: str | None = None
    challenger_metrics: Metrics | None = None
    previous_champion_metrics: Metrics | None = None
    champion_metrics: Metrics | None = None  # the champion after the run, on the validation cutoff
    # the same champion on the validation rows of ACTIVE customers only (an approved transaction in the
    # lapsed_after_days before the cutoff): the customers scoring bands; None when not evaluable
    active_metrics: Metrics | None = None
    band_rates: list[BandRate] = field(default_factory=list)  # risk bands on those active rows
    gates: list[Gate] = field(default_factory=list)
    scoring: ScoringSummary | None = None
    data: ChurnData | None = None
    importance: list[dict[str, object]] = field(default_factory=list)
    model_card: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in (PROMOTED, REJECTED, REUSED)

    def as_dict(self) -> dict[str, object]:
        def metrics(m: Metrics | None) -> dict[str, object] | None:
            return None if m is None else m.as_dict()

        data = self.data
        return {
            "training_run_id": self.training_run_id,
            "status": self.status,
            "reason": self.reason,
            "champion_version_before": self.champion_version_before,
            "challenger_version": self.challenger_version,
            "champion_version": self.champion.version if self.champion else None,
            "threshold": self.champion.threshold if self.champion else None,
            "challenger_metrics": metrics(self.challenger_metrics),
            "previous_champion_metrics": metrics(self.previous_champion_metrics),
            "champion_metrics": metrics(self.champion_metrics),
            "active_metrics": metrics(self.active_metrics),
            "band_rates": [vars(b) for b in self.band_rates],
            "gates": [vars(g) for g in self.gates],
            "cutoffs": data.cutoffs.describe() if data else None,
            "rows": {
                "train": len(data.train),
                "validation": len(data.validation),
                "scoring": len(data.scoring),
            }
            if data
            else None,
            "train_base_rate": float(data.train.labels.mean()) if data and len(data.train) else None,
            "base_rates": [
                {
                    "dataset": str(r.dataset),
                    "cutoff_date": str(r.cutoff_date),
                    "customer_group": str(r.customer_group),
                    "customers": as_int(r.customers),
                    "churn_rate": round(as_float(r.churn_rate), 4),
                }
                for r in data.base_rates.itertuples()
            ]
            if data
            else [],
            "scoring": self.scoring.as_dict() if self.scoring else None,
            "top_features": self.importance[:10],
            "model_card": str(self.model_card) if self.model_card else None,
            "timings_seconds": {k: round(v, 3) for k, v in self.timings.items()},
            "warnings": self.warnings,
        }


def default_trainer(settings: Settings) -> ChurnTrainer:
    """The trainer of the settings' target: Cortex ML on Snowflake, scikit-learn locally."""
    if settings.target is Target.snowflake:
        from c360.ml.cortex import CortexTrainer

        return CortexTrainer()
    from c360.ml.local import LocalTrainer

    return LocalTrainer(settings.models_dir)


def input_fingerprint(data: ChurnData, trainer: ChurnTrainer) -> str:
    """What a model depends on: the training and validation rows, the trainer, the feature contract."""
    key = json.dumps(
        {
            "data": data.fingerprint,
            "trainer": trainer.kind,
            "config": trainer.config(),
            "features": list(FEATURE_NAMES),
            "spec": MODEL_SPEC_VERSION,
            "cutoffs": data.cutoffs.describe(),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(key.encode()).hexdigest()


def train_and_score(
    settings: Settings,
    session: WarehouseSession,
    *,
    trainer: ChurnTrainer | None = None,
    policy: TrainingPolicy | None = None,
    force: bool = False,
    pipeline_run_id: str | None = None,
    card_dirs: tuple[Path, ...] = (),
    progress: TrainingProgress = _no_progress,
) -> TrainingOutcome:
    """One training run end to end (see the module docstring). Raises TrainingDataError or
    ModelQualityError after recording the failed run; the champion and its predictions stay as they were."""
    trainer = trainer or default_trainer(settings)
    policy = policy or TrainingPolicy()
    registry.ensure_tables(session)
    run_id = new_run_id(RUN_TYPE)
    began = perf_counter()
    record = TrainingRunRecord(run_id, pipeline_run_id, trainer.kind, now())
    with tracked_run(session, RUN_TYPE, run_id) as tracked:
        try:
            outcome = _run(settings, session, trainer, policy, force, record, card_dirs, progress)
        except C360Error as exc:
            record.status = FAILED
            record.reason = str(exc)
            record.finished_at = now()
            record.seconds = round(perf_counter() - began, 3)
            if record.champion_version is None:
                record.champion_version = record.champion_version_before
            registry.record_run(session, record)
            raise
        tracked.rows_affected = outcome.scoring.scored if outcome.scoring else 0
        tracked.details.update({"status": outcome.status, "champion": record.champion_version})
    outcome.timings["total"] = perf_counter() - began
    return outcome


def _run(
    settings: Settings,
    session: WarehouseSession,
    trainer: ChurnTrainer,
    policy: TrainingPolicy,
    force: bool,
    record: TrainingRunRecord,
    card_dirs: tuple[Path, ...],
    progress: TrainingProgress,
) -> TrainingOutcome:
    timings: dict[str, float] = {}
    clock = perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = perf_counter() - clock
        clock = perf_counter()

    progress(0, 5, "loading the churn datasets")
    data = validate(load_data(session), policy)
    record.as_of_date = data.cutoffs.as_of
    record.train_cutoffs = data.cutoffs.train
    record.validation_cutoff = data.cutoffs.validation
    record.train_rows, record.validation_rows = len(data.train), len(data.validation)
    fingerprint = input_fingerprint(data, trainer)
    record.data_fingerprint = fingerprint
    lap("load")

    champion = _load_champion(session, trainer)
    record.champion_version_before = champion.version if champion else None
    outcome = TrainingOutcome(
        record.training_run_id, FAILED, "", champion, record.champion_version_before, data=data
    )
    outcome.warnings.extend(data.warnings)
    y_val = data.validation.labels
    change_val = data.validation.frame["spend_change_90d"].to_numpy()

    challenger: TrainedModel | None = None
    if champion is not None and champion.data_fingerprint == fingerprint and not force:
        progress(1, 5, f"inputs unchanged: re-using champion {champion.version}")
        p_champion = trainer.predict(session, champion, data.validation)
        outcome.champion_metrics = evaluate(y_val, p_champion, champion.threshold, change_val)
        outcome.status, outcome.reason = REUSED, f"inputs unchanged since {champion.version} was trained"
        lap("validate")
        champion_curves = curves(y_val, p_champion, change_val)
        p_final = p_champion
    else:
        progress(1, 5, f"training a challenger on {len(data.train):,} rows")
        version = new_version(trainer.kind, fingerprint, datetime.now())
        challenger = trainer.train(session, data.train, version, policy.min_precision)
        challenger.train_cutoffs = data.cutoffs.train
        challenger.data_fingerprint = fingerprint
        challenger.lapsed_churn_rate = data.lapsed_churn_rate()
        record.challenger_version = version
        outcome.challenger_version = version
        lap("train")

        progress(2, 5, f"validating on the {data.cutoffs.validation} cutoff ({len(data.validation):,} rows)")
        p_challenger = trainer.predict(session, challenger, data.validation)
        metrics = evaluate(y_val, p_challenger, challenger.threshold, change_val)
        outcome.challenger_metrics = record.metrics = metrics
        outcome.gates = quality_gates(metrics, policy)
        failed = [g for g in outcome.gates if not g.passed and g.fails_run]
        outcome.warnings.extend(
            f"advisory gate missed ({metrics.confusion.true_positives + metrics.confusion.false_negatives} "
            f"validation churners < {policy.min_validation_churners_for_gates}): {g.describe()}"
            for g in outcome.gates
            if not g.passed and not g.fails_run
        )
        challenger.artifact_uri = trainer.save(challenger)
        record.details["model"] = challenger.metadata()
        if failed:
            lap("validate")
            raise ModelQualityError(
                f"challenger {version} failed on the {data.cutoffs.validation} hold-out: "
                + "; ".join(g.describe() for g in failed)
                + (f"; champion {champion.version} stays" if champion else "; no model is scoring")
            )
        previous_metrics = None
        if champion is not None:
            p_previous = trainer.predict(session, champion, data.validation)
            previous_metrics = evaluate(y_val, p_previous, champion.threshold, change_val)
            outcome.previous_champion_metrics = previous_metrics
        lap("validate")
        decision, reason = decide(metrics, previous_metrics, champion, policy)
        outcome.status, outcome.reason = decision, reason
        if decision == PROMOTED:
            champion = challenger
            outcome.champion_metrics = metrics
            champion_curves = curves(y_val, p_challenger, change_val)
            p_final = p_challenger
        else:
            assert champion is not None and previous_metrics is not None
            outcome.champion_metrics = previous_metrics
            champion_curves = curves(y_val, p_previous, change_val)
            p_final = p_previous
        log.info("training run %s: %s (%s)", record.training_run_id, decision, reason)

    assert champion is not None
    outcome.champion = champion
    _evaluate_active(outcome, data, p_final, champion.threshold)
    record.status, record.reason = outcome.status, outcome.reason
    record.champion_version = champion.version
    if record.metrics is None:
        record.metrics = outcome.champion_metrics

    importance = None
    if outcome.status == PROMOTED:
        progress(3, 5, "feature importance")
        importance = trainer.feature_importance(session, champion, data.validation)
        lap("importance")

    progress(4, 5, f"scoring {len(data.scoring):,} customers with {champion.version}")
    scoring_rows = data.scoring.frame
    modelled = Dataset(
        "scoring",
        scoring_rows[scoring_rows["scoring_basis"] == "model"].reset_index(drop=True),
        data.scoring.key,
        data.scoring.relation,
        data.scoring.where,
        data.scoring.params,
    )
    scored_at = now()
    probabilities = trainer.predict(session, champion, modelled) if len(modelled) else np.array([])
    predictions = build_predictions(scoring_rows, probabilities, champion, scored_at)
    outcome.scoring = summarize(scoring_rows, predictions, champion, scored_at)
    lap("score")

    record.finished_at = now()
    record.seconds = round(sum(timings.values()), 3)
    record.details.update(
        {
            "policy": policy.as_dict(),
            "cutoffs": data.cutoffs.describe(),
            "gates": [vars(g) for g in outcome.gates],
            "scoring": outcome.scoring.as_dict(),
            "warnings": outcome.warnings,
            "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        }
    )
    if outcome.status != PROMOTED:
        record.details["champion_model"] = champion.metadata()
    train_rate = float(data.train.labels.mean())
    metric_rows = []
    if challenger is not None and outcome.challenger_metrics is not None:
        metric_rows.append(
            registry.metrics_row(
                record,
                challenger,
                outcome.challenger_metrics,
                "challenger",
                outcome.status == PROMOTED,
                train_rate,
            )
        )
    if outcome.status != PROMOTED and outcome.champion_metrics is not None:
        metric_rows.append(
            registry.metrics_row(record, champion, outcome.champion_metrics, "champion", True, train_rate)
        )
    with session.transaction():
        registry.write_metrics(session, metric_rows)
        if importance is not None:
            written = registry.write_importance(session, record, champion, importance)
            outcome.importance = [
                {
                    "feature": r.feature,
                    "importance": round(as_float(r.importance), 5),
                    "rank": as_int(r.importance_rank),
                }
                for r in written.itertuples()
            ]
        write_predictions(session, predictions)
        registry.record_run(session, record)
    lap("write")

    if outcome.status == PROMOTED or card_dirs:
        from c360.ml.model_card import render_model_card

        progress(5, 5, "model card")
        card_importance = outcome.importance or _stored_importance(session, champion.version)
        targets = [*(Path(d) for d in card_dirs)]
        if outcome.status == PROMOTED and settings.target is Target.local:
            targets.insert(0, settings.models_dir / champion.version)
        for folder in targets:
            outcome.model_card = render_model_card(
                folder, outcome, champion, champion_curves, card_importance, trainer.config(), policy
            )
        lap("model_card")
    outcome.timings = timings
    return outcome


def _evaluate_active(outcome: TrainingOutcome, data: ChurnData, p: np.ndarray, threshold: float) -> None:
    """The champion on the validation rows of customers who were active at the cutoff (the ones scoring
    bands: an approved transaction in the lapsed_after_days before it), and what each band means there."""
    frame = data.validation.frame
    lapsed_days = int(data.cutoffs.label.get("lapsed_after_days", LAPSED_AFTER_DAYS))
    active = frame["days_since_last_transaction"].to_numpy(dtype=float) < lapsed_days
    y = data.validation.labels
    if not active.any():
        return
    outcome.band_rates = band_rates(y[active], p[active])
    try:
        outcome.active_metrics = evaluate(
            y[active], p[active], threshold, frame["spend_change_90d"].to_numpy()[active]
        )
    except EvaluationError as exc:
        outcome.warnings.append(f"metrics on active customers not computed: {exc}")


def quality_gates(metrics: Metrics, policy: TrainingPolicy) -> list[Gate]:
    """The leakage ceiling always fails the run; the floors only with enough validation churners."""
    churners = metrics.confusion.true_positives + metrics.confusion.false_negatives
    enforce = churners >= policy.min_validation_churners_for_gates
    lift = None if metrics.heuristic_roc_auc is None else metrics.roc_auc - metrics.heuristic_roc_auc
    return [
        Gate(
            "ROC-AUC under the leakage ceiling",
            metrics.roc_auc,
            policy.max_roc_auc,
            metrics.roc_auc <= policy.max_roc_auc,
        ),
        Gate("ROC-AUC", metrics.roc_auc, policy.min_roc_auc, metrics.roc_auc >= policy.min_roc_auc, enforce),
        Gate("F1", metrics.f1, policy.min_f1, metrics.f1 >= policy.min_f1, enforce),
        Gate(
            "precision",
            metrics.precision,
            policy.min_precision,
            metrics.precision >= policy.min_precision,
            enforce,
        ),
        Gate("recall", metrics.recall, policy.min_recall, metrics.recall >= policy.min_recall, enforce),
        Gate(
            "ROC-AUC lift over the spend-change heuristic",
            lift,
            policy.min_heuristic_lift,
            lift is not None and lift >= policy.min_heuristic_lift,
            enforce,
        ),
    ]


def decide(
    challenger: Metrics,
    champion_metrics: Metrics | None,
    champion: TrainedModel | None,
    policy: TrainingPolicy,
) -> tuple[str, str]:
    """PROMOTED unless the challenger is worse than the champion on the same validation rows."""
    if champion is None or champion_metrics is None:
        return PROMOTED, "no champion yet"
    tol = policy.comparison_tolerance
    worse = []
    if challenger.roc_auc < champion_metrics.roc_auc - tol:
        worse.append(f"ROC-AUC {challenger.roc_auc:.4f} < champion {champion_metrics.roc_auc:.4f}")
    if challenger.pr_auc < champion_metrics.pr_auc - tol:
        worse.append(f"PR-AUC {challenger.pr_auc:.4f} < champion {champion_metrics.pr_auc:.4f}")
    if worse:
        return REJECTED, f"challenger worse than champion {champion.version}: " + "; ".join(worse)
    return PROMOTED, (
        f"challenger not worse than champion {champion.version} (ROC-AUC {challenger.roc_auc:.4f} vs "
        f"{champion_metrics.roc_auc:.4f}, PR-AUC {challenger.pr_auc:.4f} vs {champion_metrics.pr_auc:.4f})"
    )


def _load_champion(session: WarehouseSession, trainer: ChurnTrainer) -> TrainedModel | None:
    metadata = registry.champion_metadata(session)
    if metadata is None:
        return None
    if metadata.get("trainer") != trainer.kind or tuple(metadata.get("features") or ()) != FEATURE_NAMES:
        log.warning("champion %s is not comparable (other trainer or feature list)", metadata.get("version"))
        return None
    return trainer.load(session, metadata)


def _stored_importance(session: WarehouseSession, version: str) -> list[dict[str, object]]:
    frame = session.query(load_sql("ml/feature_importance"), [version])
    return [
        {
            "feature": r.feature,
            "importance": round(as_float(r.importance), 5),
            "rank": as_int(r.importance_rank),
        }
        for r in frame.itertuples()
    ]


__all__ = [
    "Curves",
    "ModelQualityError",
    "TrainingDataError",
    "TrainingOutcome",
    "default_trainer",
    "train_and_score",
]
