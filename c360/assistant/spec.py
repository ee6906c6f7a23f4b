"""The Cortex Analyst semantic model's structure (current format), as pydantic models.

The fields follow the semantic model specification (Snowflake docs, "Cortex Analyst semantic model
specification") and the public proto (Snowflake-Labs/semantic-model-generator
`semantic_model_generator/protos/semantic_model.proto`), extended with the fields added since: table
`primary_key`, `facts` (the current name of the legacy `measures`), table- and model-level `metrics`,
`relationships` with `relationship_columns`, `custom_instructions`/`module_custom_instructions`,
`is_enum`, `access_modifier` and `use_as_onboarding_question`.

The models declare the keys (no others), types, enumerations and per-field rules; rules that compare fields
(unique names, keys and relationships naming declared columns, verified SQL over logical tables) are model
validators. `validate_structure(raw)` returns every problem as `<path>: <what is wrong>`, list items named
by their `name` (empty list = valid).
"""

from __future__ import annotations

import re
import reprlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Annotated, Any, Final, Literal, Self, get_args

import sqlglot
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

DATA_TYPE: Final = re.compile(
    r"^(varchar|string|text|char|number|numeric|decimal|int|integer|bigint|smallint|float|double|real|"
    r"boolean|date|datetime|time|timestamp|timestamp_ntz|timestamp_ltz|timestamp_tz)(\(\s*\d+(\s*,\s*\d+)?\s*\))?$",
    re.IGNORECASE,
)
NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TIME_TYPES: Final = frozenset(
    {"date", "datetime", "timestamp", "timestamp_ntz", "timestamp_ltz", "timestamp_tz"}
)
VERIFIED_TABLE_PREFIX: Final = "__"
RULES: Final = "c360_rules"  # the error type of a model validator's problems (ctx: [(sub-path, message)])
Problems = list[tuple[tuple[str | int, ...], str]]


# ---- field rules -------------------------------------------------------------------------------------------
def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("c360", message)  # no context: the message is not formatted


def _non_empty(value: str) -> str:
    if not value.strip():
        raise _problem("must be a non-empty string")
    return value


def _identifier(value: str) -> str:
    if not NAME.match(value):
        raise _problem(f"{value!r} must be an identifier (letters, digits, underscores)")
    return value


def _data_type(value: str) -> str:
    if not DATA_TYPE.match(value.strip()):
        raise _problem(f"{value!r} is not a Snowflake data type")
    return value


@lru_cache(maxsize=4096)
def _parsed(expr: str) -> exp.Expr | str:
    """The expression's tree (shared by the rules that read it: never changed), or why it does not parse."""
    try:
        return sqlglot.parse_one(expr, read="snowflake")
    except (ParseError, TokenError) as exc:
        return str(exc).splitlines()[0]


def _sql_expression(value: str) -> str:
    if isinstance(why := _parsed(value), str):
        raise _problem(f"is not a valid SQL expression ({why})")
    return value


def _aggregate(value: str) -> str:
    tree = _parsed(value)
    if not isinstance(tree, str) and tree.find(exp.AggFunc) is None:
        raise _problem("must aggregate (SUM, AVG, COUNT, ...): a metric is an aggregate")
    return value


def _distinct(values: list[str | int | float | bool]) -> list[str | int | float | bool]:
    if len({str(v) for v in values}) != len(values):
        raise _problem("has duplicates")
    return values


def _scalar(value: object) -> str | int | float | bool:
    if not isinstance(value, (str, int, float)):  # bool is an int
        raise _problem(f"must be a scalar value (text or a number), got {value!r}")
    return value


Text = Annotated[str, AfterValidator(_non_empty)]
Name = Annotated[str, AfterValidator(_identifier)]
DataType = Annotated[str, AfterValidator(_data_type)]
Expr = Annotated[str, AfterValidator(_non_empty), AfterValidator(_sql_expression)]
Scalar = Annotated[str | int | float | bool, PlainValidator(_scalar)]
AccessModifier = Literal["public_access", "private_access"]
Aggregation = Literal["sum", "avg", "median", "stddev", "min", "max", "count", "count_distinct"]


def _duplicates(names: Iterable[str]) -> list[str]:
    return sorted(name for name, n in Counter(names).items() if n > 1)


def _raise(problems: Problems) -> None:
    if problems:
        raise PydanticCustomError(RULES, "{problems}", {"problems": problems})


# ---- the model ---------------------------------------------------------------------------------------------
class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class BaseTable(_Spec):
    database: Text
    schema_: Text = Field(alias="schema")
    table: Text


class PrimaryKey(_Spec):
    columns: Annotated[list[Text], Field(min_length=1)]


class _Column(_Spec):
    name: Name
    expr: Expr
    description: str = ""
    synonyms: list[Text] = []
    sample_values: Annotated[list[Scalar], AfterValidator(_distinct)] = []


class _TypedColumn(_Column):
    data_type: DataType
    unique: bool = False


