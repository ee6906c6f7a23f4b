"""CortexTrainer against a recording fake Snowflake session, and the Cortex SQL as Snowflake SQL."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
import sqlglot
from sqlglot import exp

from c360.engines.base import Dialect
from c360.ml.cortex import (
    NEGATIVE_CLASS,
    POSITIVE_CLASS,
    TRAINING_TABLE,
    TRAINING_VIEW,
    CortexTrainer,
    model_object_name,
    pivot_evaluation_metrics,
    render,
    threshold_from_metrics,
)
from c360.ml.data import ChurnData
from c360.ml.features import FEATURE_NAMES
from c360.ml.trainer import Dataset, TrainerError

VERSION = "cortex-20261015t010203-0123abcd"
MODEL = model_object_name(VERSION)


class FakeSnowflake:
    """Records every statement; answers the Cortex methods like Snowflake documents them."""

    dialect: Dialect = "snowflake"

    def __init__(self, data: ChurnData, drop_rows: int = 0) -> None:
        self.data = data
        self.drop_rows = drop_rows
        self.statements: list[tuple[str, tuple[object, ...]]] = []
        self.models: set[str] = set()

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        self.statements.append((sql, tuple(params)))
        created = re.search(r"create or replace snowflake\.ml\.classification (\S+)\(", sql)
        if created:
            self.models.add(created.group(1).rsplit(".", 1)[-1])
        return -1

    def run_script(self, sql: str) -> None:
        self.execute(sql)

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        self.statements.append((sql, tuple(params)))
        if "!show_evaluation_metrics()" in sql:
            return pd.DataFrame(
                {
                    "dataset_type": ["EVAL"] * 5,
                    "class": [
                        f'"{POSITIVE_CLASS}"',
                        f'"{POSITIVE_CLASS}"',
                        f'"{POSITIVE_CLASS}"',
                        f'"{NEGATIVE_CLASS}"',
                        None,
                    ],
                    "error_metric": ["precision", "recall", "f1", "precision", "auc"],
                    "metric_value": [0.81, 0.7, 0.75, 0.96, 0.93],
                }
            )
        if "!show_threshold_metrics()" in sql:
            return pd.DataFrame(
                {
                    "dataset_type": ["EVAL"] * 4,
                    "class": [POSITIVE_CLASS, POSITIVE_CLASS, POSITIVE_CLASS, NEGATIVE_CLASS],
                    "threshold": [0.2, 0.4, 0.6, 0.4],
                    "precision": [0.55, 0.78, 0.9, 0.99],
                    "recall": [0.9, 0.72, 0.5, 0.9],
                    "f1": [0.68, 0.75, 0.64, 0.94],
                }
            )
        if "!show_feature_importance()" in sql:
            return pd.DataFrame(
                {
                    "rank": range(1, len(FEATURE_NAMES) + 1),
                    "feature": [f.upper() for f in FEATURE_NAMES],
                    "score": np.linspace(0.3, 0.0, len(FEATURE_NAMES)),
                    "feature_type": ["user_provided"] * len(FEATURE_NAMES),
                }
            )
        if sql.startswith("--") and "show snowflake.ml.classification" in sql:
            return pd.DataFrame({"name": sorted(self.models)})
        if "!predict(" in sql:
            return self._predict(sql, params)
        raise AssertionError(f"unexpected query: {sql[:200]}")

    def _predict(self, sql: str, params: Sequence[object]) -> pd.DataFrame:
        key = re.search(r"select\s+(\w+) as row_key", sql).group(1)  # type: ignore[union-attr]
        relation = re.search(r"from (GOLD\.\w+)\s+where", sql).group(1)  # type: ignore[union-attr]
        if relation == TRAINING_TABLE:
            split = self.data.validation if tuple(params) == ("validation",) else self.data.train
        else:
            frame = self.data.scoring.frame
            split = Dataset("scoring", frame[frame["scoring_basis"] == params[0]], "customer_id", relation)
        rows = split.frame.iloc[::-1].reset_index(drop=True)  # Snowflake returns rows in any order
        rows = rows.iloc[self.drop_rows :]
        p = 1 / (1 + np.exp(3 * (rows["spend_30d_to_baseline"].to_numpy() - 0.8)))
        return pd.DataFrame(
            {
                "row_key": rows[key].to_numpy(),
                "predicted_class": np.where(p >= 0.5, POSITIVE_CLASS, NEGATIVE_CLASS),
                "churn_probability": p,
            }
        )

    def scalar(self, sql: str, params: Sequence[object] = ()) -> object:
        raise AssertionError("not used")

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        raise AssertionError("the trainer never writes tables itself")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def table_exists(self, schema: str, table: str) -> bool:
        return True

    def close(self) -> None:
        return None


def test_training_creates_the_view_and_the_model_with_documented_config(churn_data: ChurnData) -> None:
    session = FakeSnowflake(churn_data)
    model = CortexTrainer().train(session, churn_data.train, VERSION, min_precision=0.6)  # type: ignore[arg-type]
    view_sql, create_sql = (s for s, _ in session.statements[:2])
    assert view_sql.lstrip().lower().count("create or replace view") == 1
    selected = _view_columns(view_sql)
    assert selected == [*FEATURE_NAMES, "churn_label"]  # customer_id, dataset and cutoff are no features
    assert "customer_id" not in view_sql.split("create or replace view", 1)[1]
    assert "config_object => {" in create_sql
    for key in ("'evaluate': true", "'on_error': 'ABORT'", "'evaluation_config': {'test_fraction': 0.2}"):
        assert key in create_sql
    for wrong in ("EVALUATION_METRIC", "SKIP_ROW", "'ON_ERROR'"):
        assert wrong not in create_sql
    assert f"system$reference('VIEW', '{TRAINING_VIEW}')" in create_sql
    assert "target_colname => 'CHURN_LABEL'" in create_sql
    assert model.threshold == 0.4  # best F1 with precision >= 0.6 (0.2 has F1 0.68 but precision 0.55)
    assert model.params["cortex_evaluation"] == {"precision": 0.81, "recall": 0.7, "f1": 0.75}
    assert model.artifact_uri == MODEL


def test_predict_binds_the_split_and_realigns_rows(churn_data: ChurnData) -> None:
    session = FakeSnowflake(churn_data)
    trainer = CortexTrainer()
    model = trainer.train(session, churn_data.train, VERSION, min_precision=0.6)  # type: ignore[arg-type]
    p = trainer.predict(session, model, churn_data.validation)  # type: ignore[arg-type]
    expected = 1 / (1 + np.exp(3 * (churn_data.validation.frame["spend_30d_to_baseline"].to_numpy() - 0.8)))
    np.testing.assert_allclose(p, expected)  # realigned although the fake returned the rows reversed
    sql, params = session.statements[-1]
    assert params == ("validation",) and "where dataset = ?" in sql and "'validation'" not in sql
    keys = re.findall(r"'([A-Z0-9_]+)', ([a-z0-9_]+)", sql)
    assert [k for k, _ in keys] == [f.upper() for f in FEATURE_NAMES]  # identical list to the training view
    assert [c for _, c in keys] == list(FEATURE_NAMES)
    assert 'prediction:probability:"churned"::float' in sql


def test_missing_predictions_are_an_error(churn_data: ChurnData) -> None:
    session = FakeSnowflake(churn_data, drop_rows=3)
    trainer = CortexTrainer()
    model = trainer.train(session, churn_data.train, VERSION, min_precision=0.6)  # type: ignore[arg-type]
    with pytest.raises(TrainerError, match=r"no probability for 3 of 1,500 rows"):
        trainer.predict(session, model, churn_data.validation)  # type: ignore[arg-type]


def test_feature_importance_and_champion_lookup(churn_data: ChurnData) -> None:
    session = FakeSnowflake(churn_data)
    trainer = CortexTrainer()
    model = trainer.train(session, churn_data.train, VERSION, min_precision=0.6)  # type: ignore[arg-type]
    importance = trainer.feature_importance(session, model, churn_data.validation).frame  # type: ignore[arg-type]
    assert importance["feature"].tolist() == list(FEATURE_NAMES) and importance["importance"].iloc[0] == 0.3
    assert trainer.load(session, model.metadata()) is not None  # type: ignore[arg-type]
    gone = {**model.metadata(), "artifact_uri": model_object_name("cortex-20250101t000000-deadbeef")}
    assert trainer.load(session, gone) is None  # type: ignore[arg-type]


def test_pivot_keeps_only_the_positive_class() -> None:
    rows = pd.DataFrame(
        {
            "dataset_type": ["EVAL"] * 4,
            "class": ['"churned"', '"retained"', "churned", None],
            "error_metric": ["recall", "recall", "f1", "auc"],
            "metric_value": [0.7, 0.99, 0.75, 0.9],
        }
    )
    assert pivot_evaluation_metrics(rows) == {"recall": 0.7, "f1": 0.75}
    with pytest.raises(TrainerError, match="no rows for class"):
        threshold_from_metrics(rows.assign(threshold=0.5, precision=0.8, f1=0.7).iloc[1:2], 0.6)


def test_model_names_come_from_an_allow_list() -> None:
    hostile = "cortex-x; drop table gold.customer_360_profile --"
    assert re.fullmatch(r"[A-Z0-9_.]+", model_object_name(hostile))  # neutralised, never quoted through
    stored = type("Model", (), {"artifact_uri": f"GOLD.M; {hostile}", "version": hostile})()
    with pytest.raises(TrainerError, match="refusing to use"):
        CortexTrainer._object(stored)  # type: ignore[arg-type]


def test_trainer_refuses_other_relations(churn_data: ChurnData) -> None:
    session = FakeSnowflake(churn_data)
    trainer = CortexTrainer()
    model = trainer.train(session, churn_data.train, VERSION, min_precision=0.6)  # type: ignore[arg-type]
    rogue = Dataset(
        "x", churn_data.validation.frame, "training_row_key", "GOLD.CUSTOMER_360_PROFILE", "1 = 1"
    )
    with pytest.raises(TrainerError, match="cannot predict"):
        trainer.predict(session, model, rogue)  # type: ignore[arg-type]


# ---- the SQL parses as Snowflake SQL ---------------------------------------------------------------

RENDERED = {
    "cortex_training_view": {"training_view": TRAINING_VIEW, "training_table": TRAINING_TABLE},
    "cortex_predict": {
        "model": MODEL,
        "key": "customer_id",
        "relation": "GOLD.ML_SCORING_DATA",
        "where": "scoring_basis = ?",
    },
    "cortex_evaluation_metrics": {"model": MODEL},
    "cortex_threshold_metrics": {"model": MODEL},
    "cortex_feature_importance": {"model": MODEL},
}


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_cortex_statements_parse_as_snowflake(name: str) -> None:
    sql = render(name, **RENDERED[name])
    tree = sqlglot.parse_one(sql, read="snowflake", error_level=sqlglot.ErrorLevel.RAISE)
    assert isinstance(tree, (exp.Select, exp.Create)), type(tree)
    assert not list(tree.find_all(exp.Command))
    if name != "cortex_training_view":
        assert MODEL.lower() in sql.lower()


def test_create_classification_parses_as_snowflake() -> None:
    """sqlglot has no grammar for CREATE SNOWFLAKE.ML.CLASSIFICATION: check the statement's shape and parse
    its argument list (named arguments, SYSTEM$REFERENCE, the CONFIG_OBJECT literal) as Snowflake SQL."""
    sql = render("cortex_create_model", model=MODEL, training_view=TRAINING_VIEW, test_fraction=0.2)
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")).strip()
    head = f"create or replace snowflake.ml.classification {MODEL}("
    assert body.startswith(head) and body.endswith(")")
    arguments = body[len(head) : -1]
    call = sqlglot.parse_one(f"select f({arguments})", read="snowflake", error_level=sqlglot.ErrorLevel.RAISE)
    kwargs = {k.this.name.lower(): k.expression for k in call.find_all(exp.Kwarg)}
    assert set(kwargs) == {"input_data", "target_colname", "config_object"}
    assert kwargs["input_data"].sql("snowflake").upper().startswith("SYSTEM$REFERENCE('VIEW'")
    config = kwargs["config_object"]
    assert isinstance(config, exp.Struct)
    keys = {p.this.name if isinstance(p.this, exp.Literal) else p.name for p in config.expressions}
    assert keys == {"evaluate", "on_error", "evaluation_config"}


def test_show_models_statement_shape() -> None:
    sql = render("cortex_models", schema="CUSTOMER_ANALYTICS.GOLD")
    statement = [line for line in sql.splitlines() if line and not line.startswith("--")]
    assert statement == ["show snowflake.ml.classification in schema CUSTOMER_ANALYTICS.GOLD"]


def _view_columns(sql: str) -> list[str]:
    tree = sqlglot.parse_one(sql, read="snowflake")
    select = tree.find(exp.Select)
    assert select is not None
    return [e.alias_or_name.lower() for e in select.expressions]


# ---- the shared training path with the Cortex trainer ------------------------------------------------


class CortexOnDuckDB(FakeSnowflake):
    """Cortex statements answered by the fake; every other statement runs on an in-memory DuckDB holding
    the same GOLD / OBSERVABILITY tables, so train_and_score runs end to end with the Cortex trainer."""

    def __init__(self, data: ChurnData) -> None:
        from c360.engines.duckdb import DuckDBSession
        from tests.unit.ml.test_training import load_into

        super().__init__(data)
        self.duck = DuckDBSession.in_memory()
        load_into(self.duck, data)

    @staticmethod
    def _is_cortex(sql: str) -> bool:
        lowered = sql.lower()
        return (
            "snowflake.ml.classification" in lowered
            or "!" in lowered
            or "ml_churn_cortex_training" in lowered
        )

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        return super().execute(sql, params) if self._is_cortex(sql) else self.duck.execute(sql, params)

    def run_script(self, sql: str) -> None:
        self.duck.run_script(sql)

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return super().query(sql, params) if self._is_cortex(sql) else self.duck.query(sql, params)

    def scalar(self, sql: str, params: Sequence[object] = ()) -> object:
        return self.duck.scalar(sql, params)

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        return self.duck.insert_frame(table, frame)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.duck.transaction():
            yield

    def table_exists(self, schema: str, table: str) -> bool:
        return self.duck.table_exists(schema, table)


def test_cortex_writes_the_same_tables_as_the_local_model(churn_data: ChurnData, tmp_path: object) -> None:
    from c360.config import Settings
    from c360.ml.registry import PROMOTED, REUSED
    from c360.ml.training import train_and_score

    settings = Settings.load(target="local", home=tmp_path, as_of="2026-10-15", env={})  # type: ignore[arg-type]
    session = CortexOnDuckDB(churn_data)
    first = train_and_score(settings, session, trainer=CortexTrainer())  # type: ignore[arg-type]
    assert first.status == PROMOTED and first.champion is not None
    assert first.champion.version.startswith("cortex-") and first.champion.threshold == 0.4
    duck = session.duck
    predictions = duck.query("select * from GOLD.CHURN_PREDICTIONS")
    assert len(predictions) == 759 and set(predictions["model_version"]) == {first.champion.version}
    assert duck.scalar("select count(*) from GOLD.CHURN_FEATURE_IMPORTANCE") == len(FEATURE_NAMES)
    assert (
        duck.scalar("select method from GOLD.CHURN_FEATURE_IMPORTANCE limit 1")
        == "Cortex SHOW_FEATURE_IMPORTANCE score"
    )
    metrics = duck.query("select trainer, role, roc_auc from GOLD.CHURN_MODEL_METRICS").iloc[0]
    assert metrics["trainer"] == "cortex" and metrics["role"] == "challenger" and metrics["roc_auc"] > 0.7
    created = [s for s, _ in session.statements if "create or replace snowflake.ml.classification" in s]
    assert len(created) == 1
    again = train_and_score(settings, session, trainer=CortexTrainer())  # type: ignore[arg-type]
    assert again.status == REUSED and again.champion is not None
    assert again.champion.version == first.champion.version
    assert (
        len([s for s, _ in session.statements if "create or replace snowflake.ml.classification" in s]) == 1
    )
