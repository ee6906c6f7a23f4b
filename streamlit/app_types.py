"""What every part of the app's data access shares: the error it raises and the backend seam.

Two backends implement `Backend`: backend_snowflake.SnowparkBackend (Streamlit in Snowflake) and
backend_local.LocalBackend (the local platform). app_context.AppContext is what the tabs hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Protocol

import pandas as pd

if TYPE_CHECKING:
    from assistant_turns import AssistantReply

DEFAULT_MAX_ROWS: Final = 10_000


class AppDataError(Exception):
    """A query could not be answered; `kind` says why and the message is shown to the user as is.

    kinds: not_built (tables missing), forbidden (the role may not read them), timeout, unavailable
    (warehouse down or unreachable), refused (the SQL was rejected), failed (anything else).
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Backend(Protocol):
    name: str  # "local" | "snowflake"
    dialect: str  # "duckdb" | "snowflake": picks the SQL twin
    identity: str  # stable id of the data source (part of every cache key)
    roles: tuple[str, ...]  # personas the user may switch between

    def data_version(self) -> str:
        """The load watermark of the data the backend reads (part of every cache key); cheap to call."""
        ...

    def refresh_data_version(self) -> str:
        """Read the watermark again now (the refresh button), whatever the backend remembers."""
        ...

    def describe(self) -> str: ...

    def run(self, sql: str, params: Sequence[object], role: str, max_rows: int) -> pd.DataFrame: ...

    def can_read(self, role: str, schema: str) -> bool | None: ...

    def ask(self, question: str, history: Sequence[AssistantReply], role: str) -> AssistantReply: ...


def first_line(value: object) -> str:
    """The first line of an error's text (driver errors carry whole stack traces)."""
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__
