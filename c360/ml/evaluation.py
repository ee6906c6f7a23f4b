"""Metrics, threshold choice and the heuristic baseline: one implementation for both trainers.

Every number the churn model reports (metrics table, model card, benchmarks, champion/challenger) comes
from `evaluate()` on the temporal hold-out, whichever trainer produced the probabilities.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

# The heuristic: flag a customer when their 90-day spend change is below -30 %. spend_change_90d
# is the symmetric change (a - b) / (a + b), a monotone function of the ratio a / b, so
# a / b < 0.7  <=>  spend_change_90d < (0.7 - 1) / (0.7 + 1).
HEURISTIC_SPEND_CHANGE: float = -0.30
_HEURISTIC_RATIO = 1 + HEURISTIC_SPEND_CHANGE  # last 90 d / prior 90 d
HEURISTIC_SYMMETRIC_CUTOFF: float = (_HEURISTIC_RATIO - 1) / (_HEURISTIC_RATIO + 1)
CALIBRATION_BINS: int = 10


class EvaluationError(ValueError):
    """The labels or probabilities cannot be evaluated (one class only, NaN, length mismatch)."""


@dataclass(frozen=True)
class ConfusionCounts:
    true_positives: int
    false_positives: int
    true_negatives: int
    false_negatives: int


@dataclass(frozen=True)
class Metrics:
    """Binary-classification metrics at a fixed threshold, plus the threshold-free ones."""

    rows: int
    base_rate: float
    threshold: float
    roc_auc: float
    pr_auc: float
    f1: float
    precision: float
    recall: float
    accuracy: float
    brier_score: float
    expected_calibration_error: float
    confusion: ConfusionCounts
    roc_auc_se: float = 0.0  # Hanley-McNeil standard error of the ROC-AUC
    heuristic_roc_auc: float | None = None
    heuristic_f1: float | None = None
    heuristic_precision: float | None = None
    heuristic_recall: float | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Metrics:
        """From `as_dict()` as stored in JSON."""
        values = dict(data)
        values["confusion"] = ConfusionCounts(**values["confusion"])
        return cls(**values)


@dataclass(frozen=True)
class Curves:
    """What the model card plots: ROC curve and reliability (calibration) bins."""

    fpr: tuple[float, ...]
    tpr: tuple[float, ...]
    heuristic_fpr: tuple[float, ...] = ()
    heuristic_tpr: tuple[float, ...] = ()
    calibration: tuple[tuple[float, float, int], ...] = field(default_factory=tuple)  # (mean p, rate, n)


def _check(y: np.ndarray, p: np.ndarray) -> None:
    if len(y) != len(p):
        raise EvaluationError(f"{len(y)} labels but {len(p)} probabilities")
    if len(y) == 0:
        raise EvaluationError("nothing to evaluate: no rows")
    if np.isnan(p).any():
        raise EvaluationError(f"{int(np.isnan(p).sum())} probabilities are NaN")
    if len(np.unique(y)) < 2:
        raise EvaluationError(f"the labels hold one class only ({int(y[0])}): ROC-AUC is undefined")


def at_threshold(
    y: np.ndarray, p: np.ndarray, threshold: float
) -> tuple[float, float, float, ConfusionCounts]:
    """(precision, recall, f1, confusion counts) when flagging p >= threshold."""
    flagged = p >= threshold
    tp = int(np.sum(flagged & (y == 1)))
    fp = int(np.sum(flagged & (y == 0)))
    fn = int(np.sum(~flagged & (y == 1)))
    tn = int(np.sum(~flagged & (y == 0)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, ConfusionCounts(tp, fp, tn, fn)


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = CALIBRATION_BINS) -> float:
    """Mean |observed rate - mean probability| over equal-width probability bins, weighted by bin size."""
    index = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.mean() * abs(float(y[mask].mean()) - float(p[mask].mean()))
    return float(total)


def calibration_bins(
    y: np.ndarray, p: np.ndarray, bins: int = CALIBRATION_BINS
) -> tuple[tuple[float, float, int], ...]:
    index = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            out.append((float(p[mask].mean()), float(y[mask].mean()), int(mask.sum())))
    return tuple(out)


def roc_auc_standard_error(auc: float, positives: int, negatives: int) -> float:
    """Hanley & McNeil (1982): the standard error of an ROC-AUC from the class sizes alone."""
    q1 = auc / (2 - auc)
    q2 = 2 * auc * auc / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (
        positives * negatives
    )
    return float(np.sqrt(max(variance, 0.0)))


def heuristic_scores(spend_change_90d: np.ndarray) -> np.ndarray:
    """The heuristic's ranking score: the steeper the 90-day spend drop, the higher."""
    return -np.asarray(spend_change_90d, dtype=float)


