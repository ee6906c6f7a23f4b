{#- Calendar dimension covering the data, not the run date: from 1 January of the year of the earliest
    account opening or transaction to 31 December of the year after the later of the as-of date and the
    last transaction (room for streamed data). -#}
with

customers as (
    select min(account_open_date) as first_open_date from {{ ref('stg_customers') }}
),

transactions as (
    select
        cast(min(transaction_date) as date) as first_transaction_date,
        cast(max(transaction_date) as date) as last_transaction_date
    from {{ ref('stg_transactions') }}
),

bounds as (
    select
        cast(
            {{ dbt.date_trunc('year', "case when c.first_open_date is not null and (t.first_transaction_date is null or c.first_open_date < t.first_transaction_date) then c.first_open_date when t.first_transaction_date is not null then t.first_transaction_date else " ~ c360.as_of_date() ~ " end") }}
            as date
        ) as first_day,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('year', 2, dbt.date_trunc('year', "case when t.last_transaction_date > " ~ c360.as_of_date() ~ " then t.last_transaction_date else " ~ c360.as_of_date() ~ " end"))) }}
            as date
        ) as last_day
    from customers as c
    cross join transactions as t
),

days as (
    select {{ c360.add_days('b.first_day', 's.n') }} as date_day
    from bounds as b
    cross join {{ c360.integer_series(40000) }} as s
    where s.n <= {{ dbt.datediff('b.first_day', 'b.last_day', 'day') }}
),

parts as (
    select
        date_day,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast({{ c360.iso_day_of_week('date_day') }} as integer) as day_of_week,
        cast({{ c360.iso_week_of_year('date_day') }} as integer) as week_of_year,
        {{ c360.month_start('date_day') }} as month_start_date
    from days
),

final as (
    select
        year_number * 10000 + month_number * 100 + day_of_month as date_key,
        date_day,
        year_number as year,
        quarter_number as quarter,
        month_number as month,
        case month_number
            when 1 then 'January' when 2 then 'February' when 3 then 'March' when 4 then 'April'
            when 5 then 'May' when 6 then 'June' when 7 then 'July' when 8 then 'August'
            when 9 then 'September' when 10 then 'October' when 11 then 'November' else 'December'
        end as month_name,
        cast(year_number as {{ dbt.type_string() }}) || '-'
            || lpad(cast(month_number as {{ dbt.type_string() }}), 2, '0') as year_month,
        month_start_date,
        day_of_month,
        day_of_week,
        case day_of_week
            when 1 then 'Monday' when 2 then 'Tuesday' when 3 then 'Wednesday' when 4 then 'Thursday'
            when 5 then 'Friday' when 6 then 'Saturday' else 'Sunday'
        end as day_name,
        week_of_year,
        day_of_week in (6, 7) as is_weekend,
        {{ c360.add_days(c360.add_months('month_start_date', 1), -1) }} = date_day as is_month_end,
        {{ dbt.datediff('month_start_date', c360.as_of_month_plus(0), 'month') }} as months_before_as_of,
        date_day < {{ c360.as_of_date() }} as is_before_as_of
    from parts
)

select * from final
