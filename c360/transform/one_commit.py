"""One lake commit per in-process dbt invocation (local target only): the stream's refresh as one unit.

dbt-duckdb opens a new DuckDB cursor for every dbt connection (one per node, one for the project hooks) and
commits after every node and hook: a streamed batch's refresh made ~15 commits on the lake, and every
statement outside a transaction started a new one, re-reading the lake's current snapshot from the SQLite
catalog. Both are catalog work that does not depend on the data (docs/architecture.md#local-storage).

`one_commit()` wraps one in-process invocation (c360/transform/dbt.py InProcessDbt): every dbt connection
opened meanwhile is handed the same cursor, on which one transaction is begun; dbt's own `BEGIN`, `COMMIT`
and `ROLLBACK` statements (per node, per hook, the hooks' explicit commits) and its handle-level rollbacks
become no-ops on it; the caller then commits it (the invocation succeeded) or rolls it back (anything
failed). The lake therefore gets the whole refresh — silver, the intermediate models, the gold marts and
the observability hooks' rows — as one snapshot, or nothing: a crash or a failed node leaves the lake
where the pipe left it, and the next refresh picks the rows up by its incremental watermarks (the caller
records a failed run as FAILED in PIPELINE_RUN_METADATA itself; the hooks' rows went with the rollback).

Needs one dbt node at a time (the profile's `threads: 1`, forced by the caller): the hooks' connection and
the node's connection then take turns on the cursor, never use it at once. Temporary tables (dbt-duckdb's
incremental staging, the snapshot staging) live in DuckDB's temp catalog, which a lake transaction may
write beside the lake. Snowflake never runs this (its dbt always runs as dbt-core does).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from c360.errors import C360Error

# dbt prefixes its statements with a query comment (/* {"app": "dbt", ...} */)
_TRANSACTION_CONTROL = re.compile(
    r"^\s*(?:/\*.*?\*/\s*)*(?:begin|commit|rollback|abort|end)(?:\s+transaction)?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def is_transaction_control(sql: str) -> bool:
    """True for BEGIN / COMMIT / ROLLBACK (and their spellings), with or without dbt's query comment."""
    return _TRANSACTION_CONTROL.match(sql) is not None


class _SharedCursor:
    """dbt's view of the shared cursor: transaction control is the owner's, everything else runs."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def execute(self, sql: str, bindings: Any = None) -> Any:
        if is_transaction_control(sql):
            return self
        return self._inner.execute(sql, bindings)


class _SharedHandle:
    """What dbt stores as a connection's handle: closing or rolling it back leaves the transaction alone."""

    def __init__(self, owner: Any) -> None:
        self._cursor = _SharedCursor(owner.cursor())

    def cursor(self) -> _SharedCursor:
        return self._cursor

    def close(self) -> None:
        return None

    def rollback(self) -> None:
        return None


@dataclass
class _Transaction:
    owner: Any = None  # dbt-duckdb's connection wrapper of the shared cursor, once dbt asked for one


@contextlib.contextmanager
def one_commit() -> Iterator[_Transaction]:
    """Run the dbt invocation inside as one lake transaction; the caller decides with `finish`."""
    from dbt.adapters.duckdb.environments.local import LocalEnvironment

    original = LocalEnvironment.handle
    if getattr(original, "_c360_shared", False):
        raise C360Error("a dbt invocation is already running in one transaction in this process")
    transaction = _Transaction()

    def shared_handle(environment: Any) -> _SharedHandle:
        if transaction.owner is None:
            owner = original(environment)  # type: ignore[no-untyped-call]
            owner.cursor().execute("begin transaction")
            transaction.owner = owner
        return _SharedHandle(transaction.owner)

    shared_handle._c360_shared = True  # type: ignore[attr-defined]
    LocalEnvironment.handle = shared_handle  # type: ignore[method-assign]
    try:
        yield transaction
    finally:
        LocalEnvironment.handle = original  # type: ignore[method-assign]
        # never leave the transaction open: the caller's finish() already ended it unless it raised
        finish(transaction, commit=False)


def finish(transaction: _Transaction, *, commit: bool) -> None:
    """Commit (or roll back) the invocation's transaction and close its cursor; idempotent."""
    owner, transaction.owner = transaction.owner, None
    if owner is None:
        return
    try:
        cursor = owner.cursor()
        if commit:
            cursor.execute("commit")
        else:
            with contextlib.suppress(Exception):  # nothing was committed either way
                cursor.execute("rollback")
    finally:
        owner.close()
