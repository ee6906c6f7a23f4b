"""The dbt project's static contracts (seeds vs generators, profiles, model docs) and the runner's pure logic."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
import yaml

from c360.config import Settings
from c360.errors import C360Error
from c360.paths import DBT_DIR
from c360.reference import CATEGORIES, STATES, UNCATEGORIZED
from c360.transform.build_state import BuildMode, BuildState, decide, project_hash
from c360.transform.dbt import (
    REFRESH_ENVIRONMENT,
    DbtPaths,
    _items_from_execution,
    _Outcome,
    _result_from_artifacts,
    _result_from_items,
    command_args,
    dbt_environment,
)

MODEL_DIRS = ("staging", "intermediate", "marts")


def read_seed(name: str) -> list[dict[str, str]]:
    with (DBT_DIR / "seeds" / f"{name}.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_merchant_category_seed_matches_the_generator() -> None:
    rows = read_seed("merchant_categories")
    assert rows[0] == {
        "category_key": "0",
        "category_name": UNCATEGORIZED,
        "category_group": "Other",
        "is_travel": "false",
        "is_discretionary": "false",
    }
    expected = [
        {
            "category_key": str(i),
            "category_name": c.name,
            "category_group": c.group,
            "is_travel": str(c.is_travel).lower(),
            "is_discretionary": str(c.is_discretionary).lower(),
        }
        for i, c in enumerate(CATEGORIES, start=1)
    ]
    assert rows[1:] == expected


def test_us_states_seed_matches_geography() -> None:
    rows = read_seed("us_states")
    assert rows == [{"state_code": s.code, "state_name": s.name, "region": s.region} for s in STATES]


def test_profiles_define_local_duckdb_and_snowflake_targets_from_the_environment() -> None:
    profile = yaml.safe_load((DBT_DIR / "profiles.yml").read_text())["c360"]
    assert profile["target"] == "local"
    local, snowflake = profile["outputs"]["local"], profile["outputs"]["snowflake"]
    assert local["type"] == "duckdb" and local["path"] == ":memory:"  # the lake is attached to it
    (lake,) = local["attach"]
    assert lake["alias"] == "customer_analytics" and "env_var('C360_DBT_WAREHOUSE_DIR')" in lake["path"]
    assert (
        "ducklake:sqlite:" in lake["path"]
        and "env_var('C360_DBT_WAREHOUSE_DIR')" in lake["options"]["data_path"]
    )
    assert snowflake["type"] == "snowflake"
    for key in ("account", "user", "password", "role", "warehouse", "database"):
        assert "env_var('SNOWFLAKE_" in str(snowflake[key]), key
    project = yaml.safe_load((DBT_DIR / "dbt_project.yml").read_text())
    assert project["models"]["c360"]["marts"]["+schema"] == "GOLD"
    assert project["models"]["c360"]["staging"]["+schema"] == "SILVER"
    assert project["models"]["c360"]["ml"]["+schema"] == "GOLD"


def test_the_refresh_turns_off_an_optimizer_duckdb_has_and_nothing_else_does() -> None:
    """The incremental refresh's InProcessDbt passes REFRESH_ENVIRONMENT; the profile sets DuckDB's
    disabled_optimizers from it, to nothing by default (full builds, `c360 sql` ...)."""
    local = yaml.safe_load((DBT_DIR / "profiles.yml").read_text())["c360"]["outputs"]["local"]
    setting = local["settings"]["disabled_optimizers"]
    assert "env_var('C360_DBT_DISABLED_OPTIMIZERS', '')" in setting
    disabled = REFRESH_ENVIRONMENT["C360_DBT_DISABLED_OPTIMIZERS"]
    known = {row[0] for row in duckdb.connect().execute("select name from duckdb_optimizers()").fetchall()}
    assert set(disabled.split(",")) <= known  # DuckDB refuses an unknown name: every refresh would fail
    con = duckdb.connect()
    con.execute(f"set disabled_optimizers = '{disabled}'")  # what dbt-duckdb runs per cursor
    con.execute("set disabled_optimizers = ''")  # and the default elsewhere


def test_the_refresh_runs_duckdb_on_one_thread_and_builds_on_the_settings_threads(tmp_path: Path) -> None:
    """dbt's DuckDB takes its thread count from C360_DBT_THREADS (a connect-time option): the settings'
    duckdb_threads for every invocation, one for the stream's refresh (REFRESH_ENVIRONMENT on top)."""
    local = yaml.safe_load((DBT_DIR / "profiles.yml").read_text())["c360"]["outputs"]["local"]
    assert "env_var('C360_DBT_THREADS'" in local["config_options"]["threads"]
    settings = replace(Settings.load(target="local", home=tmp_path, env={}), duckdb_threads=2)
    assert dbt_environment(settings)["C360_DBT_THREADS"] == "2"
    assert (dbt_environment(settings) | REFRESH_ENVIRONMENT)["C360_DBT_THREADS"] == "1"


