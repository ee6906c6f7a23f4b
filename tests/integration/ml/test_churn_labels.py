"""The churn label on hand-built histories, and the point-in-time guarantee (shift test), through the real
dbt models (bronze -> silver -> gold -> models/ml) on a tiny warehouse."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from c360.config import Settings
from c360.engines.duckdb import DuckDBSession
from c360.ml.features import FEATURE_NAMES
from c360.transform.dbt import run_dbt
from tests.integration.ml.histories import AS_OF, STORIES, T2, late_transactions, write_bronze

pytestmark = pytest.mark.integration

BUILD = ["build", "--select", "+path:models/ml", "--exclude-resource-type", "test"]
ML_TESTS = ["test", "--select", "path:models/ml"]


def _build(settings: Settings) -> None:
    run_dbt(settings, BUILD).raise_for_status()


def _read(settings: Settings, sql: str) -> pd.DataFrame:
    with DuckDBSession.open(settings.warehouse_path, read_only=True) as session:
        return session.query(sql)


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    home: Path = tmp_path_factory.mktemp("handmade") / "home"
    settings = Settings.load(target="local", customers=len(STORIES), as_of=AS_OF, home=home, env={})
    with DuckDBSession.open(settings.warehouse_path) as session:
        write_bronze(session)
    _build(settings)
    tests = run_dbt(settings, ML_TESTS)
    before = {
        "labels": _read(settings, "select * from GOLD.ML_CHURN_LABELS"),
        "features": _read(settings, "select * from GOLD.ML_CUSTOMER_FEATURES"),
        "training": _read(settings, "select * from GOLD.ML_TRAINING_DATA"),
    }
    # deliver activity dated at/after the cutoffs, later, and rebuild incrementally
    with DuckDBSession.open(settings.warehouse_path) as session:
        session.insert_frame("BRONZE.BRONZE_TRANSACTIONS", late_transactions(datetime(2026, 10, 16, 3, 0)))
    _build(settings)
    after = {
        "labels": _read(settings, "select * from GOLD.ML_CHURN_LABELS"),
        "features": _read(settings, "select * from GOLD.ML_CUSTOMER_FEATURES"),
    }
    return {"settings": settings, "tests": tests, "before": before, "after": after}


def _validation_labels(frame: pd.DataFrame) -> pd.DataFrame:
    cutoff = pd.Timestamp(T2)
    return frame[pd.to_datetime(frame["cutoff_date"]) == cutoff].set_index("customer_id")


@pytest.mark.parametrize("story", [s for s in STORIES if s.expected_churn is not None], ids=lambda s: s.why)
def test_label_on_handmade_histories(handmade: dict, story: object) -> None:
    labels = _validation_labels(handmade["before"]["labels"])
    row = labels.loc[story.customer_id]  # type: ignore[attr-defined]
    assert bool(row["churned"]) is story.expected_churn, (story.why, row.to_dict())  # type: ignore[attr-defined]


def test_label_parts_are_exact(handmade: dict) -> None:
    labels = _validation_labels(handmade["before"]["labels"])
    assert labels.loc["CUST00000001", "spend_ratio_to_baseline"] == pytest.approx(1.0, abs=0.02)
    assert labels.loc["CUST00000003", "spend_ratio_to_baseline"] == pytest.approx(0.35, abs=0.01)
    assert labels.loc["CUST00000004", "spend_ratio_to_baseline"] == pytest.approx(0.25, abs=0.01)
    assert labels.loc["CUST00000002", "longest_idle_days"] == 90
    assert labels.loc["CUST00000007", "longest_idle_days"] == 90  # declined attempts are no activity
    assert labels.loc["CUST00000005", "longest_idle_days"] == 59
    assert labels.loc["CUST00000006", "longest_idle_days"] == 60
    assert labels.loc["CUST00000008", "longest_idle_days"] == 60
    assert labels.loc["CUST00000009", "longest_idle_days"] == 59
    assert bool(labels.loc["CUST00000006", "is_inactive_churn"]) and not bool(
        labels.loc["CUST00000006", "is_spend_drop_churn"]
    )
    assert bool(labels.loc["CUST00000004", "is_spend_drop_churn"]) and not bool(
        labels.loc["CUST00000004", "is_inactive_churn"]
    )


def test_lapsed_customers_are_outside_the_population(handmade: dict) -> None:
    training = handmade["before"]["training"]
    validation = training[training["dataset"] == "validation"]
    assert "CUST00000010" not in set(validation["customer_id"])  # stopped 120 days before T2
    assert "CUST00000010" in set(training[training["dataset"] == "train"]["customer_id"])  # active back then
    assert set(validation["customer_id"]) == {s.customer_id for s in STORIES if s.expected_churn is not None}
    assert list(training.columns) == [
        "training_row_key",
        "customer_id",
        "dataset",
        "cutoff_date",
        *FEATURE_NAMES,
        "churned",
    ]


def test_generator_truth_never_reaches_the_features(handmade: dict) -> None:
    """The bronze truth columns contradict the stories (steady customers are 'Declining'); features of
    customers with identical histories before T2 are identical whatever their hidden labels say."""
    features = handmade["before"]["features"]
    at_t2 = features[pd.to_datetime(features["cutoff_date"]) == pd.Timestamp(T2)].set_index("customer_id")
    same_history = ["CUST00000001", "CUST00000002", "CUST00000003", "CUST00000004"]
    behavioural = [f for f in FEATURE_NAMES if f != "age"]  # ages differ on purpose (40 + i)
    assert at_t2.loc[same_history, behavioural].nunique().max() == 1


def test_ml_dbt_tests_pass(handmade: dict) -> None:
    result = handmade["tests"]
    assert result.ok, result.failures
    assert result.tests_passed > 20


def test_no_feature_uses_data_after_its_cutoff(handmade: dict) -> None:
    """Shift test: activity dated at or after a cutoff (delivered later, loaded incrementally) leaves every
    feature at that cutoff unchanged, while it does change the outcome and the later cutoff's features."""
    before, after = handmade["before"]["features"], handmade["after"]["features"]
    key = ["customer_id", "cutoff_date"]
    columns = [*key, "dataset", "is_active_at_cutoff", *FEATURE_NAMES]
    for frame in (before, after):
        frame["cutoff_date"] = pd.to_datetime(frame["cutoff_date"])
    scoring = pd.Timestamp(AS_OF)
    for cutoff in sorted(set(before["cutoff_date"])):
        b = before[before["cutoff_date"] == cutoff][columns].sort_values(key).reset_index(drop=True)
        a = after[after["cutoff_date"] == cutoff][columns].sort_values(key).reset_index(drop=True)
        if cutoff < scoring:
            changed = a.compare(b) if a.shape == b.shape else "different rows"
            # the train cutoffs precede all late activity; T2's late rows start exactly at T2
            assert isinstance(changed, pd.DataFrame) and changed.empty, (
                f"features at {cutoff.date()} changed:\n{changed}"
            )
        else:
            # at the scoring cutoff the late rows dated T2, T2+3 and T2+40 count (90-day window), the rows
            # at and after the as-of midnight do not; none falls in the last 30 days
            delta = a.set_index("customer_id")["spend_90d"] - b.set_index("customer_id")["spend_90d"]
            assert delta.round(2).eq(15_000.0).all(), delta
            assert a["spend_30d"].equals(b["spend_30d"])
    labels_before = _validation_labels(handmade["before"]["labels"])
    labels_after = _validation_labels(handmade["after"]["labels"])
    assert bool(labels_before.loc["CUST00000002", "churned"]) and not bool(
        labels_after.loc["CUST00000002", "churned"]
    )
    assert (
        labels_after.loc["CUST00000001", "outcome_spend"] > labels_before.loc["CUST00000001", "outcome_spend"]
    )
