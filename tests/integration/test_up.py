"""`c360 up` end to end at 1,000 customers: summary, idempotency, reproducibility, observability."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from c360.cli.main import app
from c360.config import Settings
from c360.engines.duckdb import DuckDBSession
from c360.errors import WarehouseError
from c360.outputs import OUTPUT_KEYS
from c360.transform.build_state import bronze_checksum
from tests.conftest import AS_OF

pytestmark = pytest.mark.integration
runner = CliRunner()


def up(home: Path, *extra: str) -> dict:
    result = runner.invoke(
        app,
        [
            "up",
            "--customers",
            "1000",
            "--as-of",
            AS_OF.isoformat(),
            "--home",
            str(home),
            "--format",
            "json",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def checksums(home: Path) -> tuple:
    with DuckDBSession.open(home / "warehouse" / "customer_analytics.sqlite", read_only=True) as s:
        return bronze_checksum(s, "BRONZE_CUSTOMERS"), bronze_checksum(s, "BRONZE_TRANSACTIONS")


def change_rows(home: Path) -> int:
    """Bronze rows from the generator's monthly card-change files (every other row is customers.csv)."""
    with DuckDBSession.open(home / "warehouse" / "customer_analytics.sqlite", read_only=True) as s:
        base = s.scalar(
            "select count(*) from BRONZE.BRONZE_CUSTOMERS where source_file = 'customers/customers.csv'"
        )
        assert base == 1000
        return int(
            s.scalar(
                "select count(*) from BRONZE.BRONZE_CUSTOMERS where source_file like 'customers/changes/%'"
            )
        )


