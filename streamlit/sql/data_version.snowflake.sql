-- (Snowflake only) The data version the app's caches key on in Streamlit in Snowflake: when a GOLD table last
-- changed, and how many there are. The owner role reads GOLD only, so the pipeline's own watermark
-- (OBSERVABILITY.LOAD_HISTORY.gold_refreshed_at) is out of its reach; every load, dbt build and incremental
-- refresh alters the GOLD tables it writes (LAST_ALTERED: the last DML, DDL or metadata change).
select
    max(last_altered) as last_altered,
    count(*) as tables
from customer_analytics.information_schema.tables
where table_schema = 'GOLD'
