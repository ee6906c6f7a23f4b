"""The local platform: the published snapshot of the lake under C360_HOME, read-only, every statement
through c360's query guard (one SELECT, tables the chosen persona may read per the grant matrix, row limit,
timeout). The c360 package exists only locally: it is imported inside these methods and nowhere else in
streamlit/ (apart from the standard-library modules the stack also ships to Snowflake)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd

from app_types import AppDataError, first_line
from assistant_turns import AssistantReply, history_messages

QUERY_TIMEOUT_SECONDS: Final = 60.0


def local_home(home: str | None) -> str:
    """The platform folder `home` (or C360_HOME, or the default) resolves to."""
    from c360.config import Settings
    from c360.errors import C360Error

    try:
        return str(Settings.load(home=home, create_home=False).home)
    except C360Error as exc:
        raise AppDataError("not_built", str(exc)) from None


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

    # -- data version: the published lake snapshot readers see ----------------------------------------
    def data_version(self) -> str:
        """The published snapshot id and when it was published (the publication record, read each time:
        a few bytes, replaced atomically by every publish)."""
        from c360.errors import C360Error
        from c360.snapshots import published

        try:
            publication = published(self.settings)
        except C360Error as exc:
            raise AppDataError("unavailable", str(exc)) from None
        if publication is not None:
            return f"snapshot {publication.snapshot_id} published {publication.published_at.isoformat()}"
        warehouse = self._source()  # never published: the warehouse file itself
        return f"{warehouse.name}:{warehouse.stat().st_mtime_ns}"

    def refresh_data_version(self) -> str:
        return self.data_version()  # read from the record on every call: nothing remembered to refresh

    def _source(self) -> Path:
        from c360.snapshots import latest_snapshot

        path = latest_snapshot(self.settings) or self.settings.warehouse_path
        if not path.exists():
            raise AppDataError(
                "not_built",
                f"no platform at {self.settings.home}: build it with `c360 up --home {self.settings.home}`",
            )
        return path

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
            raise local_error(exc, role) from None
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
            raise local_error(exc, role) from None
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
            raise local_error(C360Error(text), role) from None
        finally:
            timer.cancel()
            cursor.close()

    def ask(self, question: str, history: Sequence[AssistantReply], role: str) -> AssistantReply:
        """c360's assistant (local semantic engine, same message shape as Cortex Analyst), warm per role."""
        from c360.errors import C360Error

        try:
            assistant, lock = self._assistant(role)
            with lock:
                response = assistant.ask(question, history_messages(history))
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


def local_error(exc: Exception, role: str) -> AppDataError:
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
            "not_built", f"the platform has no such table yet ({first_line(text)}): run `c360 up`"
        )
    return AppDataError("failed", f"the query failed: {first_line(text)}")


def _lower_columns(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).lower() for c in frame.columns]
    return frame
