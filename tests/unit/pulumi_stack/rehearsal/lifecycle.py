"""The statements each LifecycleStep sends as DATA_ENGINEER (the role the lifecycle connects with).

provision, customers and transactions: recorded from the real `run_all(only=[step])` on the emulator
(emulator.py). The other three cannot run offline (dbt-snowflake against the emulator is its own
integration test; Cortex ML and the Streamlit/Cortex Analyst runtime do not exist offline), so their
statements come from the SQL files their code loads, and dbt's work is described by the project itself:
it creates every model, seed and snapshot in SILVER/GOLD and reads its sources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import yaml

from c360 import names
from c360.engines.base import split_statements
from c360.masking import PII_COLUMNS, TREATMENTS
from c360.paths import REPO_ROOT
from c360.sqlfiles import load_sql, render_sql
from tests.unit.pulumi_stack.rehearsal.statements import (
    RELATION,
    Need,
    Operation,
    analyze,
    usage_needs,
)

DBT_FOLDER_SCHEMAS: Final = {  # dbt_project.yml: models.c360.<folder>.+schema / +materialized
    "staging": (names.SILVER, "VIEW"),
    "intermediate": (names.SILVER, "TABLE"),
    "marts": (names.GOLD, "TABLE"),
    "ml": (names.GOLD, "TABLE"),
}


def fq(schema: str, name: str) -> str:
    return f"{names.DATABASE}.{schema}.{name}".upper()


def dbt_relations(project: Path) -> list[tuple[str, str]]:
    """(kind, fully qualified name) of every relation `dbt build` creates."""
    found: list[tuple[str, str]] = []
    for folder, (schema, kind) in DBT_FOLDER_SCHEMAS.items():
        for model in sorted((project / "models" / folder).rglob("*.sql")):
            found.append((kind, fq(schema, model.stem)))
    for seed in sorted((project / "seeds").glob("*.csv")):
        found.append(("TABLE", fq(names.SILVER, seed.stem)))
    for snapshot_file in sorted((project / "snapshots").glob("*.yml")):
        for snapshot in (yaml.safe_load(snapshot_file.read_text()) or {}).get("snapshots") or []:
            schema = str((snapshot.get("config") or {}).get("schema") or names.SILVER)
            found.append(("TABLE", fq(schema, snapshot["name"])))
    return found


def dbt_sources(project: Path) -> list[str]:
    found: list[str] = []
    for path in sorted((project / "models").rglob("__sources.yml")):
        for source in (yaml.safe_load(path.read_text()) or {}).get("sources") or []:
            schema = str(source.get("schema") or source["name"]).upper()
            for table in source.get("tables") or []:
                found.append(fq(schema, str(table.get("identifier") or table["name"])))
    return found


def dbt_build_operation(project: Path, warehouse: str) -> Operation:
    """`dbt build` with dbt-snowflake as DATA_ENGINEER: create the relations, read the sources, write the
    run records its hooks keep in OBSERVABILITY."""
    needs: list[Need] = []
    for schema in (names.SILVER, names.GOLD):
        needs += usage_needs(fq(schema, "X"))
        needs += [
            Need("create_in_schema", "object", "CREATE TABLE", "SCHEMA", f"{names.DATABASE}.{schema}"),
            Need("create_in_schema", "object", "CREATE VIEW", "SCHEMA", f"{names.DATABASE}.{schema}"),
        ]
    for source in dbt_sources(project):
        needs += [*usage_needs(source), Need("table_dml", "object", "SELECT", RELATION, source)]
    for table in (names.PIPELINE_RUN_METADATA, names.LAYER_RECORD_COUNTS, names.DATA_QUALITY_METRICS):
        for privilege in ("INSERT", "UPDATE"):
            needs.append(Need("table_dml", "object", privilege, RELATION, fq(names.OBSERVABILITY, table)))
    for table in ("MODEL_EXECUTION_LOG", "SEGMENT_SHIFTS", "SEGMENT_ASSIGNMENTS"):
        for privilege in ("INSERT", "DELETE"):
            needs.append(Need("table_dml", "object", privilege, RELATION, fq(names.OBSERVABILITY, table)))
    # the post-hook re-attaches the masking policies after each rebuild (dbt/macros/governance/)
    for policy in sorted({TREATMENTS[c.kind].policy for c in PII_COLUMNS if c.schema != names.BRONZE}):
        name = fq(names.OBSERVABILITY, policy)
        needs += [
            Need("apply_masking_policy", "exists", object_kind="MASKING POLICY", name=name),
            Need("apply_masking_policy", "object", "APPLY", "MASKING POLICY", name),
        ]
    needs.append(Need("warehouse_usage", "object", "USAGE", "WAREHOUSE", warehouse))
    return Operation(
        "dbt build --target snowflake",
        "dbt build",
        tuple(dict.fromkeys(needs)),
        tuple(dbt_relations(project)),
    )


def _sql_statements(name: str, dialect: str = "snowflake", **replace: str) -> list[str]:
    text = load_sql(name, dialect)
    for key, value in replace.items():
        text = text.replace(key, value)
    return list(split_statements(text))


def churn_model_statements() -> list[str]:
    """What the churn step sends on Snowflake: the ML datasets' reads, the Cortex model and its outputs."""
    from c360.ml import cortex

    model = cortex.model_object_name("c360-v1")
    statements = [
        *_sql_statements("ddl/ml"),
        load_sql("ml/cutoffs"),
        load_sql("ml/training_rows"),
        load_sql("ml/scoring_rows"),
        load_sql("ml/base_rates"),
        load_sql("ml/champion_run"),
        load_sql("ml/predictions_for_version"),
        cortex.render(
            "cortex_training_view", training_view=cortex.TRAINING_VIEW, training_table=cortex.TRAINING_TABLE
        ),
        cortex.render(
            "cortex_create_model", model=model, training_view=cortex.TRAINING_VIEW, test_fraction=0.2
        ),
        cortex.render("cortex_evaluation_metrics", model=model),
        cortex.render("cortex_threshold_metrics", model=model),
        cortex.render("cortex_feature_importance", model=model),
        f"delete from {names.GOLD}.CHURN_PREDICTIONS where model_version = ?",
        f"insert into {names.GOLD}.CHURN_PREDICTIONS (customer_id) select customer_id from {names.GOLD}.ML_SCORING_DATA",
    ]
    return statements


