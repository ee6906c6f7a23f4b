"""The app's one data-access seam: `get_app_context()`.

Two backends behind one small interface (app_types.Backend), one module each:
- **Streamlit in Snowflake** (backend_snowflake): the active Snowpark session (`get_active_session()`); the
  app runs with its owner's role and Snowflake's grants decide what it may read.
- **Local** (backend_local): the published snapshot of the local warehouse (a DuckLake under C360_HOME),
  read-only, every statement passed through c360's query guard.

Every value is bound (`?`); SQL text comes from streamlit/sql/*.sql. Query results are cached (app_cache)
keyed on the role and the data version, the backend's load watermark, so a persona switch or a newly
loaded batch never serves stale or foreign rows.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import pandas as pd
import streamlit as st

from app_cache import cache_key_params, cached_query
from app_types import DEFAULT_MAX_ROWS, AppDataError, Backend
from assistant_turns import AssistantReply
from backend_local import LocalBackend, local_home
from backend_snowflake import SnowparkBackend

SQL_DIR: Final = Path(__file__).resolve().parent / "sql"
# Exports read every row the role may read: the ceiling only stops a runaway statement (the largest table an
# export reads holds one row per customer). Rows arrive in batches of EXPORT_BATCH_ROWS.
EXPORT_MAX_ROWS: Final = 10_000_000
EXPORT_BATCH_ROWS = 20_000
DEFAULT_ROLE: Final = "MARKETING_MANAGER"
ROLE_KEY: Final = "app.role"
ROLE_LABELS: Final = {
    "MARKETING_MANAGER": "Marketing manager (gold tables)",
    "DATA_ANALYST": "Data analyst (all schemas)",
}


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
        return cached_query(self.backend, self.role, sql, cache_key_params(params), max_rows)

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

    def refresh(self) -> bool:
        """Read the data version again (the refresh button); True when new data arrived since the last read.

        Nothing is cleared: results are keyed on the version, so a new one is simply never served from the
        old entries, and other viewers' results of the current version stay cached.
        """
        before = self.backend.data_version()
        return self.backend.refresh_data_version() != before


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
        from snowflake.snowpark.context import get_active_session
    except ImportError:
        return None
    try:
        session = get_active_session()
    except Exception:  # no active session: not running inside Snowflake
        return None
    return _cached_snowpark_backend(session)


@st.cache_resource(show_spinner=False)
def _cached_snowpark_backend(_session: Any) -> Backend:
    return SnowparkBackend(_session, load_sql("data_version", SnowparkBackend.dialect))


def _local_backend(home: str | None) -> Backend:
    """The local backend for the resolved home (so a changed C360_HOME never reuses another platform)."""
    return _cached_local_backend(local_home(home))


@st.cache_resource(show_spinner=False)
def _cached_local_backend(home: str) -> Backend:
    return LocalBackend(home)
