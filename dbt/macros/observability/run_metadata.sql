{#-
    Observability hooks (dbt_project.yml on-run-start / on-run-end), so every dbt invocation is recorded
    the same way whether the c360 runtime, a Snowflake task or a person runs it:
      - OBSERVABILITY.PIPELINE_RUN_METADATA: one row per invocation (run_id = 'dbt-' + invocation_id),
        STARTED at the start, SUCCESS/FAILED with models run/failed, rows, duration and details at the end;
      - OBSERVABILITY.LAYER_RECORD_COUNTS: one row per model/snapshot/seed the invocation built;
      - OBSERVABILITY.DATA_QUALITY_METRICS: see data_quality.sql;
      - OBSERVABILITY.MODEL_EXECUTION_LOG and SEGMENT_SHIFTS: see model_execution_log.sql.
    The tables are created by the runtime's provision step (sql/ddl/observability.sql); when they are
    missing (a bare database) the hooks log that and do nothing.
-#}

{% macro dbt_run_id() -%}
    dbt-{{ invocation_id }}
{%- endmacro %}

{% macro observability_relation(name) -%}
    {{ return(adapter.get_relation(database=target.database, schema='OBSERVABILITY', identifier=name)) }}
{%- endmacro %}

{% macro now_literal() -%}
    cast('{{ modules.datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{#- Project hooks run inside a transaction that dbt rolls back on some adapters (dbt-duckdb): commit. -#}
{% macro commit_hook_writes() -%}
    {%- call statement('c360_commit_hook_writes') -%}commit{%- endcall -%}
{%- endmacro %}

{% macro is_recorded_command() -%}
    {{ return(flags.WHICH in ('run', 'build', 'seed', 'snapshot', 'test')) }}
{%- endmacro %}

{% macro record_run_start() %}
    {%- if execute and c360.is_recorded_command() -%}
        {%- set runs = c360.observability_relation('PIPELINE_RUN_METADATA') -%}
        {%- if runs is none -%}
            {{ log("c360: OBSERVABILITY.PIPELINE_RUN_METADATA not found; this run is not recorded", info=true) }}
        {%- else -%}
            {%- set details = {
                'invocation_id': invocation_id,
                'command': flags.WHICH,
                'target': target.name,
                'as_of': var('as_of', none),
                'full_refresh': flags.FULL_REFRESH,
            } -%}
            {%- call statement('c360_record_run_start') -%}
                insert into {{ runs }} (run_id, run_type, started_at, status, details)
                values (
                    '{{ c360.dbt_run_id() }}',
                    'dbt_{{ flags.WHICH }}',
                    {{ c360.load_timestamp() }},
                    'STARTED',
                    {{ c360.sql_string(tojson(details)) }}
                )
            {%- endcall -%}
            {{ c360.commit_hook_writes() }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{% macro record_run_end(results) %}
    {%- if execute and c360.is_recorded_command() -%}
        {%- set runs = c360.observability_relation('PIPELINE_RUN_METADATA') -%}
        {%- if runs is not none -%}
            {%- set summary = c360.summarize_results(results) -%}
            {%- set finished = modules.datetime.datetime.now() -%}
            {%- set started = run_started_at.astimezone().replace(tzinfo=none) -%}
            {%- set duration = (finished - started).total_seconds() -%}
            {%- call statement('c360_record_run_end') -%}
                update {{ runs }}
                set finished_at = cast('{{ finished.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp),
                    status = '{{ summary.status }}',
                    duration_seconds = {{ "%.3f" | format(duration) }},
                    models_run = {{ summary.models_run }},
                    models_failed = {{ summary.models_failed }},
                    rows_affected = {{ summary.rows_affected }},
                    error_message = {{ c360.sql_string(summary.error_message) if summary.error_message else 'null' }},
                    details = {{ c360.sql_string(tojson(summary.details)) }}
                where run_id = '{{ c360.dbt_run_id() }}'
            {%- endcall -%}
            {{ c360.record_layer_counts(results) }}
            {{ c360.record_data_quality(results) }}
            {{ c360.record_model_executions(results) }}
            {{ c360.record_segment_shift(results) }}
            {{ c360.commit_hook_writes() }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{% macro summarize_results(results) %}
    {%- set ns = namespace(models_run=0, models_failed=0, models_skipped=0, tests_passed=0, tests_failed=0,
                           tests_warned=0, rows_affected=0) -%}
    {%- set failures = [] -%}
    {%- set timings = [] -%}
    {%- for result in results -%}
        {%- set kind = result.node.resource_type | string -%}
        {%- set status = result.status | string -%}
        {%- if kind in ('model', 'snapshot', 'seed') -%}
            {%- if status == 'success' -%}
                {%- set ns.models_run = ns.models_run + 1 -%}
                {%- set rows = (result.adapter_response or {}).get('rows_affected') -%}
                {%- if rows is number and rows > 0 -%}
                    {%- set ns.rows_affected = ns.rows_affected + rows -%}
                {%- endif -%}
            {%- elif status == 'skipped' -%}
                {%- set ns.models_skipped = ns.models_skipped + 1 -%}
            {%- else -%}
                {%- set ns.models_failed = ns.models_failed + 1 -%}
                {%- do failures.append(result.node.name ~ ': ' ~ (result.message or status)) -%}
            {%- endif -%}
            {%- do timings.append({'node': result.node.name, 'type': kind, 'status': status,
                                   'seconds': (result.execution_time or 0) | round(3)}) -%}
        {%- elif kind in ('test', 'unit_test') -%}
            {%- if status == 'pass' -%}
                {%- set ns.tests_passed = ns.tests_passed + 1 -%}
            {%- elif status == 'warn' -%}
                {%- set ns.tests_warned = ns.tests_warned + 1 -%}
            {%- elif status == 'skipped' -%}
                {%- set ns.models_skipped = ns.models_skipped + 1 -%}
            {%- else -%}
                {%- set ns.tests_failed = ns.tests_failed + 1 -%}
                {%- do failures.append(result.node.name ~ ': ' ~ (result.message or status)) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set failed = ns.models_failed > 0 or ns.tests_failed > 0 -%}
    {{ return({
        'status': 'FAILED' if failed else 'SUCCESS',
        'models_run': ns.models_run,
        'models_failed': ns.models_failed,
        'rows_affected': ns.rows_affected,
        'error_message': (failures | join('; '))[:3900] if failures else none,
        'details': {
            'invocation_id': invocation_id,
            'command': flags.WHICH,
            'target': target.name,
            'as_of': var('as_of', none),
            'full_refresh': flags.FULL_REFRESH,
            'models_skipped': ns.models_skipped,
            'tests_passed': ns.tests_passed,
            'tests_failed': ns.tests_failed,
            'tests_warned': ns.tests_warned,
            'nodes': timings,
        },
    }) }}
{% endmacro %}

{% macro record_layer_counts(results) %}
    {%- set counts = c360.observability_relation('LAYER_RECORD_COUNTS') -%}
    {%- set selects = [] -%}
    {%- for result in results -%}
        {%- if (result.node.resource_type | string) in ('model', 'snapshot', 'seed')
               and (result.status | string) == 'success' and result.node.relation_name -%}
            {%- set schema = result.node.schema | upper -%}
            {%- do selects.append(
                "select '" ~ c360.dbt_run_id() ~ "', " ~ c360.now_literal() ~ ", '" ~ (schema | lower)
                ~ "', '" ~ schema ~ "." ~ ((result.node.alias or result.node.name) | upper) ~ "', count(*) from "
                ~ result.node.relation_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if counts is not none and selects -%}
        {%- call statement('c360_record_layer_counts') -%}
            insert into {{ counts }} (run_id, counted_at, layer, table_name, record_count)
            {{ selects | join('\nunion all\n') }}
        {%- endcall -%}
    {%- endif -%}
{% endmacro %}
