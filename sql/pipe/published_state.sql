-- What a reader sees of the streamed files, in one statement (one consistent read), for the fault-injection
-- harness's reader (c360/bench/faultinjection.py). A completely published state has
--   bronze_rows = history_loaded          (a file's rows and its LOAD_HISTORY row commit together)
--   quarantined_rows = history_quarantined
--   silver_rows = bronze_rows             (published only after the refresh that took every bronze row)
--   fact_rows = silver_rows, gold_mismatches = 0 (gold reconciles with silver, per customer)
-- Parameter: the streaming prefix (five times).
with

history as (
    select
        coalesce(sum(rows_loaded), 0) as history_loaded,
        coalesce(sum(rows_quarantined), 0) as history_quarantined,
        count(*) as history_files
    from OBSERVABILITY.LOAD_HISTORY
    where starts_with(file_name, ?) and status not in ('SKIPPED_DUPLICATE', 'FILE_MISSING')
),

bronze as (
    select count(*) as bronze_rows
    from BRONZE.BRONZE_TRANSACTIONS
    where starts_with(source_file, ?)
),

quarantined as (
    select count(*) as quarantined_rows
    from OBSERVABILITY.QUARANTINE
    where starts_with(file_name, ?) and row_number > 0
),

silver as (
    select count(*) as silver_rows
    from SILVER.STG_TRANSACTIONS
    where starts_with(source_file, ?)
),

fact as (
    select count(*) as fact_rows
    from GOLD.FCT_TRANSACTIONS as f
    inner join SILVER.STG_TRANSACTIONS as s
        on f.transaction_id = s.transaction_id
    where starts_with(s.source_file, ?)
),

known_customers as (
    select customer_id from SILVER.STG_CUSTOMERS
),

silver_spend as (
    select
        t.customer_id,
        count(*) as silver_count,
        sum(case when t.is_approved then t.transaction_amount else 0 end) as spend
    from SILVER.STG_TRANSACTIONS as t
    inner join known_customers as k
        on t.customer_id = k.customer_id
    group by t.customer_id
),

fact_spend as (
    select
        customer_id,
        count(*) as fact_count,
        sum(case when is_approved then transaction_amount else 0 end) as spend
    from GOLD.FCT_TRANSACTIONS
    group by customer_id
),

per_customer as (
    select
        coalesce(s.customer_id, f.customer_id, p.customer_id) as customer_id,
        coalesce(s.silver_count, 0) as silver_count,
        coalesce(f.fact_count, 0) as fact_count,
        coalesce(s.spend, 0) as silver_spend,
        coalesce(f.spend, 0) as fact_spend,
        p.lifetime_value as profile_spend
    from silver_spend as s
    full outer join fact_spend as f
        on s.customer_id = f.customer_id
    full outer join GOLD.CUSTOMER_360_PROFILE as p
        on coalesce(s.customer_id, f.customer_id) = p.customer_id
),

gold as (
    select count(*) as gold_mismatches
    from per_customer
    where silver_count <> fact_count
        or silver_spend <> fact_spend
        or profile_spend is null
        or profile_spend <> silver_spend
)

select *
from history, bronze, quarantined, silver, fact, gold
