"""The warehouse seam. Both implementations bind parameters with `?` (qmark) and return lower-case columns."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Literal, Protocol

import pandas as pd

Dialect = Literal["duckdb", "snowflake"]


class WarehouseSession(Protocol):
    dialect: Dialect

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one statement; return the affected row count (-1 when unknown)."""
        ...

    def run_script(self, sql: str) -> None:
        """Run several `;`-separated statements (DDL files). No parameters."""
        ...

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """Run one SELECT and return a DataFrame with lower-case column names."""
        ...

    def scalar(self, sql: str, params: Sequence[object] = ()) -> object: ...

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        """Append a DataFrame to a fully qualified table (columns by name)."""
        ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def table_exists(self, schema: str, table: str) -> bool: ...

    def close(self) -> None: ...


def split_statements(script: str) -> Iterator[str]:
    """Split a SQL script on `;` outside quotes and comments (enough for our own DDL files)."""
    buf: list[str] = []
    i, n = 0, len(script)
    quote: str | None = None
    while i < n:
        ch = script[i]
        if quote:
            buf.append(ch)
            if ch == quote:
                if i + 1 < n and script[i + 1] == quote:
                    buf.append(script[i + 1])
                    i += 1
                else:
                    quote = None
        elif ch in ("'", '"'):
            quote = ch
            buf.append(ch)
        elif script.startswith("--", i):
            end = script.find("\n", i)
            i = n if end == -1 else end
            continue
        elif script.startswith("/*", i):
            end = script.find("*/", i + 2)
            i = n if end == -1 else end + 2
            continue
        elif ch == ";":
            stmt = "".join(buf).strip()
            if stmt:
                yield stmt
            buf = []
        else:
            buf.append(ch)
        i += 1
    stmt = "".join(buf).strip()
    if stmt:
        yield stmt
