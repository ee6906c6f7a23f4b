"""The app's one data-access seam: `get_app_context()`.

Two backends behind one small interface:
- **Streamlit in Snowflake**: the active Snowpark session (`get_active_session()`); the app runs with its
  owner's role and Snowflake's grants decide what it may read.
- **Local**: the published snapshot of the local warehouse (a DuckLake under C360_HOME), read-only, every
  statement passed through c360's query guard (one SELECT, tables the chosen persona may read per the
  grant matrix, row limit, timeout).

The `c360` package exists only locally, so it is imported inside the local backend and nowhere else in
streamlit/. Every value is bound (`?`); SQL text comes from streamlit/sql/*.sql. Query results are cached
with `st.cache_data` keyed on the role and the data version (locally the publication record's name and
mtime), so a persona switch or a newly published snapshot never serves stale or foreign rows.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import streamlit as st

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).resolve().parent / "sql"
QUERY_TTL_SECONDS = 300
DEFAULT_MAX_ROWS = 10_000
# Exports read every row the role may read: the ceiling only stops a runaway statement (the largest table an
# export reads holds one row per customer). Rows arrive in batches of EXPORT_BATCH_ROWS.
EXPORT_MAX_ROWS = 10_000_000
EXPORT_BATCH_ROWS = 20_000
QUERY_TIMEOUT_SECONDS = 60.0
DEFAULT_ROLE = "MARKETING_MANAGER"
ROLE_KEY = "app.role"
# In Streamlit in Snowflake the app runs with its OWNER's rights: the stack makes MARKETING_MANAGER the owner
# (components/app.py APP_OWNER), which reads GOLD only (c360/grants.py). The app cannot ask for its role:
# context functions need READ SESSION and ALTER SESSION is refused under owner's rights
# (https://docs.snowflake.com/en/developer-guide/streamlit/owners-rights#restrictions-on-owner-s-rights), so
# both facts are fixed here and checked against their sources by tests/app/test_sis_owner_rights.py.
SIS_OWNER_ROLE = "MARKETING_MANAGER"
SIS_OWNER_SCHEMAS = frozenset({"GOLD"})
SIS_DATABASE = "CUSTOMER_ANALYTICS"
# Fully qualified stage path of the semantic model Cortex Analyst reads in Streamlit in Snowflake.
SEMANTIC_MODEL_FILE = "@CUSTOMER_ANALYTICS.GOLD.SEMANTIC_STAGE/semantic_model.yaml"
CORTEX_ANALYST_ENDPOINT = "/api/v2/cortex/analyst/message"
CORTEX_TIMEOUT_MS = 50_000

ROLE_LABELS = {
    "MARKETING_MANAGER": "Marketing manager (gold tables)",
    "DATA_ANALYST": "Data analyst (all schemas)",
}


class AppDataError(Exception):
    """A query could not be answered; `kind` says why and the message is shown to the user as is.

    kinds: not_built (tables missing), forbidden (the role may not read them), timeout, unavailable
    (warehouse down or unreachable), refused (the SQL was rejected), failed (anything else).
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class AssistantReply:
    """One assistant turn, in the `c360 ask` / Cortex Analyst response shape."""

    question: str
    answer: str = ""
    sql: str | None = None
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    verified_query: str | None = None
    suggestions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None  # set when the question was refused or failed

    @property
    def refused(self) -> bool:
        return self.sql is None

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=list(self.columns))


class Backend(Protocol):
    name: str  # "local" | "snowflake"
    dialect: str  # "duckdb" | "snowflake": picks the SQL twin
    identity: str  # stable id of the data source (part of every cache key)
    roles: tuple[str, ...]  # personas the user may switch between

    def data_version(self) -> str: ...

    def describe(self) -> str: ...

    def run(self, sql: str, params: Sequence[object], role: str, max_rows: int) -> pd.DataFrame: ...

    def can_read(self, role: str, schema: str) -> bool | None: ...

    def ask(self, question: str, history: Sequence[AssistantReply], role: str) -> AssistantReply: ...


