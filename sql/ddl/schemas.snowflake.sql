-- Schemas both targets need. Idempotent. On Snowflake the Pulumi stack normally creates these
-- (with grants); this file lets `c360 up --target snowflake` run against a bare database too.
create database if not exists CUSTOMER_ANALYTICS;
use database CUSTOMER_ANALYTICS;
create schema if not exists BRONZE comment = 'Raw landing: files as delivered, plus load metadata';
create schema if not exists SILVER comment = 'Cleaned, typed, de-duplicated staging (dbt)';
create schema if not exists GOLD comment = 'Analytics-ready star schema, marts, churn scores (dbt + ML)';
create schema if not exists OBSERVABILITY comment = 'Pipeline runs, data quality, load history, quarantine';
