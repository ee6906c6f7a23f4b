{#-
    Where a snapshot stages its changes before merging them into the snapshot table.

    dbt-core stages them in a TEMPORARY table; dbt-duckdb overrides that with a regular table in the
    connection's default catalog. Locally that catalog is the in-memory database the lake is attached to,
    and the snapshot's update + insert then write the lake inside the same transaction, which DuckDB
    refuses ("a single transaction can only write to a single attached database"). A TEMPORARY table lives
    in DuckDB's temp catalog, which that rule exempts (as dbt-duckdb's own incremental models rely on), so
    DuckDB stages in one too. Snowflake and every other adapter keep dbt-core's definition (default__).
    Sources: dbt-core include/global_project/macros/materializations/snapshots/helpers.sql,
    dbt-duckdb include/duckdb/macros/snapshot_helper.sql.
-#}
{% macro build_snapshot_staging_table(strategy, sql, target_relation) %}
    {{ return(adapter.dispatch('build_snapshot_staging_table', 'c360')(strategy, sql, target_relation)) }}
{% endmacro %}

{% macro default__build_snapshot_staging_table(strategy, sql, target_relation) %}
    {% set temp_relation = make_temp_relation(target_relation) %}
    {% set select = snapshot_staging_table(strategy, sql, target_relation) %}
    {% call statement('build_snapshot_staging_relation') %}
        {{ create_table_as(True, temp_relation, select) }}
    {% endcall %}
    {% do return(temp_relation) %}
{% endmacro %}

{% macro duckdb__build_snapshot_staging_table(strategy, sql, target_relation) %}
    {{ return(c360.default__build_snapshot_staging_table(strategy, sql, target_relation)) }}
{% endmacro %}
