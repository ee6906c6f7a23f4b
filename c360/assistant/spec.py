"""Structural validator for Cortex Analyst semantic model YAML (current format).

The field lists follow the semantic model specification (Snowflake docs, "Cortex Analyst semantic model
specification") and the public proto (Snowflake-Labs/semantic-model-generator
`semantic_model_generator/protos/semantic_model.proto`), extended with the fields added since: table
`primary_key`, `facts` (the current name of the legacy `measures`), table- and model-level `metrics`,
`relationships` with `relationship_columns`, `custom_instructions`/`module_custom_instructions`,
`is_enum`, `access_modifier` and `use_as_onboarding_question`.

`validate_structure(raw)` returns every problem found (empty list = valid); it never stops at the first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeGuard

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError


@dataclass(frozen=True)
class ObjectSpec:
    required: frozenset[str]
    optional: frozenset[str]


def _spec(required: str, optional: str = "") -> ObjectSpec:
    return ObjectSpec(frozenset(required.split()), frozenset(optional.split()))


COLUMN_COMMON: Final = "synonyms description unique sample_values"
SPECS: Final[dict[str, ObjectSpec]] = {
    "model": _spec(
        "name tables",
        "description relationships verified_queries metrics custom_instructions module_custom_instructions",
    ),
    "module_custom_instructions": _spec("", "sql_generation question_categorization"),
    "table": _spec(
        "name base_table",
        "description synonyms primary_key dimensions time_dimensions facts measures metrics filters",
    ),
    "base_table": _spec("database schema table"),
    "primary_key": _spec("columns"),
    "dimension": _spec("name expr data_type", f"{COLUMN_COMMON} cortex_search_service_name is_enum"),
    "time_dimension": _spec("name expr data_type", COLUMN_COMMON),
    "fact": _spec("name expr data_type", f"{COLUMN_COMMON} access_modifier"),
    "measure": _spec("name expr data_type", f"{COLUMN_COMMON} default_aggregation access_modifier"),
    "metric": _spec("name expr", "synonyms description data_type access_modifier sample_values"),
    "filter": _spec("name expr", "synonyms description"),
    "relationship": _spec("name left_table right_table relationship_columns", "join_type relationship_type"),
    "relationship_column": _spec("left_column right_column"),
    "verified_query": _spec(
        "name question sql", "verified_at verified_by use_as_onboarding_question semantic_model_name"
    ),
}
COLUMN_SECTIONS: Final = {
    "dimensions": "dimension",
    "time_dimensions": "time_dimension",
    "facts": "fact",
    "measures": "measure",
    "metrics": "metric",
}
JOIN_TYPES: Final = frozenset({"left_outer", "inner"})
RELATIONSHIP_TYPES: Final = frozenset({"many_to_one", "one_to_one"})
ACCESS_MODIFIERS: Final = frozenset({"public_access", "private_access"})
AGGREGATIONS: Final = frozenset({"sum", "avg", "median", "stddev", "min", "max", "count", "count_distinct"})
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


def validate_structure(raw: Any) -> list[str]:
    """Every structural problem in a parsed semantic model (a YAML mapping); [] when it is valid."""
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        return ["the semantic model must be a YAML mapping at the top level"]
    _check_object(raw, "model", "model", problems)
    _check_string(raw.get("name"), "model.name", problems)
    if "module_custom_instructions" in raw:
        mci = raw["module_custom_instructions"]
        if _check_object(mci, "module_custom_instructions", "model.module_custom_instructions", problems):
            for key, value in mci.items():
                _check_string(value, f"model.module_custom_instructions.{key}", problems)
    if "custom_instructions" in raw:
        _check_string(raw["custom_instructions"], "model.custom_instructions", problems)

    tables = raw.get("tables")
    table_columns: dict[str, set[str]] = {}
    table_keys: dict[str, tuple[str, ...]] = {}
    if not isinstance(tables, list) or not tables:
        problems.append("model.tables must be a non-empty list")
        tables = []
    for i, table in enumerate(tables):
        name, columns, key = _check_table(table, f"tables[{i}]", problems)
        if name is None:
            continue
        if name in table_columns:
            problems.append(f"tables[{i}]: duplicate table name {name!r}")
        table_columns[name] = columns
        table_keys[name] = key

    for i, metric in enumerate(_list(raw, "metrics", "model", problems)):
        _check_column(metric, "metric", f"model.metrics[{i}]", problems)

    for i, rel in enumerate(_list(raw, "relationships", "model", problems)):
        _check_relationship(rel, f"relationships[{i}]", table_columns, table_keys, problems)
    names = [r.get("name") for r in _list(raw, "relationships", "model", []) if isinstance(r, Mapping)]
    for dup in sorted({n for n in names if names.count(n) > 1 and isinstance(n, str)}):
        problems.append(f"relationships: duplicate name {dup!r}")

    vq_names: set[str] = set()
    for i, vq in enumerate(_list(raw, "verified_queries", "model", problems)):
        where = f"verified_queries[{i}]"
        if not _check_object(vq, "verified_query", where, problems):
            continue
        for key in ("name", "question", "sql"):
            _check_string(vq.get(key), f"{where}.{key}", problems)
        if vq.get("name") in vq_names:
            problems.append(f"{where}: duplicate verified query name {vq.get('name')!r}")
        vq_names.add(str(vq.get("name")))
        if "verified_at" in vq and not isinstance(vq["verified_at"], int):
            problems.append(f"{where}.verified_at must be an integer (seconds since the epoch)")
        if "use_as_onboarding_question" in vq and not isinstance(vq["use_as_onboarding_question"], bool):
            problems.append(f"{where}.use_as_onboarding_question must be true or false")
        if isinstance(vq.get("sql"), str):
            problems.extend(f"{where}.sql: {p}" for p in _check_verified_sql(vq["sql"], table_columns))
    return problems


def _check_table(table: Any, where: str, problems: list[str]) -> tuple[str | None, set[str], tuple[str, ...]]:
    if not _check_object(table, "table", where, problems):
        return None, set(), ()
    name = table.get("name")
    if not _check_string(name, f"{where}.name", problems) or not NAME.match(name):
        problems.append(f"{where}.name {name!r} must be an identifier (letters, digits, underscores)")
        return None, set(), ()
    where = f"table {name}"
    base = table.get("base_table")
    if _check_object(base, "base_table", f"{where}.base_table", problems):
        for part in ("database", "schema", "table"):
            _check_string(base.get(part), f"{where}.base_table.{part}", problems)
    _check_synonyms(table, where, problems)
    if "facts" in table and "measures" in table:
        problems.append(f"{where}: use `facts` (current) or `measures` (legacy), not both")
    columns: set[str] = set()
    for section, kind in COLUMN_SECTIONS.items():
        for i, column in enumerate(_list(table, section, where, problems)):
            col_name = _check_column(column, kind, f"{where}.{section}[{i}]", problems)
            if col_name is None:
                continue
            if col_name in columns:
                problems.append(
                    f"{where}: duplicate column name {col_name!r} (names are shared across sections)"
                )
            columns.add(col_name)
    filter_names: set[str] = set()
    for i, flt in enumerate(_list(table, "filters", where, problems)):
        fwhere = f"{where}.filters[{i}]"
        if _check_object(flt, "filter", fwhere, problems):
            _check_string(flt.get("name"), f"{fwhere}.name", problems)
            _check_string(flt.get("expr"), f"{fwhere}.expr", problems)
            _check_synonyms(flt, fwhere, problems)
            _check_sql_expression(flt.get("expr"), f"{fwhere}.expr", problems)
            if flt.get("name") in filter_names:
                problems.append(f"{where}: duplicate filter name {flt.get('name')!r}")
            filter_names.add(str(flt.get("name")))
    _check_logical_references(table, where, problems)
    key: tuple[str, ...] = ()
    if "primary_key" in table:
        pk = table["primary_key"]
        if _check_object(pk, "primary_key", f"{where}.primary_key", problems):
            cols = pk.get("columns")
            if not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols):
                problems.append(f"{where}.primary_key.columns must be a non-empty list of column names")
            else:
                key = tuple(cols)
                for col in cols:
                    if col not in columns:
                        problems.append(
                            f"{where}.primary_key: column {col!r} is not a dimension of the table"
                        )
    return name, columns, key


def _check_column(column: Any, kind: str, where: str, problems: list[str]) -> str | None:
    if not _check_object(column, kind, where, problems):
        return None
    name = column.get("name")
    if not _check_string(name, f"{where}.name", problems):
        return None
    if not NAME.match(name):
        problems.append(f"{where}.name {name!r} must be an identifier (letters, digits, underscores)")
    _check_string(column.get("expr"), f"{where}.expr", problems)
    _check_sql_expression(column.get("expr"), f"{where}.expr", problems)
    if "data_type" in column or kind != "metric":
        data_type = column.get("data_type")
        if not isinstance(data_type, str) or not DATA_TYPE.match(data_type.strip()):
            problems.append(f"{where}.data_type {data_type!r} is not a Snowflake data type")
        elif kind == "time_dimension" and data_type.split("(")[0].lower() not in TIME_TYPES:
            problems.append(f"{where}: a time dimension needs a date/timestamp data_type, got {data_type!r}")
    _check_synonyms(column, where, problems)
    if "unique" in column and not isinstance(column["unique"], bool):
        problems.append(f"{where}.unique must be true or false")
    if "is_enum" in column and not isinstance(column["is_enum"], bool):
        problems.append(f"{where}.is_enum must be true or false")
    if column.get("is_enum") and not column.get("sample_values"):
        problems.append(f"{where}: is_enum needs the complete list of values in sample_values")
    if "sample_values" in column:
        values = column["sample_values"]
        if not isinstance(values, list) or not all(isinstance(v, (str, int, float)) for v in values):
            problems.append(f"{where}.sample_values must be a list of scalar values")
        elif len({str(v) for v in values}) != len(values):
            problems.append(f"{where}.sample_values has duplicates")
    if "access_modifier" in column and column["access_modifier"] not in ACCESS_MODIFIERS:
        problems.append(f"{where}.access_modifier must be one of {sorted(ACCESS_MODIFIERS)}")
    if "default_aggregation" in column and column["default_aggregation"] not in AGGREGATIONS:
        problems.append(f"{where}.default_aggregation must be one of {sorted(AGGREGATIONS)}")
    if kind == "metric" and isinstance(column.get("expr"), str) and not _has_aggregate(column["expr"]):
        problems.append(f"{where}.expr must aggregate (SUM, AVG, COUNT, ...): a metric is an aggregate")
    return name


def _check_relationship(
    rel: Any,
    where: str,
    table_columns: Mapping[str, set[str]],
    table_keys: Mapping[str, tuple[str, ...]],
    problems: list[str],
) -> None:
    if not _check_object(rel, "relationship", where, problems):
        return
    left, right = rel.get("left_table"), rel.get("right_table")
    for side, table in (("left_table", left), ("right_table", right)):
        if table not in table_columns:
            problems.append(f"{where}.{side} {table!r} is not a table of the model")
    if "join_type" in rel and rel["join_type"] not in JOIN_TYPES:
        problems.append(f"{where}.join_type must be one of {sorted(JOIN_TYPES)}")
    if "relationship_type" in rel and rel["relationship_type"] not in RELATIONSHIP_TYPES:
        problems.append(f"{where}.relationship_type must be one of {sorted(RELATIONSHIP_TYPES)}")
    pairs = rel.get("relationship_columns")
    if not isinstance(pairs, list) or not pairs:
        problems.append(f"{where}.relationship_columns must be a non-empty list")
        return
    right_cols: list[str] = []
    for i, pair in enumerate(pairs):
        pwhere = f"{where}.relationship_columns[{i}]"
        if not _check_object(pair, "relationship_column", pwhere, problems):
            continue
        if left in table_columns and pair.get("left_column") not in table_columns[left]:
            problems.append(f"{pwhere}.left_column {pair.get('left_column')!r} is not a column of {left}")
        if right in table_columns and pair.get("right_column") not in table_columns[right]:
            problems.append(f"{pwhere}.right_column {pair.get('right_column')!r} is not a column of {right}")
        right_cols.append(str(pair.get("right_column")))
    if right in table_keys and table_keys[right] and set(right_cols) != set(table_keys[right]):
        problems.append(
            f"{where}: right_column(s) {right_cols} must be the primary key of {right} {list(table_keys[right])}"
        )
    if right in table_keys and not table_keys[right]:
        problems.append(f"{where}: {right} needs a primary_key to be the right side of a relationship")


def _check_verified_sql(sql: str, table_columns: Mapping[str, set[str]]) -> list[str]:
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
        elif name[len(VERIFIED_TABLE_PREFIX) :] not in table_columns:
            problems.append(f"logical table {name!r} is not a table of the model")
    return problems


LOGICAL_SECTIONS: Final = ("dimensions", "time_dimensions", "facts", "measures")


def logical_references(expr: str) -> list[str]:
    """Column names an expression refers to, outside sub-queries (which name physical tables)."""
    try:
        tree = sqlglot.parse_one(expr, read="snowflake")
    except (ParseError, TokenError):
        return []
    return [
        column.name
        for column in tree.find_all(exp.Column)
        if not column.table and column.find_ancestor(exp.Select) is None
    ]


def _check_logical_references(table: Any, where: str, problems: list[str]) -> None:
    """Metrics and filters are resolved by Cortex Analyst against the table's declared logical columns
    (dimensions, time dimensions, facts), not against the physical table
    (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-analyst/semantic-model-spec): every
    column they name must be declared, by its logical name."""
    declared = {
        str(c.get("name"))
        for section in LOGICAL_SECTIONS
        for c in table.get(section) or []
        if isinstance(c, dict)
    }
    for section in ("metrics", "filters"):
        for item in table.get(section) or []:
            if not isinstance(item, dict) or not isinstance(item.get("expr"), str):
                continue
            unknown = sorted({n for n in logical_references(item["expr"]) if n not in declared})
            if unknown:
                problems.append(
                    f"{where}.{section} {item.get('name')!r}: {', '.join(unknown)} is not a declared logical "
                    "column of the table (Cortex Analyst resolves expressions against dimensions, time "
                    "dimensions and facts by name)"
                )


def _check_sql_expression(expr: Any, where: str, problems: list[str]) -> None:
    if not isinstance(expr, str) or not expr.strip():
        return
    try:
        sqlglot.parse_one(expr, read="snowflake")
    except (ParseError, TokenError) as exc:
        problems.append(f"{where} is not a valid SQL expression ({str(exc).splitlines()[0]})")


def _has_aggregate(expr: str) -> bool:
    try:
        tree = sqlglot.parse_one(expr, read="snowflake")
    except (ParseError, TokenError):
        return True  # reported by _check_sql_expression
    return tree.find(exp.AggFunc) is not None


def _check_object(value: Any, kind: str, where: str, problems: list[str]) -> bool:
    if not isinstance(value, Mapping):
        problems.append(f"{where} must be a mapping")
        return False
    spec = SPECS[kind]
    for key in sorted(spec.required - set(value)):
        problems.append(f"{where}: missing required field {key!r}")
    for key in sorted(set(value) - spec.required - spec.optional):
        problems.append(
            f"{where}: unknown field {key!r} (allowed: {', '.join(sorted(spec.required | spec.optional))})"
        )
    return True


def _check_string(value: object, where: str, problems: list[str]) -> TypeGuard[str]:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where} must be a non-empty string")
        return False
    return True


def _check_synonyms(obj: Mapping[str, Any], where: str, problems: list[str]) -> None:
    if "synonyms" not in obj:
        return
    synonyms = obj["synonyms"]
    if not isinstance(synonyms, list) or not all(isinstance(s, str) and s.strip() for s in synonyms):
        problems.append(f"{where}.synonyms must be a list of non-empty strings")


def _list(obj: Mapping[str, Any], key: str, where: str, problems: list[str]) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}.{key} must be a list")
        return []
    return value
