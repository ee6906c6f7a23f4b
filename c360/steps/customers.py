"""Step 2: generate the cardholders, land them as CSV files, COPY them into BRONZE_CUSTOMERS.

Files (one customer stage, `customers/`): `customers.csv` (every customer's state at the start of the
history, updated_at = account opening) and one change file per month with card changes
(`customers/changes/customer_changes_YYYYMM.csv`: upgrades and limit changes, updated_at = when they
happened; generators/customer_history.py). The step owns exactly these keys: a re-run replaces their rows
(and removes change files a different as-of date no longer produces); other customer deliveries stay.
"""

from __future__ import annotations

import hashlib
import io
import logging
from time import perf_counter

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from c360 import names
from c360.errors import LoadError
from c360.observability import (
    LoadRecord,
    new_run_id,
    now,
    record_counts,
    record_load,
    save_step_fingerprint,
    step_fingerprint,
)
from c360.sqlfiles import load_sql
from c360.steps.context import StepContext, StepResult
from c360.values import as_int
from generators.customer_history import customer_deliveries, is_change_file, validate_deliveries
from generators.customers import (
    CUSTOMER_FILE_COLUMNS,
    customers_csv_bytes,
    generate_customers,
    validate_customers,
)

log = logging.getLogger(__name__)

STEP = "customers"
TABLE = f"{names.BRONZE}.{names.BRONZE_CUSTOMERS}"

CSV_TYPES: dict[str, pa.DataType] = {
    "customer_id": pa.string(),
    "first_name": pa.string(),
    "last_name": pa.string(),
    "email": pa.string(),
    "age": pa.int32(),
    "state": pa.string(),
    "city": pa.string(),
    "employment_status": pa.string(),
    "card_type": pa.string(),
    "credit_limit": pa.decimal128(12, 2),
    "account_open_date": pa.date32(),
    "customer_segment": pa.string(),
    "decline_type": pa.string(),
    "campaign_group": pa.string(),
    "attrition_date": pa.date32(),
    "attrition_type": pa.string(),
    "updated_at": pa.timestamp("s"),
}
GENERATED_FILES_WHERE = "(source_file = ? or source_file like ?)"


