"""Quality gates (the leakage ceiling above all) and the champion/challenger decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from c360.ml.evaluation import ConfusionCounts, Metrics
from c360.ml.policy import TrainingPolicy
from c360.ml.registry import PROMOTED, REJECTED
from c360.ml.trainer import TrainedModel
from c360.ml.training import decide, quality_gates


def metrics(roc_auc: float, pr_auc: float = 0.8, churners: int = 6000, **changes: float) -> Metrics:
    base = Metrics(
        rows=47_000,
        base_rate=0.13,
        threshold=0.4,
        roc_auc=roc_auc,
        pr_auc=pr_auc,
        f1=0.75,
        precision=0.82,
        recall=0.70,
        accuracy=0.94,
        brier_score=0.045,
        expected_calibration_error=0.01,
        confusion=ConfusionCounts(int(churners * 0.7), 900, 40_000, churners - int(churners * 0.7)),
        heuristic_roc_auc=0.85,
    )
    return replace(base, **changes)


CHAMPION = TrainedModel(
    "local-20260101t000000-aaaaaaaa", "local", (), 0.4, datetime(2026, 1, 1), (), {}, "fp"
)


def failing(gates: list) -> list[str]:
    return [g.name for g in gates if not g.passed and g.fails_run]


def test_healthy_model_passes_every_gate() -> None:
    assert failing(quality_gates(metrics(0.93), TrainingPolicy())) == []


@pytest.mark.parametrize("churners", [100, 6000])
def test_leakage_ceiling_always_fails_the_run(churners: int) -> None:
    gates = quality_gates(metrics(0.985, churners=churners), TrainingPolicy())
    assert failing(gates) == ["ROC-AUC under the leakage ceiling"]


def test_floors_fail_only_with_enough_validation_churners() -> None:
    weak = metrics(0.78, f1=0.4, precision=0.5, recall=0.3, heuristic_roc_auc=0.76)
    enforced = failing(quality_gates(weak, TrainingPolicy()))
    assert enforced == [
        "ROC-AUC",
        "F1",
        "precision",
        "recall",
        "ROC-AUC lift over the spend-change heuristic",
    ]
    small = replace(weak, confusion=ConfusionCounts(80, 20, 800, 40))
    gates = quality_gates(small, TrainingPolicy())
    assert failing(gates) == []
    assert {g.name for g in gates if not g.passed} == set(enforced)
    assert "missed, advisory" in next(g for g in gates if g.name == "F1").describe()


def test_first_model_is_promoted() -> None:
    assert decide(metrics(0.9), None, None, TrainingPolicy())[0] == PROMOTED


def test_not_worse_challenger_replaces_the_champion() -> None:
    status, reason = decide(metrics(0.9300, 0.8300), metrics(0.9305, 0.8305), CHAMPION, TrainingPolicy())
    assert status == PROMOTED and "not worse" in reason


def test_worse_challenger_is_refused_with_the_comparison() -> None:
    status, reason = decide(metrics(0.91, 0.80), metrics(0.93, 0.83), CHAMPION, TrainingPolicy())
    assert status == REJECTED
    assert "ROC-AUC 0.9100 < champion 0.9300" in reason and "PR-AUC 0.8000 < champion 0.8300" in reason
    status, reason = decide(metrics(0.94, 0.79), metrics(0.93, 0.83), CHAMPION, TrainingPolicy())
    assert status == REJECTED and "PR-AUC" in reason and "ROC-AUC" not in reason