def _model_docs() -> dict[str, dict]:
    docs: dict[str, dict] = {}
    for folder in MODEL_DIRS:
        for path in (DBT_DIR / "models" / folder).rglob("*.yml"):
            for model in yaml.safe_load(path.read_text()).get("models", []):
                docs[model["name"]] = model | {"_file": path}
    return docs


def test_every_model_has_its_own_yml_with_description_and_documented_columns() -> None:
    docs = _model_docs()
    sql_models = {p.stem: p for folder in MODEL_DIRS for p in (DBT_DIR / "models" / folder).rglob("*.sql")}
    assert sql_models, "no models found"
    missing = sorted(set(sql_models) - set(docs))
    assert not missing, f"models without a .yml: {missing}"
    for name, path in sql_models.items():
        model = docs[name]
        assert model["_file"] == path.with_suffix(".yml"), f"{name}: docs belong in {path.stem}.yml"
        assert len(model.get("description", "").strip()) > 20, f"{name}: no description"
        columns = model.get("columns", [])
        assert columns and all(c.get("description") for c in columns), f"{name}: undocumented columns"


def test_not_null_columns_tests_name_documented_columns() -> None:
    checked = 0
    for name, model in _model_docs().items():
        documented = {c["name"] for c in model.get("columns", [])}
        for test in model.get("data_tests", []):
            if isinstance(test, dict) and "not_null_columns" in test:
                listed = test["not_null_columns"]["arguments"]["columns"]
                assert listed and set(listed) <= documented, f"{name}: {sorted(set(listed) - documented)}"
                assert len(listed) == len(set(listed)), f"{name}: a column listed twice"
                checked += 1
    assert checked >= 10


def test_not_null_columns_reports_each_column_holding_nulls() -> None:
    import duckdb
    import jinja2

    text = (DBT_DIR / "tests" / "generic" / "not_null_columns.sql").read_text()
    body = text.split("{% test", 1)[1].split("%}", 1)[1].rsplit("{% endtest %}", 1)[0]  # between the tags
    sql = jinja2.Template(body).render(model="t", columns=["a", "b", "c"])
    con = duckdb.connect()
    con.execute(
        "create table t as select * from (values (1, 'x', 1.0), (2, null, null), (3, null, 2.0)) v(a, b, c)"
    )
    assert sorted(con.execute(sql).fetchall()) == [("b", 2), ("c", 1)]
    con.execute("update t set b = 'y', c = 0")
    assert con.execute(sql).fetchall() == []


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("dim_customer", "customer_key"),
        ("dim_date", "date_key"),
        ("dim_merchant_category", "category_key"),
        ("fct_transactions", "transaction_key"),
        ("customer_360_profile", "customer_id"),
        ("customer_segments", "customer_id"),
        ("metric_customer_ltv", "customer_id"),
        ("metric_avg_transaction_value", "customer_id"),
        ("stg_customers", "customer_id"),
    ],
)
def test_model_keys_are_tested_unique_and_not_null(model: str, key: str) -> None:
    column = next(c for c in _model_docs()[model]["columns"] if c["name"] == key)
    assert {"unique", "not_null"} <= {
        t if isinstance(t, str) else next(iter(t)) for t in column["data_tests"]
    }


def test_singular_tests_the_issue_asks_for_exist() -> None:
    tests = {p.stem for p in (DBT_DIR / "tests").glob("*.sql")}
    assert {
        "assert_dim_customer_scd2_integrity",
        "assert_silver_transactions_complete_and_unique",
        "assert_positive_transaction_amounts",
        "assert_every_segment_present",
        "assert_gold_spend_reconciles_to_silver",
    } <= tests