@lru_cache(maxsize=256)
def load_sql(name: str, dialect: str = "duckdb") -> str:
    """SQL text of streamlit/sql/<name>.sql, or its `<name>.<dialect>.sql` twin where the engines differ.

    Values are bound with `?`, never formatted in.
    """
    for path in (SQL_DIR / f"{name}.{dialect}.sql", SQL_DIR / f"{name}.sql"):
        if path.is_file():
            return path.read_text()
    raise AppDataError("failed", f"the app has no query named {name!r}")


@dataclass(frozen=True)
class AppContext:
    backend: Backend = field(repr=False)
    role: str

    @property
    def backend_name(self) -> str:
        return self.backend.name

    def query(
        self, name: str, params: Sequence[object] = (), max_rows: int = DEFAULT_MAX_ROWS
    ) -> pd.DataFrame:
        """Run the named query (streamlit/sql/<name>.sql) with bound params; cached per role and data version."""
        return self.run_sql(load_sql(name, self.backend.dialect), params, max_rows)

    def run_sql(
        self, sql: str, params: Sequence[object] = (), max_rows: int = DEFAULT_MAX_ROWS
    ) -> pd.DataFrame:
        frame = _cached_query(
            self.backend,
            self.backend.identity,
            self.backend.data_version(),
            self.role,
            sql,
            tuple(_hashable(p) for p in params),
            max_rows,
        )
        return frame.copy()

    def stream(
        self, name: str, params: Sequence[object] = (), max_rows: int = EXPORT_MAX_ROWS
    ) -> Iterator[pd.DataFrame]:
        """The named query's rows in batches, never cached: what an export writes out.

        Runs outside the script run (Streamlit calls a deferred download in its own thread), so it touches no
        Streamlit state. Backends that cannot stream return their whole result as one batch.
        """
        yield from self.stream_sql(load_sql(name, self.backend.dialect), params, max_rows)

    def stream_sql(
        self, sql: str, params: Sequence[object] = (), max_rows: int = EXPORT_MAX_ROWS
    ) -> Iterator[pd.DataFrame]:
        """`stream` for a statement that is not one of the app's named queries (an assistant answer's SQL)."""
        batches = getattr(self.backend, "stream", None)
        if batches is None:
            yield self.backend.run(sql, list(params), self.role, max_rows)
            return
        yield from batches(sql, list(params), self.role, max_rows, EXPORT_BATCH_ROWS)

    def can_read(self, schema: str) -> bool | None:
        """True/False when the grant matrix is known here (local), None when only the warehouse knows."""
        return self.backend.can_read(self.role, schema)

    def ask(self, question: str, history: Sequence[AssistantReply] = ()) -> AssistantReply:
        return self.backend.ask(question, history, self.role)

    def as_of(self) -> date | None:
        """The platform's as-of date (the data's end); every time window is relative to it."""
        frame = self.query("as_of")
        if frame.empty or pd.isna(frame.iloc[0, 0]):
            return None
        return pd.Timestamp(frame.iloc[0, 0]).date()


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False, max_entries=2048)
def _cached_query(
    _backend: Backend,
    backend_identity: str,
    data_version: str,
    role: str,
    sql: str,
    params: tuple[object, ...],
    max_rows: int,
) -> pd.DataFrame:
    return _backend.run(sql, list(params), role, max_rows)


def _hashable(value: object) -> object:
    if isinstance(value, (list, set)):
        return tuple(value)
    return value


