-- The dbt project as a Snowflake DBT PROJECT object, from the files the stack put on DBT_PROJECT_STAGE.
-- Rendered by components/ingestion.py: {{ content_hash }} is the sha256 of the uploaded files, so a changed
-- project replaces the object (delete-before-replace runs dbt_project_drop first). {{ dbt_version }} pins the
-- dbt Core version Snowflake runs it with to the exact dbt-core pin CI tests (pyproject.toml); Snowflake runs
-- only the versions SYSTEM$SUPPORTED_DBT_VERSIONS() lists (1.9.4, 1.10.15):
-- https://docs.snowflake.com/en/release-notes/2026/other/2026-03-02-dbt-core-versions
create or replace dbt project CUSTOMER_ANALYTICS.BRONZE.C360_DBT
    from '@CUSTOMER_ANALYTICS.BRONZE.DBT_PROJECT_STAGE/c360_dbt'
    dbt_version = '{{ dbt_version }}'
    default_target = snowflake
    comment = 'c360 dbt project, content {{ content_hash }}'
