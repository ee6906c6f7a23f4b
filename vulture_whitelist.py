"""Names vulture (`make lint`) cannot see used: kept on purpose, each group with its reason.

vulture scans c360/ components/ stacks/ generators/; a name used only by the app (streamlit/), the tests,
a framework or SQL text looks dead to it. A name that is dead indeed is deleted, not listed here; the last
group lists dead code in folders other helpers own (TODO: their owners delete or use it).
"""
# ruff: noqa: B018, F821

# Read by a framework: dataclass fields rendered to SQL/JSON/templates (asdict, Jinja, bound rows),
# scikit-learn's estimator protocol, Pulumi children kept as attributes so they stay in the graph.
fired_at, last_evaluated_at, http_status, query_seconds  # alert/app-health rows (sql/ddl/alerts.sql)
respond_within  # alert routing policy (docs/runbooks/alerts.md)
ddl_type, comment  # c360/ddl_tables.py: parsed table definitions
storage_role_arn  # stack outputs file (c360/outputs.py keys = Pulumi exports)
location, file_count  # StageFiles provider outputs
is_travel, is_discretionary  # merchant categories, in the dbt seed merchant_categories.csv
clean_rows  # batch stats (tests/unit/test_batches.py)
month_volume_noise, duplicate_rate, max_transactions_per_month  # spec, read by sql/generate/*.j2
_.classes_  # scikit-learn estimator protocol (permutation_importance)
_.page_publish, _.encryption, _.subscription, _.notification, _.prefix_urls, prefix_urls
_.apply_grants, _.read_session, _.policy_names, _.monitor_attachment, _.hierarchy
alerting, sharing  # stacks/__main__.py: components declared for their resources
segment_mix, first_transaction, last_transaction  # TypedDict keys (RunSummary), set as dict keys
on_database, on_view  # TypedDict keys (_ShareGrantTarget), set as dict keys, read as keyword arguments

(
    history_mismatches,
    silver_short,
    _.history_mismatches,
    _.silver_short,
)  # fault-injection accounting (asdict, JSON)
recovery_failures, stderr_tail  # full-disk run record (asdict, the bench's JSON)
_.raiseExceptions  # logging's module switch (c360/cli/output.py)

# Semantic model keys declared in c360/assistant/spec.py so pydantic accepts and type-checks them; the
# compiler (c360/assistant/model.py) reads the validated mapping, Cortex Analyst the deployed file.
schema_, base_table, cortex_search_service_name, access_modifier, default_aggregation
use_as_onboarding_question, semantic_model_name, sql_generation, question_categorization
custom_instructions, module_custom_instructions

# Contract names (c360/names.py, c360/reference.py) that SQL, dbt and the tests spell out.
ML, PIPELINE_RUN_METADATA, DATA_QUALITY_METRICS, LAYER_RECORD_COUNTS, LOAD_HISTORY, DBT_PROJECT
LAPSED, NOT_SCORED, CARD_TYPES, EMPLOYMENT_STATUSES, UNCATEGORIZED

# Used by the app (streamlit/) or the tests only.
_.is_open, can_read, _.column_names, _.in_memory  # streamlit/, tests
RISK_DISPLAY_ORDER  # streamlit/queries.py and charts.py (the risk bands in display order)
_.cycles, _.lazy_import_count  # tests/unit/test_import_graph.py
ForkedChild  # tests/integration/test_fault_injection.py (the harness's faster child)

# Read by the tests only (the evaluation report, the model's shape, the verified-query record).
report_lines, _.time_dimensions, join_type, _.named_filter
is_verified, row_count, matched
# The SQS-shaped queue's full interface (tests/unit/test_notification_queue.py drives it like SQS).
test_events, _.test_events, _.change_visibility, _.depth
receive_count, sent_at, visible, in_flight, oldest_age_seconds, SqsNotificationQueue