def normalize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Lower-case column names; Decimal columns become floats (Snowflake NUMBER(p, s) arrives as Decimal)."""
    frame = frame.copy()
    frame.columns = [str(c).lower() for c in frame.columns]
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object:
            sample = series.dropna()
            if not sample.empty and all(isinstance(v, Decimal) for v in sample.head(50)):
                frame[column] = pd.to_numeric(series, errors="coerce").astype("float64")
    return frame


# ---------------------------------------------------------------------------------------------------------
# Context construction
# ---------------------------------------------------------------------------------------------------------


def get_app_context() -> AppContext:
    """The context for this rerun: the cached backend plus the persona chosen in the sidebar."""
    backend = _snowflake_backend() or _local_backend(_home_argument())
    if ROLE_KEY not in st.session_state or st.session_state[ROLE_KEY] not in backend.roles:
        st.session_state[ROLE_KEY] = DEFAULT_ROLE if DEFAULT_ROLE in backend.roles else backend.roles[0]
    return AppContext(backend=backend, role=st.session_state[ROLE_KEY])


def _home_argument() -> str | None:
    """`streamlit run streamlit_app.py -- --home PATH` (what `c360 app` passes); None -> C360_HOME/default."""
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == "--home" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--home="):
            return arg.split("=", 1)[1]
    return None


def _snowflake_backend() -> Backend | None:
    try:
        from snowflake.snowpark.context import get_active_session  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        session = get_active_session()
    except Exception:
        return None
    return _cached_snowpark_backend(session)


@st.cache_resource(show_spinner=False)
def _cached_snowpark_backend(_session: Any) -> Backend:
    return SnowparkBackend(_session)


def _local_backend(home: str | None) -> Backend:
    """The local backend for the resolved home (so a changed C360_HOME never reuses another platform)."""
    from c360.config import Settings
    from c360.errors import C360Error

    try:
        resolved = Settings.load(home=home, create_home=False).home
    except C360Error as exc:
        raise AppDataError("not_built", str(exc)) from None
    return _cached_local_backend(str(resolved))


@st.cache_resource(show_spinner=False)
def _cached_local_backend(home: str) -> Backend:
    return LocalBackend(home)


# ---------------------------------------------------------------------------------------------------------
# Streamlit in Snowflake
# ---------------------------------------------------------------------------------------------------------


class SnowparkBackend:
    """Snowpark session inside Streamlit in Snowflake; Cortex Analyst through `_snowflake`."""

    name = "snowflake"
    dialect = "snowflake"
    identity = "snowflake"

    def __init__(self, session: Any) -> None:
        # No ALTER SESSION and no context functions (owner's rights, see SIS_OWNER_ROLE): queries are bounded
        # by the warehouse's STATEMENT_TIMEOUT_IN_SECONDS (stack config statementTimeoutSeconds).
        self.session = session
        try:
            session.sql("select 1").collect()
        except Exception as exc:
            raise AppDataError(
                "unavailable", f"the Snowflake session is not usable: {_first_line(exc)}"
            ) from None
        self.current_role, self.database = SIS_OWNER_ROLE, SIS_DATABASE
        self.roles = (self.current_role,)

    def data_version(self) -> str:
        return "live"

    def describe(self) -> str:
        return f"Snowflake · {self.database} · role {self.current_role}"

    def can_read(self, role: str, schema: str) -> bool | None:
        """What the owner's grants allow: every query runs with them, whoever views the app."""
        return schema.upper() in SIS_OWNER_SCHEMAS

    def run(self, sql: str, params: Sequence[object], role: str, max_rows: int) -> pd.DataFrame:
        try:
            frame = self.session.sql(sql, params=list(params)).limit(max_rows).to_pandas()
        except Exception as exc:
            raise classify_snowflake_error(exc) from None
        return normalize_frame(frame)

    def ask(self, question: str, history: Sequence[AssistantReply], role: str) -> AssistantReply:
        import _snowflake  # type: ignore[import-not-found]  # only inside Streamlit in Snowflake

        body = cortex_request(question, history)
        try:
            response = _snowflake.send_snow_api_request(
                "POST", CORTEX_ANALYST_ENDPOINT, {}, {}, body, None, CORTEX_TIMEOUT_MS
            )
        except Exception as exc:
            return AssistantReply(question, error=f"Cortex Analyst is unavailable: {_first_line(exc)}")
        reply = parse_cortex_response(question, int(response.get("status", 500)), response.get("content"))
        if reply.sql is None:
            return reply
        try:
            frame = self.run(single_select(reply.sql), [], role, DEFAULT_MAX_ROWS)
        except AppDataError as exc:
            return AssistantReply(
                question,
                answer=reply.answer,
                sql=reply.sql,
                verified_query=reply.verified_query,
                suggestions=reply.suggestions,
                warnings=reply.warnings,
                error=str(exc),
            )
        return AssistantReply(
            question,
            answer=reply.answer,
            sql=reply.sql,
            columns=tuple(frame.columns),
            rows=tuple(tuple(r) for r in frame.itertuples(index=False, name=None)),
            verified_query=reply.verified_query,
            suggestions=reply.suggestions,
            warnings=reply.warnings,
        )


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_FIRST_WORD = re.compile(r"\s*\(*\s*(\w+)")


