-- The platform as-of date: every relative time window of the assistant is anchored on it.
select max(as_of_date) as as_of_date from GOLD.CUSTOMER_360_PROFILE
