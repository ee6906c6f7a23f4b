"""Values too many to list in the semantic model (customers' full names): read from the warehouse once per
assistant, so "Find the customer named Gregory Maxwell" or "Tanner Hill - what's his churn risk?" filter on
that name. Which columns: `vocabulary.yaml: searchable_values` (on Snowflake, Cortex Analyst finds such values
through a Cortex Search service named by the dimension's `cortex_search_service_name`).

The query is built from the semantic model only (table and column expressions, no user text) and runs through
the query guard as the assistant's role.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from c360.assistant.lexicon import Vocabulary
from c360.assistant.model import SemanticModel, render_expr
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.grants import Role
from c360.guard import guard_select

log = logging.getLogger(__name__)
MAX_VALUES = 500_000
MAX_WORDS = 4


class ValueIndex:
    """Lower-cased value -> (table.column, value as stored); read on first use (most questions name no one)."""

    def __init__(
        self,
        values: dict[str, tuple[str, str]] | None = None,
        loader: Callable[[], dict[str, tuple[str, str]]] | None = None,
    ) -> None:
        self._values = values
        self._loader = loader

    def find(self, words: list[str]) -> tuple[str, str] | None:
        if self._values is None:
            self._values = self._loader() if self._loader is not None else {}
        return self._values.get(" ".join(w.lower() for w in words))


def load_values(
    session: WarehouseSession, model: SemanticModel, vocab: Vocabulary, role: Role | str
) -> ValueIndex:
    """The distinct values of every searchable column, read when first needed."""
    return ValueIndex(loader=lambda: _read_values(session, model, vocab, role))


def _read_values(
    session: WarehouseSession, model: SemanticModel, vocab: Vocabulary, role: Role | str
) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for ref in vocab.searchable_values:
        table_name, _, column_name = ref.partition(".")
        table = model.tables.get(table_name)
        column = table.columns.get(column_name) if table else None
        if table is None or column is None:
            continue
        sql = f"SELECT DISTINCT {render_expr(column.expr, None, session.dialect)} AS value FROM {table.qualified}"
        try:
            guarded = guard_select(sql, role, dialect=session.dialect, max_rows=MAX_VALUES)
            frame = session.query(guarded.sql)
        except C360Error as exc:  # a role without the table: names are simply not recognised
            log.debug("searchable values of %s not loaded: %s", ref, exc)
            continue
        for value in frame.iloc[:, 0].dropna().astype(str):
            if 1 < len(value.split()) <= MAX_WORDS:
                found.setdefault(value.lower(), (ref, value))
    return found
