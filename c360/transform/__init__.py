"""Transformations: the dbt project runner (c360.transform.dbt) and the dbt_build state."""
