-- Customer 360 search: a partial, case-insensitive match anywhere in the id, name or email (`!` escapes
-- % and _), one page at a time, with the number of all matches. Ranked: the exact value first, then
-- matches at the edge (ids ending with the typed digits, names and emails starting with the text), then
-- the rest; within a rank by the searched value.
-- Parameters (queries.search_params): mode ('id' | 'name' | 'email'), exact value, edge pattern,
-- anywhere pattern (all lower-case), first and last row of the page.
with search as (
    select
        cast(? as varchar) as mode,
        cast(? as varchar) as exact_value,
        cast(? as varchar) as edge_pattern,
        cast(? as varchar) as anywhere_pattern
),

searched as (
    select
        p.customer_id,
        p.full_name,
        p.email,
        p.city,
        p.state,
        p.customer_segment,
        p.churn_risk_category,
        s.exact_value,
        s.edge_pattern,
        s.anywhere_pattern,
        case
            when s.mode = 'id' then lower(p.customer_id)
            when s.mode = 'name' then lower(p.full_name)
            when s.mode = 'email' then lower(p.email)
        end as searched_value
    from customer_analytics.gold.customer_360_profile as p
    cross join search as s
),

matches as (
    select
        customer_id,
        full_name,
        email,
        city,
        state,
        customer_segment,
        churn_risk_category,
        searched_value,
        case
            when searched_value = exact_value then 0
            when searched_value like edge_pattern escape '!' then 1
            else 2
        end as match_rank
    from searched
    where searched_value like anywhere_pattern escape '!'
),

final as (
    select
        customer_id,
        full_name,
        email,
        city,
        state,
        customer_segment,
        churn_risk_category,
        match_rank,
        count(*) over () as total_matches,
        row_number() over (order by match_rank, searched_value, customer_id) as position
    from matches
)

select *
from final
where position between cast(? as bigint) and cast(? as bigint)
order by position
