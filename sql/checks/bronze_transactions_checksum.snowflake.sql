-- Order-independent content checksum of bronze transactions (load metadata excluded).
select to_varchar(hash_agg(transaction_id, customer_id, transaction_date, transaction_amount, merchant_name,
                           merchant_category, channel, status, source_file, source_row_number)) as checksum,
       count(*) as row_count
from BRONZE.BRONZE_TRANSACTIONS
