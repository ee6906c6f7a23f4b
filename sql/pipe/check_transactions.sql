-- The pipe's value checks: COPY's type conversion plus the platform's row rules, for one file's rows.
-- Input: pipe_rows (row_number, the eight columns as text, already trimmed with NULL_IF applied by
-- c360/landing/csvfile.py). Output: temp table pipe_rejected (row_number, reason_code, reason) for the rows
-- that fail a rule; the first rule that fails wins, in the order below. Bound parameters, in text order
-- (c360/landing/pipe.py `check_parameters` builds them):
--   1 largest accepted amount   2 latest accepted transaction_date (pipe clock + tolerance)
--   3 earliest accepted transaction_date   4 channels   5 statuses   6 merchant categories
--   7 the amount limit (text)   8 the pipe clock + tolerance (text)   9 the earliest date (text)
--   10 channels (text)   11 statuses (text)
create or replace temp table pipe_rejected as
with source as (
    select * from pipe_rows
),

typed as (
    select
        s.*,
        case
            when regexp_full_match(s.transaction_date, '\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?')
                then try_cast(s.transaction_date as timestamp)
        end as transaction_at,
        try_cast(s.transaction_amount as double) as amount_number,
        regexp_full_match(s.transaction_amount, '[+-]?\d{1,10}(\.\d{1,2})?') as is_plain_amount,
        c.customer_id is not null as is_known_customer
    from source as s
    left join (select distinct customer_id from BRONZE.BRONZE_CUSTOMERS) as c
        on s.customer_id = c.customer_id
),

rules as (
    select
        *,
        case
            when transaction_id is null then 'MISSING_TRANSACTION_ID'
            when length(transaction_id) > 64 then 'BAD_TRANSACTION_ID'
            when customer_id is null then 'MISSING_CUSTOMER_ID'
            when transaction_date is null then 'MISSING_TIMESTAMP'
            when transaction_at is null then 'BAD_TIMESTAMP'
            when transaction_amount is null then 'MISSING_AMOUNT'
            when amount_number is null or isnan(amount_number) or isinf(amount_number) then 'BAD_AMOUNT'
            when amount_number <= 0 then 'NON_POSITIVE_AMOUNT'
            when amount_number > ? then 'AMOUNT_TOO_LARGE'
            when not is_plain_amount then 'BAD_AMOUNT'
            when transaction_at > ? then 'FUTURE_TIMESTAMP'
            when transaction_at < ? then 'TIMESTAMP_TOO_OLD'
            when not is_known_customer then 'UNKNOWN_CUSTOMER'
            when channel is null or not list_contains(?::varchar[], channel) then 'BAD_CHANNEL'
            when status is null or not list_contains(?::varchar[], status) then 'BAD_STATUS'
            when merchant_category is not null and not list_contains(?::varchar[], merchant_category)
                then 'UNKNOWN_CATEGORY'
        end as rule_code
    from typed
),

repeated_in_file as (
    -- ids that occur more than once among the rows that pass every other rule: all but the first go
    select transaction_id, min(row_number) as first_row
    from rules
    where rule_code is null
    group by transaction_id
    having count(*) > 1
),

already_loaded as (
    select
        b.transaction_id,
        arg_min(b.source_file || ' (row ' || b.source_row_number || ')', b.ingestion_timestamp) as loaded_from
    from BRONZE.BRONZE_TRANSACTIONS as b
    where b.transaction_id in (select transaction_id from rules where rule_code is null)
    group by b.transaction_id
),

decided as (
    select
        r.*,
        d.first_row,
        l.loaded_from,
        case
            when r.rule_code is not null then r.rule_code
            when r.row_number > d.first_row then 'DUPLICATE_IN_FILE'
            when l.loaded_from is not null then 'DUPLICATE_ALREADY_LOADED'
        end as reason_code
    from rules as r
    left join repeated_in_file as d on r.transaction_id = d.transaction_id and r.rule_code is null
    left join already_loaded as l on r.transaction_id = l.transaction_id and r.rule_code is null
)

select
    row_number,
    reason_code,
    case reason_code
        when 'MISSING_TRANSACTION_ID' then 'transaction_id is empty'
        when 'BAD_TRANSACTION_ID' then 'transaction_id is longer than 64 characters'
        when 'MISSING_CUSTOMER_ID' then 'customer_id is empty'
        when 'MISSING_TIMESTAMP' then 'transaction_date is empty'
        when 'BAD_TIMESTAMP'
            then 'transaction_date ''' || left(transaction_date, 40) || ''' is not a valid timestamp (expected YYYY-MM-DD HH:MM:SS)'
        when 'MISSING_AMOUNT' then 'transaction_amount is empty'
        when 'BAD_AMOUNT'
            then 'transaction_amount ''' || left(transaction_amount, 40) || ''' is not a number with at most 2 decimals'
        when 'NON_POSITIVE_AMOUNT'
            then 'transaction_amount ' || transaction_amount || ' is not positive'
        when 'AMOUNT_TOO_LARGE'
            then 'transaction_amount ' || left(transaction_amount, 40) || ' exceeds the per-transaction limit of ' || ?
        when 'FUTURE_TIMESTAMP'
            then 'transaction_date ' || strftime(transaction_at, '%Y-%m-%d %H:%M:%S') || ' is in the future (' || ? || ')'
        when 'TIMESTAMP_TOO_OLD'
            then 'transaction_date ' || strftime(transaction_at, '%Y-%m-%d %H:%M:%S') || ' is before ' || ?
        when 'UNKNOWN_CUSTOMER' then 'customer_id ''' || left(customer_id, 40) || ''' is not a known customer'
        when 'BAD_CHANNEL'
            then coalesce('channel ''' || left(channel, 40) || ''' is not one of ', 'channel is empty; expected one of ') || ?
        when 'BAD_STATUS'
            then coalesce('status ''' || left(status, 40) || ''' is not one of ', 'status is empty; expected one of ') || ?
        when 'UNKNOWN_CATEGORY'
            then 'merchant_category ''' || left(merchant_category, 40) || ''' is not a known category'
        when 'DUPLICATE_IN_FILE'
            then 'duplicate transaction_id ''' || transaction_id || ''' (first at row ' || first_row || ' of this file)'
        when 'DUPLICATE_ALREADY_LOADED'
            then 'duplicate transaction_id ''' || transaction_id || ''' already loaded from ' || loaded_from
    end as reason
from decided
where reason_code is not null
