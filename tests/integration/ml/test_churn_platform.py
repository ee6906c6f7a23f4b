"""The churn model on the session's 1,000-customer platform (built by `c360 up`, churn_model step included),
and `c360 train` on a copy of it."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from c360.cli.main import app
from c360.config import Settings
from c360.config import platform_settings as settings_of_platform
from c360.engines.duckdb import DuckDBSession
from c360.ml.data import load_data
from c360.ml.features import FEATURE_NAMES, FORBIDDEN_COLUMNS
from c360.ml.local import LocalTrainer
from c360.ml.registry import champion_metadata
from c360.names import HIGH_RISK_THRESHOLD, MEDIUM_RISK_THRESHOLD

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture(scope="module")
def reader(platform: object, platform_settings: Settings) -> DuckDBSession:
    session = DuckDBSession.open(platform_settings.warehouse_path, read_only=True)
    yield session  # type: ignore[misc]
    session.close()


def test_the_step_trained_and_scored(platform: object) -> None:
    step = next(r for r in platform.results if r.step == "churn_model")  # type: ignore[attr-defined]
    assert step.status == "ran", step.details
    assert (
        step.details["status"] == "PROMOTED" and step.rows >= 800
    )  # active customers; lapsed are not scored
    assert 0.80 <= step.details["roc_auc"] <= 0.97


def test_ml_datasets_follow_the_contract(reader: DuckDBSession, platform_settings: Settings) -> None:
    training = reader.query("select * from GOLD.ML_TRAINING_DATA limit 1")
    scoring = reader.query("select * from GOLD.ML_SCORING_DATA limit 1")
    assert list(training.columns) == [
        "training_row_key",
        "customer_id",
        "dataset",
        "cutoff_date",
        *FEATURE_NAMES,
        "churned",
    ]
    assert list(scoring.columns) == ["customer_id", "cutoff_date", "scoring_basis", *FEATURE_NAMES]
    for frame in (training, scoring):
        leaked = set(frame.columns) & (
            FORBIDDEN_COLUMNS - {"customer_id", "training_row_key", "dataset", "cutoff_date", "churned"}
        )
        assert not leaked
    data = load_data(reader)
    as_of = platform_settings.scale.as_of
    assert data.cutoffs.as_of == as_of and data.cutoffs.scoring == as_of
    assert data.cutoffs.validation + timedelta(days=90) <= as_of
    assert all(t + timedelta(days=90) <= data.cutoffs.validation for t in data.cutoffs.train)
    assert len(data.train) >= 1000 and 0.03 < data.validation.labels.mean() < 0.3
    assert data.train.frame[list(FEATURE_NAMES)].notna().all().all()


def test_every_current_customer_is_scored(reader: DuckDBSession) -> None:
    latest = reader.query(
        "select * from GOLD.CHURN_PREDICTIONS "
        "qualify row_number() over (partition by customer_id order by scored_at desc) = 1"
    )
    basis = reader.query("select customer_id, scoring_basis from GOLD.ML_SCORING_DATA")
    expected = set(basis.loc[basis["scoring_basis"] == "model", "customer_id"])  # lapsed and new: no score
    assert set(latest["customer_id"]) == expected and len(expected) >= 800
    assert (basis["scoring_basis"] == "lapsed").sum() >= 20
    assert latest["churn_probability"].between(0, 1).all()
    assert np.allclose(latest["churn_risk_score"], (latest["churn_probability"] * 100).round(2))
    bands = np.select(
        [
            latest["churn_risk_score"] >= HIGH_RISK_THRESHOLD,
            latest["churn_risk_score"] >= MEDIUM_RISK_THRESHOLD,
        ],
        ["High Risk", "Medium Risk"],
        "Low Risk",
    )
    assert (latest["churn_risk_category"] == bands).all()
    assert latest["churn_risk_score"].std() > 10  # spread out, not one cluster
    champion = champion_metadata(reader)
    assert champion is not None and set(latest["model_version"]) == {champion["version"]}


def test_scores_flow_into_the_profile(reader: DuckDBSession) -> None:
    profile = reader.query(
        "select p.customer_id, p.churn_risk_score, p.churn_risk_category, s.scoring_basis "
        "from GOLD.CUSTOMER_360_PROFILE p join GOLD.ML_SCORING_DATA s using (customer_id)"
    )
    scored = profile[profile["scoring_basis"] == "model"]
    assert scored["churn_risk_score"].notna().all()
    assert set(scored["churn_risk_category"]) <= {"High Risk", "Medium Risk", "Low Risk"}
    lapsed = profile[profile["scoring_basis"] == "lapsed"]
    assert lapsed["churn_risk_score"].isna().all() and set(lapsed["churn_risk_category"]) == {"Lapsed"}
    bands = profile["churn_risk_category"].value_counts()
    assert bands.get("Medium Risk", 0) > 0 and bands.get("High Risk", 0) > 0
    high = reader.query(
        "select avg(days_since_last_transaction) as high_days, "
        "(select avg(days_since_last_transaction) from GOLD.CUSTOMER_360_PROFILE where churn_risk_category = 'Low Risk') as low_days "
        "from GOLD.CUSTOMER_360_PROFILE where churn_risk_category = 'High Risk'"
    ).iloc[0]
    assert high["high_days"] > high["low_days"]


def test_stored_champion_reproduces_the_stored_scores(
    reader: DuckDBSession, platform_settings: Settings
) -> None:
    """Train/score round trip: the artifact on disk, re-loaded, gives the probabilities in the table."""
    metadata = champion_metadata(reader)
    assert metadata is not None
    trainer = LocalTrainer(platform_settings.models_dir)
    model = trainer.load(reader, metadata)
    assert model is not None
    data = load_data(reader)
    frame = data.scoring.frame
    modelled = data.scoring.__class__(
        "scoring",
        frame[frame["scoring_basis"] == "model"].reset_index(drop=True),
        "customer_id",
        data.scoring.relation,
    )
    p = pd.Series(trainer.predict(reader, model, modelled), index=modelled.frame["customer_id"])
    stored = reader.query(
        "select customer_id, churn_probability from GOLD.CHURN_PREDICTIONS where model_version = ?",
        [model.version],
    ).set_index("customer_id")["churn_probability"]
    assert np.allclose(stored.reindex(p.index).to_numpy(), p.to_numpy(), atol=1e-9)


def test_training_is_recorded(reader: DuckDBSession, platform_settings: Settings) -> None:
    run = reader.query("select * from OBSERVABILITY.CHURN_TRAINING_RUNS").iloc[-1]
    assert run["status"] == "PROMOTED" and run["train_rows"] >= 1000
    pipeline = reader.query(
        "select status from OBSERVABILITY.PIPELINE_RUN_METADATA where run_id = ?", [run["training_run_id"]]
    )
    assert pipeline["status"].tolist() == ["SUCCESS"]
    metrics = reader.query(
        "select * from GOLD.CHURN_MODEL_METRICS where training_run_id = ?", [run["training_run_id"]]
    )
    assert len(metrics) == 1 and metrics.iloc[0]["is_champion"]
    assert (
        metrics.iloc[0][["true_positives", "false_positives", "true_negatives", "false_negatives"]].sum()
        == run["validation_rows"]
    )
    importance = reader.query(
        "select feature from GOLD.CHURN_FEATURE_IMPORTANCE where model_version = ?", [run["champion_version"]]
    )
    assert sorted(importance["feature"]) == sorted(FEATURE_NAMES)
    folder = platform_settings.models_dir / str(run["champion_version"])
    assert {
        "model.pkl",
        "metadata.json",
        "model_card.md",
        "churn_model_roc.png",
        "churn_model_calibration.png",
    } <= {p.name for p in folder.iterdir()}
    card = (folder / "model_card.md").read_text()
    assert str(run["champion_version"]) in card and "Confusion matrix" in card


@pytest.fixture
def copy(platform: object, platform_settings: Settings, tmp_path: Path) -> Settings:
    target = tmp_path / "home"
    shutil.copytree(platform_settings.home, target, ignore=shutil.ignore_patterns("*.wal", ".*", "snapshots"))
    return settings_of_platform(Settings.load(target="local", home=target, env={}))


def test_train_command_reuses_then_refuses_bad_data(copy: Settings, tmp_path: Path) -> None:
    ok = runner.invoke(
        app, ["train", "--home", str(copy.home), "--format", "json", "--docs", str(tmp_path / "docs")]
    )
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.stdout)
    assert report["status"] == "REUSED" and report["challenger_version"] is None
    assert report["dbt_seconds"].keys() == {"dbt_profile"}  # the ML datasets were up to date
    assert (tmp_path / "docs" / "model_card.md").is_file()

    with DuckDBSession.open(copy.warehouse_path) as session:
        session.execute(
            "delete from GOLD.ML_TRAINING_DATA where dataset = 'train' and training_row_key not in "
            "(select training_row_key from GOLD.ML_TRAINING_DATA where dataset = 'train' order by 1 limit 400)"
        )
    bad = runner.invoke(app, ["train", "--home", str(copy.home)])
    assert bad.exit_code == 1
    assert "training data failed validation: 400 train rows (at least 1,000 needed)" in " ".join(
        bad.output.split()
    )
    with DuckDBSession.open(copy.warehouse_path, read_only=True) as session:
        last = session.query(
            "select status, reason from OBSERVABILITY.CHURN_TRAINING_RUNS order by started_at desc limit 1"
        ).iloc[0]
    assert last["status"] == "FAILED" and "400 train rows" in last["reason"]
