-- Revert of deploy/dbt_project.snowflake.sql (pulumi destroy, or before a replacement).
drop dbt project if exists CUSTOMER_ANALYTICS.BRONZE.C360_DBT
