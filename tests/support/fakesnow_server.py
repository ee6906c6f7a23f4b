"""A local Snowflake emulator (fakesnow server) that dbt-snowflake can build the c360 project against.

Run as `python -m tests.support.fakesnow_server PORT` (tests start it in a subprocess with a hard
timeout). fakesnow as shipped fails a few statements dbt-snowflake sends (see
../shared/notes/local-engines.md); the shim rewrites them before fakesnow sees them:
  1. `create or replace temporary table|view db.schema.x` -> without `temporary` (DuckDB only allows
     temporary objects in its temp catalog);
  2. dbt's `begin` / `commit` / `rollback` -> no-ops (fakesnow runs in autocommit and a multi-database
     transaction fails in DuckDB);
It proves the Snowflake rendering compiles and runs; it is not a fidelity test of types or NULL timestamps.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import Any

TEMPORARY = re.compile(r"\bcreate\s+or\s+replace\s+temporary\s+(table|view)\b", re.IGNORECASE)
# dbt adds its query comment (`/* {"app": "dbt", ...} */`) before or after each statement
TRANSACTION_CONTROL = re.compile(
    r"^\s*(/\*.*?\*/\s*)?(begin|commit|rollback)(\s+(work|transaction))?\s*;?\s*(/\*.*?\*/\s*)?$",
    re.IGNORECASE | re.DOTALL,
)


def rewrite(sql: str) -> str:
    return TEMPORARY.sub(lambda m: f"create or replace {m.group(1)}", sql)


def install_shim() -> None:
    server = importlib.import_module("fakesnow.server")  # `fakesnow.server` is also a function name
    from fakesnow.cursor import FakeSnowflakeCursor

    original_execute = FakeSnowflakeCursor.execute

    def execute(self: Any, command: str, *args: Any, **kwargs: Any) -> Any:
        if TRANSACTION_CONTROL.match(command):
            return original_execute(self, "select 'transaction control is a no-op' as status")
        return original_execute(self, rewrite(command), *args, **kwargs)

    FakeSnowflakeCursor.execute = execute  # type: ignore[method-assign]

    original_parse_one = server.parse_one

    def parse_one(sql: str, *args: Any, **kwargs: Any) -> Any:
        if TRANSACTION_CONTROL.match(sql):
            sql = "select 'transaction control is a no-op' as status"
        return original_parse_one(rewrite(sql), *args, **kwargs)

    server.parse_one = parse_one


def main(port: int) -> None:
    import uvicorn

    server = importlib.import_module("fakesnow.server")  # `fakesnow.server` is also a function name

    install_shim()
    # sessions share fakesnow's in-memory database, so the loader and dbt see the same tables
    uvicorn.run(server.app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(int(sys.argv[1]))
