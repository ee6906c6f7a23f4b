"""train_and_score end to end on an in-memory warehouse holding synthetic GOLD.ML_* tables:
first model promoted, unchanged inputs re-use it, a worse challenger is refused, leakage and bad data fail
the run with a reason, and every attempt is recorded."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from c360.config import Settings
from c360.engines.duckdb import DuckDBSession
from c360.ml.data import ChurnData, TrainingDataError
from c360.ml.features import FEATURE_NAMES
from c360.ml.local import LocalTrainer, LocalTrainerConfig
from c360.ml.registry import FAILED, PROMOTED, REJECTED, REUSED
from c360.ml.trainer import Dataset, TrainedModel
from c360.ml.training import ModelQualityError, train_and_score
from c360.sqlfiles import load_sql
from tests.unit.ml.conftest import make_data

FAST = LocalTrainerConfig(importance_rows=500, importance_repeats=1)


class LabelShufflingTrainer(LocalTrainer):
    """A challenger that learned nothing: it trains on permuted labels."""

    def train(self, session: object, train: Dataset, version: str, min_precision: float) -> TrainedModel:
        frame = train.frame.copy()
        frame["churned"] = np.random.default_rng(0).permutation(frame["churned"].to_numpy())
        shuffled = Dataset(train.name, frame, train.key, train.relation, train.where, train.params)
        return super().train(session, shuffled, version, min_precision)  # type: ignore[arg-type]


def load_into(session: DuckDBSession, data: ChurnData) -> None:
    session.run_script(load_sql("ddl/schemas"))
    session.run_script(load_sql("ddl/observability"))
    session.run_script(load_sql("ddl/gold"))
    cut = data.cutoffs
    cutoffs = pd.DataFrame(
        [
            {"dataset": name, "cutoff_date": day, "as_of_date": cut.as_of, **cut.label}
            for name, day in [
                *(("train", d) for d in cut.train),
                ("validation", cut.validation),
                ("scoring", cut.scoring),
            ]
        ]
    )
    training = pd.concat([data.train.frame, data.validation.frame], ignore_index=True)
    for table, frame in (
        ("ML_CUTOFFS", cutoffs),
        ("ML_TRAINING_DATA", training),
        ("ML_SCORING_DATA", data.scoring.frame),
        ("ML_CHURN_BASE_RATES", data.base_rates),
    ):
        session.con.register("_frame", frame)
        session.execute(f"create or replace table GOLD.{table} as select * from _frame")
        session.con.unregister("_frame")


@pytest.fixture
def warehouse() -> DuckDBSession:
    session = DuckDBSession.in_memory()
    load_into(session, make_data())
    return session


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(target="local", home=tmp_path / "home", as_of="2026-10-15", env={})


def runs(session: DuckDBSession) -> pd.DataFrame:
    return session.query("select * from OBSERVABILITY.CHURN_TRAINING_RUNS order by started_at, finished_at")


def latest_versions(session: DuckDBSession) -> set[str]:
    return set(
        session.query(
            "select model_version from GOLD.CHURN_PREDICTIONS "
            "where scored_at = (select max(scored_at) from GOLD.CHURN_PREDICTIONS)"
        )["model_version"]
    )


def test_promote_reuse_refuse(warehouse: DuckDBSession, settings: Settings) -> None:
    trainer = LocalTrainer(settings.models_dir, FAST)
    first = train_and_score(settings, warehouse, trainer=trainer)
    assert first.status == PROMOTED and first.champion is not None
    champion = first.champion.version
    card = settings.models_dir / champion / "model_card.md"
    text = card.read_text()
    assert card.is_file() and "## Validation metrics (temporal hold-out)" in text
    assert "### On active customers only" in text and first.active_metrics is not None
    assert first.active_metrics.rows < first.champion_metrics.rows  # type: ignore[union-attr]
    assert sum(b.customers for b in first.band_rates) == first.active_metrics.rows
    assert (settings.models_dir / champion / "churn_model_roc.png").stat().st_size > 1000
    scored = warehouse.query("select * from GOLD.CHURN_PREDICTIONS")
    assert len(scored) == 759  # 800 customers: 40 lapsed and one too new are not scored
    assert scored["churn_risk_score"].between(0, 100).all()
    assert set(scored["churn_risk_category"]) <= {"High Risk", "Medium Risk", "Low Risk"}
    importance = warehouse.query("select * from GOLD.CHURN_FEATURE_IMPORTANCE")
    assert sorted(importance["feature"]) == sorted(FEATURE_NAMES)
    metrics = warehouse.query("select * from GOLD.CHURN_MODEL_METRICS")
    assert metrics[["role", "is_champion"]].values.tolist() == [["challenger", True]]
    assert metrics.iloc[0]["roc_auc"] == pytest.approx(first.champion_metrics.roc_auc)  # type: ignore[union-attr]

    again = train_and_score(settings, warehouse, trainer=trainer)
    assert again.status == REUSED and again.champion is not None and again.champion.version == champion
    assert again.challenger_version is None
    assert sorted(p.name for p in settings.models_dir.iterdir()) == [champion]
    rescored = warehouse.query("select customer_id, model_version, scored_at from GOLD.CHURN_PREDICTIONS")
    assert len(rescored) == 759  # re-scoring with the same champion replaced its rows, never duplicated them
    # one scoring run's rows (scored_at has whole seconds, so two runs may share one)
    assert rescored["scored_at"].nunique() == 1
    assert rescored["scored_at"].iloc[0] >= scored["scored_at"].iloc[0]

    refused = train_and_score(
        settings, warehouse, trainer=LabelShufflingTrainer(settings.models_dir, FAST), force=True
    )
    assert (
        refused.status == REJECTED and refused.champion is not None and refused.champion.version == champion
    )
    assert "challenger worse than champion" in refused.reason and "ROC-AUC" in refused.reason
    assert refused.challenger_metrics is not None and refused.previous_champion_metrics is not None
    assert refused.challenger_metrics.roc_auc < refused.previous_champion_metrics.roc_auc - 0.1
    assert latest_versions(warehouse) == {champion}  # customers are still scored by the champion
    history = runs(warehouse)
    assert history["status"].tolist() == [PROMOTED, REUSED, REJECTED]
    assert history["champion_version"].tolist() == [champion] * 3
    roles = warehouse.query(
        "select role, model_version, is_champion from GOLD.CHURN_MODEL_METRICS where training_run_id = ?",
        [refused.training_run_id],
    )
    assert sorted(roles["role"]) == ["challenger", "champion"]
    assert roles.set_index("role").loc["champion", "model_version"] == champion
    pipeline = warehouse.query(
        "select status from OBSERVABILITY.PIPELINE_RUN_METADATA where run_type = 'churn_train'"
    )
    assert pipeline["status"].tolist() == ["SUCCESS"] * 3


def test_suspected_leakage_fails_the_run_and_keeps_the_champion(
    warehouse: DuckDBSession, settings: Settings
) -> None:
    trainer = LocalTrainer(settings.models_dir, FAST)
    champion = train_and_score(settings, warehouse, trainer=trainer).champion
    assert champion is not None
    # a feature that is the label in disguise, in every split
    warehouse.execute(
        "update GOLD.ML_TRAINING_DATA set spend_90d = case when churned then 1000000 else 0 end"
    )
    with pytest.raises(
        ModelQualityError, match=r"ROC-AUC under the leakage ceiling 1\.000 \(FAILED, limit 0\.970\)"
    ):
        train_and_score(settings, warehouse, trainer=trainer)
    failed = runs(warehouse).iloc[-1]
    assert failed["status"] == FAILED and "leakage" in failed["reason"]
    assert failed["champion_version"] == champion.version and failed["roc_auc"] > 0.97
    assert latest_versions(warehouse) == {champion.version}
    status = warehouse.query(
        "select status, error_message from OBSERVABILITY.PIPELINE_RUN_METADATA where run_type = 'churn_train' "
        "order by started_at"
    )
    assert (
        status["status"].tolist() == ["SUCCESS", "FAILED"] and "leakage" in status.iloc[-1]["error_message"]
    )


def test_bad_training_data_is_refused_before_training(warehouse: DuckDBSession, settings: Settings) -> None:
    warehouse.execute(
        "delete from GOLD.ML_TRAINING_DATA where dataset = 'train' and training_row_key not in "
        "(select training_row_key from GOLD.ML_TRAINING_DATA where dataset = 'train' order by 1 limit 700)"
    )
    warehouse.execute("update GOLD.ML_TRAINING_DATA set age = null where dataset = 'validation' and age < 1")
    with pytest.raises(TrainingDataError, match=r"700 train rows \(at least 1,000 needed\)") as raised:
        train_and_score(settings, warehouse, trainer=LocalTrainer(settings.models_dir, FAST))
    assert "null feature values in validation rows: age" in str(raised.value)
    failed = runs(warehouse).iloc[-1]
    assert failed["status"] == FAILED and failed["challenger_version"] is None
    assert json.loads(failed["details"]) == {}
    assert not settings.models_dir.exists() or not any(settings.models_dir.iterdir())
    assert warehouse.scalar("select count(*) from GOLD.CHURN_PREDICTIONS") == 0
