"""The query guard against what an assistant (or a user of the app) could try: every case names why it fails."""

from __future__ import annotations

import pytest

from c360.grants import Role
from c360.guard import GuardError, guard_select

MM = Role.MARKETING_MANAGER


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        # DML / DDL / session commands
        ("UPDATE gold.customer_360_profile SET lifetime_value = 0", "only SELECT"),
        ("INSERT INTO gold.customer_360_profile SELECT * FROM gold.customer_360_profile", "only SELECT"),
        ("DELETE FROM gold.fct_transactions", "only SELECT"),
        ("MERGE INTO gold.x USING gold.y ON x.id = y.id WHEN MATCHED THEN DELETE", "only SELECT"),
        ("DROP TABLE gold.customer_360_profile", "only SELECT"),
        ("CREATE OR REPLACE TABLE gold.x AS SELECT 1", "only SELECT"),
        ("ALTER TABLE gold.x RENAME TO y", "only SELECT"),
        ("TRUNCATE gold.fct_transactions", "only SELECT"),
        ("GRANT SELECT ON gold.x TO ROLE public", "only SELECT"),
        ("COPY (SELECT * FROM gold.customer_360_profile) TO '/tmp/out.csv'", "only SELECT"),
        ("SET memory_limit = '100GB'", "only SELECT"),
        ("ATTACH '/tmp/other.duckdb' AS other", "only SELECT"),
        ("INSTALL httpfs", "only SELECT"),
        ("CALL pragma_version()", "only SELECT"),
        ("USE bronze", "only SELECT"),
        ("SHOW TABLES", "only SELECT"),
        # more than one statement, however it is hidden
        ("SELECT 1; DROP TABLE gold.fct_transactions", "exactly one statement"),
        ("SELECT 1 /* ; */ ; DROP TABLE gold.fct_transactions", "exactly one statement"),
        ("SELECT * FROM gold.customer_360_profile --\n; DELETE FROM gold.x", "exactly one statement"),
        ("SELECT 1;SELECT 2", "exactly one statement"),
        # schemas MARKETING_MANAGER may not read, however they are spelled or reached
        ("SELECT * FROM bronze.bronze_customers", "may not read BRONZE"),
        ('SELECT * FROM "BRONZE"."BRONZE_CUSTOMERS"', "may not read BRONZE"),
        ("SELECT/**/*/**/FROM/**/bronze.bronze_customers", "may not read BRONZE"),
        ("SELECT * FROM customer_analytics.silver.stg_customers", "may not read SILVER"),
        ("SELECT * FROM observability.assistant_requests", "may not read OBSERVABILITY"),
        ("SELECT * FROM information_schema.tables", "may not read INFORMATION_SCHEMA"),
        (
            "SELECT * FROM gold.x WHERE EXISTS (SELECT 1 FROM bronze.bronze_transactions)",
            "may not read BRONZE",
        ),
        ("WITH t AS (SELECT * FROM silver.stg_transactions) SELECT * FROM t", "may not read SILVER"),
        ("SELECT * FROM gold.x UNION ALL SELECT * FROM bronze.bronze_customers", "may not read BRONZE"),
        ("SELECT * FROM system.information_schema.tables", "database system is not allowed"),
        ("SELECT * FROM other_db.gold.customer_360_profile", "database other_db is not allowed"),
        # functions and sources that read files, settings, stages or run nested SQL
        ("SELECT * FROM read_csv_auto('/etc/passwd')", "read_csv_auto"),
        ("SELECT * FROM read_parquet('s3://bucket/x.parquet')", "read_parquet"),
        ("SELECT * FROM 'secrets.csv'", "file paths are not allowed"),
        ("SELECT * FROM gold.x JOIN '/etc/passwd' ON TRUE", "file paths are not allowed"),
        ("SELECT * FROM glob('/home/*')", "glob"),
        ("SELECT getenv('SNOWFLAKE_PASSWORD')", "getenv"),
        ("SELECT current_setting('temp_directory')", "current_setting"),
        ("SELECT * FROM query('SELECT * FROM bronze.bronze_customers')", "query"),
        ("SELECT * FROM duckdb_settings()", "duckdb_settings"),
        ("SELECT * FROM pragma_table_info('x')", "table functions"),
        ("SELECT * FROM @gold.semantic_stage", "stage references"),
        ("SELECT SYSTEM$WHITELIST()", r"system\$whitelist"),
    ],
)
def test_guard_refuses_attacks_with_a_clear_reason(sql: str, reason: str) -> None:
    with pytest.raises(GuardError, match=reason):
        guard_select(sql, MM)


def test_snowflake_dialect_refuses_stages_and_file_literals() -> None:
    with pytest.raises(GuardError, match="stage"):
        guard_select(
            "SELECT $1 FROM @CUSTOMER_ANALYTICS.GOLD.SEMANTIC_STAGE/semantic_model.yaml",
            MM,
            dialect="snowflake",
        )
    with pytest.raises(GuardError, match="may not read BRONZE"):
        guard_select("SELECT * FROM CUSTOMER_ANALYTICS.BRONZE.BRONZE_CUSTOMERS", MM, dialect="snowflake")


@pytest.mark.parametrize(
    "sql",
    [
        "/* a leading comment */ SELECT customer_id FROM gold.customer_360_profile",
        "SELECT customer_id FROM gold.customer_360_profile -- trailing comment",
        "SELECT 'from' AS word, 'drop table' AS text FROM gold.customer_360_profile",
        "SELECT full_name FROM gold.customer_360_profile WHERE full_name = 'O''Brien'",
    ],
)
def test_harmless_comments_and_keywords_in_strings_pass_and_comments_are_stripped(sql: str) -> None:
    guarded = guard_select(sql, MM)
    assert "/*" not in guarded.sql and "--" not in guarded.sql
    assert guarded.tables == ("GOLD.CUSTOMER_360_PROFILE",)


def test_other_roles_follow_the_grant_matrix() -> None:
    assert guard_select("SELECT * FROM silver.stg_customers", Role.DATA_SCIENTIST).tables == (
        "SILVER.STG_CUSTOMERS",
    )
    assert guard_select("SELECT * FROM bronze.bronze_customers", Role.DATA_ANALYST).tables == (
        "BRONZE.BRONZE_CUSTOMERS",
    )
    with pytest.raises(GuardError, match="may not read BRONZE"):
        guard_select("SELECT * FROM bronze.bronze_customers", Role.DATA_SCIENTIST)
