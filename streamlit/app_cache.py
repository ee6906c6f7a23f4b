"""The app's result cache, keyed on the data version, and the memo that keeps the version cheap to ask.

Every cached result is keyed on (data source, data version, role, statement, values, row cap). The data
version is the load watermark of what the backend reads (locally the published lake snapshot, on Snowflake
when GOLD last changed), so a newly loaded batch simply changes the key: results of the old version are no
longer asked for and age out (TTL, max_entries), and nobody's cache is cleared wholesale. The refresh button
re-reads the version (`VersionMemo.refresh`) instead of clearing every viewer's results.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Final

import pandas as pd
import streamlit as st

from app_types import AppDataError, Backend

log = logging.getLogger(__name__)

QUERY_TTL_SECONDS: Final = 300
QUERY_CACHE_ENTRIES: Final = 2048


def cached_query(
    backend: Backend, role: str, sql: str, params: tuple[object, ...], max_rows: int
) -> pd.DataFrame:
    """The statement's rows for this role at the backend's current data version (a copy: callers may edit it)."""
    frame = _cached_query(backend, backend.identity, backend.data_version(), role, sql, params, max_rows)
    return frame.copy()


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False, max_entries=QUERY_CACHE_ENTRIES)
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


def cache_key_params(params: Sequence[object]) -> tuple[object, ...]:
    """Bound values as a hashable tuple (lists and sets become tuples)."""
    return tuple(tuple(p) if isinstance(p, (list, set)) else p for p in params)


class VersionMemo:
    """A data version read at most once per `max_age_seconds` (shared by every viewer of one backend).

    For a backend whose version costs a warehouse round trip: within max_age the remembered version is
    used, so a new load shows within max_age (or at once after `refresh`). A failed re-read keeps the last
    version (its results stay valid) and logs why; only the first read raises.
    """

    def __init__(self, read: Callable[[], str], max_age_seconds: float) -> None:
        self._read, self._max_age = read, max_age_seconds
        self._lock = threading.Lock()
        self._version = read()
        self._read_at = time.monotonic()

    def get(self) -> str:
        if time.monotonic() - self._read_at < self._max_age:
            return self._version
        return self.refresh()

    def refresh(self) -> str:
        with self._lock:
            try:
                self._version = self._read()
            except AppDataError as exc:
                log.warning("data version not re-read, keeping %s: %s", self._version, exc)
            self._read_at = time.monotonic()
            return self._version
