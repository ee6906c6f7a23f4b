{#-
    OBSERVABILITY.MODEL_EXECUTION_LOG: one row per node of the invocation (models, snapshots, seeds, tests,
    unit tests) with its status (success | error | skipped | pass | warn | fail), rows affected, seconds and
    dbt's message — the per-node log the gold-model and test-warning alerts read (c360/alerts/rules.py).
    OBSERVABILITY.SEGMENT_SHIFTS: when the invocation rebuilt customer_segments, how many customers changed
    segment against the previous build's assignment (kept in SEGMENT_ASSIGNMENTS: the rows of the customers
    whose segment changed are replaced, with the run that assigned it).
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
    {#- The stream's refresh (c360.new_transactions_only) recomputes only the customers its batch touched
        (customer_segments is incremental by customer locally; their rows carry this run's loaded_at): only
        they can have changed segment, so only they are compared and rewritten, and the share is over every
        customer with an assignment. Every other build compares and rewrites the whole table. -#}
    {%- set scoped = c360.new_transactions_only() -%}
    {%- set built -%}
        {%- if scoped -%}
        (select customer_id, customer_segment from {{ segments }} where loaded_at = {{ c360.load_timestamp() }})
        {%- else -%}
        {{ segments }}
        {%- endif -%}
    {%- endset -%}
    {%- call statement('c360_record_segment_shift') -%}
        insert into {{ shifts }} (run_id, measured_at, customers, changed, changed_share)
        {%- if scoped %}
        select
            '{{ c360.dbt_run_id() }}',
            {{ c360.now_literal() }},
            t.customers,
            coalesce(c.changed, 0),
            cast(coalesce(c.changed, 0) as {{ c360.type_double() }}) / t.customers
        from (select count(*) as customers from {{ assignments }}) as t
        cross join (
            select sum(case when s.customer_segment <> p.customer_segment then 1 else 0 end) as changed
            from {{ built }} as s
            inner join {{ assignments }} as p on p.customer_id = s.customer_id
        ) as c
        where t.customers > 0
        {%- else %}
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
        {%- endif %}
    {%- endcall -%}
    {#- then bring the assignments up to the segments just built: only the customers whose segment changed
        (or who are new, or gone) are rewritten, with the run that assigned it -#}
    {%- call statement('c360_replace_segment_assignments') -%}
        delete from {{ assignments }}
        where customer_id in (
                select s.customer_id
                from {{ built }} as s
                inner join {{ assignments }} as p on p.customer_id = s.customer_id
                where s.customer_segment <> p.customer_segment
            )
            {%- if not scoped %}
            or customer_id not in (select customer_id from {{ segments }})
            {%- endif %}
    {%- endcall -%}
    {%- call statement('c360_record_segment_assignments') -%}
        insert into {{ assignments }} (customer_id, customer_segment, run_id)
        select s.customer_id, s.customer_segment, '{{ c360.dbt_run_id() }}'
        from {{ built }} as s
        where s.customer_id not in (select customer_id from {{ assignments }})
    {%- endcall -%}
{% endmacro %}