def single_select(sql: str) -> str:
    """Cortex Analyst's SQL if it is exactly one SELECT (or WITH … SELECT), else AppDataError.

    In Streamlit in Snowflake c360's query guard is not deployed (it needs the c360 package); the owner
    role's grants (MARKETING_MANAGER: GOLD only) bound what any statement can read, and this check keeps
    the assistant from running anything but a single query. Deliberately strict: a ';' or comment marker
    inside a string literal is refused too.
    """
    text = _COMMENTS.sub(" ", sql).strip().rstrip(";").strip()
    first = _FIRST_WORD.match(text)
    if ";" in text or first is None or first.group(1).lower() not in ("select", "with"):
        raise AppDataError(
            "refused", "Cortex Analyst returned SQL that is not a single SELECT; it was not run"
        )
    return sql


_OUTER_LIMIT = re.compile(r"\s+LIMIT\s+(\d+)\s*;?\s*$", re.IGNORECASE)


def full_result_sql(reply: AssistantReply, shown_cap: int = DEFAULT_MAX_ROWS) -> str | None:
    """The statement that exports every row of an answer the chat shows only in part, else None.

    An answer is cut when it has `shown_cap` rows: the listing default (an outer `LIMIT 10000` the reader
    adds when the question named no number) or the row cap of the chat. The export drops that default limit;
    a limit the question asked for ("top 20") is kept, as is anything inside the statement.
    """
    if reply.sql is None or len(reply.rows) < shown_cap:
        return None
    sql = single_select(reply.sql).strip()
    limit = _OUTER_LIMIT.search(sql)
    if limit is not None and int(limit.group(1)) == shown_cap:
        sql = sql[: limit.start()]
    return sql


def classify_snowflake_error(exc: BaseException) -> AppDataError:
    text = _first_line(exc)
    lower = text.lower()
    if "does not exist or not authorized" in lower or "insufficient privileges" in lower:
        return AppDataError("forbidden", f"this role cannot read the data this view needs ({text})")
    if "timeout" in lower or "cancelled" in lower:
        return AppDataError("timeout", "the query timed out: narrow the filters and try again")
    if "warehouse" in lower and (
        "suspended" in lower or "no active warehouse" in lower or "cannot be" in lower
    ):
        return AppDataError("unavailable", f"the warehouse is unavailable: {text}")
    return AppDataError("failed", f"the query failed: {text}")


def cortex_request(question: str, history: Sequence[AssistantReply]) -> dict[str, Any]:
    """Cortex Analyst request body: earlier turns as alternating user/analyst messages, then the question."""
    messages: list[dict[str, Any]] = []
    for turn in history[-4:]:
        messages.append({"role": "user", "content": [{"type": "text", "text": turn.question}]})
        content: list[dict[str, Any]] = [{"type": "text", "text": turn.answer or turn.error or ""}]
        if turn.sql:
            content.append({"type": "sql", "statement": turn.sql})
        messages.append({"role": "analyst", "content": content})
    messages.append({"role": "user", "content": [{"type": "text", "text": question}]})
    return {"messages": messages, "semantic_model_file": SEMANTIC_MODEL_FILE}


