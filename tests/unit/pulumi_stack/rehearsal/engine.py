"""Walk the deployment in dependency order and check every operation against what its role holds then.

The world a resource sees is the account as the bootstrap left it (system roles, the deploy user) plus the
effects of the resources that are guaranteed to have finished before it (its ancestors in the graph) —
not whatever a particular run happened to finish first. A privilege that only arrives through a resource
that may run later is a race; one that only arrives through a resource that waits for this one can never
arrive (every later `pulumi up` fails the same way); one that nothing grants is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from tests.unit.pulumi_stack.rehearsal.graph import DeployGraph, Node
from tests.unit.pulumi_stack.rehearsal.privileges import (
    RULES,
    SYSTEM_ACCOUNT_PRIVILEGES,
    SYSTEM_ROLE_PARENTS,
    SYSTEM_ROLES,
    cite,
)
from tests.unit.pulumi_stack.rehearsal.statements import (
    RELATION,
    Need,
    Operation,
    analyze,
    schema_of,
    usage_needs,
)

END: Final = "(end of deployment)"  # a point after every resource: tasks and pipes run from here
BOOTSTRAP: Final = "(bootstrap)"
PLURALS: Final = {"TABLES": "TABLE", "VIEWS": "VIEW", "STAGES": "STAGE", "FILE FORMATS": "FILE FORMAT"}
Point = tuple[str, int]  # (resource urn, statement sequence within it)


@dataclass(frozen=True)
class Effect:
    kind: str  # created | granted | ownership | role_created | role_granted | user_role
    at: Point
    object_kind: str = ""
    name: str = ""
    role: str = ""  # creator / grantee / new owner / granted role
    privileges: frozenset[str] = frozenset()
    scope: str = ""  # for grants: object | all | future | account
    to: str = ""  # role_granted: parent role; user_role: the user
    detail: str = ""  # stages: internal | external
    source: str = ""  # resource name, for the report


@dataclass(frozen=True)
class Check:
    node: Node
    role: str
    user: str
    operation: Operation
    at: Point
    label: str


@dataclass(frozen=True)
class Finding:
    category: str  # MISSING | RACE | UNRECOVERABLE | DEFAULT_PROVIDER
    resource: str
    typ: str
    role: str
    operation: str
    need: str
    rule: str
    detail: str = ""

    def line(self) -> str:
        return (
            f"{self.category:<13} {self.resource} ({self.typ.rsplit(':', 1)[-1]}) as {self.role}: "
            f"{self.operation} needs {self.need}{'; ' + self.detail if self.detail else ''}\n"
            f"{'':14}rule: {cite(self.rule)}"
        )


@dataclass
class Rehearsal:
    graph: DeployGraph
    deploy_user: str
    lifecycle_user: str
    lifecycle_role: str
    lifecycle_warehouse: str
    database: str
    step_operations: Mapping[str, Sequence[Operation]] = field(default_factory=dict)
    stage_file_statements: Callable[[Node], list[str]] | None = None
    effects: list[Effect] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    _extra: frozenset[str] = frozenset()  # resources assumed finished too (what-if: would it suffice?)

    # ---- timing ------------------------------------------------------------------------------------
    def before(self, first: Point, second: Point) -> bool:
        if first[0] == BOOTSTRAP:
            return True
        if second[0] == END:
            return first[0] != END
        if first[0] == second[0]:
            return first[1] < second[1]
        return first[0] != END and self.graph.happens_before(first[0], second[0])

    def visible(self, at: Point, relaxed: bool) -> Iterable[Effect]:
        if relaxed:
            return self.effects
        extra = self._extra
        return (e for e in self.effects if self.before(e.at, at) or e.at[0] in extra)

    # ---- queries over the world at a point -------------------------------------------------------
    def roles_of(self, role: str, at: Point, relaxed: bool) -> set[str]:
        granted: dict[str, set[str]] = {}
        for child, parents in SYSTEM_ROLE_PARENTS.items():
            for parent in parents:
                granted.setdefault(parent, set()).add(child)
        for e in self.visible(at, relaxed):
            if e.kind == "role_granted":
                granted.setdefault(e.to, set()).add(e.role)
        found, todo = {role, "PUBLIC"}, [role]
        while todo:
            for child in granted.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    def created(self, kind: str, name: str, at: Point, relaxed: bool) -> Effect | None:
        for e in self.visible(at, relaxed):
            if e.kind == "created" and e.object_kind == kind and e.name == name:
                return e
        return None

    def resolve_kind(self, kind: str, name: str, at: Point) -> str:
        if kind != RELATION:
            return kind
        for candidate in ("TABLE", "VIEW", "STREAM"):
            if self.created(candidate, name, at, relaxed=True):
                return candidate
        return "TABLE"

    def owner(self, obj: Effect, at: Point, relaxed: bool) -> str:
        owner = obj.role
        for e in self.visible(at, relaxed):
            if e.kind == "ownership" and e.object_kind == obj.object_kind and e.name == obj.name:
                owner = e.role
        return owner

    def account_privilege(self, role: str, privilege: str, at: Point, relaxed: bool) -> bool:
        roles = self.roles_of(role, at, relaxed)
        if any(privilege in SYSTEM_ACCOUNT_PRIVILEGES.get(r, frozenset()) for r in roles):
            return True
        return any(
            e.kind == "granted" and e.scope == "account" and e.role in roles and privilege in e.privileges
            for e in self.visible(at, relaxed)
        )

    def object_privilege(
        self, role: str, privilege: str, kind: str, name: str, at: Point, relaxed: bool
    ) -> bool:
        obj = self.created(kind, name, at, relaxed)
        if obj is None:
            return False
        roles = self.roles_of(role, at, relaxed)
        if self.owner(obj, at, relaxed) in roles:
            return True
        if privilege == "OWNERSHIP":
            return False
        wanted = {p for p in privilege.split("|")}
        for e in self.visible(at, relaxed):
            if (
                e.kind != "granted"
                or e.role not in roles
                or not (wanted & e.privileges or "ALL" in e.privileges)
            ):
                continue
            if e.scope == "object" and e.object_kind == kind and e.name == name:
                return True
            if (
                e.scope in ("all", "future")
                and PLURALS.get(e.object_kind) == kind
                and e.name == schema_of(name)
            ):
                if relaxed:
                    return True
                if e.scope == "all" and self.before(obj.at, e.at):
                    return True  # the object existed when GRANT ... ON ALL ran
                if e.scope == "future" and self.before(e.at, obj.at):
                    return True  # the future grant existed when the object was created
        return False

    def holds(self, need: Need, role: str, user: str, at: Point, relaxed: bool = False) -> bool:
        if need.kind == "account":
            return self.account_privilege(role, need.privilege, at, relaxed)
        if need.kind == "is_role":
            return role == need.role
        if need.kind == "exists":
            return self.created(need.object_kind, need.name, at, relaxed) is not None
        if need.kind == "role_exists":
            return need.role in SYSTEM_ROLES or any(
                e.kind == "role_created" and e.role == need.role for e in self.visible(at, relaxed)
            )
        if need.kind == "user_role":
            if need.name == self.deploy_user and need.role in SYSTEM_ROLES:
                return True  # the bootstrap (docs/deploy.md) grants the deploy user the system roles
            return any(
                e.kind == "user_role"
                and e.to == need.name
                and e.role in self.roles_of(need.role, at, relaxed) | {need.role}
                for e in self.visible(at, relaxed)
            )
        if need.kind == "grant_authority":
            if self.account_privilege(role, "MANAGE GRANTS", at, relaxed):
                return True
            obj = self.created(need.object_kind, need.name, at, relaxed)
            return obj is not None and self.owner(obj, at, relaxed) in self.roles_of(role, at, relaxed)
        if need.kind == "object":
            kind = self.resolve_kind(need.object_kind, need.name, at)
            privilege = need.privilege
            if kind == "STAGE":
                stage = self.created("STAGE", need.name, at, relaxed=True)
                if stage is not None and stage.detail == "external" and privilege == "READ":
                    privilege = "USAGE"
            return self.object_privilege(role, privilege, kind, need.name, at, relaxed)
        raise ValueError(f"unknown need {need}")

    def suppliers(self, need: Need, check: Check) -> list[str]:
        """Resources that would each satisfy `need` if they (and what they depend on) had finished before
        the check: the ones it should depend on."""
        found: list[str] = []
        point = check.at
        owners = {e.at[0] for e in self.effects if e.at[0] not in (BOOTSTRAP, END)}
        for urn in sorted(owners):
            if urn == point[0] or self.before((urn, 10**6), point):
                continue
            self._extra = (
                frozenset({urn, *self.graph.ancestors(urn)}) if urn in self.graph.by_urn else frozenset({urn})
            )
            try:
                if self.holds(need, check.role, check.user, point):
                    found.append(urn)
            finally:
                self._extra = frozenset()
        # the smallest fixes: drop a candidate that only works because it waits for another candidate
        return [u for u in found if not any(v != u and self.graph.happens_before(v, u) for v in found)]

    # ---- running ------------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        self.effects, self.checks, self.findings = [], [], []
        self._reported: set[tuple[str, Need]] = set()
        for node in self.graph.in_dependency_order():
            self._declare(node)
        for check in self.checks:
            self._check(check)
        return self.findings

    def _check(self, check: Check) -> None:
        for need in check.operation.needs:
            if self.holds(need, check.role, check.user, check.at):
                continue
            key = (check.label, need)
            if key in self._reported:
                continue
            self._reported.add(key)
            category, detail = "MISSING", "nothing in the deployment provides it"
            if self.holds(need, check.role, check.user, check.at, relaxed=True):
                suppliers = self.suppliers(need, check)
                names = [self.graph.by_urn[u].name for u in suppliers]
                shown = ", ".join(names[:3]) + (f" (+{len(names) - 3} more)" if len(names) > 3 else "")
                later = [u for u in suppliers if self.graph.happens_before(check.at[0], u)]
                if suppliers and len(later) == len(suppliers):
                    category = "UNRECOVERABLE"
                    detail = (
                        f"only {shown} would provide it, and they wait for this resource: it can never "
                        "succeed, and every later `pulumi up` fails the same way"
                    )
                elif suppliers:
                    category = "RACE"
                    detail = f"provided by {shown}, which it does not wait for"
                else:
                    category = "RACE"
                    detail = (
                        "what provides it is not ordered with what it applies to (e.g. GRANT ... ON ALL runs "
                        "before the object exists, or ON FUTURE after it was created)"
                    )
            op = check.operation
            self.findings.append(
                Finding(
                    category,
                    check.label,
                    check.node.typ,
                    check.role,
                    op.verb,
                    need.describe(),
                    need.rule,
                    detail,
                )
            )

    # ---- what each resource does -----------------------------------------------------------------
    def _role_of(self, node: Node) -> tuple[str, str] | None:
        if node.typ.startswith("pulumi-python:dynamic"):
            return self.lifecycle_role, self.lifecycle_user
        if node.provider is None:
            return None
        provider = self.graph.by_urn[node.provider]
        return str(provider.inputs.get("role") or "PUBLIC"), str(
            provider.inputs.get("user") or self.deploy_user
        )

    def _effect(self, node: Node, seq: int, kind: str, **values: object) -> None:
        self.effects.append(Effect(kind, (node.urn, seq), source=node.name, **values))  # type: ignore[arg-type]

    def _operation(
        self, node: Node, role: str, user: str, op: Operation, seq: int = 0, at: Point | None = None
    ) -> None:
        self.checks.append(Check(node, role, user, op, at or (node.urn, seq), node.name))

    def _declare(self, node: Node) -> None:
        if not (node.typ.startswith("snowflake:") or node.typ.startswith("pulumi-python:dynamic")):
            return
        found = self._role_of(node)
        if found is None:
            self.findings.append(
                Finding(
                    "DEFAULT_PROVIDER",
                    node.name,
                    node.typ,
                    "?",
                    "create",
                    "an explicit deploy-role provider",
                    "system_roles",
                )
            )
            return
        role, user = found
        handler = HANDLERS.get(node.typ.rsplit(":", 1)[-1])
        if handler is None:
            raise ValueError(
                f"the rehearsal has no rule for {node.typ} ({node.name}): add one to engine.HANDLERS"
            )
        handler(self, node, role, user)


def _i(node: Node, key: str) -> str:
    return str(node.inputs.get(key) or "").upper()


def _fq(node: Node) -> str:
    return f"{_i(node, 'database')}.{_i(node, 'schema')}.{_i(node, 'name')}"


def _create_in_schema(
    r: Rehearsal,
    node: Node,
    role: str,
    user: str,
    kind: str,
    extra: Sequence[Need] = (),
    rule: str = "create_in_schema",
    detail: str = "",
) -> str:
    name = _fq(node)
    needs = (
        *usage_needs(name),
        Need("object_exists", "exists", object_kind="SCHEMA", name=schema_of(name)),
        Need(rule, "object", f"CREATE {kind}", "SCHEMA", schema_of(name)),
        *extra,
    )
    r._operation(node, role, user, Operation(f"CREATE {kind} {name}", f"CREATE {kind}", needs))
    r._effect(node, 1, "created", object_kind=kind, name=name, role=role, detail=detail)
    return name


def _database(r: Rehearsal, node: Node, role: str, user: str) -> None:
    r._operation(
        node,
        role,
        user,
        Operation(
            "CREATE DATABASE", "CREATE DATABASE", (Need("create_database", "account", "CREATE DATABASE"),)
        ),
    )
    r._effect(node, 1, "created", object_kind="DATABASE", name=_i(node, "name"), role=role)


def _schema(r: Rehearsal, node: Node, role: str, user: str) -> None:
    database = _i(node, "database")
    needs = (
        Need("object_exists", "exists", object_kind="DATABASE", name=database),
        Need("create_schema", "object", "CREATE SCHEMA", "DATABASE", database),
    )
    r._operation(node, role, user, Operation("CREATE SCHEMA", "CREATE SCHEMA", needs))
    r._effect(node, 1, "created", object_kind="SCHEMA", name=f"{database}.{_i(node, 'name')}", role=role)


def _warehouse(r: Rehearsal, node: Node, role: str, user: str) -> None:
    needs = [Need("create_warehouse", "account", "CREATE WAREHOUSE")]
    monitor = _i(node, "resourceMonitor")
    if monitor:
        needs += [
            Need("object_exists", "exists", object_kind="RESOURCE MONITOR", name=monitor),
            Need("assign_resource_monitor", "is_role", role="ACCOUNTADMIN"),
        ]
    r._operation(
        node,
        role,
        user,
        Operation(
            "CREATE WAREHOUSE",
            "CREATE WAREHOUSE ... RESOURCE_MONITOR" if monitor else "CREATE WAREHOUSE",
            tuple(needs),
        ),
    )
    r._effect(node, 1, "created", object_kind="WAREHOUSE", name=_i(node, "name"), role=role)


def _resource_monitor(r: Rehearsal, node: Node, role: str, user: str) -> None:
    r._operation(
        node,
        role,
        user,
        Operation(
            "CREATE RESOURCE MONITOR",
            "CREATE RESOURCE MONITOR",
            (Need("create_resource_monitor", "is_role", role="ACCOUNTADMIN"),),
        ),
    )
    r._effect(node, 1, "created", object_kind="RESOURCE MONITOR", name=_i(node, "name"), role=role)


def _integration(r: Rehearsal, node: Node, role: str, user: str) -> None:
    r._operation(
        node,
        role,
        user,
        Operation(
            "CREATE STORAGE INTEGRATION",
            "CREATE STORAGE INTEGRATION",
            (Need("create_integration", "account", "CREATE INTEGRATION"),),
        ),
    )
    r._effect(node, 1, "created", object_kind="INTEGRATION", name=_i(node, "name"), role=role)


def _account_role(r: Rehearsal, node: Node, role: str, user: str) -> None:
    r._operation(
        node,
        role,
        user,
        Operation("CREATE ROLE", "CREATE ROLE", (Need("create_role", "account", "CREATE ROLE"),)),
    )
    r._effect(node, 1, "role_created", role=_i(node, "name"))
    r._effect(node, 1, "created", object_kind="ROLE", name=_i(node, "name"), role=role)


def _grant_account_role(r: Rehearsal, node: Node, role: str, user: str) -> None:
    granted = _i(node, "roleName")
    needs = [
        Need("grant_role", "role_exists", role=granted),
        Need("grant_role", "grant_authority", object_kind="ROLE", name=granted),
    ]
    parent, grantee_user = _i(node, "parentRoleName"), str(node.inputs.get("userName") or "")
    if parent:
        needs.append(Need("grant_role", "role_exists", role=parent))
        r._effect(node, 1, "role_granted", role=granted, to=parent)
    if grantee_user:
        r._effect(node, 1, "user_role", role=granted, to=grantee_user)
    r._operation(node, role, user, Operation(f"GRANT ROLE {granted}", "GRANT ROLE", tuple(needs)))


def _grant_privileges(r: Rehearsal, node: Node, role: str, user: str) -> None:
    grantee = _i(node, "accountRoleName")
    privileges = frozenset(str(p).upper() for p in node.inputs.get("privileges") or [])
    needs = [Need("grant_privilege", "role_exists", role=grantee)]
    if node.inputs.get("onAccount"):
        needs.append(Need("grant_privilege", "account", "MANAGE GRANTS"))
        r._effect(node, 1, "granted", role=grantee, privileges=privileges, scope="account")
        label = "ON ACCOUNT"
    elif node.inputs.get("onAccountObject"):
        target = node.inputs["onAccountObject"]
        kind, name = str(target["objectType"]).upper(), str(target["objectName"]).upper()
        needs += [
            Need("object_exists", "exists", object_kind=kind, name=name),
            Need("grant_privilege", "grant_authority", object_kind=kind, name=name),
        ]
        r._effect(
            node,
            1,
            "granted",
            role=grantee,
            privileges=privileges,
            scope="object",
            object_kind=kind,
            name=name,
        )
        label = f"ON {kind} {name}"
    elif node.inputs.get("onSchema"):
        name = str(node.inputs["onSchema"]["schemaName"]).upper()
        needs += [
            Need("object_exists", "exists", object_kind="SCHEMA", name=name),
            Need("grant_privilege", "grant_authority", object_kind="SCHEMA", name=name),
        ]
        r._effect(
            node,
            1,
            "granted",
            role=grantee,
            privileges=privileges,
            scope="object",
            object_kind="SCHEMA",
            name=name,
        )
        label = f"ON SCHEMA {name}"
    else:
        target = node.inputs["onSchemaObject"]
        for scope in ("all", "future"):
            if target.get(scope):
                plural, schema = (
                    str(target[scope]["objectTypePlural"]).upper(),
                    str(target[scope]["inSchema"]).upper(),
                )
                needs.append(Need("object_exists", "exists", object_kind="SCHEMA", name=schema))
                needs.append(
                    Need("grant_future", "account", "MANAGE GRANTS")
                    if scope == "future"
                    else Need("grant_all", "grant_authority", object_kind="SCHEMA", name=schema)
                )
                r._effect(
                    node,
                    1,
                    "granted",
                    role=grantee,
                    privileges=privileges,
                    scope=scope,
                    object_kind=plural,
                    name=schema,
                )
                label = f"ON {scope.upper()} {plural} IN SCHEMA {schema}"
                break
        else:
            kind, name = str(target["objectType"]).upper(), str(target["objectName"]).upper()
            needs += [
                Need("object_exists", "exists", object_kind=kind, name=name),
                Need("grant_privilege", "grant_authority", object_kind=kind, name=name),
            ]
            r._effect(
                node,
                1,
                "granted",
                role=grantee,
                privileges=privileges,
                scope="object",
                object_kind=kind,
                name=name,
            )
            label = f"ON {kind} {name}"
    r._operation(
        node,
        role,
        user,
        Operation(
            f"GRANT {','.join(sorted(privileges))} {label} TO ROLE {grantee}",
            f"GRANT {','.join(sorted(privileges))} {label}",
            tuple(needs),
        ),
    )


def _grant_ownership(r: Rehearsal, node: Node, role: str, user: str) -> None:
    grantee = _i(node, "accountRoleName")
    on = node.inputs["on"]
    kind, name = str(on["objectType"]).upper(), str(on["objectName"]).upper()
    needs = (
        Need("grant_ownership", "role_exists", role=grantee),
        Need("object_exists", "exists", object_kind=kind, name=name),
        Need("grant_ownership", "grant_authority", object_kind=kind, name=name),
    )
    r._operation(node, role, user, Operation(f"GRANT OWNERSHIP ON {kind} {name}", "GRANT OWNERSHIP", needs))
    r._effect(node, 1, "ownership", object_kind=kind, name=name, role=grantee)


def _file_format(r: Rehearsal, node: Node, role: str, user: str) -> None:
    _create_in_schema(r, node, role, user, "FILE FORMAT")


def _stage_internal(r: Rehearsal, node: Node, role: str, user: str) -> None:
    _create_in_schema(r, node, role, user, "STAGE", detail="internal")


def _stage_external(r: Rehearsal, node: Node, role: str, user: str) -> None:
    extra = [Need("create_stage", "object", "USAGE", "INTEGRATION", _i(node, "storageIntegration"))]
    fmt = (node.inputs.get("fileFormat") or {}).get("formatName")
    if fmt:
        extra.append(Need("create_stage", "object", "USAGE", "FILE FORMAT", str(fmt).upper()))
    _create_in_schema(r, node, role, user, "STAGE", extra, rule="create_stage", detail="external")


def _table(r: Rehearsal, node: Node, role: str, user: str) -> None:
    extra: list[Need] = []
    for column in node.inputs.get("columns") or []:
        policy = str(column.get("maskingPolicy") or "").upper()
        if policy:  # CREATE TABLE ... (col ... WITH MASKING POLICY p)
            extra += [
                Need("apply_masking_policy", "exists", object_kind="MASKING POLICY", name=policy),
                Need("apply_masking_policy", "object", "APPLY", "MASKING POLICY", policy),
            ]
    _create_in_schema(r, node, role, user, "TABLE", tuple(dict.fromkeys(extra)))


def _view(r: Rehearsal, node: Node, role: str, user: str) -> None:
    body = analyze(str(node.inputs["statement"]), database=r.database)  # the owner reads it at creation
    _create_in_schema(r, node, role, user, "VIEW", body.needs)


def _masking_policy(r: Rehearsal, node: Node, role: str, user: str) -> None:
    _create_in_schema(r, node, role, user, "MASKING POLICY", rule="create_masking_policy")


def _alert(r: Rehearsal, node: Node, role: str, user: str) -> None:
    warehouse = _i(node, "warehouse")
    extra = [Need("create_alert", "object", "USAGE", "WAREHOUSE", warehouse)]
    if node.inputs.get("enabled"):
        extra.append(Need("resume_alert", "account", "EXECUTE ALERT"))
    _create_in_schema(r, node, role, user, "ALERT", extra, rule="create_alert")
    for key, verb in (("condition", "alert condition"), ("action", "alert action")):
        op = analyze(str(node.inputs[key]), database=r.database, warehouse=warehouse)
        r._operation(
            node,
            role,
            user,
            Operation(
                op.statement, f"{verb} (as the alert owner, on its schedule)", op.needs, notes=op.notes
            ),
            at=(END, 0),
        )


def _notification_integration(r: Rehearsal, node: Node, role: str, user: str) -> None:
    r._operation(
        node,
        role,
        user,
        Operation(
            "CREATE NOTIFICATION INTEGRATION",
            "CREATE NOTIFICATION INTEGRATION",
            (Need("create_notification_integration", "account", "CREATE INTEGRATION"),),
        ),
    )
    r._effect(node, 1, "created", object_kind="INTEGRATION", name=_i(node, "name"), role=role)


def _share(r: Rehearsal, node: Node, role: str, user: str) -> None:
    r._operation(
        node,
        role,
        user,
        Operation("CREATE SHARE", "CREATE SHARE", (Need("create_share", "account", "CREATE SHARE"),)),
    )
    r._effect(node, 1, "created", object_kind="SHARE", name=_i(node, "name"), role=role)


def _grant_to_share(r: Rehearsal, node: Node, role: str, user: str) -> None:
    share = _i(node, "toShare").replace('"', "")
    targets = {"onDatabase": "DATABASE", "onSchema": "SCHEMA", "onView": "VIEW", "onTable": "TABLE"}
    kind, name = next(
        (k, _i(node, key).replace('"', "")) for key, k in targets.items() if node.inputs.get(key)
    )
    needs = (
        Need("object_exists", "exists", object_kind="SHARE", name=share),
        Need("grant_to_share", "object", "OWNERSHIP", "SHARE", share),
        Need("object_exists", "exists", object_kind=kind, name=name),
        Need("grant_to_share", "object", "OWNERSHIP", kind, name),
    )
    privileges = ",".join(str(p).upper() for p in node.inputs.get("privileges") or [])
    r._operation(
        node,
        role,
        user,
        Operation(f"GRANT {privileges} ON {kind} {name} TO SHARE {share}", "GRANT TO SHARE", needs),
    )


def _pipe(r: Rehearsal, node: Node, role: str, user: str) -> None:
    _create_in_schema(r, node, role, user, "PIPE", rule="create_pipe")
    copy = analyze(str(node.inputs["copyStatement"]), database=r.database)
    r._operation(
        node,
        role,
        user,
        Operation(copy.statement, "pipe COPY (as the pipe owner, at load time)", copy.needs),
        at=(END, 0),
    )


def _stream(r: Rehearsal, node: Node, role: str, user: str) -> None:
    table = str(node.inputs.get("table") or "").upper()
    _create_in_schema(
        r,
        node,
        role,
        user,
        "STREAM",
        [Need("create_stream", "object", "SELECT", "TABLE", table)],
        rule="create_stream",
    )


def _task(r: Rehearsal, node: Node, role: str, user: str) -> None:
    extra = [Need("create_task", "object", "USAGE", "WAREHOUSE", _i(node, "warehouse"))]
    for after in node.inputs.get("afters") or []:
        parent = str(after).replace('"', "").upper()
        parent = parent if parent.count(".") == 2 else f"{_i(node, 'database')}.{_i(node, 'schema')}.{parent}"
        extra.append(Need("create_task", "exists", object_kind="TASK", name=parent))
    if node.inputs.get("started"):
        extra.append(Need("resume_task", "account", "EXECUTE TASK"))
    _create_in_schema(r, node, role, user, "TASK", extra, rule="create_task")
    body = analyze(str(node.inputs["sqlStatement"]), database=r.database, warehouse=_i(node, "warehouse"))
    r._operation(
        node,
        role,
        user,
        Operation(body.statement, "task body (as the task owner, when it runs)", body.needs),
        at=(END, 0),
    )


def _streamlit(r: Rehearsal, node: Node, role: str, user: str) -> None:
    extra = [
        Need("create_streamlit", "object", "USAGE", "WAREHOUSE", _i(node, "queryWarehouse")),
        Need("create_streamlit", "object", "READ", "STAGE", _i(node, "stage")),
    ]
    _create_in_schema(r, node, role, user, "STREAMLIT", extra, rule="create_streamlit")


def _execute(r: Rehearsal, node: Node, role: str, user: str) -> None:
    op = analyze(str(node.inputs["execute"]), database=r.database)
    r._operation(node, role, user, op)
    for kind, name in op.creates:
        r._effect(node, 1, "created", object_kind=kind, name=name, role=role)


def _statements(r: Rehearsal, node: Node, role: str, user: str, operations: Sequence[Operation]) -> None:
    r._operation(
        node,
        role,
        user,
        Operation("connect", "connect", (Need("user_role", "user_role", name=user, role=role),)),
    )
    for seq, op in enumerate(operations, start=1):
        r._operation(node, role, user, op, seq)
        for kind, name in op.creates:
            r._effect(node, seq, "created", object_kind=kind, name=name, role=role)


def _stage_files(r: Rehearsal, node: Node, role: str, user: str) -> None:
    if r.stage_file_statements is None:
        raise ValueError("the rehearsal needs stage_file_statements to check StageFiles")
    ops = [analyze(s, database=r.database) for s in r.stage_file_statements(node)]
    _statements(r, node, role, user, ops)


def _lifecycle_step(r: Rehearsal, node: Node, role: str, user: str) -> None:
    step = str(node.inputs["step"])
    if step not in r.step_operations:
        raise ValueError(f"the rehearsal has no statements for lifecycle step {step!r}")
    _statements(r, node, role, user, r.step_operations[step])


HANDLERS: Final[dict[str, Callable[[Rehearsal, Node, str, str], None]]] = {
    "Database": _database,
    "Schema": _schema,
    "Warehouse": _warehouse,
    "ResourceMonitor": _resource_monitor,
    "StorageIntegrationAws": _integration,
    "AccountRole": _account_role,
    "GrantAccountRole": _grant_account_role,
    "GrantPrivilegesToAccountRole": _grant_privileges,
    "GrantOwnership": _grant_ownership,
    "FileFormatCsv": _file_format,
    "StageInternal": _stage_internal,
    "StageExternalS3": _stage_external,
    "Table": _table,
    "Pipe": _pipe,
    "StreamOnTable": _stream,
    "Task": _task,
    "Streamlit": _streamlit,
    "Execute": _execute,
    "StageFiles": _stage_files,
    "LifecycleStep": _lifecycle_step,
    "View": _view,
    "MaskingPolicy": _masking_policy,
    "Alert": _alert,
    "EmailNotificationIntegration": _notification_integration,
    "NotificationIntegration": _notification_integration,
    "Share": _share,
    "GrantPrivilegesToShare": _grant_to_share,
}


def stage_file_statements(node: Node) -> list[str]:
    """The statements StageFiles sends on create (one PUT per file, then LIST), from the provider's own
    statement builders."""
    from components.providers import stage_files

    stage, directory = str(node.inputs["stage"]), str(node.inputs["directory"])
    root = Path(str(node.inputs["source_dir"]))
    statements = [
        stage_files.put_statement(root / rel, stage, directory, rel) for rel in sorted(node.inputs["files"])
    ]
    return [*statements, f"list @{stage}"]


def report(findings: Sequence[Finding], rehearsal: Rehearsal, title: str) -> str:
    checked = sum(len(c.operation.needs) for c in rehearsal.checks)
    lines = [
        f"DEPLOY REHEARSAL {title}: {len(rehearsal.graph.nodes)} resources registered, "
        f"{len(rehearsal.checks)} operations, {checked} requirements checked in dependency order",
    ]
    if not findings:
        lines.append("OK: every operation is allowed to its role when it runs")
    lines += [f.line() for f in findings]
    counts = ", ".join(
        f"{sum(1 for f in findings if f.category == c)} {c}"
        for c in ("MISSING", "UNRECOVERABLE", "RACE", "DEFAULT_PROVIDER")
        if any(f.category == c for f in findings)
    )
    lines.append(
        f"{len(findings)} finding(s){': ' + counts if counts else ''}; "
        f"{len(RULES)} rules (tests/unit/pulumi_stack/rehearsal/privileges.py)"
    )
    return "\n".join(lines)
