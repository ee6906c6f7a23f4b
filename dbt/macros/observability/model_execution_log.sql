{#-
    OBSERVABILITY.MODEL_EXECUTION_LOG: one row per node of the invocation (models, snapshots, seeds, tests,
    unit tests) with its status (success | error | skipped | pass | warn | fail), rows affected, seconds and
    dbt's message — the per-node log the gold-model and test-warning alerts read (c360/alerts/rules.py).
    OBSERVABILITY.SEGMENT_SHIFTS: when the invocation rebuilt customer_segments, how many customers changed
    segment against the previous build's assignment (kept in SEGMENT_ASSIGNMENTS, replaced here).
    Both run from record_run_end (run_metadata.sql), on DuckDB and on Snowflake alike.
-#}
{% macro record_model_executions(results) %}
    {%- set log_table = c360.observability_relation('MODEL_EXECUTION_LOG') -%}
    {%- if log_table is none or not results -%}
        {{ return('') }}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- set completed = c360.now_literal() -%}
    {%- for result in results -%}
        {%- set node = result.node -%}
        {%- set rows_affected = (result.adapter_response or {}).get('rows_affected') -%}
        {%- do rows.append(
            "(" ~ c360.sql_string(c360.dbt_run_id()) ~ ", "
            ~ c360.sql_string(node.unique_id) ~ ", "
            ~ c360.sql_string(node.name) ~ ", "
            ~ c360.sql_string(node.resource_type | string) ~ ", "
            ~ c360.sql_string((node.schema or '') | upper) ~ ", "
            ~ c360.sql_string(result.status | string) ~ ", "
            ~ (rows_affected if rows_affected is number else 'null') ~ ", "
            ~ ("%.3f" | format(result.execution_time or 0)) ~ ", "
            ~ completed ~ ", "
            ~ (c360.sql_string((result.message | string)[:1000]) if result.message else 'null') ~ ")"
        ) -%}
    {%- endfor -%}
    {%- call statement('c360_record_model_executions') -%}
        insert into {{ log_table }} (
            run_id, node_id, node_name, resource_type, schema_name, status, rows_affected,
            execution_seconds, completed_at, message
        )
        values
        {{ rows | join(',\n') }}
    {%- endcall -%}
{% endmacro %}

{% macro record_segment_shift(results) %}
    {%- set ns = namespace(built=false) -%}
    {%- for result in results -%}
        {%- if result.node.name == 'customer_segments' and (result.status | string) == 'success' -%}
            {%- set ns.built = true -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set shifts = c360.observability_relation('SEGMENT_SHIFTS') -%}
    {%- set assignments = c360.observability_relation('SEGMENT_ASSIGNMENTS') -%}
    {%- set segments = c360.model_relation_name('customer_segments') -%}
    {%- if not ns.built or shifts is none or assignments is none or not segments -%}
        {{ return('') }}
    {%- endif -%}
    {%- call statement('c360_record_segment_shift') -%}
        insert into {{ shifts }} (run_id, measured_at, customers, changed, changed_share)
        select
            '{{ c360.dbt_run_id() }}',
            {{ c360.now_literal() }},
            count(*),
            sum(case when s.customer_segment <> p.customer_segment then 1 else 0 end),
            cast(sum(case when s.customer_segment <> p.customer_segment then 1 else 0 end) as {{ c360.type_double() }})
                / count(*)
        from {{ segments }} as s
        inner join {{ assignments }} as p on p.customer_id = s.customer_id
        having count(*) > 0
    {%- endcall -%}
    {%- call statement('c360_replace_segment_assignments') -%}
        delete from {{ assignments }}
    {%- endcall -%}
    {%- call statement('c360_record_segment_assignments') -%}
        insert into {{ assignments }} (customer_id, customer_segment, run_id)
        select customer_id, customer_segment, '{{ c360.dbt_run_id() }}' from {{ segments }}
    {%- endcall -%}
{% endmacro %}
