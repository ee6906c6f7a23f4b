"""Names that form contracts between the runtime, dbt, the app, the assistant and the Pulumi stack."""

from __future__ import annotations

from typing import Final

DATABASE: Final = "CUSTOMER_ANALYTICS"
BRONZE: Final = "BRONZE"
SILVER: Final = "SILVER"
GOLD: Final = "GOLD"
OBSERVABILITY: Final = "OBSERVABILITY"
ML: Final = "ML"
SCHEMAS: Final = (BRONZE, SILVER, GOLD, OBSERVABILITY)

BRONZE_CUSTOMERS: Final = "BRONZE_CUSTOMERS"
BRONZE_TRANSACTIONS: Final = "BRONZE_TRANSACTIONS"

PIPELINE_RUN_METADATA: Final = "PIPELINE_RUN_METADATA"
DATA_QUALITY_METRICS: Final = "DATA_QUALITY_METRICS"
LAYER_RECORD_COUNTS: Final = "LAYER_RECORD_COUNTS"
LOAD_HISTORY: Final = "LOAD_HISTORY"
QUARANTINE: Final = "QUARANTINE"
STEP_STATE: Final = "STEP_STATE"

SEGMENTS: Final = (
    "High-Value Travelers",
    "Stable Mid-Spenders",
    "Budget-Conscious",
    "Declining",
    "New & Growing",
)
# Risk bands rank ACTIVE customers by the calibrated 90-day churn probability x 100 (dbt vars
# churn_high_risk_threshold / churn_medium_risk_threshold hold the same numbers): High Risk = more likely
# than not to churn, Medium Risk = at least the portfolio's typical churn rate. Lapsed customers (no
# approved transaction for LAPSED_AFTER_DAYS, dbt var lapsed_after_days) get no band but LAPSED.
RISK_CATEGORIES: Final = ("High Risk", "Medium Risk", "Low Risk")
HIGH_RISK_THRESHOLD: Final = 50
MEDIUM_RISK_THRESHOLD: Final = 10
LAPSED: Final = "Lapsed"
NOT_SCORED: Final = "Not Scored"
RISK_DISPLAY_ORDER: Final = (*RISK_CATEGORIES, LAPSED, NOT_SCORED)  # every churn_risk_category value
LAPSED_AFTER_DAYS: Final = 60
CARD_TYPES: Final = ("Standard", "Premium")
EMPLOYMENT_STATUSES: Final = ("Employed", "Self-Employed", "Retired", "Unemployed")
CHANNELS: Final = ("Online", "In-Store", "Mobile")
STATUSES: Final = ("approved", "declined")

# Object-store key layout (identical on S3 and in the local lake folder).
CUSTOMERS_PREFIX: Final = "customers/"
CUSTOMERS_KEY: Final = CUSTOMERS_PREFIX + "customers.csv"
CUSTOMER_CHANGES_PREFIX: Final = CUSTOMERS_PREFIX + "changes/"  # monthly card-change files (same stage)
HISTORICAL_PREFIX: Final = "transactions/historical/"
STREAMING_PREFIX: Final = "transactions/streaming/"
# The landing transaction file's header, in order (generators write it, the pipe reads it).
TRANSACTION_FILE_COLUMNS: Final = (
    "transaction_id",
    "customer_id",
    "transaction_date",
    "transaction_amount",
    "merchant_name",
    "merchant_category",
    "channel",
    "status",
)

# Snowflake objects declared by the Pulumi stack and used by the runtime on the snowflake target.
WAREHOUSE: Final = "C360_WH"
RESOURCE_MONITOR: Final = "C360_WH_MONITOR"  # caps the warehouse's monthly credits
STORAGE_INTEGRATION: Final = "C360_S3_INTEGRATION"
CSV_FILE_FORMAT: Final = "CSV_FORMAT"
CUSTOMER_STAGE: Final = "CUSTOMER_STAGE"
HISTORICAL_STAGE: Final = "TRANSACTION_STAGE_HISTORICAL"
STREAMING_STAGE: Final = "TRANSACTION_STAGE_STREAMING"
SEMANTIC_STAGE: Final = "SEMANTIC_STAGE"
APP_STAGE: Final = "APP_STAGE"
TRANSACTIONS_PIPE: Final = "BRONZE_TRANSACTIONS_PIPE"
TRANSACTIONS_STREAM: Final = "BRONZE_TRANSACTIONS_STREAM"
STREAMLIT_APP: Final = "C360_APP"
STREAMLIT_MAIN_FILE: Final = "streamlit_app.py"
APP_STAGE_DIRECTORY: Final = "c360_app"  # the streamlit/ folder's place on APP_STAGE
SEMANTIC_MODEL_FILE: Final = "semantic_model.yaml"  # on GOLD.SEMANTIC_STAGE

# Incremental processing on Snowflake (components/ingestion.py; SQL in sql/tasks/): a task DAG on the
# stream, and the dbt project deployed as a DBT PROJECT object so the refresh task runs the same models.
DBT_PROJECT_STAGE: Final = "DBT_PROJECT_STAGE"
DBT_PROJECT_STAGE_DIRECTORY: Final = "c360_dbt"
DBT_PROJECT: Final = "C360_DBT"
TRANSACTIONS_CAPTURE_TASK: Final = "C360_TXN_CAPTURE"  # root: consumes the stream (schedule + WHEN)
TRANSACTIONS_LOADS_TASK: Final = "C360_TXN_RECORD_LOADS"  # pipe loads -> OBSERVABILITY.LOAD_HISTORY
TRANSACTIONS_QUARANTINE_TASK: Final = "C360_TXN_RECORD_QUARANTINE"  # rejected rows -> QUARANTINE
TRANSACTIONS_REFRESH_TASK: Final = "C360_TXN_REFRESH"  # incremental dbt build
TRANSACTIONS_STAMP_TASK: Final = "C360_TXN_STAMP_GOLD"  # LOAD_HISTORY.gold_refreshed_at after a refresh


def customer_id(n: int) -> str:
    """Customer ids are `CUST` + 8 zero-padded digits, starting at 1."""
    return f"CUST{n:08d}"