def evaluate(
    y_true: np.ndarray | pd.Series,
    probabilities: np.ndarray | pd.Series,
    threshold: float,
    spend_change_90d: np.ndarray | pd.Series | None = None,
) -> Metrics:
    """All metrics of `probabilities` against `y_true` (0/1), flagging churn at p >= threshold."""
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(probabilities, dtype=float)
    _check(y, p)
    precision, recall, f1, confusion = at_threshold(y, p, threshold)
    heuristic: dict[str, float | None] = {
        "heuristic_roc_auc": None,
        "heuristic_f1": None,
        "heuristic_precision": None,
        "heuristic_recall": None,
    }
    if spend_change_90d is not None:
        change = np.asarray(spend_change_90d, dtype=float)
        flagged = (change < HEURISTIC_SYMMETRIC_CUTOFF).astype(float)
        h_precision, h_recall, h_f1, _ = at_threshold(y, flagged, 0.5)
        heuristic = {
            "heuristic_roc_auc": float(roc_auc_score(y, heuristic_scores(change))),
            "heuristic_f1": h_f1,
            "heuristic_precision": h_precision,
            "heuristic_recall": h_recall,
        }
    auc = float(roc_auc_score(y, p))
    return Metrics(
        rows=len(y),
        base_rate=float(y.mean()),
        threshold=float(threshold),
        roc_auc=auc,
        pr_auc=float(average_precision_score(y, p)),
        f1=f1,
        precision=precision,
        recall=recall,
        accuracy=(confusion.true_positives + confusion.true_negatives) / len(y),
        brier_score=float(brier_score_loss(y, p)),
        expected_calibration_error=expected_calibration_error(y, p),
        confusion=confusion,
        roc_auc_se=roc_auc_standard_error(auc, int(y.sum()), int(len(y) - y.sum())),
        **heuristic,
    )


def curves(
    y_true: np.ndarray | pd.Series,
    probabilities: np.ndarray | pd.Series,
    spend_change_90d: np.ndarray | pd.Series | None = None,
) -> Curves:
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(probabilities, dtype=float)
    _check(y, p)
    fpr, tpr, _ = roc_curve(y, p)
    h_fpr: np.ndarray = np.array([])
    h_tpr: np.ndarray = np.array([])
    if spend_change_90d is not None:
        h_fpr, h_tpr, _ = roc_curve(y, heuristic_scores(np.asarray(spend_change_90d, dtype=float)))
    return Curves(
        tuple(map(float, fpr)),
        tuple(map(float, tpr)),
        tuple(map(float, h_fpr)),
        tuple(map(float, h_tpr)),
        calibration_bins(y, p),
    )


def choose_threshold(
    y_true: np.ndarray | pd.Series, probabilities: np.ndarray | pd.Series, min_precision: float
) -> float:
    """The threshold with the best F1 among those reaching `min_precision` (else the best F1 overall).

    Chosen on held-out TRAINING rows, never on the validation cutoff, so validation stays untouched.
    """
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(probabilities, dtype=float)
    _check(y, p)
    precision, recall, thresholds = precision_recall_curve(y, p)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)
    eligible = precision >= min_precision
    scores = np.where(eligible, f1, -1.0) if eligible.any() else f1
    return float(thresholds[int(np.argmax(scores))])
