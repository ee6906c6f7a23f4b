-- Order-independent content checksum of bronze customers (load metadata excluded).
select cast(sum(hash(customer_id, first_name, last_name, email, age, state, city, employment_status, card_type,
                     credit_limit, account_open_date, customer_segment, decline_type, campaign_group,
                     attrition_date, attrition_type, updated_at, source_file, source_row_number)) as varchar) as checksum,
       count(*) as row_count
from BRONZE.BRONZE_CUSTOMERS
