"""The stack's configuration: the only caller of `pulumi.Config`, typed and validated up front.

`load_config()` reads every `c360:*` key (plus `aws:region`), validates all of them and raises one
ConfigError listing every problem — before any resource is declared. `parse_config()` is the pure part
(raw strings in, StackConfig out) that the unit tests drive directly. The shape and the rules are pydantic
models: a field's alias is its config key, its description the hint a problem shows; pydantic collects
every problem at once, finds missing and unknown keys, and each is worded here as `c360:<key> ...`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from c360.alerts.rules import Severity
from c360.config import DEFAULT_CUSTOMERS, DEFAULT_MONTHS, DEFAULT_SEED, MAX_CUSTOMERS, MAX_MONTHS, MIN_MONTHS
from c360.errors import SettingsError
from c360.paths import REPO_ROOT
from components.data_lake import SSE_ALGORITHMS
from components.tags import standard_tags
from components.warehouse import MAX_AUTO_SUSPEND_SECONDS, WAREHOUSE_SIZES

NAMESPACE: Final = "c360"
SECRET_KEYS: Final = frozenset({"snowflakePrivateKey", "snowflakePrivateKeyPassphrase"})
_STACK = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
_PREFIX = re.compile(r"^[a-z][a-z0-9-]{1,19}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
_SF_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}$")
_SF_ROLE = re.compile(r"^[A-Z][A-Z0-9_]{0,254}$")
_SF_USER = re.compile(r"^[A-Za-z0-9_.@-]{1,255}$")
_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9+=,.@:/_-]{2,1224}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_OWNER = re.compile(r"^[A-Za-z0-9 _.:/=+@-]{1,256}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_SHARE_ACCOUNT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}\.[A-Za-z][A-Za-z0-9_]{0,254}$")


class ConfigError(SettingsError):
    """One or more stack config values are invalid; the message lists them all."""

    def __init__(self, stack: str, problems: list[str]) -> None:
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"stack '{stack}' has {len(problems)} invalid config value(s):\n{listing}")
        self.problems = problems


# ---- field rules: each raises a problem worded after the key ("{key}" is filled in by _problem) ----------
def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("c360", message)


def _one_of(choices: tuple[str, ...], normalize: Callable[[str], str] = str) -> BeforeValidator:
    def check(value: str) -> str:
        if normalize(value) not in choices:
            raise _fail(f"{{key}} must be one of {', '.join(choices)}, got {value!r}")
        return normalize(value)

    return BeforeValidator(check)


def _boolean(value: object) -> bool:
    if str(value).lower() not in ("true", "false"):
        raise _fail(f"{{key}} must be true or false, got {value!r}")
    return str(value).lower() == "true"


def _listing(pattern: re.Pattern[str], hint: str) -> BeforeValidator:
    """A comma-separated list (empty when unset); every item must match `pattern`; duplicates dropped."""

    def check(value: object) -> tuple[str, ...]:
        items = tuple(i.strip() for i in str(value).split(",") if i.strip())
        bad = [i for i in items if not pattern.match(i)]
        if bad:
            raise _fail(f"{{key}} has invalid entries {bad}: {hint}")
        return tuple(dict.fromkeys(items))

    return BeforeValidator(check)


def _context(info: ValidationInfo) -> Mapping[str, Any]:
    """What StackConfig.load validates with (repo_root, today)."""
    context: Mapping[str, Any] | None = info.context
    if context is None:
        raise TypeError("stack config is validated through StackConfig.load, which passes the context")
    return context


def _folder(*required: str) -> AfterValidator:
    def check(value: str, info: ValidationInfo) -> Path:
        path = Path(value) if Path(value).is_absolute() else _context(info)["repo_root"] / value
        if not path.is_dir():
            raise _fail(f"{{key}}: folder {path} does not exist")
        missing = [name for name in required if not (path / name).is_file()]
        if missing:
            raise _fail(f"{{key}}: folder {path} lacks {', '.join(missing)}")
        return path

    return AfterValidator(check)


Bool = Annotated[bool, BeforeValidator(_boolean)]
Role = Annotated[str, Field(pattern=_SF_ROLE, description="an upper-case Snowflake role name")]
Emails = Annotated[tuple[str, ...], _listing(_EMAIL, "comma-separated e-mail addresses"), Field(default="")]


def _key(alias: str, description: str | None = None, **rules: Any) -> Any:
    """A field read from the config key `alias` (the hint a problem shows is its description)."""
    if description:  # only when given: an explicit None would hide the description an Annotated type carries
        rules["description"] = description
    return Field(alias=alias, **rules)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)


class SnowflakeConfig(_Section):
    organization: str = _key("snowflakeOrganization", "the organization name, e.g. MYORG", pattern=_SF_NAME)
    account: str = _key("snowflakeAccount", "the account name inside the organization", pattern=_SF_NAME)
    user: str = _key("snowflakeUser", "the user Pulumi deploys as", pattern=_SF_USER)
    admin_role: Role = _key("snowflakeAdminRole", default="ACCOUNTADMIN")
    security_role: Role = _key("snowflakeSecurityRole", default="SECURITYADMIN")
    objects_role: Role = _key("snowflakeObjectsRole", default="SYSADMIN")
    lifecycle_user: str = _key(  # empty: the deploy user (filled in by parse_config)
        "lifecycleUser",
        "the user the lifecycle steps connect as",
        default="",
        pattern=f"^$|{_SF_USER.pattern}",
    )
    private_key: str | None = _key("snowflakePrivateKey", default=None, repr=False)
    private_key_passphrase: str | None = _key("snowflakePrivateKeyPassphrase", default=None, repr=False)

    @field_validator("admin_role", "security_role", "objects_role")
    @classmethod
    def _not_public(cls, role: str) -> str:
        if role == "PUBLIC":
            raise _fail("{key}: PUBLIC cannot be a deploy role")
        return role

    @field_validator("private_key")
    @classmethod
    def _pem(cls, key: str | None) -> str | None:
        if key and "PRIVATE KEY-----" not in key:
            raise _fail("{key} is not a PEM private key (-----BEGIN ... PRIVATE KEY-----)")
        return key


class WarehouseConfig(_Section):
    size: Annotated[str, _one_of(WAREHOUSE_SIZES, lambda v: v.upper().replace("-", ""))] = _key(
        "warehouseSize", default="XSMALL"
    )
    auto_suspend_seconds: int = _key(
        "warehouseAutoSuspendSeconds", default=60, ge=60, le=MAX_AUTO_SUSPEND_SECONDS
    )
    statement_timeout_seconds: int = _key("statementTimeoutSeconds", default=3600, ge=60, le=172_800)
    data_retention_days: int = _key("dataRetentionDays", default=1, ge=0, le=90)
    monthly_credit_quota: int = _key("monthlyCreditQuota", default=20, ge=0, le=100_000)  # 0: no monitor


class ScaleConfig(_Section):
    customers: int = _key("customers", default=DEFAULT_CUSTOMERS, ge=1, le=MAX_CUSTOMERS)
    months: int = _key("months", default=DEFAULT_MONTHS, ge=MIN_MONTHS, le=MAX_MONTHS)
    seed: int = _key("seed", default=DEFAULT_SEED, ge=0, le=2**31 - 1)
    as_of: date = _key("asOf", "the platform's as-of date, YYYY-MM-DD; pin it so deploys are reproducible")

    @field_validator("as_of", mode="wrap")
    @classmethod
    def _as_of(cls, value: object, handler: Callable[[object], date], info: ValidationInfo) -> date:
        try:
            parsed = handler(value)
        except ValidationError:
            raise _fail(f"{{key}} must be YYYY-MM-DD, got {value!r}") from None
        if parsed > _context(info)["today"]:
            raise _fail(f"{{key}} {parsed.isoformat()} is in the future")
        if parsed.year < 2000:
            raise _fail(f"{{key}} {parsed.isoformat()} is before 2000")
        return parsed

    def as_dict(self) -> dict[str, object]:
        return {**self.model_dump(exclude={"as_of"}), "as_of": self.as_of.isoformat()}


class AlertConfig(_Section):
    critical: Emails = _key("alertEmailCritical")  # verified Snowflake users' e-mails
    warning: Emails = _key("alertEmailWarning")
    info: Emails = _key("alertEmailInfo")
    enabled: Bool = _key("alertsEnabled", default=True)  # resume the ALERT objects

    @property
    def recipients(self) -> dict[Severity, tuple[str, ...]]:
        return {Severity.CRITICAL: self.critical, Severity.WARNING: self.warning, Severity.INFO: self.info}


_SECTIONS: Final[dict[str, type[_Section]]] = {
    "snowflake": SnowflakeConfig,
    "warehouse": WarehouseConfig,
    "scale": ScaleConfig,
    "alerts": AlertConfig,
}


class StackConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    project: str = _key("pulumi:project")
    stack: str = _key("pulumi:stack")
    aws_region: str = _key("aws:region", "e.g. `pulumi config set aws:region us-east-1`")
    prefix: str = _key(
        "prefix", "lower-case letters, digits, '-', 2-20 characters", default="c360", pattern=_PREFIX
    )
    owner: str = _key("owner", "the owning team, e.g. data-platform@example.com", pattern=_OWNER)
    # each section reads its keys from the same flat `c360:*` set; "(name)" can never be a config key
    snowflake: SnowflakeConfig = Field(alias="(snowflake)")
    warehouse: WarehouseConfig = Field(alias="(warehouse)")
    scale: ScaleConfig = Field(alias="(scale)")
    alerts: AlertConfig = Field(alias="(alerts)")
    storage_external_id: str = _key(  # empty: from prefix, stack, organization, account (parse_config)
        "storageExternalId",
        "2-1224 of A-Z a-z 0-9 + = , . @ : / _ -",
        default="",
        pattern=f"^$|{_EXTERNAL_ID.pattern}",
    )
    app_dir: Annotated[Path, _folder("streamlit_app.py", "environment.yml")] = _key(
        "appDir", default="streamlit"
    )
    dbt_project_dir: Annotated[Path, _folder("dbt_project.yml")] = _key("dbtProjectDir", default="dbt")
    bucket_name: str | None = _key(
        "bucketName",
        "S3 bucket rules: 3-63 lower-case letters, digits, '.', '-'",
        default=None,
        pattern=_BUCKET,
    )
    sse_algorithm: Annotated[str, _one_of(SSE_ALGORITHMS)] = _key("sseAlgorithm", default="AES256")
    historical_archive_days: int = _key("historicalArchiveDays", default=90, ge=30, le=3650)  # S3 IA: >= 30
    force_destroy: Bool = _key("forceDestroy", default=False)
    protect: Bool = _key("protect", default=False)
    task_schedule_minutes: int = _key("taskScheduleMinutes", default=5, ge=1, le=11_520)
    tasks_started: Bool = _key("tasksStarted", default=True)
    lifecycle: Bool = _key("lifecycle", default=True)
    # ORG.ACCOUNT; none: the share exists but nobody consumes it
    share_consumer_accounts: Annotated[
        tuple[str, ...], _listing(_SHARE_ACCOUNT, "comma-separated ORGANIZATION.ACCOUNT names")
    ] = _key("shareConsumerAccounts", default="")

    @model_validator(mode="before")
    @classmethod
    def _sections(cls, raw: dict[str, Any]) -> dict[str, Any]:
        """Every section reads its own keys from the one flat set of `c360:*` keys."""
        owned = {f.alias for section in _SECTIONS.values() for f in section.model_fields.values()}
        return {k: v for k, v in raw.items() if k not in owned} | {f"({name})": raw for name in _SECTIONS}

    @field_validator("stack")
    @classmethod
    def _stack_name(cls, stack: str) -> str:
        if not _STACK.match(stack):
            raise _fail(
                f"stack name {stack!r} must be lower-case letters, digits and '-', at most 20 characters"
            )
        return stack

    @field_validator("aws_region")
    @classmethod
    def _region(cls, region: str) -> str:
        if not _REGION.match(region):
            raise _fail(f"{{key}} {region!r} is not an AWS region name such as us-east-1")
        return region

    @field_validator("bucket_name")
    @classmethod
    def _bucket(cls, bucket: str | None) -> str | None:
        if bucket and (".." in bucket or re.match(r"^\d+\.\d+\.\d+\.\d+$", bucket)):
            raise _fail(f"{{key}} {bucket!r} is not a valid S3 bucket name")
        return bucket

    @field_validator("protect")
    @classmethod
    def _one_of_destroy_or_protect(cls, protect: bool, info: ValidationInfo) -> bool:
        if protect and info.data.get("force_destroy"):
            raise _fail(f"{NAMESPACE}:forceDestroy and {NAMESPACE}:protect contradict each other; choose one")
        return protect

    @property
    def resource_prefix(self) -> str:
        return f"{self.prefix}-{self.stack}"

    @property
    def storage_role_name(self) -> str:
        return f"{self.resource_prefix}-snowflake-storage"

    @property
    def tags(self) -> dict[str, str]:
        return standard_tags(self.project, self.stack, self.owner)


_MODELS: Final[tuple[type[BaseModel], ...]] = (StackConfig, *_SECTIONS.values())
_FIELDS: Final = {n: f for model in _MODELS for n, f in model.model_fields.items()}
_ALIASES: Final = {name: f.alias for name, f in _FIELDS.items() if f.alias}
_NAMES: Final = {alias: name for name, alias in _ALIASES.items()}
CONFIG_KEYS: Final = frozenset(a for a in _ALIASES.values() if ":" not in a and not a.startswith("("))


def parse_config(
    raw: Mapping[str, str],
    *,
    project: str,
    stack: str,
    aws_region: str | None,
    secret_keys: frozenset[str] | set[str] = frozenset(),
    today: date | None = None,
    repo_root: Path = REPO_ROOT,
) -> StackConfig:
    """Validate raw `c360:*` values (keys without the namespace) into a StackConfig, or raise ConfigError."""
    values = {  # unset when blank; secrets (a PEM key's trailing newline) kept as given
        k: str(v) if k in SECRET_KEYS else str(v).strip() for k, v in raw.items() if v and str(v).strip()
    }
    problems = [
        f"{NAMESPACE}:{key} must be stored as a secret: `pulumi config set --secret {key} ...`"
        for key in sorted(SECRET_KEYS & set(values) - set(secret_keys))
    ]
    given = {"pulumi:project": project, "pulumi:stack": stack, "aws:region": aws_region or None}
    context = {"today": today or date.today(), "repo_root": repo_root}
    try:
        config = StackConfig.model_validate(values | {k: v for k, v in given.items() if v}, context=context)
    except ValidationError as exc:
        problems += [_problem(error) for error in exc.errors()]
    if problems:
        raise ConfigError(stack, problems)
    sf = config.snowflake
    external_id = f"{config.prefix}-{stack}-{sf.organization}-{sf.account}".lower()
    return config.model_copy(
        update={
            "storage_external_id": config.storage_external_id or external_id,
            "snowflake": sf.model_copy(update={"lifecycle_user": sf.lifecycle_user or sf.user}),
        }
    )


def _problem(error: ErrorDetails) -> str:
    """One pydantic error as the problem line a person reads: `c360:<key> ...`."""
    key = str(error["loc"][-1])
    if error["type"] != "extra_forbidden":
        key = _ALIASES.get(key, key)  # an error on a default names the field, not its key
    name = key if ":" in key else f"{NAMESPACE}:{key}"
    if error["type"] == "c360":
        return error["msg"].replace("{key}", name)
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(key, sorted(CONFIG_KEYS), n=1)
        return f"unknown config key {name}" + (f" (did you mean {close[0]}?)" if close else "")
    if error["type"] == "missing":
        hint = _FIELDS[_NAMES[key]].description
        return f"{name} is required" + (f" ({hint})" if hint else "")
    field = _FIELDS[_NAMES.get(key, key)]
    if error["type"].startswith("int_"):
        return f"{name} must be a whole number, got {error['input']!r}"
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        lo, hi = (next(getattr(m, b) for m in field.metadata if hasattr(m, b)) for b in ("ge", "le"))
        return f"{name} must be between {lo:,} and {hi:,}, got {int(error['input']):,}"
    shown = "<secret>" if key in SECRET_KEYS else repr(error["input"])
    return f"{name}={shown} is invalid" + (f": {field.description}" if field.description else "")


def load_config() -> StackConfig:
    """Read the stack's config through Pulumi and validate it (raises ConfigError listing every problem)."""
    import pulumi
    from pulumi.runtime import config as runtime_config

    # The CLI hands config to the program in PULUMI_CONFIG (+ PULUMI_CONFIG_SECRET_KEYS); tests and the
    # Automation API set it in-process. Read both, through Pulumi's own accessors.
    prefix = f"{NAMESPACE}:"
    keys = {
        k for k in (*runtime_config.CONFIG.get(), *runtime_config.get_config_env()) if k.startswith(prefix)
    }
    secret_env = set(runtime_config.get_config_secret_keys_env())
    raw = {k[len(prefix) :]: str(runtime_config.get_config(k) or "") for k in keys}
    secrets = {k for k in raw if runtime_config.is_config_secret(prefix + k) or prefix + k in secret_env}
    return parse_config(
        raw,
        project=pulumi.get_project(),
        stack=pulumi.get_stack(),
        aws_region=pulumi.Config("aws").get("region"),
        secret_keys=secrets,
    )