class Dimension(_TypedColumn):
    cortex_search_service_name: Text | None = None
    is_enum: bool = False

    @model_validator(mode="after")
    def _enum_values(self) -> Self:
        if self.is_enum and not self.sample_values:
            _raise([((), "is_enum needs the complete list of values in sample_values")])
        return self


class TimeDimension(_TypedColumn):
    @model_validator(mode="after")
    def _time_type(self) -> Self:
        if self.data_type.split("(")[0].strip().lower() not in TIME_TYPES:
            _raise([((), f"a time dimension needs a date/timestamp data_type, got {self.data_type!r}")])
        return self


class Fact(_TypedColumn):
    access_modifier: AccessModifier | None = None


class Measure(Fact):
    default_aggregation: Aggregation | None = None


class Metric(_Column):
    expr: Annotated[Expr, AfterValidator(_aggregate)]
    data_type: DataType | None = None
    access_modifier: AccessModifier | None = None


class Filter(_Spec):
    name: Text
    expr: Expr
    description: str = ""
    synonyms: list[Text] = []


class Table(_Spec):
    name: Name
    base_table: BaseTable
    description: str = ""
    synonyms: list[Text] = []
    primary_key: PrimaryKey | None = None
    dimensions: list[Dimension] = []
    time_dimensions: list[TimeDimension] = []
    facts: list[Fact] = []
    measures: list[Measure] = []
    metrics: list[Metric] = []
    filters: list[Filter] = []

    @property
    def columns(self) -> list[_Column]:
        return [*self.logical_columns, *self.metrics]

    @property
    def logical_columns(self) -> list[_TypedColumn]:
        """What Cortex Analyst resolves a metric's or filter's expression against (by name)."""
        return [*self.dimensions, *self.time_dimensions, *self.facts, *self.measures]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: Problems = []
        if {"facts", "measures"} <= self.model_fields_set:
            problems.append(((), "use `facts` (current) or `measures` (legacy), not both"))
        names = [c.name for c in self.columns]
        problems += [
            ((), f"duplicate column name {n!r} (names are shared across sections)")
            for n in _duplicates(names)
        ]
        problems += [((), f"duplicate filter name {n!r}") for n in _duplicates(f.name for f in self.filters)]
        declared = {c.name for c in self.logical_columns}
        why = "(Cortex Analyst resolves expressions against dimensions, time dimensions and facts by name)"
        for section, exprs in (
            ("metrics", [m.expr for m in self.metrics]),
            ("filters", [f.expr for f in self.filters]),
        ):
            for i, expr in enumerate(exprs):
                if unknown := sorted({n for n in logical_references(expr) if n not in declared}):
                    problems.append(
                        (
                            (section, i, "expr"),
                            f"{', '.join(unknown)} is not a declared logical column of the table {why}",
                        )
                    )
        for col in self.primary_key.columns if self.primary_key else []:
            if col not in names:
                problems.append((("primary_key", "columns"), f"column {col!r} is not a column of the table"))
        _raise(problems)
        return self


class RelationshipColumn(_Spec):
    left_column: Text
    right_column: Text


class Relationship(_Spec):
    name: Text
    left_table: Text
    right_table: Text
    relationship_columns: Annotated[list[RelationshipColumn], Field(min_length=1)]
    join_type: Literal["left_outer", "inner"] | None = None
    relationship_type: Literal["many_to_one", "one_to_one"] | None = None


class VerifiedQuery(_Spec):
    name: Text
    question: Text
    sql: Text
    verified_at: int | None = Field(default=None, description="seconds since the epoch")
    verified_by: str | None = None
    use_as_onboarding_question: bool | None = None
    semantic_model_name: str | None = None


class ModuleCustomInstructions(_Spec):
    sql_generation: Text | None = None
    question_categorization: Text | None = None


class SemanticModelSpec(_Spec):
    name: Text
    tables: Annotated[list[Table], Field(min_length=1)]
    description: str = ""
    relationships: list[Relationship] = []
    verified_queries: list[VerifiedQuery] = []
    metrics: list[Metric] = []
    custom_instructions: Text | None = None
    module_custom_instructions: ModuleCustomInstructions | None = None

    @model_validator(mode="after")
    def _cross_references(self) -> Self:
        tables = {t.name: t for t in self.tables}
        problems: Problems = [
            ((section,), f"duplicate {what} name {n!r}")
            for section, what, items in (
                ("tables", "table", self.tables),
                ("relationships", "relationship", self.relationships),
                ("verified_queries", "verified query", self.verified_queries),
            )
            for n in _duplicates(item.name for item in items)
        ]
        for i, rel in enumerate(self.relationships):
            problems += [(("relationships", i, *p), m) for p, m in _relationship_problems(rel, tables)]
        for i, vq in enumerate(self.verified_queries):
            problems += [(("verified_queries", i, "sql"), m) for m in _verified_sql_problems(vq.sql, tables)]
        _raise(problems)
        return self