def parse_cortex_response(question: str, status: int, content: object) -> AssistantReply:
    """Cortex Analyst's response (or error) as an AssistantReply; never raises."""
    try:
        payload = json.loads(content) if isinstance(content, (str, bytes)) else dict(content or {})
    except (TypeError, ValueError):
        return AssistantReply(
            question, error=f"Cortex Analyst returned an unreadable response (HTTP {status})"
        )
    if status >= 400:
        message = payload.get("message") or "unknown error"
        return AssistantReply(
            question, error=f"Cortex Analyst error {payload.get('error_code', status)}: {message}"
        )
    texts: list[str] = []
    sql: str | None = None
    verified: str | None = None
    suggestions: list[str] = []
    for item in (payload.get("message") or {}).get("content") or []:
        kind = item.get("type")
        if kind == "text":
            texts.append(str(item.get("text", "")))
        elif kind == "sql":
            sql = str(item.get("statement") or "").strip() or None
            used = (item.get("confidence") or {}).get("verified_query_used")
            if used:
                verified = str(used.get("question") or used.get("name") or "verified query")
        elif kind == "suggestions":
            suggestions.extend(str(s) for s in item.get("suggestions") or [])
    warnings = tuple(str(w.get("message", w)) for w in payload.get("warnings") or [])
    answer = " ".join(t for t in texts if t).strip()
    if sql is None:
        return AssistantReply(
            question,
            answer=answer,
            suggestions=tuple(suggestions),
            warnings=warnings,
            error=answer or "The question could not be answered from the semantic model.",
        )
    return AssistantReply(
        question,
        answer=answer,
        sql=sql,
        verified_query=verified,
        suggestions=tuple(suggestions),
        warnings=warnings,
    )


# ---------------------------------------------------------------------------------------------------------
# Local platform (c360 package available)
# ---------------------------------------------------------------------------------------------------------


