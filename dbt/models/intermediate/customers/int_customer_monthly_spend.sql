{#-
    Monthly approved spend per customer on a complete month spine: every month from the later of the
    history's first month and the account-opening month up to the later of the as-of month and the last
    month with data. Months without spend are 0, so month-over-month changes compare consecutive
    calendar months.
    is_complete_month: the calendar month ended on or before the as-of date AND the account was open
    for all of it (opened on or before the 1st).

    Incremental (delete+insert by customer): recomputes the customers with new monthly totals or a new
    delivery since the last load, and customers not here yet; everyone when the spine's first or last
    month moved (data before the history start, or the first streamed month after the as-of month).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
) }}

{%- set rebuild_all = true -%}
{%- if is_incremental() -%}
    {%- set watermark = c360.watermark_literal(this, 'loaded_at', check_as_of=true) -%}
    {%- if execute -%}
        {%- set data = run_query("select min(month_start), max(month_start) from " ~ ref('int_customer_month_totals')).rows[0] -%}
        {%- set built = run_query("select min(month_start), max(month_start) from " ~ this).rows[0] -%}
        {%- set as_of_month = c360.as_of_literal()[:8] ~ '01' -%}
        {%- set data_last = [data[1] | string, as_of_month] | max -%}
        {%- set rebuild_all = (data[0] | string) != (built[0] | string) or data_last != (built[1] | string) -%}
    {%- endif -%}
{%- endif %}

with

customers as (
    select customer_id, account_open_date from {{ ref('stg_customers') }}
    {%- if not rebuild_all %}
    where customer_id in (
            select customer_id from {{ ref('int_customer_month_totals') }} where loaded_at > {{ watermark }}
        )
        or customer_id in (select customer_id from {{ ref('stg_customers') }} where ingested_at > {{ watermark }})
        {#- customers with no row here yet: every stored customer has exactly one first month
            (customer_month_number = 1), so this reads one row per customer, not every month of each -#}
        or customer_id not in (select customer_id from {{ this }} where customer_month_number = 1)
    {%- endif %}
),

{#- the monthly totals of the customers recomputed (every customer's on a rebuild) -#}
totals as (
    select * from {{ ref('int_customer_month_totals') }}
    {%- if not rebuild_all %}
    where customer_id in (select customer_id from customers)
    {%- endif %}
),

{#- the history's first and last month with data: the incremental branch has just read them (`data`) -#}
bounds as (
    {%- if data is defined %}
    select
        {{ c360.date_literal(data[0]) }} as first_month,
        {{ c360.date_literal(data[1]) }} as last_data_month
    {%- else %}
    select
        min(month_start) as first_month,
        max(month_start) as last_data_month
    from {{ ref('int_customer_month_totals') }}
    {%- endif %}
),

spine_bounds as (
    select
        first_month,
        case
            when last_data_month > {{ c360.as_of_month_plus(0) }} then last_data_month
            else {{ c360.as_of_month_plus(0) }}
        end as last_month
    from bounds
    where first_month is not null
),

months as (
    select {{ c360.add_months('b.first_month', 's.n') }} as month_start
    from spine_bounds as b
    cross join {{ c360.integer_series(1200) }} as s
    where s.n <= {{ dbt.datediff('b.first_month', 'b.last_month', 'month') }}
),

customer_months as (
    select
        c.customer_id,
        c.account_open_date,
        m.month_start
    from customers as c
    inner join months as m
        on m.month_start >= {{ c360.month_start('c.account_open_date') }}
),

filled as (
    select
        cm.customer_id,
        cm.month_start,
        {{ c360.add_months('cm.month_start', 1) }} as next_month_start,
        coalesce(t.approved_spend, 0) as monthly_spend,
        coalesce(t.approved_transactions, 0) as approved_transactions,
        coalesce(t.declined_transactions, 0) as declined_transactions,
        cm.account_open_date
    from customer_months as cm
    left join totals as t
        on cm.customer_id = t.customer_id
        and cm.month_start = t.month_start
),

final as (
    select
        customer_id,
        month_start,
        row_number() over (partition by customer_id order by month_start) as customer_month_number,
        {{ c360.money('monthly_spend') }} as monthly_spend,
        {{ c360.money('lag(monthly_spend) over (partition by customer_id order by month_start)') }}
            as prior_month_spend,
        approved_transactions,
        declined_transactions,
        (next_month_start <= {{ c360.as_of_date() }} and account_open_date <= month_start) as is_complete_month,
        {{ c360.as_of_date() }} as as_of,
        {{ c360.load_timestamp() }} as loaded_at
    from filled
)

select * from final
