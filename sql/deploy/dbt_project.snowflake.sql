-- The dbt project as a Snowflake DBT PROJECT object, from the files the stack put on DBT_PROJECT_STAGE.
-- Rendered by components/ingestion.py: ${content_hash} is the sha256 of the uploaded files, so a changed
-- project replaces the object (delete-before-replace runs dbt_project_drop first).
create or replace dbt project CUSTOMER_ANALYTICS.BRONZE.C360_DBT
    from '@CUSTOMER_ANALYTICS.BRONZE.DBT_PROJECT_STAGE/c360_dbt'
    default_target = snowflake
    comment = 'c360 dbt project, content ${content_hash}'
