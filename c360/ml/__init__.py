"""The churn model: feature contract, trainers (local scikit-learn | Snowflake Cortex ML), evaluation,
champion/challenger registry, scoring and the model card. Entry point: c360.ml.training.train_and_score."""
