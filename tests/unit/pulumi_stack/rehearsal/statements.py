"""Snowflake statements -> the operations they perform and what each needs (rules in privileges.py).

Parsed with sqlglot's Snowflake dialect. The Snowflake-only commands sqlglot does not model (it parses them
as a generic Command, or not at all: LIST) are recognised by their documented syntax, listed in
SNOWFLAKE_COMMANDS; any other statement that does not parse is an error, never silently skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from c360.engines.base import split_statements

RELATION: Final = "RELATION"  # a table or a view: the engine resolves which one exists
_IDENT = r"[A-Za-z_][A-Za-z0-9_$]*"
_FQN = rf"{_IDENT}(?:\.{_IDENT}){{0,2}}"

# Snowflake commands sqlglot does not model, by their documented syntax.
SNOWFLAKE_COMMANDS: Final[dict[str, re.Pattern[str]]] = {
    "PUT": re.compile(
        rf"^put\s+'file://[^']+'\s+@(?P<stage>{_FQN})(?P<path>/\S*)?(\s+\w+\s*=\s*\w+)*$", re.I
    ),
    "LIST": re.compile(rf"^(list|ls)\s+@(?P<stage>{_FQN})(?P<path>/\S*)?$", re.I),
    "REMOVE": re.compile(rf"^(remove|rm)\s+@(?P<stage>{_FQN})(?P<path>/\S*)?$", re.I),
    "CREATE DBT PROJECT": re.compile(
        rf"^create\s+(or\s+replace\s+)?dbt\s+project\s+(?P<name>{_FQN})\s+from\s+'@(?P<stage>{_FQN})(?P<path>/[^']*)?'"
        rf"(\s+\w+\s*=\s*('[^']*'|\w+))*$",
        re.I,
    ),
    "DROP DBT PROJECT": re.compile(rf"^drop\s+dbt\s+project\s+(if\s+exists\s+)?(?P<name>{_FQN})$", re.I),
    "EXECUTE DBT PROJECT": re.compile(
        rf"^execute\s+dbt\s+project\s+(?P<name>{_FQN})(\s+\w+\s*=\s*'[^']*')*$", re.I
    ),
    "ALTER WAREHOUSE SET RESOURCE_MONITOR": re.compile(
        rf"^alter\s+warehouse\s+(if\s+exists\s+)?(?P<name>{_IDENT})\s+set\s+resource_monitor\s*=\s*(?P<monitor>{_IDENT})$",
        re.I,
    ),
    "ALTER WAREHOUSE UNSET RESOURCE_MONITOR": re.compile(
        rf"^alter\s+warehouse\s+(if\s+exists\s+)?(?P<name>{_IDENT})\s+unset\s+resource_monitor$", re.I
    ),
    "CREATE SNOWFLAKE.ML.CLASSIFICATION": re.compile(
        rf"^create\s+(or\s+replace\s+)?snowflake\.ml\.classification\s+(?P<name>{_FQN})\s*\(", re.I
    ),
    "CALL MODEL METHOD": re.compile(rf"^call\s+(?P<name>{_FQN})!\w+\s*\(", re.I),
    "SHOW": re.compile(r"^show\s+", re.I),
    "CALL SYSTEM$SEND_EMAIL": re.compile(r"^call\s+system\$send_email\s*\(\s*'(?P<integration>\w+)'", re.I),
    "CALL SYSTEM$SEND_SNOWFLAKE_NOTIFICATION": re.compile(
        r"^call\s+system\$send_snowflake_notification\s*\(.*snowflake\.notification\.integration\s*\(\s*'(?P<integration>\w+)'",
        re.I,
    ),
}
# A Snowflake Scripting block run by EXECUTE IMMEDIATE (the alerts' actions): its SQL statements are
# analysed one by one; DECLARE, IF/ELSE/END IF and variable assignments are control flow, not statements
# (https://docs.snowflake.com/en/developer-guide/snowflake-scripting/blocks).
_SCRIPT: Final = re.compile(r"^\s*execute\s+immediate\s+\$\$(?P<body>.*)\$\$\s*$", re.I | re.S)
_CONTROL: Final = re.compile(r"^(if\s*\(.*\)\s*then|else|end\s+if|\w+\s*:=.*)$", re.I | re.S)


@dataclass(frozen=True)
class Need:
    """One thing an operation needs; `rule` is the key of its row in privileges.RULES."""

    rule: str
    kind: str  # account | object | exists | is_role | role_exists | user_role | grant_authority
    privilege: str = ""
    object_kind: str = ""
    name: str = ""
    role: str = ""

    def describe(self) -> str:
        if self.kind == "account":
            return f"{self.privilege} on the account"
        if self.kind == "object":
            return f"{self.privilege} on {self.object_kind} {self.name}"
        if self.kind == "exists":
            return f"{self.object_kind} {self.name} to exist"
        if self.kind == "is_role":
            return f"the {self.role} role"
        if self.kind == "role_exists":
            return f"role {self.role} to exist"
        if self.kind == "user_role":
            return f"role {self.role} granted to user {self.name}"
        if self.kind == "grant_authority":
            return f"MANAGE GRANTS or OWNERSHIP of {self.object_kind} {self.name}"
        return self.kind


@dataclass(frozen=True)
class Operation:
    statement: str
    verb: str
    needs: tuple[Need, ...]
    creates: tuple[tuple[str, str], ...] = ()  # (kind, fully qualified name)
    drops_ownership_to: str | None = None
    notes: tuple[str, ...] = field(default=())


class UnparsableStatementError(ValueError):
    """A statement neither sqlglot nor the documented-command patterns understand."""


def flatten(sql: str) -> str:
    """One line, comments removed (quote-aware), no trailing `;`."""
    statements = list(split_statements(sql))
    return " ".join((statements[0] if statements else "").split()).rstrip(";")


def qualify(name: str, database: str) -> str:
    parts = [p.strip('"').upper() for p in name.split(".")]
    if len(parts) == 2:
        parts = [database.upper(), *parts]
    return ".".join(parts)


def schema_of(fqn: str) -> str:
    return ".".join(fqn.split(".")[:2])


def database_of(fqn: str) -> str:
    return fqn.split(".")[0]


def usage_needs(fqn: str) -> list[Need]:
    """USAGE on the database and schema holding a schema object."""
    return [
        Need("schema_object_usage", "object", "USAGE", "DATABASE", database_of(fqn)),
        Need("schema_object_usage", "object", "USAGE", "SCHEMA", schema_of(fqn)),
    ]


def stage_needs(stage: str, *, write: bool) -> list[Need]:
    """READ/WRITE on an internal stage; the engine reads READ as USAGE on an external stage."""
    return [
        *usage_needs(stage),
        Need(
            "stage_write" if write else "stage_read", "object", "WRITE" if write else "READ", "STAGE", stage
        ),
    ]


def scripting_statements(sql: str) -> list[str] | None:
    """The SQL statements of an EXECUTE IMMEDIATE $$ ... $$ block (bind variables as NULL, INTO dropped), or
    None when `sql` is not one."""
    match = _SCRIPT.match(sql)
    if match is None:
        return None
    body = match["body"]
    begin = re.search(r"\bbegin\b", body, flags=re.I)
    end = body.lower().rfind("end;")
    if begin is None or end == -1:
        raise UnparsableStatementError(f"a scripting block without BEGIN ... END: {body[:120]}")
    found = []
    for part in split_statements(body[begin.end() : end]):
        statement = " ".join(part.split())
        while True:  # `if (...) then insert ...`: the statement after the control keyword
            head = re.match(r"^(if\s*\(.*?\)\s*then|else)\s+(?=\S)", statement, flags=re.I)
            if head is None:
                break
            statement = statement[head.end() :]
        if not statement or _CONTROL.match(statement):
            continue
        statement = re.sub(r"\binto\s+:\w+\s+", "", statement, flags=re.I)
        found.append(re.sub(r"(?<![:\w]):(?!:)\w+", "null", statement))  # binds; not `::type` casts
    return found


def analyze(sql: str, *, database: str, warehouse: str | None = None) -> Operation:
    """The operation a single statement performs, with everything Snowflake checks for it."""
    inner = scripting_statements(sql)
    if inner is not None:
        operations = [analyze(s, database=database, warehouse=warehouse) for s in inner]
        needs = tuple(dict.fromkeys(n for op in operations for n in op.needs))
        return Operation(
            f"execute immediate ({len(inner)} statements)", "EXECUTE IMMEDIATE", needs, notes=tuple(inner)
        )
    text = flatten(sql)
    for verb, pattern in SNOWFLAKE_COMMANDS.items():
        match = pattern.match(text)
        if match:
            return _command(verb, match, text, database)
    try:
        tree = sqlglot.parse_one(sql.strip().rstrip(";"), read="snowflake")
    except (ParseError, TokenError) as exc:
        raise UnparsableStatementError(f"not Snowflake SQL: {text[:120]}... ({exc})") from None
    if isinstance(tree, exp.Command):
        raise UnparsableStatementError(f"sqlglot only parsed a generic command: {text[:120]}")
    return _parsed(tree, text, database, warehouse)


def _command(verb: str, match: re.Match[str], text: str, database: str) -> Operation:
    if verb in ("PUT", "REMOVE"):
        stage = qualify(match["stage"], database)
        return Operation(text, verb, tuple(stage_needs(stage, write=True)))
    if verb == "LIST":
        stage = qualify(match["stage"], database)
        return Operation(text, verb, tuple(stage_needs(stage, write=False)))
    if verb == "CREATE DBT PROJECT":
        name, stage = qualify(match["name"], database), qualify(match["stage"], database)
        needs = [
            *usage_needs(name),
            Need("create_dbt_project", "object", "CREATE DBT PROJECT", "SCHEMA", schema_of(name)),
            Need("create_dbt_project", "object", "READ", "STAGE", stage),
        ]
        return Operation(text, verb, tuple(needs), creates=(("DBT PROJECT", name),))
    if verb == "DROP DBT PROJECT":
        name = qualify(match["name"], database)
        return Operation(
            text, verb, (Need("create_dbt_project", "object", "OWNERSHIP", "DBT PROJECT", name),)
        )
    if verb == "EXECUTE DBT PROJECT":
        name = qualify(match["name"], database)
        return Operation(
            text,
            verb,
            (*usage_needs(name), Need("execute_dbt_project", "object", "USAGE", "DBT PROJECT", name)),
        )
    if verb in ("ALTER WAREHOUSE SET RESOURCE_MONITOR", "ALTER WAREHOUSE UNSET RESOURCE_MONITOR"):
        needs = [
            Need("object_exists", "exists", object_kind="WAREHOUSE", name=match["name"].upper()),
            Need("assign_resource_monitor", "is_role", role="ACCOUNTADMIN"),
        ]
        if verb.endswith("SET RESOURCE_MONITOR") and "monitor" in match.groupdict():
            needs.append(
                Need("object_exists", "exists", object_kind="RESOURCE MONITOR", name=match["monitor"].upper())
            )
        return Operation(text, verb, tuple(needs))
    if verb == "CREATE SNOWFLAKE.ML.CLASSIFICATION":
        name = qualify(match["name"], database)
        needs = [
            *usage_needs(name),
            Need(
                "create_ml_classification",
                "object",
                "CREATE SNOWFLAKE.ML.CLASSIFICATION",
                "SCHEMA",
                schema_of(name),
            ),
        ]
        return Operation(text, verb, tuple(needs), creates=(("MODEL", name),))
    if verb == "CALL MODEL METHOD":
        name = qualify(match["name"], database)
        return Operation(
            text,
            verb,
            (*usage_needs(name), Need("create_ml_classification", "object", "USAGE", "MODEL", name)),
        )
    if verb in ("CALL SYSTEM$SEND_EMAIL", "CALL SYSTEM$SEND_SNOWFLAKE_NOTIFICATION"):
        integration = match["integration"].upper()
        return Operation(
            text,
            verb,
            (
                Need("object_exists", "exists", object_kind="INTEGRATION", name=integration),
                Need("send_notification", "object", "USAGE", "INTEGRATION", integration),
            ),
        )
    return Operation(text, verb, ())  # SHOW: lists what the role can see; needs nothing


def _relations(node: exp.Expression, database: str) -> list[str]:
    """Fully qualified tables/views a statement reads, without CTEs, table functions, stages and the
    information schema."""
    ctes = {c.alias_or_name.upper() for c in node.find_all(exp.CTE)}
    found: list[str] = []
    for table in node.find_all(exp.Table):
        name = table.name
        if not name or not isinstance(table.this, exp.Identifier):
            continue  # TABLE(GENERATOR(...)), TABLE(INFORMATION_SCHEMA.COPY_HISTORY(...)) ...
        if name.startswith("@") or table.sql().startswith("@"):
            continue
        parts = [p.upper() for p in (table.catalog, table.db, name) if p]
        if "INFORMATION_SCHEMA" in parts or (len(parts) == 1 and parts[0] in ctes):
            continue
        if len(parts) == 1:
            continue  # an unqualified name: a CTE or a session-scoped temporary object
        found.append(qualify(".".join(parts), database))
    return found


def _target(node: exp.Expression | None) -> exp.Table | None:
    if isinstance(node, exp.Schema):
        node = node.this
    return node if isinstance(node, exp.Table) else None


def _fqn(table: exp.Table, database: str) -> str:
    return qualify(".".join(p for p in (table.catalog, table.db, table.name) if p), database)


def _parsed(tree: exp.Expression, text: str, database: str, warehouse: str | None) -> Operation:
    needs: list[Need] = []
    creates: list[tuple[str, str]] = []
    compute = False
    verb = tree.key.upper()
    if isinstance(tree, (exp.Transaction, exp.Commit, exp.Rollback)):
        return Operation(text, verb, ())
    if isinstance(tree, exp.Use):
        target = tree.this.name.upper() if tree.this else database
        kind = (tree.args.get("kind") or exp.Var(this="DATABASE")).name.upper() or "DATABASE"
        return Operation(text, verb, (Need("schema_object_usage", "object", "USAGE", kind, target),))
    if isinstance(tree, exp.Create):
        kind = str(tree.args.get("kind") or "").upper()
        target = _target(tree.this)
        if kind in ("DATABASE",):
            return Operation(
                text,
                verb,
                (Need("create_database", "account", "CREATE DATABASE"),),
                creates=(("DATABASE", tree.this.name.upper()),),
            )
        if kind == "SCHEMA":
            schema = tree.this
            name = (
                qualify(".".join(p for p in (schema.db, schema.name) if p), database)
                if isinstance(schema, exp.Table)
                else f"{database}.{schema.name.upper()}"
            )
            name = name if name.count(".") == 1 else ".".join(name.split(".")[-2:])
            return Operation(
                text,
                verb,
                (Need("create_schema", "object", "CREATE SCHEMA", "DATABASE", database_of(name)),),
                creates=(("SCHEMA", name),),
            )
        if target is not None and kind in ("TABLE", "VIEW"):
            name = _fqn(target, database)
            needs += [
                *usage_needs(name),
                Need("create_in_schema", "object", f"CREATE {kind}", "SCHEMA", schema_of(name)),
            ]
            creates.append((kind, name))
            source = tree.expression
            if source is not None:
                compute = True
                for rel in _relations(source, database):
                    needs += [*usage_needs(rel), Need("table_dml", "object", "SELECT", RELATION, rel)]
        else:
            raise UnparsableStatementError(f"no privilege rule for CREATE {kind}: {text[:120]}")
    elif isinstance(tree, exp.Copy):
        target = _target(tree.this)
        if target is None:
            raise UnparsableStatementError(f"COPY without a target table: {text[:120]}")
        name = _fqn(target, database)
        needs += [*usage_needs(name), Need("copy_into_table", "object", "INSERT", RELATION, name)]
        stages = re.findall(rf"@({_FQN})", text)
        for stage in stages:
            needs += stage_needs(qualify(stage, database), write=False)
        for fmt in re.findall(rf"format_name\s*=\s*'?({_FQN})'?", text, flags=re.I):
            needs += [Need("copy_into_table", "object", "USAGE", "FILE FORMAT", qualify(fmt, database))]
        compute = True
    elif isinstance(tree, (exp.Insert, exp.Delete, exp.Update, exp.Merge, exp.TruncateTable)):
        privilege = {
            exp.Insert: ("INSERT",),
            exp.Delete: ("DELETE",),
            exp.Update: ("UPDATE",),
            exp.Merge: ("INSERT", "UPDATE", "DELETE"),
            exp.TruncateTable: ("TRUNCATE",),
        }[type(tree)]
        targets = tree.expressions if isinstance(tree, exp.TruncateTable) else [tree.this]
        written: set[str] = set()
        for node in targets:
            target = _target(node)
            if target is None:
                continue
            name = _fqn(target, database)
            written.add(name)
            needs += usage_needs(name)
            needs += [Need("table_dml", "object", p, RELATION, name) for p in privilege]
        for rel in _relations(tree, database):
            if rel not in written:
                needs += [*usage_needs(rel), Need("table_dml", "object", "SELECT", RELATION, rel)]
        compute = True
    elif isinstance(tree, (exp.Select, exp.Union, exp.Subquery)):
        for rel in _relations(tree, database):
            needs += [*usage_needs(rel), Need("table_dml", "object", "SELECT", RELATION, rel)]
        if re.search(r"warehouse_metering_history\s*\(", text, flags=re.I):
            needs.append(Need("monitor_usage", "account", "MONITOR USAGE"))
        compute = True
    elif isinstance(tree, exp.Alter):
        target = _target(tree.this)
        if target is not None:
            needs.append(Need("table_dml", "object", "OWNERSHIP", RELATION, _fqn(target, database)))
    elif isinstance(tree, exp.Drop):
        target = _target(tree.this)
        if target is not None:
            name = _fqn(target, database)
            needs.append(Need("table_dml", "object", "OWNERSHIP", RELATION, name))
    else:
        raise UnparsableStatementError(f"no privilege rule for {verb}: {text[:120]}")
    if compute and warehouse:
        needs.append(Need("warehouse_usage", "object", "USAGE", "WAREHOUSE", warehouse.upper()))
    return Operation(text, verb, tuple(dict.fromkeys(needs)), creates=tuple(creates))