def run(ctx: StepContext) -> StepResult:
    began = perf_counter()
    scale = ctx.settings.scale
    ctx.progress(STEP, 0, 3, f"generating {scale.customers:,} customers")
    frame = generate_customers(scale.customers, scale.seed, scale.as_of)
    deliveries = customer_deliveries(frame, scale.seed, scale.as_of, scale.months)
    problems = validate_customers(frame) + validate_deliveries(deliveries)
    if problems:
        raise LoadError("generated customers failed validation: " + "; ".join(problems))
    files = {
        names.CUSTOMERS_KEY: customers_csv_bytes(deliveries.initial),
        **{key: customers_csv_bytes(rows) for key, rows in deliveries.change_files().items()},
    }
    expected_rows = len(deliveries.initial) + len(deliveries.changes)
    checksum = hashlib.sha256(
        "|".join(f"{key}:{hashlib.sha256(body).hexdigest()}" for key, body in sorted(files.items())).encode()
    ).hexdigest()

    owned = [names.CUSTOMERS_KEY, f"{names.CUSTOMER_CHANGES_PREFIX}customer_changes_%"]
    loaded = as_int(
        ctx.session.scalar(f"select count(*) from {TABLE} where {GENERATED_FILES_WHERE}", owned) or 0
    )
    if not ctx.force and step_fingerprint(ctx.session, STEP) == checksum and loaded == expected_rows:
        ctx.progress(STEP, 3, 3, "unchanged, skipped")
        return StepResult(STEP, "skipped", perf_counter() - began, len(frame), {"checksum": checksum})

    size_mb = sum(len(b) for b in files.values()) / 1e6
    ctx.progress(STEP, 1, 3, f"landing {len(files)} customer file(s) ({size_mb:.1f} MB)")
    for key, body in files.items():
        ctx.store.put_bytes(key, body)
    for stale in ctx.store.list(names.CUSTOMER_CHANGES_PREFIX):
        if is_change_file(stale.key) and stale.key not in files:
            ctx.store.delete(stale.key)
    ctx.progress(STEP, 2, 3, "COPY into bronze")
    with ctx.session.transaction():
        ctx.session.execute(f"delete from {TABLE} where {GENERATED_FILES_WHERE}", owned)
        if ctx.session.dialect == "snowflake":
            ctx.session.run_script(load_sql("load/customers", "snowflake"))
        else:
            for key in files:
                _copy_local(ctx, key, ctx.store.get_bytes(key))
        counts = _rows_by_file(ctx)
        for key, body in files.items():
            rows_in_file = body.count(b"\n") - 1
            if counts.get(key, 0) != rows_in_file:
                raise LoadError(f"{key}: loaded {counts.get(key, 0):,} rows, the file has {rows_in_file:,}")
            record_load(
                ctx.session,
                LoadRecord(
                    new_run_id("load"),
                    ctx.run_id,
                    key,
                    hashlib.sha256(body).hexdigest(),
                    TABLE,
                    "LOADED",
                    rows_in_file,
                    rows_in_file,
                    0,
                    None,
                    now(),
                ),
            )
        rows = sum(counts.get(key, 0) for key in files)
        record_counts(ctx.session, ctx.run_id, "bronze", {TABLE: rows})
        save_step_fingerprint(ctx.session, STEP, checksum, {"rows": rows, "files": len(files)})
    changed = int(deliveries.changes["customer_id"].nunique()) if len(deliveries.changes) else 0
    ctx.progress(STEP, 3, 3, f"{len(frame):,} customers, {len(deliveries.changes):,} card changes")
    return StepResult(
        STEP,
        "ran",
        perf_counter() - began,
        len(frame),  # customers; bronze rows (customers + their card changes) in the details
        {
            "checksum": checksum,
            "bronze_rows": rows,
            "customers": len(frame),
            "change_files": len(files) - 1,
            "card_changes": len(deliveries.changes),
            "customers_with_changes": changed,
        },
    )


def _rows_by_file(ctx: StepContext) -> dict[str, int]:
    frame = ctx.session.query(
        f"select source_file, count(*) as n from {TABLE} where {GENERATED_FILES_WHERE} group by source_file",
        [names.CUSTOMERS_KEY, f"{names.CUSTOMER_CHANGES_PREFIX}customer_changes_%"],
    )
    return {str(r.source_file): as_int(r.n) for r in frame.itertuples()}


def parse_customers_csv(body: bytes, file_name: str) -> pd.DataFrame:
    """Strict parse (ON_ERROR=ABORT_STATEMENT): the exact header, typed columns, or a LoadError."""
    header = body.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").strip().split(",")
    if tuple(header) != CUSTOMER_FILE_COLUMNS:
        raise LoadError(
            f"{file_name}: header {header} does not match the expected {list(CUSTOMER_FILE_COLUMNS)}"
        )
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            convert_options=pacsv.ConvertOptions(
                column_types=CSV_TYPES,
                strings_can_be_null=True,
                null_values=[""],
                include_columns=list(CUSTOMER_FILE_COLUMNS),
            ),
        )
    except pa.ArrowInvalid as exc:
        raise LoadError(f"{file_name}: {exc}") from None
    frame: pd.DataFrame = table.to_pandas()  # pyarrow ships no types
    frame["source_file"] = file_name
    frame["source_row_number"] = range(1, len(frame) + 1)
    return frame


def _copy_local(ctx: StepContext, key: str, body: bytes) -> int:
    frame = parse_customers_csv(body, key)
    frame["ingestion_timestamp"] = now()
    return ctx.session.insert_frame(TABLE, frame)
