"""LocalTrainer: trains on synthetic rows, picks its threshold on held-out customers, round-trips to disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from c360.engines.duckdb import DuckDBSession
from c360.ml.data import ChurnData
from c360.ml.local import LocalTrainer, LocalTrainerConfig
from c360.ml.trainer import Dataset, TrainedModel, TrainerError
from tests.unit.ml.conftest import make_data

VERSION = "local-20261015t000000-0123abcd"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalTrainer, TrainedModel, ChurnData]:
    data = make_data()
    trainer = LocalTrainer(
        tmp_path_factory.mktemp("models"), LocalTrainerConfig(importance_rows=600, importance_repeats=1)
    )
    model = trainer.train(DuckDBSession.in_memory(), data.train, VERSION, min_precision=0.6)
    return trainer, model, data


def test_train_predict_save_load(trained: tuple[LocalTrainer, TrainedModel, ChurnData]) -> None:
    trainer, model, data = trained
    session = DuckDBSession.in_memory()
    assert 0 < model.threshold < 1 and model.calibration is not None
    assert model.holdout_metrics is not None and model.holdout_metrics.precision >= 0.5
    p = trainer.predict(session, model, data.validation)
    assert p.shape == (len(data.validation),) and ((p >= 0) & (p <= 1)).all()
    assert roc_auc_score(data.validation.labels, p) > 0.75  # the planted signal is learnt

    uri = trainer.save(model)
    assert Path(uri).is_file() and (Path(uri).parent / "metadata.json").is_file()
    loaded = trainer.load(session, model.metadata())
    assert loaded is not None and loaded.threshold == model.threshold
    np.testing.assert_allclose(trainer.predict(session, loaded, data.validation), p)

    importance = trainer.feature_importance(session, model, data.validation).frame
    top = importance.sort_values("importance", ascending=False)["feature"].iloc[0]
    assert top in {"spend_30d_to_baseline", "spend_change_90d"}  # the planted signal (and its twin)


def test_unseen_categories_do_not_break_scoring(
    trained: tuple[LocalTrainer, TrainedModel, ChurnData],
) -> None:
    trainer, model, data = trained
    frame = data.validation.frame.copy()
    frame.loc[:10, "region"] = "Atlantis"
    odd = Dataset("validation", frame, "training_row_key", "GOLD.ML_TRAINING_DATA")
    assert np.isfinite(trainer.predict(DuckDBSession.in_memory(), model, odd)).all()


def test_missing_artifact_means_no_champion(trained: tuple[LocalTrainer, TrainedModel, ChurnData]) -> None:
    trainer, model, _ = trained
    metadata = {**model.metadata(), "artifact_uri": str(trainer.models_dir / "gone" / "model.pkl")}
    assert trainer.load(DuckDBSession.in_memory(), metadata) is None


def test_unloaded_model_cannot_predict(trained: tuple[LocalTrainer, TrainedModel, ChurnData]) -> None:
    trainer, model, data = trained
    bare = TrainedModel.from_metadata(model.metadata())
    with pytest.raises(TrainerError, match="not loaded"):
        trainer.predict(DuckDBSession.in_memory(), bare, data.validation)