def test_segment_strings_in_the_project_match_the_contract() -> None:
    from c360.names import RISK_CATEGORIES, SEGMENTS

    segments_yml = yaml.safe_load(
        (DBT_DIR / "models/marts/customer_analytics/customer_segments.yml").read_text()
    )
    column = next(c for c in segments_yml["models"][0]["columns"] if c["name"] == "customer_segment")
    accepted = next(t["accepted_values"] for t in column["data_tests"] if isinstance(t, dict))
    assert sorted(accepted["arguments"]["values"]) == sorted(SEGMENTS)
    sql = (DBT_DIR / "models/marts/customer_analytics/customer_segments.sql").read_text()
    assert all(f"'{s}'" in sql for s in SEGMENTS)
    macro = (DBT_DIR / "macros/risk_category.sql").read_text()
    assert all(f"'{c}'" in macro for c in RISK_CATEGORIES)


def test_risk_bands_and_the_lapsed_threshold_match_the_contract() -> None:
    from c360 import names

    project_vars = yaml.safe_load((DBT_DIR / "dbt_project.yml").read_text())["vars"]
    assert project_vars["churn_high_risk_threshold"] == names.HIGH_RISK_THRESHOLD
    assert project_vars["churn_medium_risk_threshold"] == names.MEDIUM_RISK_THRESHOLD
    assert project_vars["lapsed_after_days"] == names.LAPSED_AFTER_DAYS
    profile = yaml.safe_load(
        (DBT_DIR / "models/marts/customer_analytics/customer_360_profile.yml").read_text()
    )["models"][0]
    column = next(c for c in profile["columns"] if c["name"] == "churn_risk_category")
    accepted = next(t["accepted_values"] for t in column["data_tests"] if isinstance(t, dict))
    assert set(accepted["arguments"]["values"]) == {*names.RISK_CATEGORIES, names.LAPSED, names.NOT_SCORED}


def _state(**changes: object) -> BuildState:
    base = BuildState("p", "2026-10-15", "local", "tx", "c:1000", 100, "2026-11-22 05:00:00")
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("previous", "now", "gold", "force", "expected"),
    [
        (None, _state(), True, False, BuildMode.full_refresh),
        (_state(), _state(), False, False, BuildMode.full_refresh),
        (_state(), _state(), True, True, BuildMode.full_refresh),
        (_state(), _state(project_hash="q"), True, False, BuildMode.full_refresh),
        (_state(), _state(as_of="2026-10-16"), True, False, BuildMode.full_refresh),
        (_state(), _state(transactions_fingerprint="other"), True, False, BuildMode.full_refresh),
        (_state(), _state(transactions_rows=150), True, False, BuildMode.incremental),
        (
            _state(),
            _state(transactions_max_ingested_at="2026-11-22 06:00:00"),
            True,
            False,
            BuildMode.incremental,
        ),
        (_state(), _state(customers_checksum="d:1000"), True, False, BuildMode.incremental),
        (_state(), _state(), True, False, BuildMode.skip),
    ],
)
def test_build_mode_decision(
    previous: BuildState | None, now: BuildState, gold: bool, force: bool, expected: BuildMode
) -> None:
    assert decide(previous, now, gold, force) is expected


def test_command_args_add_project_paths_target_and_vars(small_settings: Settings) -> None:
    args = command_args(small_settings, ["build", "--select", "dim_date"], vars={"extra": 1})
    assert args[:3] == ["build", "--select", "dim_date"]
    assert args[args.index("--target") + 1] == "local"
    assert json.loads(args[args.index("--vars") + 1]) == {"as_of": "2026-10-15", "extra": 1}
    assert args[args.index("--target-path") + 1] == str(small_settings.home / "dbt" / "target")
    with pytest.raises(C360Error, match="--vars"):
        command_args(small_settings, ["run", "--vars", "{}"])
    with pytest.raises(C360Error, match="needs a dbt command"):
        command_args(small_settings, [])


def test_dbt_environment_comes_from_settings(small_settings: Settings) -> None:
    env = dbt_environment(small_settings)
    assert env["C360_DBT_WAREHOUSE_DIR"] == str(small_settings.warehouse_path.parent)
    assert (small_settings.warehouse_path.parent / ".extensions").is_dir()  # the profile's extension links
    assert env["C360_DBT_MEMORY_LIMIT"] == small_settings.duckdb_memory_limit
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"
    snowflake = Settings.load(
        target="snowflake",
        home=small_settings.home,
        as_of="2026-10-15",
        env={"SNOWFLAKE_ACCOUNT": "org-acct", "SNOWFLAKE_USER": "dbt", "SNOWFLAKE_PASSWORD": "pw"},
    )
    env = dbt_environment(snowflake)
    assert env["SNOWFLAKE_ACCOUNT"] == "org-acct" and env["SNOWFLAKE_PASSWORD"] == "pw"
    assert env["SNOWFLAKE_DATABASE"] == "CUSTOMER_ANALYTICS"
    assert "C360_DBT_WAREHOUSE_DIR" not in env
    assert "C360_DBT_THREADS" not in env  # the snowflake profile's own thread count (4), not DuckDB's