class LocalBackend:
    """The published snapshot of the warehouse under C360_HOME, every statement through c360's query guard."""

    name = "local"
    dialect = "duckdb"

    def __init__(self, home: str | None) -> None:
        from c360.config import Settings
        from c360.errors import C360Error
        from c360.grants import APP_ROLES

        try:
            self.settings = Settings.load(home=home, create_home=False)
        except C360Error as exc:
            raise AppDataError("not_built", str(exc)) from None
        self.identity = f"local:{self.settings.home}"
        self.roles = tuple(r.value for r in APP_ROLES)
        self._sessions: dict[str, Any] = {}
        self._assistants: dict[tuple[str, str], tuple[Any, threading.Lock]] = {}
        self._lock = threading.Lock()

    # -- data version: the published snapshot readers see ---------------------------------------------
    def _source(self) -> Path:
        from c360.snapshots import latest_snapshot

        path = latest_snapshot(self.settings) or self.settings.warehouse_path
        if not path.exists():
            raise AppDataError(
                "not_built",
                f"no platform at {self.settings.home}: build it with `c360 up --home {self.settings.home}`",
            )
        return path

    def data_version(self) -> str:
        path = self._source()
        return f"{path.name}:{path.stat().st_mtime_ns}"

    def describe(self) -> str:
        try:
            source = self._source()
        except AppDataError:
            return f"Local · {self.settings.home} (not built)"
        kind = "published snapshot" if source != self.settings.warehouse_path else "warehouse"
        return f"Local {kind} · {self.settings.home}"

    def can_read(self, role: str, schema: str) -> bool | None:
        from c360.grants import can_read

        return can_read(role, schema)

    def _session(self) -> Any:
        from c360.engines.readers import open_reader
        from c360.errors import C360Error

        version = self.data_version()
        with self._lock:
            session = self._sessions.get(version)
            if session is None:
                try:
                    session = open_reader(self.settings)  # pinned to the published snapshot, confined
                except C360Error as exc:
                    raise AppDataError("unavailable", str(exc)) from None
                # Keep the previous snapshot's session open for queries still running on it.
                for old in list(self._sessions)[:-1]:
                    self._sessions.pop(old).close()
                self._sessions[version] = session
        return session

    def _cursor(self) -> Any:
        """A cursor of the snapshot session whose default catalog is the warehouse, as the assistant's session
        has it (the app's SQL files name the catalog; an assistant answer's SQL does not)."""
        from c360.names import DATABASE

        cursor = self._session().con.cursor()
        cursor.execute(f"use {DATABASE.lower()}")
        return cursor

    def warm_up(self, role: str | None = None) -> None:
        """Open the snapshot session now (and the role's assistant): what the first query would pay."""
        self._session()
        if role is not None:
            self._assistant(role)

    def close(self) -> None:
        with self._lock:
            for assistant, _ in self._assistants.values():
                assistant.close()
            self._assistants.clear()
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()

    def run(self, sql: str, params: Sequence[object], role: str, max_rows: int) -> pd.DataFrame:
        from c360.engines.duckdb import DuckDBSession
        from c360.errors import C360Error
        from c360.guard import run_guarded

        shared = self._session()
        cursor = DuckDBSession(self._cursor(), shared.path, True)  # one cursor per query: thread-safe
        try:
            return run_guarded(
                cursor, sql, role, list(params), max_rows=max_rows, timeout_seconds=QUERY_TIMEOUT_SECONDS
            )
        except C360Error as exc:
            raise _local_error(exc, role) from None
        finally:
            cursor.close()

    def stream(
        self, sql: str, params: Sequence[object], role: str, max_rows: int, batch_rows: int
    ) -> Iterator[pd.DataFrame]:
        """The guarded statement's rows as DataFrames of up to `batch_rows` rows (Arrow record batches), so an
        export never holds the whole result; the query timeout covers the whole read."""
        import duckdb

        from c360.errors import C360Error
        from c360.guard import guard_select

        try:
            guarded = guard_select(sql, role, dialect=self.dialect, max_rows=max_rows)
        except C360Error as exc:
            raise _local_error(exc, role) from None
        cursor = self._cursor()
        timer = threading.Timer(QUERY_TIMEOUT_SECONDS, cursor.interrupt)
        timer.start()
        try:
            reader = cursor.execute(guarded.sql, list(params)).to_arrow_reader(batch_rows)
            empty = True
            for batch in reader:
                empty = False
                yield _lower_columns(batch.to_pandas())
            if empty:
                yield _lower_columns(reader.schema.empty_table().to_pandas())
        except duckdb.Error as exc:
            text = f"{type(exc).__name__}: {exc}"
            if "INTERRUPT" in text.upper():
                text = f"query timed out after {QUERY_TIMEOUT_SECONDS:g} s"
            raise _local_error(C360Error(text), role) from None
        finally:
            timer.cancel()
            cursor.close()

    def ask(self, question: str, history: Sequence[AssistantReply], role: str) -> AssistantReply:
        """c360's assistant (local semantic engine, same message shape as Cortex Analyst), warm per role."""
        from c360.errors import C360Error

        messages = cortex_request(question, history)["messages"][:-1]  # earlier turns, Cortex shape
        try:
            assistant, lock = self._assistant(role)
            with lock:
                response = assistant.ask(question, messages)
        except C360Error as exc:
            return AssistantReply(question, error=f"The assistant could not answer: {exc}")
        used = response.verified_query or {}
        return AssistantReply(
            question=response.question,
            answer=response.answer,
            sql=response.sql,
            columns=tuple(response.columns),
            rows=tuple(tuple(r) for r in response.rows),
            verified_query=str(used.get("question") or used.get("name")) if used else None,
            suggestions=tuple(response.suggestions),
            warnings=tuple(response.warnings),
            error=response.answer if response.refused else None,
        )

    def _assistant(self, role: str) -> tuple[Any, threading.Lock]:
        """One warm assistant per role and snapshot (its own read-only session); calls are serialized."""
        from c360.assistant import Assistant

        key = (role, self.data_version())
        with self._lock:
            entry = self._assistants.get(key)
            if entry is None:
                for old in [k for k in self._assistants if k[0] == role]:
                    self._assistants.pop(old)[0].close()
                entry = (Assistant.open(self.settings, role=role), threading.Lock())
                self._assistants[key] = entry
        return entry


def _local_error(exc: Exception, role: str) -> AppDataError:
    """A c360 guard or warehouse error as the app's one-sentence AppDataError."""
    from c360.guard import GuardError

    text = str(exc)
    if isinstance(exc, GuardError):
        if "may not read" in text:
            return AppDataError("forbidden", f"your role {role} cannot read this: {text}")
        if "timed out" in text:
            return AppDataError("timeout", text)
        return AppDataError("refused", text)
    if "timed out" in text:
        return AppDataError("timeout", f"{text}: narrow the filters and try again")
    if "does not exist" in text and ("Table" in text or "Catalog" in text):
        return AppDataError(
            "not_built", f"the platform has no such table yet ({_first_line(text)}): run `c360 up`"
        )
    return AppDataError("failed", f"the query failed: {_first_line(text)}")


def _lower_columns(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).lower() for c in frame.columns]
    return frame


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__
