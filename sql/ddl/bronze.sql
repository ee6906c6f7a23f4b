-- Bronze tables: typed as delivered, plus load metadata. No constraints (raw landing).
-- The generator-truth columns (customer_segment, decline_type, campaign_group, attrition_date,
-- attrition_type) drive synthetic behaviour; campaign_group is also the campaign's own assignment list.
-- None of the truth columns may be used as a model feature. A customer arrives once per delivery: the
-- customers file (state at the start, updated_at = account opening) and later change files
-- (customers/changes/, updated_at = when the card or limit changed); silver keeps the latest.
create table if not exists BRONZE.BRONZE_CUSTOMERS (
    customer_id varchar,
    first_name varchar,
    last_name varchar,
    email varchar,
    age integer,
    state varchar,
    city varchar,
    employment_status varchar,
    card_type varchar,
    credit_limit decimal(12, 2),
    account_open_date date,
    customer_segment varchar,
    decline_type varchar,
    campaign_group varchar,
    attrition_date date,
    attrition_type varchar,
    ingestion_timestamp timestamp default current_timestamp,
    source_file varchar,
    source_row_number bigint,
    updated_at timestamp
);

create table if not exists BRONZE.BRONZE_TRANSACTIONS (
    transaction_id varchar,
    customer_id varchar,
    transaction_date timestamp,
    transaction_amount decimal(12, 2),
    merchant_name varchar,
    merchant_category varchar,
    channel varchar,
    status varchar,
    ingestion_timestamp timestamp default current_timestamp,
    source_file varchar,
    source_row_number bigint
);
