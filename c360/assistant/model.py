"""The semantic model as typed values: logical tables, columns, filters, relationships, verified queries.

Loaded from c360/assistant/semantic_model.yaml (Cortex Analyst format), checked with spec.validate_structure,
and used by the local compiler (expressions are rendered per dialect with sqlglot, qualified by table alias).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import takewhile
from pathlib import Path
from typing import Any, Final, Literal

import sqlglot
import yaml
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from c360.assistant.descriptions import dbt_column_descriptions, fill_descriptions
from c360.assistant.spec import validate_structure
from c360.errors import C360Error

log = logging.getLogger(__name__)

MODEL_PATH: Final = Path(__file__).with_name("semantic_model.yaml")
YAML_LOADER: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is 5x faster
YAML_DUMPER: Final = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
ColumnKind = Literal["dimension", "time_dimension", "fact", "metric"]


class SemanticModelError(C360Error):
    """The semantic model file is missing or invalid; the message lists every problem."""


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    kind: ColumnKind
    expr: str
    data_type: str | None
    description: str = ""
    synonyms: tuple[str, ...] = ()
    sample_values: tuple[str, ...] = ()
    unique: bool = False
    is_enum: bool = False
    private: bool = False  # access_modifier: private_access (used by rollups, never matched to questions)
    aggregation: str | None = None  # metrics of the form AGG(column): the aggregate function
    base_column: str | None = None  # ... and the physical column it aggregates

    @property
    def ref(self) -> str:
        return f"{self.table}.{self.name}"

    @property
    def is_boolean(self) -> bool:
        return (self.data_type or "").upper() == "BOOLEAN"


@dataclass(frozen=True)
class NamedFilter:
    table: str
    name: str
    expr: str
    description: str = ""
    synonyms: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.table}.{self.name}"


@dataclass(frozen=True)
class LogicalTable:
    name: str
    database: str
    schema: str
    physical_name: str
    description: str
    synonyms: tuple[str, ...]
    primary_key: tuple[str, ...]
    columns: dict[str, Column]
    filters: dict[str, NamedFilter]

    @property
    def qualified(self) -> str:
        """SCHEMA.TABLE: what the local warehouse (and the guard) resolve inside the one database."""
        return f"{self.schema}.{self.physical_name}"

    def of_kind(self, *kinds: ColumnKind) -> Iterator[Column]:
        return (c for c in self.columns.values() if c.kind in kinds)

    @property
    def time_dimensions(self) -> list[Column]:
        return list(self.of_kind("time_dimension"))


@dataclass(frozen=True)
class Relationship:
    name: str
    left_table: str
    right_table: str
    columns: tuple[tuple[str, str], ...]  # (left_column, right_column)
    join_type: str = "inner"
    relationship_type: str = "many_to_one"


@dataclass(frozen=True)
class VerifiedQuery:
    name: str
    question: str
    sql: str
    verified_at: int | None = None
    verified_by: str | None = None
    onboarding: bool = False


@dataclass(frozen=True)
class JoinStep:
    """Join `table` to the already-joined `from_table` on (from_column, to_column) pairs."""

    from_table: str
    table: str
    on: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SemanticModel:
    name: str
    description: str
    tables: dict[str, LogicalTable]
    relationships: tuple[Relationship, ...]
    verified_queries: tuple[VerifiedQuery, ...]
    instructions: str = ""
    source: Path | None = None
    text: str = field(default="", repr=False)

    def table(self, name: str) -> LogicalTable:
        try:
            return self.tables[name]
        except KeyError:
            raise SemanticModelError(f"no logical table {name!r} in the semantic model") from None

    def column(self, ref: str) -> Column:
        table, _, name = ref.partition(".")
        try:
            return self.table(table).columns[name]
        except KeyError:
            raise SemanticModelError(f"no column {ref!r} in the semantic model") from None

    def named_filter(self, ref: str) -> NamedFilter:
        table, _, name = ref.partition(".")
        try:
            return self.table(table).filters[name]
        except KeyError:
            raise SemanticModelError(f"no filter {ref!r} in the semantic model") from None

    def join_path(self, anchor: str, target: str) -> tuple[JoinStep, ...] | None:
        """Joins that reach `target` from `anchor` without fanning out the anchor's rows, or None.

        Edges follow many_to_one / one_to_one relationships from the left table to the right table (and
        one_to_one relationships in both directions), so the anchor's grain is preserved.
        """
        if anchor == target:
            return ()
        edges: dict[str, list[JoinStep]] = {}
        for rel in self.relationships:
            edges.setdefault(rel.left_table, []).append(
                JoinStep(rel.left_table, rel.right_table, rel.columns)
            )
            if rel.relationship_type == "one_to_one":
                flipped = tuple((r, left) for left, r in rel.columns)
                edges.setdefault(rel.right_table, []).append(
                    JoinStep(rel.right_table, rel.left_table, flipped)
                )
        queue: deque[tuple[str, tuple[JoinStep, ...]]] = deque([(anchor, ())])
        seen = {anchor}
        while queue:
            node, path = queue.popleft()
            for step in edges.get(node, []):
                if step.table in seen:
                    continue
                if step.table == target:
                    return (*path, step)
                seen.add(step.table)
                queue.append((step.table, (*path, step)))
        return None


def render_expr(expr: str, alias: str | None, dialect: str) -> str:
    """An expression of a logical table rendered for `dialect`, its own columns qualified with `alias`.

    Columns inside sub-queries (e.g. a filter's `(SELECT MAX(x) FROM ...)`) are left alone.
    """
    tree = parse_expr(expr)
    if alias:
        for column in tree.find_all(exp.Column):
            if not column.table and column.find_ancestor(exp.Select) is None:
                column.set("table", exp.to_identifier(alias))
    return tree.sql(dialect=dialect)


@lru_cache(maxsize=2048)
def _parse_expr_cached(expr: str) -> exp.Expr:
    return sqlglot.parse_one(expr, read="snowflake")


def parse_expr(expr: str) -> exp.Expr:
    try:
        return _parse_expr_cached(expr).copy()
    except (ParseError, TokenError) as exc:
        raise SemanticModelError(f"expression {expr!r} is not valid SQL: {exc}") from None


def load_model(path: Path | str | None = None) -> SemanticModel:
    """Load and validate the semantic model (cached per file path and modification time)."""
    resolved = Path(path) if path is not None else MODEL_PATH
    try:
        mtime = resolved.stat().st_mtime_ns
    except OSError:
        raise SemanticModelError(f"semantic model file {resolved} does not exist") from None
    return _load_cached(str(resolved), mtime)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: int) -> SemanticModel:
    text = Path(path).read_text()
    return parse_model(text, Path(path))


def parse_model(text: str, source: Path | None = None) -> SemanticModel:
    """Parse YAML text into a SemanticModel; raises SemanticModelError listing every structural problem."""
    try:
        raw = yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        raise SemanticModelError(f"semantic model {source or ''} is not valid YAML: {exc}") from None
    problems = fill_descriptions(raw, dbt_column_descriptions()) + validate_structure(raw)
    if problems:
        shown = "\n  ".join(problems[:40])
        more = f"\n  ... and {len(problems) - 40} more" if len(problems) > 40 else ""
        raise SemanticModelError(f"semantic model {source or ''} is invalid:\n  {shown}{more}")
    tables = {t["name"]: _table(t) for t in raw["tables"]}
    relationships = tuple(
        Relationship(
            name=r["name"],
            left_table=r["left_table"],
            right_table=r["right_table"],
            columns=tuple((c["left_column"], c["right_column"]) for c in r["relationship_columns"]),
            join_type=r.get("join_type", "inner"),
            relationship_type=r.get("relationship_type", "many_to_one"),
        )
        for r in raw.get("relationships") or []
    )
    verified = tuple(
        VerifiedQuery(
            name=v["name"],
            question=v["question"],
            sql=" ".join(str(v["sql"]).split()),
            verified_at=v.get("verified_at"),
            verified_by=v.get("verified_by"),
            onboarding=bool(v.get("use_as_onboarding_question", False)),
        )
        for v in raw.get("verified_queries") or []
    )
    mci = raw.get("module_custom_instructions") or {}
    instructions = " ".join(str(x) for x in (raw.get("custom_instructions"), mci.get("sql_generation")) if x)
    return SemanticModel(
        name=raw["name"],
        description=str(raw.get("description") or ""),
        tables=tables,
        relationships=relationships,
        verified_queries=verified,
        instructions=instructions,
        source=source,
        text=rendered_text(text, raw),
    )


RENDERED_MARK: Final = (
    "# Column descriptions filled in from the dbt models' YAML (c360/assistant/descriptions.py).\n"
)


def rendered_text(source_text: str, raw: dict[str, Any]) -> str:
    """The file deployed for Cortex Analyst: the model with the dbt column descriptions filled in."""
    lines = takewhile(lambda line: line.startswith("#"), source_text.splitlines(keepends=True))
    header = "".join(line for line in lines if line != RENDERED_MARK)
    body = yaml.dump(raw, Dumper=YAML_DUMPER, sort_keys=False, allow_unicode=True, width=110)
    return header + RENDERED_MARK + body


SECTION_KINDS: Final[dict[str, ColumnKind]] = {
    "dimensions": "dimension",
    "time_dimensions": "time_dimension",
    "facts": "fact",
    "measures": "fact",
    "metrics": "metric",
}


def to_physical(expr: str, logical: dict[str, str]) -> str:
    """A metric's or filter's expression, written over the table's logical columns (as Cortex Analyst reads
    it), rewritten over the physical columns their own expressions name (what the local compiler runs)."""
    tree = parse_expr(expr)
    for column in list(tree.find_all(exp.Column)):
        physical = logical.get(column.name)
        if (
            column.table
            or column.find_ancestor(exp.Select) is not None
            or physical is None
            or physical == column.name
        ):
            continue
        replacement = parse_expr(physical)
        column.replace(replacement if isinstance(replacement, exp.Column) else exp.Paren(this=replacement))
    return tree.sql(dialect="snowflake")


def _table(raw: Mapping[str, Any]) -> LogicalTable:
    name = raw["name"]
    base = raw["base_table"]
    columns: dict[str, Column] = {}
    logical = {
        str(c["name"]): str(c["expr"])
        for section, kind in SECTION_KINDS.items()
        if kind != "metric"
        for c in raw.get(section) or []
    }
    for section, kind in SECTION_KINDS.items():
        for c in raw.get(section) or []:
            expr = to_physical(str(c["expr"]), logical) if kind == "metric" else str(c["expr"])
            aggregation, base_column = _simple_aggregate(expr) if kind == "metric" else (None, None)
            columns[c["name"]] = Column(
                table=name,
                name=c["name"],
                kind=kind,
                expr=expr,
                data_type=c.get("data_type"),
                description=" ".join(str(c.get("description") or "").split()),
                synonyms=tuple(c.get("synonyms") or ()),
                sample_values=tuple(str(v) for v in c.get("sample_values") or ()),
                unique=bool(c.get("unique", False)),
                is_enum=bool(c.get("is_enum", False)),
                private=c.get("access_modifier") == "private_access",
                aggregation=aggregation,
                base_column=base_column,
            )
    filters = {
        f["name"]: NamedFilter(
            table=name,
            name=f["name"],
            expr=to_physical(str(f["expr"]), logical),
            description=" ".join(str(f.get("description") or "").split()),
            synonyms=tuple(f.get("synonyms") or ()),
        )
        for f in raw.get("filters") or []
    }
    pk = tuple((raw.get("primary_key") or {}).get("columns") or ())
    return LogicalTable(
        name=name,
        database=str(base["database"]).upper(),
        schema=str(base["schema"]).upper(),
        physical_name=str(base["table"]).upper(),
        description=" ".join(str(raw.get("description") or "").split()),
        synonyms=tuple(raw.get("synonyms") or ()),
        primary_key=pk,
        columns=columns,
        filters=filters,
    )


def _simple_aggregate(expr: str) -> tuple[str | None, str | None]:
    """('avg', 'lifetime_value') for `AVG(lifetime_value)`; (None, None) for anything more complex."""
    try:
        tree = sqlglot.parse_one(expr, read="snowflake")
    except (ParseError, TokenError):
        return None, None
    if isinstance(tree, (exp.Avg, exp.Sum, exp.Min, exp.Max, exp.Count)) and isinstance(
        tree.this, exp.Column
    ):
        return tree.key.lower(), tree.this.name
    return None, None
