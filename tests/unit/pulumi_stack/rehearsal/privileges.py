"""What Snowflake requires for each operation the stack and the lifecycle perform: one row per operation,
each citing the documentation page it comes from. The engine (engine.py) evaluates these requirements
against the privileges a role is guaranteed to hold at that moment of the deployment.

A requirement is a tuple of `Need`s; every need names the rule (a key of RULES) it comes from, so a
finding always says which documented rule was broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

DOCS: Final = "https://docs.snowflake.com/en"


@dataclass(frozen=True)
class Rule:
    operation: str
    requires: str
    doc: str


RULES: Final[dict[str, Rule]] = {
    # ---- account-level objects ------------------------------------------------------------------
    "create_database": Rule(
        "CREATE DATABASE",
        "CREATE DATABASE on the account (SYSADMIN has it)",
        f"{DOCS}/sql-reference/sql/create-database#access-control-requirements",
    ),
    "create_warehouse": Rule(
        "CREATE WAREHOUSE",
        "CREATE WAREHOUSE on the account (SYSADMIN has it)",
        f"{DOCS}/sql-reference/sql/create-warehouse#access-control-requirements",
    ),
    "create_resource_monitor": Rule(
        "CREATE RESOURCE MONITOR",
        "the ACCOUNTADMIN role: 'This command can only be executed by account administrators'",
        f"{DOCS}/sql-reference/sql/create-resource-monitor",
    ),
    "assign_resource_monitor": Rule(
        "CREATE/ALTER WAREHOUSE ... RESOURCE_MONITOR = <monitor>",
        "the ACCOUNTADMIN role; MONITOR and MODIFY on the monitor only let other roles view and change it "
        "(resource monitors: 'Only users with the ACCOUNTADMIN role can create a resource monitor, but an "
        "account administrator can grant privileges to other roles to allow other users to view and modify "
        "resource monitors'; assignment needs ACCOUNTADMIN: snowflakedb/terraform-provider-snowflake#3019)",
        f"{DOCS}/user-guide/resource-monitors",
    ),
    "create_integration": Rule(
        "CREATE STORAGE INTEGRATION",
        "CREATE INTEGRATION on the account (only ACCOUNTADMIN by default)",
        f"{DOCS}/sql-reference/sql/create-storage-integration#access-control-requirements",
    ),
    "create_role": Rule(
        "CREATE ROLE",
        "CREATE ROLE on the account (USERADMIN, inherited by SECURITYADMIN)",
        f"{DOCS}/sql-reference/sql/create-role#access-control-requirements",
    ),
    "grant_role": Rule(
        "GRANT ROLE",
        "OWNERSHIP of the role granted, or MANAGE GRANTS; the role (and the grantee role) must exist",
        f"{DOCS}/sql-reference/sql/grant-role#access-control-requirements",
    ),
    "grant_privilege": Rule(
        "GRANT <privileges> ... TO ROLE",
        "MANAGE GRANTS, or OWNERSHIP of the object; the object and the grantee role must exist",
        f"{DOCS}/sql-reference/sql/grant-privilege#access-control-requirements",
    ),
    "grant_future": Rule(
        "GRANT <privileges> ON FUTURE <objects> IN SCHEMA",
        "MANAGE GRANTS; future grants apply only to objects created after the grant",
        f"{DOCS}/sql-reference/sql/grant-privilege#future-grants-on-database-or-schema-objects",
    ),
    "grant_all": Rule(
        "GRANT <privileges> ON ALL <objects> IN SCHEMA",
        "MANAGE GRANTS or OWNERSHIP of the schema; applies only to the objects that exist when it runs",
        f"{DOCS}/sql-reference/sql/grant-privilege#parameters",
    ),
    "grant_ownership": Rule(
        "GRANT OWNERSHIP",
        "OWNERSHIP of the object or MANAGE GRANTS; the new owner role must exist",
        f"{DOCS}/sql-reference/sql/grant-ownership#access-control-requirements",
    ),
    "user_role": Rule(
        "USE ROLE (a connection with role=...)",
        "the role must be granted to the connecting user",
        f"{DOCS}/user-guide/security-access-control-overview#active-roles",
    ),
    "system_roles": Rule(
        "system-defined roles",
        "ACCOUNTADMIN inherits SECURITYADMIN and SYSADMIN; SECURITYADMIN has MANAGE GRANTS and inherits "
        "USERADMIN (CREATE ROLE); SYSADMIN may create warehouses and databases",
        f"{DOCS}/user-guide/security-access-control-overview#system-defined-roles",
    ),
    # ---- schema-level objects -------------------------------------------------------------------
    "schema_object_usage": Rule(
        "any operation on a schema object",
        "USAGE on the database and on the schema (or their OWNERSHIP)",
        f"{DOCS}/user-guide/security-access-control-privileges#database-privileges",
    ),
    "create_schema": Rule(
        "CREATE SCHEMA",
        "CREATE SCHEMA on the database (or its OWNERSHIP)",
        f"{DOCS}/sql-reference/sql/create-schema#access-control-requirements",
    ),
    "create_in_schema": Rule(
        "CREATE TABLE | VIEW | STAGE | FILE FORMAT | PIPE | STREAM | TASK ...",
        "CREATE <object type> on the schema (or its OWNERSHIP)",
        f"{DOCS}/user-guide/security-access-control-privileges#schema-privileges",
    ),
    "create_stage": Rule(
        "CREATE STAGE ... STORAGE_INTEGRATION = <integration>",
        "CREATE STAGE on the schema and USAGE on the storage integration (and on a named file format)",
        f"{DOCS}/sql-reference/sql/create-stage#access-control-requirements",
    ),
    "create_pipe": Rule(
        "CREATE PIPE ... AS COPY INTO <table>",
        "CREATE PIPE on the schema; the pipe owner needs USAGE on the stage and file format and INSERT and "
        "SELECT on the table (the COPY runs with the owner's privileges)",
        f"{DOCS}/sql-reference/sql/create-pipe#access-control-requirements",
    ),
    "create_stream": Rule(
        "CREATE STREAM ... ON TABLE",
        "CREATE STREAM on the schema and SELECT on the table",
        f"{DOCS}/sql-reference/sql/create-stream#access-control-requirements",
    ),
    "create_task": Rule(
        "CREATE TASK ... WAREHOUSE = <wh>",
        "CREATE TASK on the schema and USAGE on the warehouse; the predecessor tasks must exist",
        f"{DOCS}/sql-reference/sql/create-task#access-control-requirements",
    ),
    "resume_task": Rule(
        "ALTER TASK ... RESUME (started = true)",
        "EXECUTE TASK on the account for the task owner",
        f"{DOCS}/user-guide/tasks-intro#task-security",
    ),
    "create_streamlit": Rule(
        "CREATE STREAMLIT",
        "USAGE on the database; USAGE and CREATE STREAMLIT on the schema; USAGE on the query warehouse; "
        "READ on the stage that holds the app files",
        f"{DOCS}/developer-guide/streamlit/owners-rights#about-app-creation",
    ),
    "create_dbt_project": Rule(
        "CREATE DBT PROJECT ... FROM '@stage/...'",
        "CREATE DBT PROJECT on the schema, READ on the source stage",
        f"{DOCS}/user-guide/data-engineering/dbt-projects-on-snowflake-access-control",
    ),
    "execute_dbt_project": Rule(
        "EXECUTE DBT PROJECT",
        "USAGE on the dbt project object",
        f"{DOCS}/user-guide/data-engineering/dbt-projects-on-snowflake-access-control",
    ),
    "create_ml_classification": Rule(
        "CREATE SNOWFLAKE.ML.CLASSIFICATION",
        "CREATE SNOWFLAKE.ML.CLASSIFICATION on the schema",
        f"{DOCS}/user-guide/ml-functions/classification#granting-privileges-to-create-classification-models",
    ),
    # ---- governance, alerting, sharing (issue 16) -------------------------------------------------
    "create_masking_policy": Rule(
        "CREATE MASKING POLICY",
        "CREATE MASKING POLICY on the schema (or its OWNERSHIP)",
        f"{DOCS}/sql-reference/sql/create-masking-policy#access-control-requirements",
    ),
    "apply_masking_policy": Rule(
        "CREATE TABLE ... (col WITH MASKING POLICY p) / ALTER TABLE ... MODIFY COLUMN col SET MASKING POLICY p",
        "APPLY on the masking policy (or its OWNERSHIP) and OWNERSHIP of the table; the policy must exist "
        "('APPLY: enables executing the unset and set operations for a masking policy on a column')",
        f"{DOCS}/user-guide/security-column-intro#masking-policy-privileges",
    ),
    "create_alert": Rule(
        "CREATE ALERT ... WAREHOUSE = <wh>",
        "CREATE ALERT on the schema and USAGE on the warehouse",
        f"{DOCS}/sql-reference/sql/create-alert#access-control-requirements",
    ),
    "resume_alert": Rule(
        "ALTER ALERT ... RESUME (enabled = true)",
        "EXECUTE ALERT on the account for the alert's owner ('only the ACCOUNTADMIN role has this privilege by "
        "default')",
        f"{DOCS}/user-guide/alerts#granting-the-privileges-to-create-alerts",
    ),
    "create_notification_integration": Rule(
        "CREATE NOTIFICATION INTEGRATION (TYPE = EMAIL | QUEUE ... AWS_SNS OUTBOUND)",
        "CREATE INTEGRATION on the account (only ACCOUNTADMIN by default)",
        f"{DOCS}/sql-reference/sql/create-notification-integration-email#access-control-requirements",
    ),
    "send_notification": Rule(
        "CALL SYSTEM$SEND_EMAIL / SYSTEM$SEND_SNOWFLAKE_NOTIFICATION",
        "USAGE on the notification integration it names",
        f"{DOCS}/sql-reference/stored-procedures/system_send_email#access-control-requirements",
    ),
    "monitor_usage": Rule(
        "INFORMATION_SCHEMA.WAREHOUSE_METERING_HISTORY(...)",
        "MONITOR USAGE on the account (or the ACCOUNTADMIN role)",
        f"{DOCS}/sql-reference/functions/warehouse_metering_history#usage-notes",
    ),
    "create_share": Rule(
        "CREATE SHARE",
        "CREATE SHARE on the account (only ACCOUNTADMIN by default)",
        f"{DOCS}/sql-reference/sql/create-share#access-control-requirements",
    ),
    "grant_to_share": Rule(
        "GRANT <privilege> ON DATABASE | SCHEMA | VIEW ... TO SHARE",
        "OWNERSHIP of the share and OWNERSHIP of each object granted (or the privilege WITH GRANT OPTION); "
        "only secure views can be shared",
        f"{DOCS}/sql-reference/sql/grant-privilege-share#access-control-requirements",
    ),
    # ---- data and files ------------------------------------------------------------------------
    "stage_read": Rule(
        "LIST / GET / COPY INTO <table> from an internal stage",
        "READ on the internal stage",
        f"{DOCS}/user-guide/security-access-control-privileges#stage-privileges",
    ),
    "stage_write": Rule(
        "PUT / REMOVE on an internal stage",
        "WRITE on the internal stage",
        f"{DOCS}/user-guide/security-access-control-privileges#stage-privileges",
    ),
    "stage_usage": Rule(
        "COPY INTO <table> / LIST from an external stage",
        "USAGE on the external stage",
        f"{DOCS}/user-guide/security-access-control-privileges#stage-privileges",
    ),
    "copy_into_table": Rule(
        "COPY INTO <table>",
        "INSERT on the table, USAGE on a named file format, READ (internal) or USAGE (external) on the stage",
        f"{DOCS}/sql-reference/sql/copy-into-table#access-control-requirements",
    ),
    "table_dml": Rule(
        "SELECT / INSERT / UPDATE / DELETE / TRUNCATE",
        "the same-named privilege on the table or view (or its OWNERSHIP)",
        f"{DOCS}/user-guide/security-access-control-privileges#table-privileges",
    ),
    "warehouse_usage": Rule(
        "a query that needs compute",
        "USAGE on the warehouse the session uses",
        f"{DOCS}/user-guide/security-access-control-privileges#virtual-warehouse-privileges",
    ),
    "object_exists": Rule(
        "any statement naming an object",
        "the object exists when the statement runs ('does not exist or not authorized' otherwise)",
        f"{DOCS}/sql-reference/identifiers-syntax",
    ),
}

# System-defined roles (rule "system_roles"): who inherits whom, and the account privileges each holds.
SYSTEM_ROLE_PARENTS: Final[dict[str, tuple[str, ...]]] = {
    # child role -> roles it is granted to
    "SECURITYADMIN": ("ACCOUNTADMIN",),
    "SYSADMIN": ("ACCOUNTADMIN",),
    "USERADMIN": ("SECURITYADMIN",),
}
SYSTEM_ACCOUNT_PRIVILEGES: Final[dict[str, frozenset[str]]] = {
    # ACCOUNTADMIN holds every account privilege; these are the ones the deployment relies on
    "ACCOUNTADMIN": frozenset(
        {
            "CREATE INTEGRATION",
            "EXECUTE TASK",
            "MANAGE GRANTS",
            "CREATE ROLE",
            "CREATE DATABASE",
            "CREATE SHARE",
            "EXECUTE ALERT",
            "MONITOR USAGE",
        }
    ),
    "SECURITYADMIN": frozenset({"MANAGE GRANTS"}),
    "USERADMIN": frozenset({"CREATE ROLE", "CREATE USER"}),
    "SYSADMIN": frozenset({"CREATE DATABASE", "CREATE WAREHOUSE"}),
}
SYSTEM_ROLES: Final = frozenset({"ACCOUNTADMIN", "SECURITYADMIN", "USERADMIN", "SYSADMIN", "PUBLIC"})


def cite(rule: str) -> str:
    found = RULES[rule]
    return f"{found.operation}: needs {found.requires} [{found.doc}]"
