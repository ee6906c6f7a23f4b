"""SQL lives in `.sql` files under sql/ and is loaded by name, with an optional per-dialect twin."""

from __future__ import annotations

from functools import lru_cache

from c360.errors import C360Error
from c360.paths import SQL_DIR


@lru_cache(maxsize=256)
def load_sql(name: str, dialect: str | None = None) -> str:
    """Load `sql/<name>.sql`, preferring `sql/<name>.<dialect>.sql` when it exists."""
    candidates = [SQL_DIR / f"{name}.{dialect}.sql"] if dialect else []
    candidates.append(SQL_DIR / f"{name}.sql")
    for path in candidates:
        if path.is_file():
            return path.read_text()
    raise C360Error(f"no SQL file for {name!r} (looked for {', '.join(p.name for p in candidates)})")
