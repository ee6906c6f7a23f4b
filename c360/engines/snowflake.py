"""Snowflake implementation of the warehouse session (snowflake-connector-python, qmark binding)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd

from c360.config import SnowflakeCredentials
from c360.engines.base import Dialect, split_statements
from c360.errors import WarehouseError

log = logging.getLogger(__name__)


def connect_kwargs(creds: SnowflakeCredentials) -> dict[str, Any]:
    """Connector arguments; the private key is read from disk here and never stored elsewhere."""
    kwargs: dict[str, Any] = {
        "account": creds.account,
        "user": creds.user,
        "role": creds.role,
        "warehouse": creds.warehouse,
        "database": creds.database,
        "paramstyle": "qmark",
        "client_session_keep_alive": False,
        "application": "c360",
    }
    if creds.private_key_path is not None:
        from cryptography.hazmat.primitives import serialization

        passphrase = creds.private_key_passphrase.encode() if creds.private_key_passphrase else None
        key = serialization.load_pem_private_key(creds.private_key_path.read_bytes(), password=passphrase)
        kwargs["private_key"] = key.private_bytes(
            encoding=serialization.Encoding.DER,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )
    elif creds.password:
        kwargs["password"] = creds.password
    if creds.authenticator:
        kwargs["authenticator"] = creds.authenticator
    return kwargs


class SnowflakeSession:
    dialect: Dialect = "snowflake"

    def __init__(self, con: Any) -> None:
        self.con = con
        self._in_tx = False

    @classmethod
    def connect(cls, creds: SnowflakeCredentials) -> SnowflakeSession:
        import snowflake.connector

        try:
            con = snowflake.connector.connect(**connect_kwargs(creds))
        except snowflake.connector.errors.Error as exc:
            raise WarehouseError(
                f"cannot connect to Snowflake account {creds.account!r}: {exc.msg}"
            ) from None
        return cls(con)

    def _cursor_execute(self, sql: str, params: Sequence[object]) -> Any:
        import snowflake.connector

        cur = self.con.cursor()
        try:
            cur.execute(sql, list(params) if params else None)
        except snowflake.connector.errors.Error as exc:
            cur.close()
            raise WarehouseError(f"Snowflake error {getattr(exc, 'errno', '')}: {exc.msg}") from exc
        return cur

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        cur = self._cursor_execute(sql, params)
        try:
            return int(cur.rowcount) if cur.rowcount is not None else -1
        finally:
            cur.close()

    def run_script(self, sql: str) -> None:
        for stmt in split_statements(sql):
            self.execute(stmt)

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        cur = self._cursor_execute(sql, params)
        try:
            try:
                frame: pd.DataFrame = cur.fetch_pandas_all()
            except Exception:  # non-arrow result formats (e.g. SHOW) fall back to rows
                rows = cur.fetchall()
                frame = pd.DataFrame(rows, columns=[d[0] for d in cur.description or []])
        finally:
            cur.close()
        frame.columns = [str(c).lower() for c in frame.columns]
        return frame

    def scalar(self, sql: str, params: Sequence[object] = ()) -> object:
        cur = self._cursor_execute(sql, params)
        try:
            row = cur.fetchone()
        finally:
            cur.close()
        return None if row is None else row[0]

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        if frame.empty:
            return 0
        from snowflake.connector.pandas_tools import write_pandas

        database, schema, name = table.split(".")
        upper = frame.rename(columns=str.upper)
        ok, _, nrows, _ = write_pandas(
            self.con, upper, table_name=name, schema=schema, database=database, quote_identifiers=False
        )
        if not ok:
            raise WarehouseError(f"write_pandas into {table} failed")
        return int(nrows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_tx:
            yield
            return
        self.execute("begin")
        self._in_tx = True
        try:
            yield
        except BaseException:
            self.execute("rollback")
            raise
        else:
            self.execute("commit")
        finally:
            self._in_tx = False

    def table_exists(self, schema: str, table: str) -> bool:
        found = self.scalar(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema.upper(), table.upper()],
        )
        return bool(found)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> SnowflakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
