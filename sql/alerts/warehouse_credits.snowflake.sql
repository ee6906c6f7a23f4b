-- Alert warehouse_credits (info) on Snowflake: credits C360_WH used in the last 24 hours, from the warehouse's
-- metering history (the alert's owner needs MONITOR USAGE on the account, granted by the stack:
-- https://docs.snowflake.com/en/sql-reference/functions/warehouse_metering_history).
select coalesce(sum(credits_used), 0) as observed_value
from table(
    CUSTOMER_ANALYTICS.information_schema.warehouse_metering_history(
        date_range_start => dateadd(hour, -24, current_timestamp()),
        warehouse_name => 'C360_WH'
    )
)
