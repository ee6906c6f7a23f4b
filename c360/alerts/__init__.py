"""Alerting: rules defined once (rules.py), evaluated locally after every writer run (evaluation.py) and
deployed on Snowflake as ALERT objects (snowflake.py renders them; components/alerting.py declares them)."""
