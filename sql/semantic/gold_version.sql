-- Identifies the gold build the semantic model was validated against (changes whenever dbt rebuilds the profile).
select cast(max(profile_updated_at) as varchar) || '/' || cast(count(*) as varchar) as gold_version
from GOLD.CUSTOMER_360_PROFILE
