"""What training data must look like and what a model must reach before it may score customers."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class TrainingPolicy:
    # training data (checked before anything is trained)
    min_train_rows: int = 1_000
    min_validation_rows: int = 300
    min_class_rows: int = 30  # churners and non-churners, in each split
    min_positive_share: float = 0.02
    max_positive_share: float = 0.50
    expected_base_rate: tuple[float, float] = (0.08, 0.15)  # outside: a warning (label or generator drift)
    # model quality on the temporal hold-out (the validation cutoff)
    min_roc_auc: float = 0.80
    max_roc_auc: float = 0.97  # above this, suspect leakage: the run fails
    min_f1: float = 0.50
    min_precision: float = 0.60
    min_recall: float = 0.40
    min_heuristic_lift: float = 0.05  # ROC-AUC over the 90-day spend-change heuristic
    # The floors above fail the run only when the hold-out has enough churners to measure them (a
    # 1,000-customer test platform has ~120, and the AUC's standard error there is ~0.015); below this they
    # are reported as advisory. The leakage ceiling always fails the run.
    min_validation_churners_for_gates: int = 500
    # champion/challenger: the challenger must not be worse than this on ROC-AUC and PR-AUC
    comparison_tolerance: float = 0.001

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
