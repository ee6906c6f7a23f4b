-- Average monthly spend per customer in each campaign group, every month of the history.
select
    m.month,
    p.campaign_group,
    count(*) as customers,
    avg(m.monthly_spend) as avg_spend,
    min(case when m.is_complete_month then 1 else 0 end) as is_complete_month
from customer_analytics.gold.metric_mom_spend_change as m
inner join customer_analytics.gold.customer_360_profile as p
    on m.customer_id = p.customer_id
where p.campaign_group in ('treatment', 'control')
group by m.month, p.campaign_group
order by m.month, p.campaign_group
