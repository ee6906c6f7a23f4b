-- What has arrived in bronze transactions: the dbt_build step compares it with what the last build saw.
select count(*) as row_count, cast(max(ingestion_timestamp) as varchar) as max_ingested_at
from BRONZE.BRONZE_TRANSACTIONS
