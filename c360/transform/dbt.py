"""Run the dbt project (dbt/) for a platform: one subprocess per invocation, or a warm in-process runner.

`run_dbt(settings, args)` runs any dbt command against the settings' target (dbt-duckdb on the local
warehouse file, dbt-snowflake in production) and returns a DbtRunResult read from run_results.json.
`build(settings, full_refresh=...)` is what the dbt_build lifecycle step runs; `refresh_incremental(settings)`
is the selection the streaming path runs after each pipe load (stg_transactions and everything downstream
of it, no tests).

Design notes:
- The runtime sets every variable dbt/profiles.yml reads from Settings (child_process_env); dbt never
  reads C360_* settings itself. The as-of date is passed as the dbt var `as_of`.
- Each C360_HOME has its own dbt target/ and logs/ folder (partial-parse state, run_results.json), so
  platforms never share dbt state, and a file lock serialises invocations on one home.
- Locally dbt attaches the same DuckLake as c360 (dbt/profiles.yml, c360/engines/lake.py); the caller keeps
  its writer session (and the writer lock) while dbt writes, and publishes to readers when its unit of
  work is complete. The SCD2 snapshot stages in a temp table (dbt/macros/snapshot_staging.sql).
- Subprocess by default (isolation: dbt's global state, logging and memory go away with the process).
  InProcessDbt keeps dbt imported and the project parsed between invocations, for callers that refresh
  repeatedly (the stream loop): it skips the interpreter start, the import and the parse.
- Every invocation writes its own OBSERVABILITY.PIPELINE_RUN_METADATA row from dbt's on-run-start/end
  hooks (dbt/macros/observability/); when dbt dies before the end hook, the runner closes the row as
  FAILED with the reason.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from c360.config import Settings, Target, child_process_env, environ_overrides
from c360.engines import open_session
from c360.errors import C360Error
from c360.paths import DBT_DIR
from c360.sqlfiles import load_sql
from c360.transform.build_state import BuildState, project_hash, record_refresh, refresh_checkpoint

if TYPE_CHECKING:
    from c360.steps.context import StepContext

log = logging.getLogger(__name__)

# The churn-model step builds its own datasets (models/ml); the dbt_build step and the refresh leave them.
ML_SELECTOR = "path:models/ml"
REFRESH_SELECTOR = "stg_transactions+"
VIEW_SELECTOR = "config.materialized:view"
# The stream's refresh brings new silver transactions and nothing else (dbt/macros/materialization.sql)
REFRESH_VARS: Mapping[str, object] = {"refresh_scope": "new_transactions"}
DEFAULT_TIMEOUT_SECONDS = 3600.0
LOCK_TIMEOUT_SECONDS = 900.0
_RESULT_EVENTS = ("LogModelResult", "LogSnapshotResult", "LogSeedResult", "LogTestResult")

# progress(completed, total, message)
DbtProgress = Callable[[float, float, str], None]


class DbtRunError(C360Error):
    """A dbt invocation failed; the message names the failing nodes."""


@dataclass(frozen=True)
class NodeTiming:
    unique_id: str
    name: str
    resource_type: str  # model | snapshot | seed | test | unit_test | ...
    status: str  # success | error | skipped | pass | fail | warn
    seconds: float
    message: str | None = None


@dataclass(frozen=True)
class DbtRunResult:
    args: tuple[str, ...]
    status: str  # success | failed
    return_code: int
    invocation_id: str | None
    models_run: int
    models_failed: int
    models_skipped: int
    tests_passed: int
    tests_failed: int
    tests_warned: int
    nodes: tuple[NodeTiming, ...]
    elapsed: float  # wall seconds of the whole invocation (process start included)
    dbt_elapsed: float | None  # run_results.json elapsed_time
    failures: tuple[str, ...] = ()
    log_path: Path | None = None

    @property
    def ok(self) -> bool:
        return self.status == "success"

    @property
    def run_id(self) -> str | None:
        """The OBSERVABILITY.PIPELINE_RUN_METADATA run_id of this invocation."""
        return f"dbt-{self.invocation_id}" if self.invocation_id else None

    def node(self, name: str) -> NodeTiming | None:
        return next((n for n in self.nodes if n.name == name), None)

    def raise_for_status(self) -> DbtRunResult:
        if not self.ok:
            detail = "; ".join(self.failures[:5]) or f"dbt exited with code {self.return_code}"
            more = f" (+{len(self.failures) - 5} more)" if len(self.failures) > 5 else ""
            logs = f"; logs in {self.log_path}" if self.log_path else ""
            raise DbtRunError(f"dbt {' '.join(self.args[:1])} failed: {detail}{more}{logs}")
        return self

    def summary(self) -> dict[str, object]:
        return {
            "status": self.status,
            "invocation_id": self.invocation_id,
            "models_run": self.models_run,
            "models_failed": self.models_failed,
            "models_skipped": self.models_skipped,
            "tests_passed": self.tests_passed,
            "tests_failed": self.tests_failed,
            "tests_warned": self.tests_warned,
            "elapsed_seconds": round(self.elapsed, 3),
            "dbt_elapsed_seconds": None if self.dbt_elapsed is None else round(self.dbt_elapsed, 3),
        }


@dataclass(frozen=True)
class DbtPaths:
    target_dir: Path
    log_dir: Path
    lock_file: Path

    @classmethod
    def for_settings(cls, settings: Settings) -> DbtPaths:
        root = settings.home / "dbt"
        return cls(root / "target", root / "logs", root / ".invocation.lock")


# ---- configuration handed to dbt ------------------------------------------------------------------


def prepared_warehouse(settings: Settings) -> Path:
    """The local warehouse folder, with its catalog and the extension links dbt's profile points at."""
    from c360.engines.lake import Lake, create_catalog, extension_directory

    lake = Lake.at(settings.warehouse_path)
    create_catalog(lake)
    extension_directory(lake)
    return lake.root


