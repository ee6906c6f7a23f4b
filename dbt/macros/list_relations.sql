{#-
    dbt-duckdb's relation listing (dbt-duckdb 1.10.1, include/duckdb/macros/adapters.sql), answered without
    DuckDB's information_schema.tables: that view is built on duckdb_tables(), which computes every table's
    estimated size, and on the lake (issue 18) the first such listing after any commit re-reads the
    statistics of every table in the catalog (~220-300 ms of CPU at 5,000 customers, measured; ~30 ms once
    loaded). dbt lists each schema it builds into at the start of every invocation, so a streamed batch paid
    it once per batch. duckdb_columns() and duckdb_views() name the same relations without the statistics
    (~10-60 ms after a commit). Same columns and types as dbt-duckdb's: database, name, schema, type
    ('table' | 'view'). Snowflake never sees this (duckdb__ dispatch).
-#}
{% macro duckdb__list_relations_without_caching(schema_relation) %}
  {% call statement('list_relations_without_caching', fetch_result=True) -%}
    with views as (
        select view_name as name, schema_name
        from duckdb_views()
        where not internal
            and lower(database_name) = '{{ schema_relation.database | lower }}'
            and lower(schema_name) = '{{ schema_relation.schema | lower }}'
    ),

    tables as (
        select distinct table_name as name, schema_name
        from duckdb_columns()
        where lower(database_name) = '{{ schema_relation.database | lower }}'
            and lower(schema_name) = '{{ schema_relation.schema | lower }}'
    ),

    final as (
        select name, schema_name, 'view' as type from views
        union all
        select t.name, t.schema_name, 'table' as type
        from tables as t
        where not exists (select 1 from views as v where v.name = t.name)
    )

    select '{{ schema_relation.database }}' as database, name, schema_name as schema, type
    from final
  {% endcall %}
  {{ return(load_result('list_relations_without_caching').table) }}
{% endmacro %}
