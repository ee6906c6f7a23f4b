"""Step 2: generate the cardholders, land them as CSV, COPY them into BRONZE_CUSTOMERS."""

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
from generators.customers import CUSTOMER_COLUMNS, customers_csv_bytes, generate_customers, validate_customers

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
}


def run(ctx: StepContext) -> StepResult:
    began = perf_counter()
    scale = ctx.settings.scale
    ctx.progress(STEP, 0, 3, f"generating {scale.customers:,} customers")
    frame = generate_customers(scale.customers, scale.seed, scale.as_of)
    problems = validate_customers(frame)
    if problems:
        raise LoadError("generated customers failed validation: " + "; ".join(problems))
    body = customers_csv_bytes(frame)
    checksum = hashlib.sha256(body).hexdigest()

    loaded = int(
        ctx.session.scalar(f"select count(*) from {TABLE} where source_file = ?", [names.CUSTOMERS_KEY]) or 0
    )
    if not ctx.force and step_fingerprint(ctx.session, STEP) == checksum and loaded == len(frame):
        ctx.progress(STEP, 3, 3, "unchanged, skipped")
        return StepResult(STEP, "skipped", perf_counter() - began, loaded, {"checksum": checksum})

    ctx.progress(STEP, 1, 3, f"landing {names.CUSTOMERS_KEY} ({len(body) / 1e6:.1f} MB)")
    ctx.store.put_bytes(names.CUSTOMERS_KEY, body)
    ctx.progress(STEP, 2, 3, "COPY into bronze")
    with ctx.session.transaction():
        ctx.session.execute(f"delete from {TABLE} where source_file = ?", [names.CUSTOMERS_KEY])
        if ctx.session.dialect == "snowflake":
            rows = _copy_snowflake(ctx)
        else:
            rows = _copy_local(ctx, ctx.store.get_bytes(names.CUSTOMERS_KEY))
        if rows != len(frame):
            raise LoadError(f"{names.CUSTOMERS_KEY}: loaded {rows:,} rows, the file has {len(frame):,}")
        record_load(
            ctx.session,
            LoadRecord(
                new_run_id("load"),
                ctx.run_id,
                names.CUSTOMERS_KEY,
                checksum,
                TABLE,
                "LOADED",
                len(frame),
                rows,
                0,
                None,
                now(),
            ),
        )
        record_counts(ctx.session, ctx.run_id, "bronze", {TABLE: rows})
        save_step_fingerprint(ctx.session, STEP, checksum, {"rows": rows})
    ctx.progress(STEP, 3, 3, f"{rows:,} rows")
    return StepResult(STEP, "ran", perf_counter() - began, rows, {"checksum": checksum})


def parse_customers_csv(body: bytes, file_name: str) -> pd.DataFrame:
    """Strict parse (ON_ERROR=ABORT_STATEMENT): the exact header, typed columns, or a LoadError."""
    header = body.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").strip().split(",")
    if tuple(header) != CUSTOMER_COLUMNS:
        raise LoadError(f"{file_name}: header {header} does not match the expected {list(CUSTOMER_COLUMNS)}")
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            convert_options=pacsv.ConvertOptions(
                column_types=CSV_TYPES,
                strings_can_be_null=True,
                null_values=[""],
                include_columns=list(CUSTOMER_COLUMNS),
            ),
        )
    except pa.ArrowInvalid as exc:
        raise LoadError(f"{file_name}: {exc}") from None
    frame = table.to_pandas()
    frame["source_file"] = file_name
    frame["source_row_number"] = range(1, len(frame) + 1)
    return frame


def _copy_local(ctx: StepContext, body: bytes) -> int:
    frame = parse_customers_csv(body, names.CUSTOMERS_KEY)
    frame["ingestion_timestamp"] = now()
    return ctx.session.insert_frame(TABLE, frame)


def _copy_snowflake(ctx: StepContext) -> int:
    ctx.session.run_script(load_sql("load/customers", "snowflake"))
    return int(
        ctx.session.scalar(f"select count(*) from {TABLE} where source_file = ?", [names.CUSTOMERS_KEY]) or 0
    )
