"""Training-data validation: every problem is named, with numbers, before anything is trained."""

from __future__ import annotations

import numpy as np
import pytest

from c360.ml.data import ChurnData, TrainingDataError, validate
from c360.ml.policy import TrainingPolicy
from c360.ml.trainer import Dataset
from tests.unit.ml.conftest import make_data


def _replace(data: ChurnData, **splits: Dataset) -> ChurnData:
    return ChurnData(
        data.cutoffs,
        splits.get("train", data.train),
        splits.get("validation", data.validation),
        splits.get("scoring", data.scoring),
        data.base_rates,
    )


def _with_frame(dataset: Dataset, frame: object) -> Dataset:
    return Dataset(dataset.name, frame, dataset.key, dataset.relation, dataset.where, dataset.params)  # type: ignore[arg-type]


def test_valid_data_passes_and_keeps_base_rate_warnings(churn_data: ChurnData) -> None:
    checked = validate(churn_data, TrainingPolicy(expected_base_rate=(0.5, 0.6)))
    assert any("base rate" in w for w in checked.warnings)


def test_too_few_training_rows() -> None:
    data = make_data(train_rows=900)
    with pytest.raises(TrainingDataError, match=r"900 train rows \(at least 1,000 needed\)"):
        validate(data, TrainingPolicy())


def test_null_features_are_named_with_counts(churn_data: ChurnData) -> None:
    frame = churn_data.train.frame.copy()
    frame.loc[:6, "credit_limit"] = np.nan
    frame.loc[:1, "region"] = None
    with pytest.raises(
        TrainingDataError, match=r"null feature values in train rows: credit_limit \(7\), region \(2\)"
    ):
        validate(_replace(churn_data, train=_with_frame(churn_data.train, frame)), TrainingPolicy())


def test_one_class_and_imbalance(churn_data: ChurnData) -> None:
    frame = churn_data.train.frame.copy()
    frame["churned"] = False
    with pytest.raises(TrainingDataError, match=r"0 churners and 3,000 non-churners"):
        validate(_replace(churn_data, train=_with_frame(churn_data.train, frame)), TrainingPolicy())
    frame["churned"] = np.arange(len(frame)) % 10 < 7  # 70 % churners
    with pytest.raises(TrainingDataError, match=r"class balance 70.0% churners is outside 2%-50%"):
        validate(_replace(churn_data, train=_with_frame(churn_data.train, frame)), TrainingPolicy())


def test_all_problems_are_reported_together(churn_data: ChurnData) -> None:
    small = churn_data.validation.frame.head(100).copy()
    small.loc[:3, "age"] = np.nan
    data = _replace(churn_data, validation=_with_frame(churn_data.validation, small))
    with pytest.raises(TrainingDataError) as raised:
        validate(data, TrainingPolicy())
    message = str(raised.value)
    assert message.startswith("training data failed validation: ")
    assert "100 validation rows (at least 300 needed)" in message
    assert "null feature values in validation rows: age (4)" in message


def test_missing_columns_and_unknown_scoring_basis(churn_data: ChurnData) -> None:
    frame = churn_data.train.frame.drop(columns=["tenure_months"])
    scoring = churn_data.scoring.frame.copy()
    scoring.loc[0, "scoring_basis"] = "vip"
    data = _replace(
        churn_data,
        train=_with_frame(churn_data.train, frame),
        scoring=_with_frame(churn_data.scoring, scoring),
    )
    with pytest.raises(TrainingDataError) as raised:
        validate(data, TrainingPolicy())
    assert "train data lacks column(s) tenure_months" in str(raised.value)
    assert "unknown scoring_basis value(s) vip" in str(raised.value)


def test_fingerprint_tracks_content(churn_data: ChurnData) -> None:
    same = make_data()
    assert same.fingerprint == churn_data.fingerprint
    frame = churn_data.train.frame.copy()
    frame.loc[5, "spend_30d"] += 1
    changed = _replace(churn_data, train=_with_frame(churn_data.train, frame))
    assert changed.fingerprint != churn_data.fingerprint
    assert changed.lapsed_churn_rate() == pytest.approx(38 / 40)