def test_project_hash_tracks_project_files_only(tmp_path: Path) -> None:
    project = tmp_path / "dbt"
    shutil.copytree(DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    before = project_hash(project)
    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")
    (project / "models" / "ml" / "ml_new.sql").write_text("select 1")
    assert project_hash(project) == before, "dbt output and the churn step's models/ml do not count"
    model = project / "models" / "marts" / "core" / "dim_date.sql"
    model.write_text(model.read_text() + "\n-- changed\n")
    assert project_hash(project) != before


def test_run_results_are_summarised(tmp_path: Path) -> None:
    paths = DbtPaths(tmp_path / "target", tmp_path / "logs", tmp_path / "lock")
    paths.target_dir.mkdir()
    results = [
        ("model.c360.stg_transactions", "success", 2.5),
        ("model.c360.fct_transactions", "error", 1.0),
        ("model.c360.customer_360_profile", "skipped", 0.0),
        ("snapshot.c360.customers_snapshot", "success", 0.4),
        ("test.c360.unique_x.abc", "pass", 0.1),
        ("test.c360.accepted_range_stg_transactions_transaction_amount__0.d908aa035e", "fail", 0.1),
        ("unit_test.c360.customer_segments.test_rules", "pass", 0.2),
    ]
    (paths.target_dir / "run_results.json").write_text(
        json.dumps(
            {
                "metadata": {"invocation_id": "abc-123"},
                "elapsed_time": 12.5,
                "results": [
                    {
                        "unique_id": u,
                        "status": s,
                        "execution_time": t,
                        "message": "boom" if s == "error" else None,
                    }
                    for u, s, t in results
                ],
            }
        )
    )
    result = _result_from_artifacts(("build",), _Outcome(1, None), 14.0, paths)
    assert (result.models_run, result.models_failed, result.models_skipped) == (2, 1, 1)
    assert (result.tests_passed, result.tests_failed) == (2, 1)
    assert result.status == "failed" and result.run_id == "dbt-abc-123" and result.dbt_elapsed == 12.5
    assert result.node("stg_transactions").seconds == 2.5  # type: ignore[union-attr]
    assert result.failures[0] == "fct_transactions: boom"
    assert result.failures[1].startswith("accepted_range_stg_transactions_transaction_amount__0: ")
    with pytest.raises(C360Error, match="fct_transactions: boom"):
        result.raise_for_status()


def test_in_process_results_are_read_from_the_returned_objects(tmp_path: Path) -> None:
    """A warm in-process refresh writes no run_results.json: the same summary comes from dbt's result
    objects (statuses are enums there)."""
    from enum import Enum
    from types import SimpleNamespace

    class Status(Enum):
        success = "success"
        error = "error"

    def node_result(unique_id: str, status: Status, seconds: float, message: str | None = None) -> object:
        return SimpleNamespace(
            node=SimpleNamespace(unique_id=unique_id), status=status, execution_time=seconds, message=message
        )

    execution = SimpleNamespace(
        elapsed_time=3.5,
        results=[
            node_result("model.c360.stg_transactions", Status.success, 0.4),
            node_result("model.c360.customer_360_profile", Status.error, 0.2, "Binder Error: boom"),
        ],
    )
    items, elapsed = _items_from_execution(execution)
    paths = DbtPaths(tmp_path / "target", tmp_path / "logs", tmp_path / "lock")
    result = _result_from_items(("run",), _Outcome(1, "inv-1"), 4.0, paths, items, elapsed, "inv-1")
    assert (result.models_run, result.models_failed, result.dbt_elapsed) == (1, 1, 3.5)
    assert result.failures == ("customer_360_profile: Binder Error: boom",) and result.run_id == "dbt-inv-1"
    assert _items_from_execution(None) == ([], None)  # dbt failed before running any node


def test_data_dictionary_is_generated_from_the_current_project() -> None:
    from c360.transform.docs import OUTPUT, load_nodes, render

    assert OUTPUT.read_text() == render(load_nodes()), "run `python -m c360.transform.docs` and commit"
    assert (
        "```mermaid" in OUTPUT.read_text() and "stg_transactions --> fct_transactions" in OUTPUT.read_text()
    )
