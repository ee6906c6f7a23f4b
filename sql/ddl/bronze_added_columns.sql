-- Columns added to bronze tables after the first release, for LOCAL warehouses created before them
-- (c360/steps/provision.py runs this on DuckDB only). On Snowflake the Pulumi stack declares the bronze
-- tables from sql/ddl/bronze.sql and changes them itself; the deploy role may not ALTER them.
-- updated_at: when the source system recorded this state of the customer (the snapshot dates card versions).
alter table BRONZE.BRONZE_CUSTOMERS add column if not exists updated_at timestamp;