def dbt_environment(settings: Settings) -> dict[str, str]:
    """The variables dbt/profiles.yml reads, derived from Settings (never from the caller's environment)."""
    env = {
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "PYTHONUNBUFFERED": "1",
    }
    if settings.target is Target.local:  # on Snowflake the profile's own thread count applies
        env |= {
            "C360_DBT_THREADS": str(settings.duckdb_threads),
            "C360_DBT_WAREHOUSE_DIR": str(prepared_warehouse(settings)),
            "C360_DBT_MEMORY_LIMIT": settings.duckdb_memory_limit,
            "C360_DBT_TEMP_DIR": str(settings.tmp_dir / "dbt"),
        }
    else:
        creds = settings.snowflake
        if creds is None:
            raise C360Error("target 'snowflake' needs Snowflake credentials in the environment")
        env |= {
            "SNOWFLAKE_ACCOUNT": creds.account,
            "SNOWFLAKE_USER": creds.user,
            "SNOWFLAKE_PASSWORD": creds.password or "",
            "SNOWFLAKE_PRIVATE_KEY_PATH": str(creds.private_key_path or ""),
            "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE": creds.private_key_passphrase or "",
            "SNOWFLAKE_AUTHENTICATOR": creds.authenticator or "",
            "SNOWFLAKE_ROLE": creds.role,
            "SNOWFLAKE_WAREHOUSE": creds.warehouse,
            "SNOWFLAKE_DATABASE": creds.database,
        }
    return env


def dbt_vars(settings: Settings, extra: Mapping[str, object] | None = None) -> dict[str, object]:
    return {"as_of": settings.scale.as_of.isoformat(), **dict(extra or {})}


def command_args(
    settings: Settings,
    args: Sequence[str],
    *,
    vars: Mapping[str, object] | None = None,
    log_format: str = "json",
) -> list[str]:
    """`args` plus the project, profile, target, per-home paths and vars every invocation needs."""
    if not args:
        raise C360Error("run_dbt needs a dbt command, e.g. ['build']")
    reserved = {"--project-dir", "--profiles-dir", "--target-path", "--log-path", "--target", "--vars"}
    clash = sorted(reserved.intersection(args))
    if clash:
        raise C360Error(f"run_dbt sets {', '.join(clash)} itself (vars go in the `vars` argument)")
    paths = DbtPaths.for_settings(settings)
    return [
        *args,
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target",
        settings.target.value,
        "--target-path",
        str(paths.target_dir),
        "--log-path",
        str(paths.log_dir),
        "--vars",
        json.dumps(dbt_vars(settings, vars), sort_keys=True),
        "--log-format",
        log_format,
        "--log-format-file",
        "text",
        "--no-use-colors",
    ]


