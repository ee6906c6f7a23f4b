{#- Every one of the five segments holds at least segment_share_min_pct % of customers (checked on
    portfolios of at least segment_share_min_customers; tiny samples are too noisy). -#}
{%- set segments = ["High-Value Travelers", "Stable Mid-Spenders", "Budget-Conscious", "Declining", "New & Growing"] -%}
with

expected as (
    {% for segment in segments -%}
    select '{{ segment }}' as customer_segment
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

counts as (
    select customer_segment, count(*) as customers
    from {{ ref('customer_segments') }}
    group by customer_segment
),

totals as (
    select count(*) as all_customers from {{ ref('customer_segments') }}
),

shares as (
    select
        e.customer_segment,
        coalesce(c.customers, 0) as customers,
        t.all_customers,
        100.0 * coalesce(c.customers, 0) / t.all_customers as share_pct
    from expected as e
    cross join totals as t
    left join counts as c
        on e.customer_segment = c.customer_segment
)

select *
from shares
where all_customers >= {{ var('segment_share_min_customers') }}
    and share_pct < {{ var('segment_share_min_pct') }}
