{#-
    The forward-looking churn label for every customer at every cutoff whose outcome window is complete
    (train and validation cutoffs). A customer churned when, in the outcome window [T, T + horizon):
      - they had a run of at least ml_label_inactive_days consecutive days without an approved
        transaction (counted from T and up to the end of the window; no transaction at all = the whole
        window), or
      - their average monthly approved spend in the window fell below ml_label_spend_ratio x their
        baseline: the average monthly approved spend over the ml_baseline_days before T (over the part of
        that year the account was open and history exists, at least ml_min_baseline_days).
    "Monthly" = per 30.4375 days on both sides, so an unchanged daily spend rate gives a ratio of exactly 1.
    Everything after T is used here and ONLY here: no feature model may ref this one.
-#}
{%- set days_per_month = 30.4375 -%}

with

cutoffs as (
    select * from {{ ref('ml_cutoffs') }}
    where has_outcome
),

features as (
    select
        customer_id,
        cutoff_date,
        is_active_at_cutoff,
        baseline_monthly_spend
    from {{ ref('ml_customer_features') }}
    where dataset in ('train', 'validation')
),

days as (
    select customer_id, activity_date, previous_active_date, approved_transactions, approved_spend_cents
    from {{ ref('ml_customer_days') }}
    where approved_transactions > 0
),

-- active days in the outcome window [cutoff, cutoff + horizon) of each cutoff with an outcome
outcome_days as (
    select
        k.cutoff_date,
        d.customer_id,
        d.activity_date,
        d.previous_active_date,
        d.approved_transactions,
        d.approved_spend_cents,
        k.label_horizon_days
    from days as d
    inner join cutoffs as k
        on d.activity_date >= k.cutoff_date
        and d.activity_date < cast(k.outcome_end_at as date)
),

outcome_spend as (
    select
        customer_id,
        cutoff_date,
        sum(approved_spend_cents) as outcome_spend_cents,
        sum(approved_transactions) as outcome_transactions,
        max(activity_date) as last_outcome_day,
        -- idle days before each active day, counted from the cutoff at most
        max(
            least(
                coalesce({{ dbt.datediff('previous_active_date', 'activity_date', 'day') }} - 1, label_horizon_days),
                {{ dbt.datediff('cutoff_date', 'activity_date', 'day') }}
            )
        ) as longest_idle_before_last
    from outcome_days
    group by customer_id, cutoff_date
),

joined as (
    select
        f.customer_id,
        f.cutoff_date,
        k.dataset,
        f.is_active_at_cutoff,
        f.baseline_monthly_spend,
        coalesce(s.outcome_spend_cents, 0) / 100.0 as outcome_spend,
        coalesce(s.outcome_transactions, 0) as outcome_transactions,
        coalesce(s.outcome_spend_cents, 0) / 100.0 / k.label_horizon_days * {{ days_per_month }} as outcome_monthly_spend,
        case
            when s.last_outcome_day is null then k.label_horizon_days
            else greatest(
                coalesce(s.longest_idle_before_last, 0),
                -- idle days after the last active day up to the window's last day (cutoff + horizon - 1)
                {{ dbt.datediff('s.last_outcome_day', 'cast(k.outcome_end_at as date)', 'day') }} - 1
            )
        end as longest_idle_days,
        k.label_inactive_days,
        k.label_spend_ratio
    from features as f
    inner join cutoffs as k
        on f.cutoff_date = k.cutoff_date
    left join outcome_spend as s
        on f.customer_id = s.customer_id
        and f.cutoff_date = s.cutoff_date
),

final as (
    select
        customer_id,
        cutoff_date,
        dataset,
        is_active_at_cutoff,
        baseline_monthly_spend,
        outcome_spend,
        outcome_transactions,
        outcome_monthly_spend,
        longest_idle_days,
        {{ c360.safe_divide('outcome_monthly_spend', 'baseline_monthly_spend') }} as spend_ratio_to_baseline,
        longest_idle_days >= label_inactive_days as is_inactive_churn,
        baseline_monthly_spend > 0 and outcome_monthly_spend < label_spend_ratio * baseline_monthly_spend
            as is_spend_drop_churn,
        (
            longest_idle_days >= label_inactive_days
            or (baseline_monthly_spend > 0 and outcome_monthly_spend < label_spend_ratio * baseline_monthly_spend)
        ) as churned
    from joined
)

select * from final
