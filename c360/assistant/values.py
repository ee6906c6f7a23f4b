"""Values too many to list in the semantic model (customers' full names): read from the warehouse once per
assistant, so "Find the customer named Gregory Maxwell" or "Tanner Hill - what's his churn risk?" find that
customer. Which columns: `vocabulary.yaml: searchable_values` (on Snowflake, Cortex Analyst finds such values
through a Cortex Search service named by the dimension's `cortex_search_service_name`).

A name is resolved to the row's key (the customer id), never filtered on as text, and only as the asking role
sees names (c360/masking.py): the loader reads the column through the query guard, so a role that sees
`Jane D.` has `Jane D.` in its index. A typed name is matched by what that role would see of it — the same
masking expression applied to the typed text — so "Jane Doe" finds the one customer shown as `Jane D.`, and
nothing recovers a masked value: "Jane Doe" and "Jane Dunn" find the same customer, and the answer says that
the match is on the shown name. When several customers are shown the same way the name is ambiguous and the
reader refuses with their ids.

The queries are built from the semantic model only (table and column expressions, no user text); the typed
name is a bound parameter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from c360.assistant.lexicon import Vocabulary
from c360.assistant.model import SemanticModel, render_expr
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.grants import Role
from c360.guard import guard_select
from c360.masking import columns_of, mask_expression

log = logging.getLogger(__name__)
MAX_VALUES = 500_000
MAX_WORDS = 4
KEYS_LISTED = 5  # ids an ambiguous name's refusal lists


@dataclass(frozen=True)
class NameMatch:
    """A typed name found in a searchable column: the row key(s) of the customers shown that way."""

    ref: str  # table.column searched (customer_360_profile.full_name)
    key_ref: str  # table.column of the rows' key (customer_360_profile.customer_id)
    written: str  # as typed
    shown: str  # as the role sees it in the warehouse
    keys: tuple[str, ...]  # every row's key, in the warehouse's order
    count: int  # rows shown with this value

    @property
    def unique(self) -> bool:
        return self.count == 1

    @property
    def note(self) -> str:
        if self.written.lower() == self.shown.lower():
            return f"I found {self.written} as {self.keys[0]}"
        return (
            f"I found '{self.written}' as {self.keys[0]}, the one customer shown to you as "
            f"'{self.shown}' (names are masked for your role)"
        )

    def by_key(self, key: str) -> str:
        """The note of a name settled by the customer id typed beside it ('Charles M., CUST00000611')."""
        if self.unique:
            return self.note.replace(f"as {self.keys[0]}", f"as {key}", 1)
        masked = "" if self.written.lower() == self.shown.lower() else " (names are masked for your role)"
        return (
            f"I found '{self.written}' as {key}, the id you gave: one of the {self.count} customers shown to "
            f"you as '{self.shown}'{masked}"
        )

    def not_shown_as(self, key: str) -> str:
        """The refusal when the id typed beside the name is none of the customers shown with that name."""
        listed = ", ".join(self.keys[:KEYS_LISTED]) + (", ..." if self.count > KEYS_LISTED else "")
        return (
            f"{key} is not the customer shown to you as '{self.shown}' ({listed}); ask again with the name "
            "and id of one customer."
        )

    @property
    def ambiguity(self) -> str:
        listed = ", ".join(self.keys[:KEYS_LISTED]) + (", ..." if self.count > KEYS_LISTED else "")
        masked = "" if self.written.lower() == self.shown.lower() else " (names are masked for your role)"
        return (
            f"{self.count} customers are shown to you as '{self.shown}'{masked}: {listed}; "
            "ask again with one of these customer ids."
        )


@dataclass
class _Column:
    ref: str
    key_ref: str
    values: dict[str, tuple[str, list[str], int]] = field(default_factory=dict)  # lower -> (shown, keys, n)
    keys: set[str] = field(default_factory=set)  # every row's key, named or not


class ValueIndex:
    """Shown value (lower case) -> the keys of the rows shown with it; read on first use (most questions name
    no one). `masker(ref, text)` returns what the role would see of a typed value (None: as typed)."""

    def __init__(
        self,
        columns: Iterable[_Column] | None = None,
        loader: Callable[[], list[_Column]] | None = None,
        masker: Callable[[str, str], str | None] | None = None,
    ) -> None:
        self._columns = list(columns) if columns is not None else None
        self._loader = loader
        self._masker = masker

    @classmethod
    def of(
        cls,
        ref: str,
        key_ref: str,
        rows: Iterable[tuple[str, str]],
        masker: Callable[[str, str], str | None] | None = None,
    ) -> ValueIndex:
        """An index over (value, key) rows as a role sees them, with what it would see of a typed value."""
        return cls([_index(ref, key_ref, rows)], masker=masker)

    def _loaded(self) -> list[_Column]:
        if self._columns is None:
            self._columns = self._loader() if self._loader is not None else []
        return self._columns

    def has_key(self, key_ref: str, key: str) -> bool | None:
        """Whether a row has this key ('CUST00001435' for "cust 1435"); None when no searchable column of that
        key was read (a role without the table, an index without the column)."""
        known = [c for c in self._loaded() if c.key_ref == key_ref]
        return any(key in c.keys for c in known) if known else None

    def find(self, words: list[str], *, as_shown: bool = True) -> NameMatch | None:
        """The rows shown with the typed value: as typed first; then (`as_shown`) as the role would see it."""
        self._columns = self._loaded()
        written = " ".join(words)
        for column in self._columns:
            for typed in _spellings(words):
                hit = column.values.get(typed.lower())
                if hit is None and as_shown and self._masker is not None:
                    shown = self._masker(column.ref, typed)
                    hit = column.values.get(shown.lower()) if shown else None
                if hit is not None:
                    value, keys, count = hit
                    return NameMatch(column.ref, column.key_ref, written, value, tuple(keys), count)
        return None


def _spellings(words: list[str]) -> list[str]:
    """The name as typed, with a dot after a last initial (as masked names are shown), and without a possessive
    s on its last word ("Kristen Swanson's" is tokenised as 'Swansons')."""
    out = [" ".join(words)]
    last = words[-1]
    if len(last) == 1 and last.isalpha():  # 'Janet M.'s' is read as 'Janet M': the shown form has the dot
        out.append(" ".join([*words[:-1], f"{last}."]))
    if len(last) > 3 and last.endswith("s"):
        out.append(" ".join([*words[:-1], last[:-1]]))
    return out


def _index(ref: str, key_ref: str, rows: Iterable[tuple[str, str]]) -> _Column:
    column = _Column(ref, key_ref)
    for value, key in rows:
        column.keys.add(key)
        if not (1 < len(value.split()) <= MAX_WORDS):
            continue
        shown, keys, count = column.values.get(value.lower(), (value, [], 0))
        keys.append(key)
        column.values[value.lower()] = (shown, keys, count + 1)
    return column


def load_values(
    session: WarehouseSession, model: SemanticModel, vocab: Vocabulary, role: Role | str
) -> ValueIndex:
    """The values of every searchable column as the role sees them, read when first needed."""
    masks: dict[str, str | None] = {}
    shown: dict[tuple[str, str], str | None] = {}

    def masker(ref: str, text: str) -> str | None:
        if ref not in masks:
            masks[ref] = _mask_sql(session, model, role, ref)
        sql = masks[ref]
        if sql is None:
            return None
        if (ref, text) not in shown:
            frame = session.query(sql, [text])
            shown[(ref, text)] = None if frame.empty or frame.iloc[0, 0] is None else str(frame.iloc[0, 0])
        return shown[(ref, text)]

    return ValueIndex(loader=lambda: _read_values(session, model, vocab, role), masker=masker)


def _read_values(
    session: WarehouseSession, model: SemanticModel, vocab: Vocabulary, role: Role | str
) -> list[_Column]:
    found: list[_Column] = []
    for ref in vocab.searchable_values:
        table_name, _, column_name = ref.partition(".")
        table = model.tables.get(table_name)
        column = table.columns.get(column_name) if table else None
        if table is None or column is None or len(table.primary_key) != 1:
            continue
        key = table.columns[table.primary_key[0]]
        sql = (
            f"SELECT {render_expr(column.expr, None, session.dialect)} AS value, "
            f"{render_expr(key.expr, None, session.dialect)} AS row_key FROM {table.qualified}"
        )
        frame = _guarded_read(session, sql, role, ref)
        if frame is None:
            continue
        rows = zip(frame["value"].astype(str), frame["row_key"].astype(str), strict=True)
        found.append(_index(ref, key.ref, rows))
    return found


def read_dimension_values(
    session: WarehouseSession, model: SemanticModel, vocab: Vocabulary, role: Role | str
) -> dict[str, list[str]]:
    """The distinct values of each `vocabulary.yaml: warehouse_values` dimension (every city, not only the model's
    sample values), read once through the query guard as the asking role: a role that may not read the table (or
    sees the column masked) knows none of them, and the reader refuses those words as before."""
    found: dict[str, list[str]] = {}
    for ref in vocab.warehouse_values:
        table_name, _, column_name = ref.partition(".")
        table = model.tables.get(table_name)
        column = table.columns.get(column_name) if table else None
        if table is None or column is None or ref in masked_columns(model, role):
            continue
        sql = f"SELECT DISTINCT {render_expr(column.expr, None, session.dialect)} AS value FROM {table.qualified}"
        frame = _guarded_read(session, sql, role, ref)
        if frame is None:
            continue
        found[ref] = sorted(str(v) for v in frame["value"] if str(v).strip())
    return found


def _guarded_read(session: WarehouseSession, sql: str, role: Role | str, ref: str) -> pd.DataFrame | None:
    """The rows of `sql` as `role` may read them (through the query guard), without nulls; None for a role
    without the table: its values are simply not recognised."""
    try:
        guarded = guard_select(sql, role, dialect=session.dialect, max_rows=MAX_VALUES)
        return session.query(guarded.sql).dropna()
    except C360Error as exc:
        log.debug("values of %s not loaded: %s", ref, exc)
        return None


def _mask_sql(session: WarehouseSession, model: SemanticModel, role: Role | str, ref: str) -> str | None:
    """A guarded query returning what `role` would see of a typed value bound as its one parameter, if stored
    in `ref` (the masking expression of c360/masking.py; the query reads no table), or None when the role sees
    the column as stored."""
    table_name, _, column_name = ref.partition(".")
    table = model.tables.get(table_name)
    column = table.columns.get(column_name) if table else None
    if table is None or column is None:
        return None
    pii = next((c for c in columns_of(table.qualified) if c.column == column.expr.strip().lower()), None)
    expression = mask_expression(pii.kind, role, "typed_value", session.dialect) if pii else None
    if expression is None:
        return None
    sql = f"SELECT {expression} AS shown FROM (SELECT CAST(? AS VARCHAR) AS typed_value) AS typed"
    return guard_select(sql, role, dialect=session.dialect, max_rows=1).sql


def masked_columns(model: SemanticModel, role: Role | str) -> frozenset[str]:
    """The logical columns (table.column) the role sees masked: a question cannot find a row by the stored
    value of one of them (an e-mail address typed in full)."""
    out = set()
    for table in model.tables.values():
        personal = {c.column: c.kind for c in columns_of(table.qualified)}
        for column in table.columns.values():
            kind = personal.get(column.expr.strip().lower())
            if kind is not None and mask_expression(kind, role, column.name, "duckdb") is not None:
                out.add(column.ref)
    return frozenset(out)
