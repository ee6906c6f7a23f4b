-- What the hourly batch generator needs to know about each cardholder (generator-truth columns included:
-- they drive synthetic behaviour only, never a model feature).
select
    customer_id,
    customer_segment,
    decline_type,
    campaign_group,
    account_open_date,
    attrition_date,
    attrition_type
from BRONZE.BRONZE_CUSTOMERS
where source_file = ?
