{#-
    One row per customer with transactions: lifetime totals and the rolling windows every customer mart
    uses, all anchored on the as-of date (dbt var `as_of`). Spend = APPROVED transactions only;
    declined attempts are counted separately.

    Windows (half-open, days relative to the as-of midnight):
      last 30 days  [as_of - 30, ...)      last 90 days [as_of - 90, ...)   prior 90 days [as_of - 180, as_of - 90)
      baseline 180 days [as_of - 270, as_of - 90): the customer's own earlier level, for "declining"
    The recent windows are open-ended so transactions streamed in after the as-of date count as recent.

    Incremental (delete+insert by customer): a run recomputes every customer who has silver rows loaded
    since this table's last load, from all of that customer's silver rows, so the result always equals a
    full rebuild. An as-of change requires --full-refresh (checked).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
) }}

{% if is_incremental() %}{{ c360.assert_as_of_unchanged(this) }}{% endif %}

{%- set last_30 = c360.as_of_plus_days(-30) -%}
{%- set last_90 = c360.as_of_plus_days(-90) -%}
{%- set prior_90 = c360.as_of_plus_days(-180) -%}
{%- set baseline = c360.as_of_plus_days(-270) -%}

with

{{ c360.changed_customers_scope(ref('stg_transactions')) }}

aggregated as (
    select
        customer_id,
        count(*) as attempted_transactions,
        sum(case when is_approved then 1 else 0 end) as approved_transactions,
        sum(case when is_approved then 0 else 1 end) as declined_transactions,
        {{ c360.money('sum(case when is_approved then transaction_amount else 0 end)') }} as lifetime_spend,
        min(case when is_approved then transaction_date end) as first_transaction_at,
        max(case when is_approved then transaction_date end) as last_transaction_at,
        max(transaction_date) as last_attempt_at,
        min(case when is_approved then transaction_amount end) as min_transaction_value,
        max(case when is_approved then transaction_amount end) as max_transaction_value,
        stddev_samp(case when is_approved then transaction_amount end) as transaction_value_stddev,

        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ last_30 ~ ' then transaction_amount else 0 end)') }}
            as spend_last_30_days,
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ last_90 ~ ' then transaction_amount else 0 end)') }}
            as spend_last_90_days,
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ prior_90 ~ ' and transaction_date < ' ~ last_90 ~ ' then transaction_amount else 0 end)') }}
            as spend_prior_90_days,
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ baseline ~ ' and transaction_date < ' ~ last_90 ~ ' then transaction_amount else 0 end)') }}
            as spend_baseline_180_days,
        sum(case when is_approved and transaction_date >= {{ last_30 }} then 1 else 0 end) as transactions_last_30_days,
        sum(case when is_approved and transaction_date >= {{ last_90 }} then 1 else 0 end) as transactions_last_90_days,
        sum(
            case when is_approved and transaction_date >= {{ prior_90 }} and transaction_date < {{ last_90 }} then 1 else 0 end
        ) as transactions_prior_90_days,
        sum(case when not is_approved and transaction_date >= {{ last_90 }} then 1 else 0 end) as declined_last_90_days,
        sum(case when transaction_date >= {{ last_90 }} then 1 else 0 end) as attempts_last_90_days,

        -- the retention campaign's periods (macros/campaign.sql)
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ c360.campaign_pre_start() ~ ' and transaction_date < ' ~ c360.campaign_offer_month() ~ ' then transaction_amount else 0 end)') }}
            as campaign_pre_spend,
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ c360.campaign_post_start() ~ ' and transaction_date < ' ~ c360.as_of_timestamp() ~ ' then transaction_amount else 0 end)') }}
            as campaign_post_spend,
        sum(
            case when is_approved and transaction_date >= {{ c360.campaign_post_start() }} and transaction_date < {{ c360.as_of_timestamp() }} then 1 else 0 end
        ) as campaign_post_transactions
    from scoped
    group by customer_id
),

final as (
    select
        *,
        {{ c360.as_of_date() }} as as_of,
        {{ c360.load_timestamp() }} as loaded_at
    from aggregated
)

select * from final
