"""Internal-stage file commands (PUT / LIST / REMOVE) with Snowflake's documented semantics, for tests.

fakesnow 0.11.18 (the last release on duckdb 1.5.5) emulates PUT and LIST only at a stage's root: it reads
`@DB.SCHEMA.STAGE/dir/` as a stage named `STAGE/DIR/`. The stack uploads into folders of a stage, so the
provider tests run the three commands here instead, as documented:
- PUT 'file://<path>' @<stage>/<folder>/ ... stores the file under <folder>/ (OVERWRITE = TRUE replaces it)
  https://docs.snowflake.com/en/sql-reference/sql/put
- LIST @<stage> returns one row per file, `name` = <lower-case stage name>/<path>
  https://docs.snowflake.com/en/sql-reference/sql/list
- REMOVE @<stage>/<path> removes every file whose path starts with <path>
  https://docs.snowflake.com/en/sql-reference/sql/remove
Every other statement goes to the real session (fakesnow).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

STAGE_PATH: Final = r"@(?P<stage>[A-Za-z0-9_]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+)(?:/(?P<path>\S*))?"
PUT: Final = re.compile(rf"^\s*put\s+'file://(?P<file>[^']+)'\s+{STAGE_PATH}", re.IGNORECASE)
LIST: Final = re.compile(rf"^\s*(?:list|ls)\s+{STAGE_PATH}\s*$", re.IGNORECASE)
REMOVE: Final = re.compile(rf"^\s*(?:remove|rm)\s+{STAGE_PATH}\s*$", re.IGNORECASE)


class StageCursor:
    """The part of a connector cursor SnowflakeSession uses."""

    def __init__(self, rows: list[tuple[Any, ...]], columns: list[str]) -> None:
        self.rows, self.rowcount = rows, len(rows)
        self.description = [(c,) for c in columns]

    def fetch_pandas_all(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=[d[0] for d in self.description])

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def close(self) -> None:
        return None


@dataclass
class StageEmulator:
    stages: set[str]
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)  # stage -> {path: content}

    def handle(self, sql: str) -> StageCursor | None:
        """The emulated result of a file command, or None for any other statement."""
        for pattern, action in ((PUT, self._put), (LIST, self._list), (REMOVE, self._remove)):
            match = pattern.match(sql)
            if match:
                stage = match["stage"].upper()
                if stage not in self.stages:
                    raise FileNotFoundError(f"Stage '{stage}' does not exist or not authorized.")
                return action(stage, match)
        return None

    def _put(self, stage: str, match: re.Match[str]) -> StageCursor:
        source = Path(match["file"])
        folder = (match["path"] or "").strip("/")
        target = f"{folder}/{source.name}" if folder else source.name
        self.files.setdefault(stage, {})[target] = source.read_bytes()
        return StageCursor([(source.name, target, "UPLOADED")], ["source", "target", "status"])

    def _list(self, stage: str, match: re.Match[str]) -> StageCursor:
        prefix = (match["path"] or "").strip("/")
        short = stage.split(".")[-1].lower()
        rows = [
            (f"{short}/{path}", len(body))
            for path, body in sorted(self.files.get(stage, {}).items())
            if path.startswith(prefix)
        ]
        return StageCursor(rows, ["name", "size"])

    def _remove(self, stage: str, match: re.Match[str]) -> StageCursor:
        prefix = (match["path"] or "").strip("/")
        held = self.files.get(stage, {})
        gone = [path for path in held if path.startswith(prefix)]
        for path in gone:
            del held[path]
        return StageCursor([(p, "removed") for p in gone], ["name", "result"])

    def listed(self, stage: str, directory: str) -> set[str]:
        return {
            p.removeprefix(f"{directory}/")
            for p in self.files.get(stage, {})
            if p.startswith(f"{directory}/")
        }
