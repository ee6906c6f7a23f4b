"""What the last dbt build saw, and what the dbt_build step has to do now: skip, incremental or full refresh.

The state is one OBSERVABILITY.STEP_STATE row (step 'dbt_build'): its fingerprint covers everything that
invalidates gold wholesale (project files, as-of date, target, the generator's transaction fingerprint);
its details also keep the bronze watermarks that only call for an incremental build (new transaction
rows, changed customers).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from c360 import names
from c360.config import Settings
from c360.engines import open_session
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.observability import save_step_fingerprint, step_fingerprint
from c360.paths import DBT_DIR
from c360.sqlfiles import load_sql

log = logging.getLogger(__name__)

STEP = "dbt_build"
GOLD_MARKER_TABLE = "customer_360_profile"
_HASH_EXCLUDED_DIRS = ("target", "logs", "dbt_packages", "models/ml")


class BuildMode(StrEnum):
    skip = "skip"
    incremental = "incremental"
    full_refresh = "full_refresh"


@dataclass(frozen=True)
class BuildState:
    project_hash: str
    as_of: str
    target: str
    transactions_fingerprint: str  # the transactions step's fingerprint (bronze history replaced)
    customers_checksum: str
    transactions_rows: int
    transactions_max_ingested_at: str | None

    @property
    def fingerprint(self) -> str:
        """Changes only when gold must be rebuilt from scratch."""
        key = "|".join((self.project_hash, self.as_of, self.target, self.transactions_fingerprint))
        return hashlib.sha256(key.encode()).hexdigest()

    def details(self) -> dict[str, object]:
        return asdict(self)


def project_hash(project_dir: Path = DBT_DIR) -> str:
    """Content hash of the dbt project (models/ml and dbt's own output folders excluded)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in project_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(project_dir).as_posix()
        if relative.startswith(tuple(f"{d}/" for d in _HASH_EXCLUDED_DIRS)) or relative.startswith("."):
            continue
        if "__pycache__" in relative or relative.endswith(".user.yml"):
            continue
        digest.update(relative.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def bronze_checksum(session: WarehouseSession, table: str) -> tuple[str, int]:
    """(content checksum, row count) of a bronze table; load metadata is not content."""
    frame = session.query(load_sql(f"checks/{table.lower()}_checksum", session.dialect))
    return str(frame.iloc[0]["checksum"]), int(frame.iloc[0]["row_count"])


def current_state(
    session: WarehouseSession, settings: Settings, *, customers_checksum: str | None = None
) -> BuildState:
    """What bronze and the project look like now. `customers_checksum`, when given, is taken as is instead
    of hashing every customer row (the stream's refresh keeps the last build's anyway)."""
    watermark = session.query(load_sql("dbt/bronze_transactions_watermark"))
    if customers_checksum is None:
        checksum, customer_rows = bronze_checksum(session, names.BRONZE_CUSTOMERS)
        customers_checksum = f"{checksum}:{customer_rows}"
    return BuildState(
        project_hash=project_hash(),
        as_of=settings.scale.as_of.isoformat(),
        target=settings.target.value,
        transactions_fingerprint=step_fingerprint(session, "transactions") or "",
        customers_checksum=customers_checksum,
        transactions_rows=int(watermark.iloc[0]["row_count"]),
        transactions_max_ingested_at=_text(watermark.iloc[0]["max_ingested_at"]),
    )


def stored_state(session: WarehouseSession) -> BuildState | None:
    raw = session.scalar(
        "select details from OBSERVABILITY.STEP_STATE where step = ? order by completed_at desc limit 1",
        [STEP],
    )
    if raw is None:
        return None
    try:
        return BuildState(**json.loads(str(raw)))
    except (TypeError, ValueError):
        log.warning("unreadable %s state %r: treated as never built", STEP, raw)
        return None


def decide(previous: BuildState | None, now: BuildState, gold_exists: bool, force: bool) -> BuildMode:
    """Full refresh when gold is missing, forced, or invalidated wholesale; incremental when only bronze
    rows arrived or customers changed; otherwise skip."""
    if force or previous is None or not gold_exists or previous.fingerprint != now.fingerprint:
        return BuildMode.full_refresh
    if (
        previous.customers_checksum != now.customers_checksum
        or previous.transactions_rows != now.transactions_rows
        or previous.transactions_max_ingested_at != now.transactions_max_ingested_at
    ):
        return BuildMode.incremental
    return BuildMode.skip


def gold_exists(session: WarehouseSession) -> bool:
    return session.table_exists(names.GOLD, GOLD_MARKER_TABLE)


def save_state(session: WarehouseSession, state: BuildState) -> None:
    save_step_fingerprint(session, STEP, state.fingerprint, state.details())


def refresh_checkpoint(settings: Settings) -> BuildState | None:
    """Before an incremental refresh: the state to record if it succeeds, or None when there is nothing
    to record (never built, or gold invalidated wholesale: the next `c360 up` rebuilds anyway).

    The refresh covers the bronze transactions present when it starts, and no customer changes (it does
    not snapshot), so the recorded state keeps the last build's customer checksum.
    """
    session = _try_open(settings)
    if session is None:
        return None
    try:
        previous = stored_state(session)
        if previous is None:
            return None
        now = current_state(session, settings, customers_checksum=previous.customers_checksum)
        return now if now.fingerprint == previous.fingerprint else None
    finally:
        session.close()


def record_refresh(settings: Settings, checkpoint: BuildState) -> None:
    """After a successful refresh: remember the bronze transactions it processed, so the next `c360 up`
    does not rebuild for rows the stream already brought into gold."""
    session = _try_open(settings)
    if session is None:
        return
    try:
        save_state(session, checkpoint)
    finally:
        session.close()


def _try_open(settings: Settings) -> WarehouseSession | None:
    try:
        return open_session(settings)
    except C360Error as exc:
        log.warning("dbt build state not read or recorded: %s", exc)
        return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return None if text in ("NaT", "None", "nan") else text