# ---- the public API ------------------------------------------------------------------------------


def run_dbt(
    settings: Settings,
    args: Sequence[str],
    *,
    vars: Mapping[str, object] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    progress: DbtProgress | None = None,
    runner: InProcessDbt | None = None,
) -> DbtRunResult:
    """Run one dbt command (e.g. ["build", "--select", "customer_360_profile+"]) and report its result.

    Never raises for a failing dbt run (see DbtRunResult.raise_for_status); raises C360Error when dbt
    cannot be started or the invocation lock is not free within the timeout.
    """
    if runner is not None:
        return runner.invoke(args, vars=vars, progress=progress)
    full = command_args(settings, args, vars=vars)
    paths = DbtPaths.for_settings(settings)
    with _invocation_lock(paths, timeout=min(timeout, LOCK_TIMEOUT_SECONDS)):
        _prepare(settings, paths)
        began_at = datetime.now()
        began = time.perf_counter()
        outcome = _run_subprocess(settings, full, timeout, progress)
        elapsed = time.perf_counter() - began
        result = _result_from_artifacts(tuple(args), outcome, elapsed, paths)
        if not result.ok:
            _close_failed_run(settings, result, began_at)
    _log_result(result)
    return result


def build(
    settings: Settings,
    *,
    full_refresh: bool = False,
    progress: DbtProgress | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    runner: InProcessDbt | None = None,
) -> DbtRunResult:
    """`dbt build` (seeds, snapshot, models, tests) of everything but the churn step's models/ml."""
    args = ["build", "--exclude", ML_SELECTOR]
    if full_refresh:
        args.append("--full-refresh")
    return run_dbt(settings, args, progress=progress, timeout=timeout, runner=runner)


def refresh_args(*, views: bool = False) -> list[str]:
    """stg_transactions and everything downstream, no tests; dim_date keeps its build-time range (it
    reaches a year past the data, and the next build extends it). Views hold no data, so a refresh leaves
    them (re-creating one is a catalog change on the lake) unless `views` (the project may have changed
    since the last build)."""
    args = ["run", "--select", REFRESH_SELECTOR, "--exclude", ML_SELECTOR, "dim_date"]
    return args if views else [*args, VIEW_SELECTOR]


def refresh_incremental(
    settings: Settings,
    *,
    runner: InProcessDbt | None = None,
    progress: DbtProgress | None = None,
) -> DbtRunResult:
    """Bring gold up to date with new bronze transactions: stg_transactions (append) -> fct_transactions
    and the incremental customer aggregates (by changed customer) -> the customer marts (by changed
    customer, var refresh_scope). No tests (the next `c360 up` build runs them). Pass a warm InProcessDbt
    when calling this in a loop. Without a current build state (never built, or the project, as-of date or
    bronze history changed since) the views are re-created too. A successful refresh records the bronze
    it covered in the dbt build state (so the next `c360 up` does not rebuild for it).
    """
    result, checkpoint = run_refresh(settings, runner=runner, progress=progress)
    if checkpoint is not None:
        record_refresh(settings, checkpoint)
    return result


def run_refresh(
    settings: Settings,
    *,
    runner: InProcessDbt | None = None,
    progress: DbtProgress | None = None,
) -> tuple[DbtRunResult, BuildState | None]:
    """refresh_incremental without the bookkeeping: the result, and the build state to record once the
    caller is done (None when the refresh failed or there is nothing to record); the stream records it
    after readers already see the refreshed gold."""
    checkpoint = refresh_checkpoint(settings)
    args = refresh_args(views=checkpoint is None)
    result = run_dbt(settings, args, vars=REFRESH_VARS, runner=runner, progress=progress)
    return result, checkpoint if result.ok else None


