-- The classification model objects in the churn model's schema (does a stored champion still exist?).
show snowflake.ml.classification in schema {{ schema }}