# three `c360 up` runs that do work (the first, --force, and another seed's bronze): ~5 minutes on an idle
# 2-core machine, more than the default 600 s hang guard at load 10+ (a guard against hangs, not a speed
# target: the lifecycle's speed is measured by `c360 bench`)
@pytest.mark.timeout(1800)
def test_up_builds_bronze_and_is_idempotent(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = up(home)
    rows = first["summary"]["rows"]
    assert rows["BRONZE.BRONZE_CUSTOMERS"] == 1000 + change_rows(home)  # customers.csv + card-change files
    assert change_rows(home) > 50
    assert 1000 * 18 * 13 < rows["BRONZE.BRONZE_TRANSACTIONS"] < 1000 * 18 * 17
    assert {s["step"]: s["status"] for s in first["steps"]} == {
        "provision": "ran",
        "customers": "ran",
        "transactions": "ran",
        **{
            s["step"]: s["status"]
            for s in first["steps"]
            if s["step"] not in {"provision", "customers", "transactions"}
        },
    }
    assert first["summary"]["segment_mix"]["Stable Mid-Spenders"]["customers"] == 400
    before = checksums(home)

    second = up(home)
    statuses = {s["step"]: s["status"] for s in second["steps"]}
    assert statuses["customers"] == "skipped" and statuses["transactions"] == "skipped"
    assert second["summary"]["rows"] == rows
    assert checksums(home) == before

    forced = up(home, "--force")
    assert {s["step"]: s["status"] for s in forced["steps"]}["transactions"] == "ran"
    assert forced["summary"]["rows"] == rows, "a forced re-run replaces, never appends"
    assert checksums(home) == before, "same seed, byte-identical bronze content"

    # another seed gives other bronze: the bronze steps prove it (gold from it is the first run's proof)
    other = up(home, "--seed", "43", "--step", "provision", "--step", "customers", "--step", "transactions")
    assert other["summary"]["rows"]["BRONZE.BRONZE_CUSTOMERS"] == 1000 + change_rows(home)
    after = checksums(home)
    assert after[0] != before[0] and after[1] != before[1]

    outputs = json.loads((home / "outputs.json").read_text())
    assert set(OUTPUT_KEYS) <= set(outputs)
    assert outputs["database"] == "CUSTOMER_ANALYTICS" and outputs["scale"]["seed"] == 43

    with DuckDBSession.open(home / "warehouse" / "customer_analytics.sqlite", read_only=True) as s:
        runs = s.query(
            "select run_type, status, duration_seconds, error_message from OBSERVABILITY.PIPELINE_RUN_METADATA"
        )
        loads = s.query("select file_name, status, rows_in_file, rows_loaded from OBSERVABILITY.LOAD_HISTORY")
        counts = s.scalar("select count(*) from OBSERVABILITY.LAYER_RECORD_COUNTS where layer = 'bronze'")
    up_runs = runs[runs.run_type == "c360_up"]
    assert len(up_runs) == 4 and set(up_runs.status) == {"SUCCESS"} and up_runs.duration_seconds.notna().all()
    assert "customers/customers.csv" in set(loads.file_name)
    assert any(name.startswith("customers/changes/customer_changes_") for name in loads.file_name)
    assert (loads.rows_in_file == loads.rows_loaded).all()
    assert counts >= 6


def test_sql_command_reads_the_published_snapshot(tmp_path: Path) -> None:
    home = tmp_path / "home"
    up(home, "--step", "provision", "--step", "customers")
    result = runner.invoke(
        app,
        [
            "sql",
            "select count(distinct customer_id) as n, sum(1) as summed, sum(case when false then 1 end) as none"
            " from bronze.bronze_customers",
            "--home",
            str(home),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["rows"]
    # sum() of integers is a HUGEINT: a whole number in JSON (was 1000.0), an empty sum null
    assert row["n"] == 1000 and isinstance(row["summed"], int) and row["summed"] >= 1000
    assert row["none"] is None
    refused = runner.invoke(
        app,
        ["sql", "select * from bronze.bronze_customers", "--role", "MARKETING_MANAGER", "--home", str(home)],
    )
    assert refused.exit_code == 1
    assert "may not read BRONZE.BRONZE_CUSTOMERS" in refused.output
    bad = runner.invoke(app, ["up", "--customers", "-5", "--home", str(home)])
    assert bad.exit_code == 1 and "--customers must be between 1" in bad.output
    unknown = runner.invoke(app, ["up", "--step", "nope", "--home", str(home)])
    assert unknown.exit_code == 1 and "unknown step(s) nope" in unknown.output
    # a partial run without scale flags continues the built platform (not 50,000 customers as-of today)
    partial = runner.invoke(app, ["up", "--step", "provision", "--home", str(home), "--format", "json"])
    assert partial.exit_code == 0, partial.output
    scale = json.loads((home / "outputs.json").read_text())["scale"]
    assert (scale["customers"], scale["as_of"]) == (1000, AS_OF.isoformat())


def test_failed_step_is_recorded_with_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"

    def broken(*args: object, **kwargs: object) -> str:
        raise WarehouseError("disk full (simulated)")

    monkeypatch.setattr("c360.steps.transactions.render_transactions_sql", broken)
    result = runner.invoke(
        app, ["up", "--customers", "200", "--as-of", AS_OF.isoformat(), "--home", str(home)]
    )
    assert result.exit_code == 1
    assert "step 'transactions' failed: disk full (simulated)" in result.output
    settings = Settings.load(home=home, env={})
    with DuckDBSession.open(settings.warehouse_path, read_only=True) as s:
        row = s.query("select status, error_message from OBSERVABILITY.PIPELINE_RUN_METADATA").iloc[0]
    assert row.status == "FAILED" and "disk full" in row.error_message


def test_status_shows_a_failed_run_until_the_next_success(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    base = ["up", "--customers", "200", "--as-of", AS_OF.isoformat(), "--home", str(home)]
    assert runner.invoke(app, [*base, "--step", "provision", "--step", "customers"]).exit_code == 0

    def broken(*args: object, **kwargs: object) -> str:
        raise WarehouseError("disk full (simulated)")

    with monkeypatch.context() as patched:
        patched.setattr("c360.steps.transactions.render_transactions_sql", broken)
        assert runner.invoke(app, [*base, "--step", "transactions"]).exit_code == 1

    def status() -> dict:
        result = runner.invoke(app, ["status", "--home", str(home), "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    failed = status()["last_failed_run"]  # the failed run published nothing, yet status says so
    assert failed["step"] == "transactions" and "disk full (simulated)" in failed["error"]
    text = runner.invoke(app, ["status", "--home", str(home)]).output
    assert "the last `c360 up` failed" in text
    assert runner.invoke(app, [*base, "--step", "transactions"]).exit_code == 0
    assert status()["last_failed_run"] is None