# The incremental refresh's DuckDB setting (the stream, `c360 ingest`; dbt/profiles.yml reads the variable,
# empty elsewhere): DuckDB's build/probe-side swap off. Each per-customer model reads its stored rows of the
# batch's customers (`where customer_id in (select customer_id from batch)`); DuckDB estimates the batch
# (silver rows loaded after the watermark) at a fifth of silver, ~2.6M rows at 50,000 customers, and the
# swap then builds the join's hash table on the stored table (~800,000 rows) instead of on the batch's
# ~1,200 customers. Without it, measured on one 50,000-customer home, same rows out: CPU of the model's
# SQL int_customer_month_totals 195 -> 104 ms, int_customer_category_spend 173 -> 99 ms,
# customer_360_profile 227 -> 198 ms, the six others unchanged (+-10 ms). The join order optimizer still
# orders the joins; a full build (estimates right, large joins) keeps the swap.
#
# And one DuckDB thread: every statement of the refresh touches a batch's rows (and its customers' stored
# rows), a few to a few hundred ms of work, where a second thread mostly costs its start and its waits.
# Measured on a 50,000-customer home (load 9-17, same queries, median of 5): per-statement CPU 40-50 %
# lower for the catalog-bound ones (a watermark 9.6 -> 4.8 ms), 10-35 % for the per-customer scans
# (int_customer_monthly_spend for 1,200 customers 61 -> 40 ms, int_customer_category_spend 152 -> 135 ms).
# With the schema check by DESCRIBE (dbt/macros/materializations/schema_changes_duckdb.sql), a stream A/B
# at 50,000 customers (28 warm batches a side, load 13-19): CPU to gold 4.13 -> 2.88 s median per batch.
# The writer session (pipe, publish, maintenance) and every full build keep settings.duckdb_threads.
REFRESH_ENVIRONMENT = {"C360_DBT_DISABLED_OPTIMIZERS": "build_side_probe_side", "C360_DBT_THREADS": "1"}


class InProcessDbt:
    """dbt imported and the project parsed once, reused for many invocations in this process.

    Not thread-safe (dbt is not); one instance per process and home. Re-parses when the project's files
    change. Use as a context manager or call close(). `environment`: variables dbt/profiles.yml reads on
    top of dbt_environment's (e.g. REFRESH_ENVIRONMENT), for every invocation of this instance.
    """

    def __init__(self, settings: Settings, *, environment: Mapping[str, str] | None = None) -> None:
        from dbt.cli.main import dbtRunner  # imported here: dbt is heavy and only needed on this path

        self.settings = settings
        self.environment = dict(environment or {})
        self.paths = DbtPaths.for_settings(settings)
        self._runner_class = dbtRunner
        self._manifest: Any = None
        self._project_hash: str | None = None
        self._events: list[Any] = []

    def __enter__(self) -> InProcessDbt:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._manifest = None
        _release_duckdb()

    def release_database(self) -> None:
        """Close dbt-duckdb's database (memory, the lake's catalog connection) but keep the parsed
        project: the next invocation re-attaches the lake and skips the parse."""
        _release_duckdb()

    def parse(self) -> None:
        """Parse the project now (e.g. once before forking workers that each invoke dbt)."""
        self._ensure_parsed()

    def _ensure_parsed(self) -> None:
        current = project_hash()
        if self._manifest is not None and current == self._project_hash:
            return
        with environ_overrides(dbt_environment(self.settings) | self.environment):
            result = self._runner_class().invoke(
                command_args(self.settings, ["parse", "--quiet"], log_format="text")
            )
        _release_duckdb()
        if not result.success or result.result is None:
            raise DbtRunError(f"dbt parse failed: {result.exception or 'see the dbt log'}")
        self._manifest = result.result
        self._project_hash = current

    def invoke(
        self,
        args: Sequence[str],
        *,
        vars: Mapping[str, object] | None = None,
        progress: DbtProgress | None = None,
    ) -> DbtRunResult:
        with _invocation_lock(self.paths, timeout=LOCK_TIMEOUT_SECONDS):
            _prepare(self.settings, self.paths)
            self._ensure_parsed()
            collected: list[dict[str, Any]] = []

            def on_event(event: Any) -> None:
                record = _event_record(event)
                if record is not None:
                    collected.append(record)
                    _report_progress(record, progress)

            began_at = datetime.now()
            began = time.perf_counter()
            runner = self._runner_class(manifest=self._manifest, callbacks=[on_event])
            full = command_args(self.settings, args, vars=vars, log_format="text")
            # dbt-duckdb keeps its in-memory database (the lake attached, extensions loaded) between
            # invocations; the lake needs no release between them, so the next refresh starts warm.
            # --no-write-json: the results come back as objects; writing manifest.json, run_results.json
            # and graph.gpickle again cost ~0.3 s of CPU per streamed batch (the parse wrote the manifest).
            # --log-level-file info: node starts, results and errors, not every statement's SQL (~250 KB
            # and ~0.3 s of formatting per streamed batch at debug level)
            with environ_overrides(dbt_environment(self.settings) | self.environment):
                outcome = runner.invoke([*full, "--quiet", "--no-write-json", "--log-level-file", "info"])
            elapsed = time.perf_counter() - began
            return_code = 0 if outcome.success else (2 if outcome.exception else 1)
            errors = [r["message"] for r in collected if r["level"] == "error" and r["message"]]
            if outcome.exception:
                errors.append(f"{type(outcome.exception).__name__}: {outcome.exception}")
            invocation = next((r["invocation_id"] for r in collected if r["invocation_id"]), None)
            items, dbt_elapsed = _items_from_execution(outcome.result)
            result = _result_from_items(
                tuple(args),
                _Outcome(return_code, invocation, errors),
                elapsed,
                self.paths,
                items,
                dbt_elapsed,
                invocation,
            )
            if not result.ok:
                _close_failed_run(self.settings, result, began_at)
        _log_result(result)
        return result


