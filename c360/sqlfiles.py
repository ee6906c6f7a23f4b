"""SQL lives in `.sql` files under sql/ and is loaded by name, with an optional per-dialect twin.

The few statements that take values no bind parameter can carry (identifiers, PUT paths, DDL options) are
Jinja templates, rendered with `render_sql` — the one way SQL is templated (the transaction generator's
template, sql/generate/, is Jinja too). The values come from allow-lists or validated input only.
"""

from __future__ import annotations

from functools import cache, lru_cache

import jinja2

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


def render_sql(name: str, dialect: str | None = None, **values: object) -> str:
    """`load_sql(name, dialect)` rendered as a Jinja template; a value it names but is not given fails."""
    try:
        return _jinja().from_string(load_sql(name, dialect)).render(**values)
    except jinja2.UndefinedError as exc:
        raise C360Error(f"sql/{name}: {exc.message}") from None


@cache
def _jinja() -> jinja2.Environment:
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
