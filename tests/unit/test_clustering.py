"""Clustering keys on the large Snowflake tables, declared in the dbt models that define them (seed: the fact
by transaction date, the profile by customer id). dbt-snowflake renders them (CLUSTER BY in the CTAS, ALTER
TABLE ... CLUSTER BY on incremental runs); dbt-duckdb ignores the config, so nothing changes locally."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from c360.paths import DBT_DIR, REPO_ROOT


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The project's parsed configs, as dbt sees them (dbt parse on the local profile; no warehouse)."""
    target = tmp_path_factory.mktemp("dbt-target")
    warehouse = tmp_path_factory.mktemp("warehouse")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbt.cli.main",
            "parse",
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target",
            "local",
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
            "--vars",
            '{"as_of": "2026-10-15"}',
            "--no-partial-parse",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "C360_DBT_WAREHOUSE_DIR": str(warehouse)},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return json.loads((target / "manifest.json").read_text())


def config_of(manifest: dict, model: str) -> dict:
    (node,) = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] == model]
    return node["config"]


def test_the_fact_is_clustered_by_transaction_day(manifest: dict) -> None:
    assert config_of(manifest, "fct_transactions")["cluster_by"] == ["to_date(transaction_date)"]


def test_the_profile_is_clustered_by_customer_id(manifest: dict) -> None:
    assert config_of(manifest, "customer_360_profile")["cluster_by"] == ["customer_id"]


def test_every_model_gets_the_masking_post_hook(manifest: dict) -> None:
    hooks = [h["sql"] for h in config_of(manifest, "customer_360_profile")["post-hook"]]
    assert "{{ c360.apply_masking_policies() }}" in hooks
