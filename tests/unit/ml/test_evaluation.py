"""Metrics, threshold choice and the heuristic baseline on hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest

from c360.ml.evaluation import (
    HEURISTIC_SYMMETRIC_CUTOFF,
    EvaluationError,
    at_threshold,
    choose_threshold,
    evaluate,
    expected_calibration_error,
    roc_auc_standard_error,
)


def test_metrics_at_a_threshold() -> None:
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    p = np.array([0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.1, 0.05])
    m = evaluate(y, p, threshold=0.5)
    c = m.confusion
    assert (c.true_positives, c.false_positives, c.false_negatives, c.true_negatives) == (2, 1, 1, 4)
    assert m.precision == pytest.approx(2 / 3) and m.recall == pytest.approx(2 / 3)
    assert m.f1 == pytest.approx(2 / 3) and m.accuracy == pytest.approx(6 / 8)
    assert m.base_rate == pytest.approx(3 / 8)
    assert m.roc_auc == pytest.approx(14 / 15)  # one discordant pair (0.3 vs 0.7) of 15
    assert m.brier_score == pytest.approx(float(np.mean((p - y) ** 2)))
    assert 0 < m.roc_auc_se < 0.2


def test_perfect_and_inverted_rankings() -> None:
    y = np.array([0, 0, 1, 1])
    assert evaluate(y, np.array([0.1, 0.2, 0.8, 0.9]), 0.5).roc_auc == 1.0
    assert evaluate(y, np.array([0.9, 0.8, 0.2, 0.1]), 0.5).roc_auc == 0.0


def test_heuristic_flags_a_30_percent_drop() -> None:
    # spend_change_90d is (last - prior) / (last + prior): -30 % is 70 vs 100
    at_minus_30 = (70 - 100) / (70 + 100)
    assert pytest.approx(at_minus_30) == HEURISTIC_SYMMETRIC_CUTOFF
    y = np.array([1, 1, 0, 0])
    change = np.array([(50 - 100) / 150, (69 - 100) / 169, (71 - 100) / 171, (120 - 100) / 220])
    m = evaluate(y, np.array([0.9, 0.6, 0.4, 0.1]), 0.5, spend_change_90d=change)
    assert m.heuristic_precision == 1.0 and m.heuristic_recall == 1.0 and m.heuristic_roc_auc == 1.0


def test_threshold_prefers_f1_among_precise_thresholds() -> None:
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    p = np.array([0.95, 0.9, 0.5, 0.45, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05])
    best_f1 = choose_threshold(y, p, min_precision=0.0)
    precise = choose_threshold(y, p, min_precision=0.99)
    assert best_f1 == pytest.approx(0.45)  # F1 0.889 at precision 0.8
    assert precise == pytest.approx(0.9)  # the best F1 among thresholds with precision 1
    precision, _, _, _ = at_threshold(y, p, precise)
    assert precision == 1.0


def test_calibration_error_is_zero_for_calibrated_bins() -> None:
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    p = np.array([0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75])
    assert expected_calibration_error(y, p) == pytest.approx(0.0)


def test_hanley_mcneil_shrinks_with_more_data() -> None:
    assert roc_auc_standard_error(0.9, 1000, 9000) < roc_auc_standard_error(0.9, 100, 900)


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [
        (np.array([1, 1, 1]), np.array([0.2, 0.3, 0.4]), "one class"),
        (np.array([1, 0]), np.array([0.2]), "labels but"),
        (np.array([1, 0]), np.array([0.2, np.nan]), "NaN"),
    ],
)
def test_bad_inputs_raise_with_a_reason(y: np.ndarray, p: np.ndarray, message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        evaluate(y, p, 0.5)