def shared_runner(ctx: StepContext) -> InProcessDbt:
    """The run's one in-process dbt (StepContext.shared): dbt_build and churn_model share the parsed project."""
    return ctx.shared("dbt", lambda: InProcessDbt(ctx.settings), InProcessDbt)


# ---- internals -------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    return_code: int
    invocation_id: str | None
    errors: list[str] = field(default_factory=list)


def _release_duckdb() -> None:
    """dbt-duckdb keeps its database open in the process after an in-process invocation; close it when
    the runner is done with it (memory, the lake's catalog connection)."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # dbt-duckdb not installed: nothing to release
        return
    environment = getattr(DuckDBConnectionManager, "_ENV", None)
    if environment is not None:
        with contextlib.suppress(Exception):
            environment.close()
    DuckDBConnectionManager.close_all_connections()


def _prepare(settings: Settings, paths: DbtPaths) -> None:
    for folder in (paths.target_dir, paths.log_dir, settings.tmp_dir / "dbt"):
        folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        (paths.target_dir / "run_results.json").unlink()


@contextlib.contextmanager
def _invocation_lock(paths: DbtPaths, timeout: float) -> Iterator[None]:
    """One dbt invocation per home at a time (a second caller waits, then fails with a reason)."""
    paths.lock_file.parent.mkdir(parents=True, exist_ok=True)
    with paths.lock_file.open("a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise C360Error(
                        f"another dbt invocation holds {paths.lock_file} (waited {timeout:.0f} s)"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _run_subprocess(
    settings: Settings, full_args: list[str], timeout: float, progress: DbtProgress | None
) -> _Outcome:
    command = [sys.executable, "-m", "dbt.cli.main", *full_args]
    log.debug("running %s", " ".join(command))
    try:
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=child_process_env(dbt_environment(settings)),
            cwd=str(DBT_DIR),
            start_new_session=True,
        )
    except OSError as exc:
        raise C360Error(f"cannot start dbt: {exc}") from None
    outcome = _Outcome(return_code=-1, invocation_id=None)
    other_lines: list[str] = []

    def read_output() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            record = _line_record(line)
            if record is None:
                if line.strip():
                    other_lines.append(line.rstrip())
                    del other_lines[:-20]
                continue
            outcome.invocation_id = outcome.invocation_id or record["invocation_id"]
            if record["level"] == "error" and record["message"]:
                outcome.errors.append(record["message"])
            _report_progress(record, progress)

    reader = threading.Thread(target=read_output, name="dbt-output", daemon=True)
    reader.start()
    try:
        outcome.return_code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        outcome.return_code = -9
        outcome.errors.append(f"dbt did not finish within {timeout:.0f} s and was stopped")
    reader.join(timeout=30)
    if proc.stdout is not None:
        proc.stdout.close()
    if outcome.return_code != 0 and not outcome.errors:
        outcome.errors.extend(other_lines[-5:])
    return outcome


def _kill(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def _line_record(line: str) -> dict[str, Any] | None:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        payload = json.loads(line)
    except json.JSONDecodeError:
        return None
    info = payload.get("info") or {}
    return {
        "name": info.get("name", ""),
        "level": info.get("level", ""),
        "message": info.get("msg", ""),
        "invocation_id": info.get("invocation_id"),
        "data": payload.get("data") or {},
    }


def _event_record(event: Any) -> dict[str, Any] | None:
    try:
        from google.protobuf.json_format import MessageToDict

        info = event.info
        # only result events carry data anyone reads (progress): converting every event's payload cost
        # ~0.3 s of CPU per warm refresh (dbt fires ~400 events per invocation)
        data = (
            MessageToDict(event.data, preserving_proto_field_name=True) if info.name in _RESULT_EVENTS else {}
        )
        return {
            "name": info.name,
            "level": info.level,
            "message": info.msg,
            "invocation_id": info.invocation_id,
            "data": data,
        }
    except Exception:  # an unexpected event shape must never break the run it reports on
        log.debug("unreadable dbt event %r", event, exc_info=True)
        return None


def _report_progress(record: Mapping[str, Any], progress: DbtProgress | None) -> None:
    if progress is None or record["name"] not in _RESULT_EVENTS:
        return
    data = record["data"]
    index = data.get("index")
    total = data.get("total") or data.get("num_models")
    node = (data.get("node_info") or {}).get("node_name") or data.get("name") or ""
    status = data.get("status", "")
    if index and total:
        progress(float(index), float(total), f"{node} {status}".strip())


def _result_from_artifacts(
    args: tuple[str, ...], outcome: _Outcome, elapsed: float, paths: DbtPaths
) -> DbtRunResult:
    """The result of a dbt subprocess, from the run_results.json it wrote."""
    run_results = paths.target_dir / "run_results.json"
    items: list[Mapping[str, Any]] = []
    dbt_elapsed: float | None = None
    invocation = outcome.invocation_id
    try:
        payload = json.loads(run_results.read_text()) if run_results.is_file() else None
    except (OSError, ValueError) as exc:  # e.g. cut short by a full disk: the run failed, say so
        outcome.errors.append(f"unreadable {run_results.name} ({exc}); see the dbt log")
        outcome.return_code = outcome.return_code or 2
        payload = None
    if payload is not None:
        dbt_elapsed = payload.get("elapsed_time")
        invocation = (payload.get("metadata") or {}).get("invocation_id") or invocation
        items = list(payload.get("results", []))
    return _result_from_items(args, outcome, elapsed, paths, items, dbt_elapsed, invocation)


def _items_from_execution(execution: Any) -> tuple[list[Mapping[str, Any]], float | None]:
    """run_results.json's `results` items (and elapsed time) from an in-process invocation's result object
    (a RunExecutionResult; None or another object when dbt failed before running nodes)."""
    results = getattr(execution, "results", None)
    if not isinstance(results, list):
        return [], None
    items: list[Mapping[str, Any]] = []
    for result in results:
        node = getattr(result, "node", None)
        status = getattr(result, "status", "")
        items.append(
            {
                "unique_id": getattr(node, "unique_id", ""),
                "status": getattr(status, "value", status),
                "execution_time": getattr(result, "execution_time", 0.0),
                "message": getattr(result, "message", None),
            }
        )
    elapsed = getattr(execution, "elapsed_time", None)
    return items, None if elapsed is None else float(elapsed)


def _result_from_items(
    args: tuple[str, ...],
    outcome: _Outcome,
    elapsed: float,
    paths: DbtPaths,
    items: Sequence[Mapping[str, Any]],
    dbt_elapsed: float | None,
    invocation: str | None,
) -> DbtRunResult:
    nodes: list[NodeTiming] = []
    for item in items:
        unique_id = str(item.get("unique_id", ""))
        nodes.append(
            NodeTiming(
                unique_id=unique_id,
                name=_node_name(unique_id),
                resource_type=unique_id.split(".", 1)[0],
                status=str(item.get("status", "")),
                seconds=float(item.get("execution_time") or 0.0),
                message=item.get("message"),
            )
        )
    built = [n for n in nodes if n.resource_type in ("model", "snapshot", "seed")]
    tests = [n for n in nodes if n.resource_type in ("test", "unit_test")]
    failures = [
        f"{n.name}: {(n.message or n.status).strip()[:300]}" for n in nodes if n.status in ("error", "fail")
    ]
    if outcome.return_code != 0 and not failures:
        failures = [e.strip()[:500] for e in outcome.errors[-5:]] or [
            f"dbt exited with code {outcome.return_code} without a result"
        ]
    ok = outcome.return_code == 0 and not any(n.status in ("error", "fail") for n in nodes)
    return DbtRunResult(
        args=args,
        status="success" if ok else "failed",
        return_code=outcome.return_code,
        invocation_id=invocation,
        models_run=sum(n.status == "success" for n in built),
        models_failed=sum(n.status == "error" for n in built),
        models_skipped=sum(n.status == "skipped" for n in built),
        tests_passed=sum(n.status == "pass" for n in tests),
        tests_failed=sum(n.status in ("fail", "error") for n in tests),
        tests_warned=sum(n.status == "warn" for n in tests),
        nodes=tuple(nodes),
        elapsed=elapsed,
        dbt_elapsed=dbt_elapsed,
        failures=tuple(failures),
        log_path=paths.log_dir / "dbt.log",
    )


def _node_name(unique_id: str) -> str:
    """model.c360.x -> x; test.c360.x.<hash> -> x; unit_test.c360.model.x -> x."""
    parts = unique_id.split(".")
    if len(parts) < 3:
        return unique_id
    return parts[2] if parts[0] == "test" else parts[-1]


def _close_failed_run(settings: Settings, result: DbtRunResult, began_at: datetime) -> None:
    """Make sure a failed invocation leaves a FAILED row (the end hook may never have run)."""
    run_id = result.run_id or f"dbt-unstarted-{began_at:%Y%m%dT%H%M%S%f}"
    finished = datetime.now()
    reason = ("; ".join(result.failures) or f"dbt exited with code {result.return_code}")[:4000]
    details = json.dumps({"args": list(result.args), **result.summary()}, default=str)
    try:
        session = open_session(settings)
    except C360Error as exc:
        log.warning("could not record the failed dbt run %s: %s", run_id, exc)
        return
    try:
        if not session.table_exists("OBSERVABILITY", "PIPELINE_RUN_METADATA"):
            return
        status = session.scalar(load_sql("dbt/run_status"), [run_id])
        duration = (finished - began_at).total_seconds()
        if status is None:
            session.execute(
                load_sql("dbt/run_failed_insert"),
                [
                    run_id,
                    f"dbt_{result.args[0] if result.args else 'unknown'}",
                    began_at,
                    finished,
                    duration,
                    result.models_run,
                    result.models_failed,
                    reason,
                    details,
                ],
            )
        elif status == "STARTED":
            session.execute(
                load_sql("dbt/run_failed_update"),
                [finished, duration, result.models_run, result.models_failed, reason, details, run_id],
            )
    except C360Error as exc:
        log.warning("could not record the failed dbt run %s: %s", run_id, exc)
    finally:
        session.close()


def _log_result(result: DbtRunResult) -> None:
    log.info(
        "dbt %s: %s in %.1f s (%d models, %d failed, %d tests passed, %d failed)",
        " ".join(result.args[:1]),
        result.status,
        result.elapsed,
        result.models_run,
        result.models_failed,
        result.tests_passed,
        result.tests_failed,
    )
