{#-
    Churn-model features for every customer at every cutoff in ml_cutoffs (train, validation, scoring),
    computed by this one model so training and scoring can never use different definitions.

    Point in time: a feature at cutoff T reads only transactions strictly before T's midnight
    (transaction_date < cutoff_at) and at most ml_baseline_days back, and the card version recorded by T
    (at the scoring cutoff: the current version). Nothing at or after T, and no generator-truth column
    (synthetic segment, decline type, attrition) or campaign assignment, is read.
    Spend = APPROVED transactions; declined attempts only feed the declined-rate features.
    Windows are whole days before the cutoff: "30d" = the 30 days before T (days_before 1..30).
    Every feature is non-null (zero-safe ratios), so both trainers see the same complete matrix.
-#}
{%- set baseline_days = c360.ml_param('ml_baseline_days') | int -%}
{%- set population_days = c360.ml_param('ml_population_active_days') | int -%}
{%- if population_days not in (30, 60, 90, 120, 150, 180) -%}
    {{ exceptions.raise_compiler_error("ml_population_active_days must be a multiple of 30 up to 180, got " ~ population_days) }}
{%- endif -%}
{%- set population_buckets = population_days // 30 -%}
{%- set min_baseline_days = c360.ml_param('ml_min_baseline_days') | int -%}
{%- set days_per_month = 30.4375 -%}
{%- set buckets = range(6) -%}

with

cutoffs as (
    select * from {{ ref('ml_cutoffs') }}
),

versions as (
    select
        customer_id,
        customer_version,
        age,
        state,
        employment_status,
        account_open_date,
        card_type,
        credit_limit,
        valid_from,
        is_current
    from {{ ref('dim_customer') }}
),

states as (
    select state_code, region from {{ ref('stg_us_states') }}
),

days as (
    select * from {{ ref('ml_customer_days') }}
),

-- read from the model, not the `days` CTE: DuckDB materialises a CTE referenced twice (all ~10M days)
history as (
    select min(activity_date) as history_start_date
    from {{ ref('ml_customer_days') }}
),

-- the customer as known at each cutoff: accounts opened before it, with the latest card version recorded
-- by then (version 1 stands for the time before the first snapshot); at the scoring cutoff, the current one
customers_at_cutoff as (
    select
        k.dataset,
        k.cutoff_date,
        k.as_of_date,
        v.customer_id,
        v.age,
        v.state,
        v.employment_status,
        v.account_open_date,
        v.card_type,
        v.credit_limit
    from cutoffs as k
    inner join versions as v
        on (v.account_open_date is null or v.account_open_date < k.cutoff_date)
        and (
            v.customer_version = 1
            or v.valid_from <= k.cutoff_at
            or (k.dataset = 'scoring' and v.is_current)
        )
    qualify row_number() over (
        partition by k.cutoff_date, v.customer_id
        order by
            case when k.dataset = 'scoring' and v.is_current then 1 else 0 end desc,
            v.valid_from desc,
            v.customer_version desc
    ) = 1
),

-- every day with activity in the lookback window [cutoff - baseline_days, cutoff) of each cutoff, in
-- 30-day buckets before it: 0 = days 1-30, ..., 5 = days 151-180, 6 = days 181 and older
lookback as (
    select
        k.cutoff_date,
        d.*,
        {{ dbt.datediff('d.activity_date', 'k.cutoff_date', 'day') }} as days_before
    from days as d
    inner join cutoffs as k
        on d.activity_date < k.cutoff_date
        and d.activity_date >= {{ c360.add_days('k.cutoff_date', -baseline_days) }}
),

bucketed as (
    select
        customer_id,
        cutoff_date,
        least(cast(floor((days_before - 1) / 30.0) as integer), 6) as bucket,
        sum(approved_transactions) as approved_transactions,
        sum(approved_spend_cents) as approved_spend_cents,
        sum(travel_spend_cents) as travel_spend_cents,
        sum(necessities_spend_cents) as necessities_spend_cents,
        sum(discretionary_spend_cents) as discretionary_spend_cents,
        sum(online_transactions) as online_transactions,
        sum(mobile_transactions) as mobile_transactions,
        sum(attempted_transactions) as attempted_transactions,
        sum(declined_transactions) as declined_transactions,
        sum(case when approved_transactions > 0 then 1 else 0 end) as active_days,
        max(case when approved_transactions > 0 then activity_date end) as last_active_date,
        -- idle days before each active day, clipped at the start of the 180-day window
        max(
            case
                when approved_transactions > 0 and days_before <= 180
                    then least(
                        coalesce({{ dbt.datediff('previous_active_date', 'activity_date', 'day') }} - 1, 180),
                        180 - days_before
                    )
            end
        ) as longest_idle_before_active_day
    from lookback
    group by customer_id, cutoff_date, least(cast(floor((days_before - 1) / 30.0) as integer), 6)
),


aggregated as (
    select
        customer_id,
        cutoff_date,
        sum(approved_spend_cents) as baseline_window_spend_cents,
        max(last_active_date) as last_transaction_day,
        {{ c360.ml_window_sum('approved_transactions', 0, population_buckets - 1) }} as population_window_transactions,
        {%- for days in (30, 90, 180) %}
        {{ c360.ml_window_sum('approved_transactions', 0, days // 30 - 1) }} as transactions_{{ days }}d,
        {{ c360.ml_window_sum('approved_spend_cents', 0, days // 30 - 1) }} as spend_{{ days }}d,
        {%- endfor %}
        {{ c360.ml_window_sum('approved_transactions', 3, 5) }} as transactions_prior_90d,
        {{ c360.ml_window_sum('approved_spend_cents', 3, 5) }} as spend_prior_90d,
        {{ c360.ml_window_sum('active_days', 0, 2) }} as active_days_90d,
        {%- for i in buckets %}
        {{ c360.ml_window_sum('approved_spend_cents', i, i) }} as spend_bucket_{{ i }},
        {%- endfor %}
        {{ c360.ml_window_sum('travel_spend_cents', 0, 5) }} as travel_spend_180d,
        {{ c360.ml_window_sum('necessities_spend_cents', 0, 5) }} as necessities_spend_180d,
        {{ c360.ml_window_sum('discretionary_spend_cents', 0, 5) }} as discretionary_spend_180d,
        {{ c360.ml_window_sum('online_transactions', 0, 2) }} as online_transactions_90d,
        {{ c360.ml_window_sum('mobile_transactions', 0, 2) }} as mobile_transactions_90d,
        {{ c360.ml_window_sum('attempted_transactions', 0, 0) }} as attempts_30d,
        {{ c360.ml_window_sum('declined_transactions', 0, 0) }} as declined_30d,
        {{ c360.ml_window_sum('attempted_transactions', 0, 2) }} as attempts_90d,
        {{ c360.ml_window_sum('declined_transactions', 0, 2) }} as declined_90d,
        max(longest_idle_before_active_day) as longest_idle_before_last
    from bucketed
    group by customer_id, cutoff_date
),

joined as (
    select
        c.customer_id,
        c.dataset,
        c.cutoff_date,
        coalesce(a.population_window_transactions, 0) > 0 as is_active_at_cutoff,
        {{ dbt.datediff('c.account_open_date', 'c.cutoff_date', 'day') }} as account_age_days,
        greatest(
            {{ min_baseline_days }},
            {{ dbt.datediff(
                'greatest(coalesce(c.account_open_date, h.history_start_date), h.history_start_date, '
                ~ c360.add_days('c.cutoff_date', -baseline_days) ~ ')',
                'c.cutoff_date',
                'day'
            ) }}
        ) as baseline_observed_days,
        coalesce(a.baseline_window_spend_cents, 0) / 100.0 as baseline_window_spend,
        {{ dbt.datediff('a.last_transaction_day', 'c.cutoff_date', 'day') }} as raw_days_since_last,
        c.age - {{ dbt.datediff('c.cutoff_date', 'c.as_of_date', 'day') }} / 365.25 as age_at_cutoff,
        coalesce(c.card_type, 'Unknown') as card_type,
        cast(coalesce(c.credit_limit, 0) as {{ c360.type_double() }}) as credit_limit,
        coalesce(c.employment_status, 'Unknown') as employment_status,
        coalesce(s.region, 'Unknown') as region,
        {%- for days in (30, 90, 180) %}
        cast(coalesce(a.transactions_{{ days }}d, 0) as integer) as transactions_{{ days }}d,
        coalesce(a.spend_{{ days }}d, 0) / 100.0 as spend_{{ days }}d,
        {%- endfor %}
        cast(coalesce(a.transactions_prior_90d, 0) as integer) as transactions_prior_90d,
        coalesce(a.spend_prior_90d, 0) / 100.0 as spend_prior_90d,
        cast(coalesce(a.active_days_90d, 0) as integer) as active_days_90d,
        {%- for i in buckets %}
        coalesce(a.spend_bucket_{{ i }}, 0) / 100.0 as spend_bucket_{{ i }},
        {%- endfor %}
        coalesce(a.travel_spend_180d, 0) / 100.0 as travel_spend_180d,
        coalesce(a.necessities_spend_180d, 0) / 100.0 as necessities_spend_180d,
        coalesce(a.discretionary_spend_180d, 0) / 100.0 as discretionary_spend_180d,
        cast(coalesce(a.online_transactions_90d, 0) as integer) as online_transactions_90d,
        cast(coalesce(a.mobile_transactions_90d, 0) as integer) as mobile_transactions_90d,
        cast(coalesce(a.attempts_30d, 0) as integer) as attempts_30d,
        cast(coalesce(a.declined_30d, 0) as integer) as declined_30d,
        cast(coalesce(a.attempts_90d, 0) as integer) as attempts_90d,
        cast(coalesce(a.declined_90d, 0) as integer) as declined_90d,
        a.longest_idle_before_last
    from customers_at_cutoff as c
    cross join history as h
    left join aggregated as a
        on c.customer_id = a.customer_id
        and c.cutoff_date = a.cutoff_date
    left join states as s
        on c.state = s.state_code
),

derived as (
    select
        *,
        baseline_window_spend / baseline_observed_days * {{ days_per_month }} as baseline_monthly_spend,
        ({% for i in buckets %}spend_bucket_{{ i }}{% if not loop.last %} + {% endif %}{% endfor %}) / 6.0
            as bucket_mean_spend
    from joined
),

features as (
    select
        customer_id,
        dataset,
        cutoff_date,
        is_active_at_cutoff,
        account_age_days,
        baseline_observed_days,

        -- recency, frequency, monetary
        coalesce(raw_days_since_last, {{ baseline_days + 1 }}) as days_since_last_transaction,
        transactions_30d,
        transactions_90d,
        transactions_180d,
        spend_30d,
        spend_90d,
        spend_180d,
        coalesce({{ c360.safe_divide('spend_90d', 'transactions_90d') }}, 0) as avg_transaction_value_90d,
        active_days_90d,
        baseline_monthly_spend,

        -- trend and volatility (symmetric changes lie in [-1, 1] and are 0 when both sides are 0)
        coalesce({{ c360.safe_divide('spend_90d - spend_prior_90d', 'spend_90d + spend_prior_90d') }}, 0)
            as spend_change_90d,
        coalesce(
            {{ c360.safe_divide('transactions_90d - transactions_prior_90d', 'transactions_90d + transactions_prior_90d') }}, 0
        ) as transaction_change_90d,
        coalesce({{ c360.safe_divide('spend_bucket_0 - spend_bucket_1', 'spend_bucket_0 + spend_bucket_1') }}, 0)
            as mom_spend_change,
        coalesce(
            {{ c360.safe_divide('spend_30d', 'baseline_monthly_spend * 30.0 / ' ~ days_per_month) }}, 0
        ) as spend_30d_to_baseline,
        coalesce(
            {{ c360.safe_divide('spend_90d', 'baseline_monthly_spend * 90.0 / ' ~ days_per_month) }}, 0
        ) as spend_90d_to_baseline,
        coalesce(
            {{ c360.safe_divide('sqrt((' ~ c360.ml_bucket_squared_deviations() ~ ') / 5.0)', 'bucket_mean_spend') }}, 0
        ) as monthly_spend_cv_180d,
        coalesce(
            {{ c360.safe_divide('(' ~ c360.ml_bucket_slope_numerator() ~ ') / 17.5', 'bucket_mean_spend') }}, 0
        ) as monthly_spend_slope_180d,
        greatest(
            coalesce(longest_idle_before_last, 180),
            least(180, coalesce(raw_days_since_last, 181) - 1)
        ) as longest_idle_days_180d,

        -- category and channel mix
        coalesce({{ c360.safe_divide('travel_spend_180d', 'spend_180d') }}, 0) as travel_share_180d,
        coalesce({{ c360.safe_divide('necessities_spend_180d', 'spend_180d') }}, 0) as necessities_share_180d,
        coalesce({{ c360.safe_divide('discretionary_spend_180d', 'spend_180d') }}, 0) as discretionary_share_180d,
        coalesce({{ c360.safe_divide('online_transactions_90d', 'transactions_90d') }}, 0) as online_share_90d,
        coalesce({{ c360.safe_divide('mobile_transactions_90d', 'transactions_90d') }}, 0) as mobile_share_90d,

        -- declines and credit
        coalesce({{ c360.safe_divide('declined_30d', 'attempts_30d') }}, 0) as declined_rate_30d,
        coalesce({{ c360.safe_divide('declined_90d', 'attempts_90d') }}, 0) as declined_rate_90d,
        coalesce({{ c360.safe_divide('spend_30d', 'credit_limit') }}, 0) as credit_utilization_30d,

        -- profile
        account_age_days / {{ days_per_month }} as tenure_months,
        credit_limit,
        age_at_cutoff as age,
        card_type,
        employment_status,
        region
    from derived
)

select * from features
