-- Last task of the DAG (C360_TXN_REFRESH, after the load and quarantine records): the same incremental
-- dbt selection `c360 stream` runs locally (stg_transactions and everything downstream of it), executed
-- by Snowflake from the DBT PROJECT object the stack deploys from dbt/. Rendered by
-- components/ingestion.py: {{ as_of }} is the stack's validated as-of date (the project's `as_of` var).
execute dbt project CUSTOMER_ANALYTICS.BRONZE.C360_DBT
    args = 'build --select stg_transactions+ --target snowflake --vars "{as_of: {{ as_of }}}"'