def semantic_model_statements() -> list[str]:
    return [
        *_sql_statements("ddl/assistant"),
        load_sql("semantic/gold_version", "snowflake"),
        load_sql("semantic/as_of", "snowflake"),
        load_sql("semantic/request_ids", "snowflake"),
        render_sql("semantic/put_model", "snowflake", file="/deploy/c360/assistant/semantic_model.yaml"),
    ]


def step_operations(
    recorded: Mapping[str, Sequence[str]], *, database: str, warehouse: str, project: Path = REPO_ROOT / "dbt"
) -> dict[str, list[Operation]]:
    """step -> the operations its LifecycleStep performs, in order."""

    def ops(statements: Sequence[str]) -> list[Operation]:
        return [analyze(s, database=database, warehouse=warehouse) for s in statements]

    frame = list(recorded.get("provision", ()))  # run_all's own work: DDL check, run record, summary
    found: dict[str, list[Operation]] = {step: ops(statements) for step, statements in recorded.items()}
    found.setdefault("dbt_build", [])
    found["dbt_build"] = [
        *ops(frame),
        dbt_build_operation(project, warehouse),
        *ops([f"select count(*) from {names.GOLD}.fct_transactions", load_sql("dbt/run_status")]),
    ]
    found["churn_model"] = [*ops(frame), *ops(churn_model_statements())]
    found["semantic_model"] = [*ops(frame), *ops(semantic_model_statements())]
    return found