# ---- cross-reference rules ---------------------------------------------------------------------------------
def _relationship_problems(rel: Relationship, tables: Mapping[str, Table]) -> Problems:
    problems: Problems = [
        ((side,), f"{name!r} is not a table of the model")
        for side, name in (("left_table", rel.left_table), ("right_table", rel.right_table))
        if name not in tables
    ]
    left, right = tables.get(rel.left_table), tables.get(rel.right_table)
    for i, pair in enumerate(rel.relationship_columns):
        for side, table, column in (
            ("left_column", left, pair.left_column),
            ("right_column", right, pair.right_column),
        ):
            if table is not None and column not in {c.name for c in table.columns}:
                problems.append(
                    (("relationship_columns", i, side), f"{column!r} is not a column of {table.name}")
                )
    if right is not None and right.primary_key is None:
        problems.append(((), f"{right.name} needs a primary_key to be the right side of a relationship"))
    elif right is not None and right.primary_key is not None:
        right_cols = [p.right_column for p in rel.relationship_columns]
        if set(right_cols) != set(right.primary_key.columns):
            problems.append(
                (
                    (),
                    f"right_column(s) {right_cols} must be the primary key of {right.name} "
                    f"{right.primary_key.columns}",
                )
            )
    return problems


def _verified_sql_problems(sql: str, tables: Mapping[str, Table]) -> list[str]:
    try:
        trees = [t for t in sqlglot.parse(sql, read="snowflake") if t is not None]
    except (ParseError, TokenError) as exc:
        return [f"not valid SQL ({str(exc).splitlines()[0]})"]
    if len(trees) != 1 or not isinstance(trees[0], (exp.Select, exp.SetOperation)):
        return ["must be exactly one SELECT statement"]
    problems = []
    ctes = {c.alias_or_name.lower() for c in trees[0].find_all(exp.CTE)}
    for table in trees[0].find_all(exp.Table):
        name = table.name
        if name.lower() in ctes:
            continue
        if table.db or not name.startswith(VERIFIED_TABLE_PREFIX):
            problems.append(
                f"table {table.sql()!r} must be a logical table written as {VERIFIED_TABLE_PREFIX}<name>"
            )
        elif name[len(VERIFIED_TABLE_PREFIX) :] not in tables:
            problems.append(f"logical table {name!r} is not a table of the model")
    return problems


def logical_references(expr: str) -> list[str]:
    """Column names an expression refers to, outside sub-queries (which name physical tables)."""
    tree = _parsed(expr)
    if isinstance(tree, str):
        return []
    return [
        column.name
        for column in tree.find_all(exp.Column)
        if not column.table and column.find_ancestor(exp.Select) is None
    ]


# ---- pydantic's errors as problem lines ----------------------------------------------------------------------
def validate_structure(raw: Any) -> list[str]:
    """Every structural problem in a parsed semantic model (a YAML mapping); [] when it is valid."""
    try:
        SemanticModelSpec.model_validate(raw)
    except ValidationError as exc:
        return [line for error in exc.errors() for line in _lines(error, raw)]
    return []


def _lines(error: ErrorDetails, raw: Any) -> list[str]:
    loc = error["loc"]
    if error["type"] == RULES:
        problems: Problems = (error.get("ctx") or {})["problems"]
        return [f"{_path((*loc, *sub), raw)}: {message}" for sub, message in problems]
    if error["type"] == "missing":
        return [f"{_path(loc[:-1], raw)}: missing required field {loc[-1]!r}"]
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(sorted(_allowed(loc[:-1])))
        return [f"{_path(loc[:-1], raw)}: unknown field {loc[-1]!r} (allowed: {allowed})"]
    if error["type"] in ("c360", "too_short") or error["type"].startswith("literal"):
        return [f"{_path(loc, raw)}: {error['msg']}"]
    expected = "must be a mapping" if error["type"] == "model_type" else error["msg"]
    return [f"{_path(loc, raw)}: {expected}, got {reprlib.repr(error['input'])}"]


def _path(loc: Sequence[str | int], raw: Any) -> str:
    """tables.fct_transactions.dimensions.channel.data_type: list items named by their `name` where they
    have one, by their index where not."""
    path, node = "", raw
    for part in loc:
        if isinstance(part, str):
            path, node = f"{path}.{part}", node.get(part) if isinstance(node, Mapping) else None
            continue
        node = node[part] if isinstance(node, list) and part < len(node) else None
        name = node.get("name") if isinstance(node, Mapping) else None
        path += f".{name}" if isinstance(name, str) and name else f"[{part}]"
    return path.lstrip(".") or "model"


def _allowed(loc: Sequence[str | int]) -> set[str]:
    """The keys the spec model at `loc` accepts (by alias)."""
    model: type[BaseModel] = SemanticModelSpec
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        model = next(_models(annotation))
    return {f.alias or name for name, f in model.model_fields.items()}


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models(arg)
