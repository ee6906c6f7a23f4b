"""The stack's configuration: the only caller of `pulumi.Config`, typed and validated up front.

`load_config()` reads every `c360:*` key (plus `aws:region`), validates all of them and raises one
ConfigError listing every problem — before any resource is declared. `parse_config()` is the pure part
(raw strings in, StackConfig out) that the unit tests drive directly.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

from c360.alerts.rules import Severity
from c360.config import DEFAULT_CUSTOMERS, DEFAULT_MONTHS, DEFAULT_SEED, MAX_CUSTOMERS, MAX_MONTHS, MIN_MONTHS
from c360.errors import SettingsError
from c360.paths import REPO_ROOT
from components.data_lake import SSE_ALGORITHMS
from components.tags import standard_tags
from components.warehouse import MAX_AUTO_SUSPEND_SECONDS, WAREHOUSE_SIZES

NAMESPACE: Final = "c360"
SECRET_KEYS: Final = frozenset({"snowflakePrivateKey", "snowflakePrivateKeyPassphrase"})
KNOWN_KEYS: Final = frozenset(
    {
        "owner",
        "prefix",
        "bucketName",
        "sseAlgorithm",
        "historicalArchiveDays",
        "forceDestroy",
        "protect",
        "snowflakeOrganization",
        "snowflakeAccount",
        "snowflakeUser",
        "snowflakeAdminRole",
        "snowflakeSecurityRole",
        "snowflakeObjectsRole",
        "lifecycleUser",
        "storageExternalId",
        "warehouseSize",
        "warehouseAutoSuspendSeconds",
        "statementTimeoutSeconds",
        "dataRetentionDays",
        "monthlyCreditQuota",
        "customers",
        "months",
        "seed",
        "asOf",
        "taskScheduleMinutes",
        "tasksStarted",
        "lifecycle",
        "appDir",
        "dbtProjectDir",
        "alertEmailCritical",
        "alertEmailWarning",
        "alertEmailInfo",
        "alertsEnabled",
        "shareConsumerAccounts",
        *SECRET_KEYS,
    }
)
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
ALERT_EMAIL_KEYS: Final = {
    Severity.CRITICAL: "alertEmailCritical",
    Severity.WARNING: "alertEmailWarning",
    Severity.INFO: "alertEmailInfo",
}


class ConfigError(SettingsError):
    """One or more stack config values are invalid; the message lists them all."""

    def __init__(self, stack: str, problems: list[str]) -> None:
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"stack '{stack}' has {len(problems)} invalid config value(s):\n{listing}")
        self.problems = problems


@dataclass(frozen=True)
class SnowflakeConfig:
    organization: str
    account: str
    user: str
    admin_role: str = "ACCOUNTADMIN"
    security_role: str = "SECURITYADMIN"
    objects_role: str = "SYSADMIN"
    lifecycle_user: str = ""
    private_key: str | None = field(default=None, repr=False)
    private_key_passphrase: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class WarehouseConfig:
    size: str = "XSMALL"
    auto_suspend_seconds: int = 60
    statement_timeout_seconds: int = 3600
    data_retention_days: int = 1
    monthly_credit_quota: int = 20  # 0: no resource monitor


@dataclass(frozen=True)
class ScaleConfig:
    customers: int
    months: int
    seed: int
    as_of: date

    def as_dict(self) -> dict[str, object]:
        return {
            "customers": self.customers,
            "months": self.months,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
        }


@dataclass(frozen=True)
class AlertConfig:
    recipients: dict[Severity, tuple[str, ...]] = field(
        default_factory=dict
    )  # verified Snowflake users' e-mails
    enabled: bool = True  # resume the ALERT objects


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    aws_region: str
    prefix: str
    owner: str
    snowflake: SnowflakeConfig
    warehouse: WarehouseConfig
    scale: ScaleConfig
    storage_external_id: str
    app_dir: Path
    dbt_project_dir: Path
    bucket_name: str | None = None
    sse_algorithm: str = "AES256"
    historical_archive_days: int = 90
    force_destroy: bool = False
    protect: bool = False
    task_schedule_minutes: int = 5
    tasks_started: bool = True
    lifecycle: bool = True
    alerts: AlertConfig = field(default_factory=AlertConfig)
    share_consumer_accounts: tuple[
        str, ...
    ] = ()  # ORG.ACCOUNT; none: the share exists but nobody consumes it

    @property
    def resource_prefix(self) -> str:
        return f"{self.prefix}-{self.stack}"

    @property
    def storage_role_name(self) -> str:
        return f"{self.resource_prefix}-snowflake-storage"

    @property
    def tags(self) -> dict[str, str]:
        return standard_tags(self.project, self.stack, self.owner)


class _Reader:
    """Collects problems instead of stopping at the first one."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = raw
        self.problems: list[str] = []

    def text(
        self, key: str, default: str | None = None, *, pattern: re.Pattern[str] | None = None, hint: str = ""
    ) -> str:
        value = self.raw.get(key)
        if value is None or not str(value).strip():
            if default is None:
                self.problems.append(f"{NAMESPACE}:{key} is required{f' ({hint})' if hint else ''}")
                return ""
            return default
        value = str(value).strip()
        if pattern is not None and not pattern.match(value):
            self.problems.append(
                f"{NAMESPACE}:{key}={_show(key, value)} is invalid{f': {hint}' if hint else ''}"
            )
        return value

    def optional(self, key: str, *, pattern: re.Pattern[str], hint: str) -> str | None:
        value = self.raw.get(key)
        if value is None or not str(value).strip():
            return None
        return self.text(key, pattern=pattern, hint=hint)

    def integer(self, key: str, default: int, lo: int, hi: int) -> int:
        value = self.raw.get(key)
        if value is None or not str(value).strip():
            return default
        try:
            number = int(str(value).strip())
        except ValueError:
            self.problems.append(f"{NAMESPACE}:{key} must be a whole number, got {value!r}")
            return default
        if not lo <= number <= hi:
            self.problems.append(f"{NAMESPACE}:{key} must be between {lo:,} and {hi:,}, got {number:,}")
        return number

    def listing(self, key: str, *, pattern: re.Pattern[str], hint: str) -> tuple[str, ...]:
        """A comma-separated list (empty when unset); every item must match `pattern`."""
        items = tuple(i.strip() for i in str(self.raw.get(key) or "").split(",") if i.strip())
        bad = [i for i in items if not pattern.match(i)]
        if bad:
            self.problems.append(f"{NAMESPACE}:{key} has invalid entries {bad}: {hint}")
        return tuple(dict.fromkeys(items))

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw.get(key)
        if value is None or not str(value).strip():
            return default
        lowered = str(value).strip().lower()
        if lowered not in ("true", "false"):
            self.problems.append(f"{NAMESPACE}:{key} must be true or false, got {value!r}")
            return default
        return lowered == "true"

    def choice(
        self, key: str, default: str, choices: tuple[str, ...], normalize: Callable[[str], str] = str
    ) -> str:
        value = self.raw.get(key)
        if value is None or not str(value).strip():
            return default
        normalized = normalize(str(value).strip())
        if normalized not in choices:
            self.problems.append(f"{NAMESPACE}:{key} must be one of {', '.join(choices)}, got {value!r}")
            return default
        return normalized


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
    today = today or date.today()
    read = _Reader(raw)
    problems = read.problems
    for key in sorted(set(raw) - KNOWN_KEYS):
        close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1)
        problems.append(
            f"unknown config key {NAMESPACE}:{key}" + (f" (did you mean {close[0]}?)" if close else "")
        )
    if not _STACK.match(stack):
        problems.append(
            f"stack name {stack!r} must be lower-case letters, digits and '-', at most 20 characters"
        )
    if not aws_region:
        problems.append("aws:region is required (e.g. `pulumi config set aws:region us-east-1`)")
    elif not _REGION.match(aws_region):
        problems.append(f"aws:region {aws_region!r} is not an AWS region name such as us-east-1")
    for key in SECRET_KEYS:
        if raw.get(key) and key not in secret_keys:
            problems.append(
                f"{NAMESPACE}:{key} must be stored as a secret: `pulumi config set --secret {key} ...`"
            )

    prefix = read.text(
        "prefix", "c360", pattern=_PREFIX, hint="lower-case letters, digits, '-', 2-20 characters"
    )
    owner = read.text("owner", pattern=_OWNER, hint="the owning team, e.g. data-platform@example.com")
    bucket = read.optional(
        "bucketName", pattern=_BUCKET, hint="S3 bucket rules: 3-63 lower-case letters, digits, '.', '-'"
    )
    if bucket and (".." in bucket or re.match(r"^\d+\.\d+\.\d+\.\d+$", bucket)):
        problems.append(f"{NAMESPACE}:bucketName {bucket!r} is not a valid S3 bucket name")

    organization = read.text(
        "snowflakeOrganization", pattern=_SF_NAME, hint="the organization name, e.g. MYORG"
    )
    account = read.text("snowflakeAccount", pattern=_SF_NAME, hint="the account name inside the organization")
    user = read.text("snowflakeUser", pattern=_SF_USER, hint="the user Pulumi deploys as")
    roles = {
        key: read.text(key, default, pattern=_SF_ROLE, hint="an upper-case Snowflake role name")
        for key, default in (
            ("snowflakeAdminRole", "ACCOUNTADMIN"),
            ("snowflakeSecurityRole", "SECURITYADMIN"),
            ("snowflakeObjectsRole", "SYSADMIN"),
        )
    }
    if "PUBLIC" in roles.values():
        problems.append(f"{NAMESPACE}: PUBLIC cannot be a deploy role")
    lifecycle_user = read.text(
        "lifecycleUser", user or "", pattern=_SF_USER, hint="the user the lifecycle steps connect as"
    )
    private_key = raw.get("snowflakePrivateKey") or None
    if private_key and "PRIVATE KEY-----" not in private_key:
        problems.append(
            f"{NAMESPACE}:snowflakePrivateKey is not a PEM private key (-----BEGIN ... PRIVATE KEY-----)"
        )
    default_external_id = f"{prefix}-{stack}-{organization}-{account}".lower()
    external_id = read.text(
        "storageExternalId",
        default_external_id,
        pattern=_EXTERNAL_ID,
        hint="2-1224 of A-Z a-z 0-9 + = , . @ : / _ -",
    )

    size = read.choice(
        "warehouseSize", "XSMALL", WAREHOUSE_SIZES, normalize=lambda v: v.upper().replace("-", "")
    )
    auto_suspend = read.integer("warehouseAutoSuspendSeconds", 60, 60, MAX_AUTO_SUSPEND_SECONDS)
    timeout = read.integer("statementTimeoutSeconds", 3600, 60, 172_800)
    retention = read.integer("dataRetentionDays", 1, 0, 90)
    credit_quota = read.integer("monthlyCreditQuota", 20, 0, 100_000)

    customers = read.integer("customers", DEFAULT_CUSTOMERS, 1, MAX_CUSTOMERS)
    months = read.integer("months", DEFAULT_MONTHS, MIN_MONTHS, MAX_MONTHS)
    seed = read.integer("seed", DEFAULT_SEED, 0, 2**31 - 1)
    as_of = _as_of(read, today)

    sse = read.choice("sseAlgorithm", "AES256", SSE_ALGORITHMS)
    archive_days = read.integer("historicalArchiveDays", 90, 30, 3650)  # S3 Standard-IA: >= 30 days
    schedule = read.integer("taskScheduleMinutes", 5, 1, 11_520)
    app_dir = _folder(
        read, "appDir", "streamlit", repo_root, required=("streamlit_app.py", "environment.yml")
    )
    dbt_dir = _folder(read, "dbtProjectDir", "dbt", repo_root, required=("dbt_project.yml",))

    config = StackConfig(
        project=project,
        stack=stack,
        aws_region=aws_region or "",
        prefix=prefix,
        owner=owner,
        snowflake=SnowflakeConfig(
            organization=organization,
            account=account,
            user=user,
            admin_role=roles["snowflakeAdminRole"],
            security_role=roles["snowflakeSecurityRole"],
            objects_role=roles["snowflakeObjectsRole"],
            lifecycle_user=lifecycle_user,
            private_key=private_key,
            private_key_passphrase=raw.get("snowflakePrivateKeyPassphrase") or None,
        ),
        warehouse=WarehouseConfig(size, auto_suspend, timeout, retention, credit_quota),
        scale=ScaleConfig(customers, months, seed, as_of),
        storage_external_id=external_id,
        app_dir=app_dir,
        dbt_project_dir=dbt_dir,
        bucket_name=bucket,
        sse_algorithm=sse,
        historical_archive_days=archive_days,
        force_destroy=read.boolean("forceDestroy", False),
        protect=read.boolean("protect", False),
        task_schedule_minutes=schedule,
        tasks_started=read.boolean("tasksStarted", True),
        lifecycle=read.boolean("lifecycle", True),
        alerts=AlertConfig(
            recipients={
                severity: read.listing(key, pattern=_EMAIL, hint="comma-separated e-mail addresses")
                for severity, key in ALERT_EMAIL_KEYS.items()
            },
            enabled=read.boolean("alertsEnabled", True),
        ),
        share_consumer_accounts=read.listing(
            "shareConsumerAccounts", pattern=_SHARE_ACCOUNT, hint="comma-separated ORGANIZATION.ACCOUNT names"
        ),
    )
    if config.force_destroy and config.protect:
        problems.append(f"{NAMESPACE}:forceDestroy and {NAMESPACE}:protect contradict each other; choose one")
    if problems:
        raise ConfigError(stack, problems)
    return config


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


def _as_of(read: _Reader, today: date) -> date:
    value = read.text(
        "asOf", hint="the platform's as-of date, YYYY-MM-DD; pin it so deploys are reproducible"
    )
    if not value:
        return today
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        read.problems.append(f"{NAMESPACE}:asOf must be YYYY-MM-DD, got {value!r}")
        return today
    if parsed > today:
        read.problems.append(f"{NAMESPACE}:asOf {parsed.isoformat()} is in the future")
    if parsed.year < 2000:
        read.problems.append(f"{NAMESPACE}:asOf {parsed.isoformat()} is before 2000")
    return parsed


def _folder(read: _Reader, key: str, default: str, repo_root: Path, required: tuple[str, ...]) -> Path:
    value = read.text(key, default)
    path = Path(value) if Path(value).is_absolute() else repo_root / value
    if not path.is_dir():
        read.problems.append(f"{NAMESPACE}:{key}: folder {path} does not exist")
        return path
    missing = [name for name in required if not (path / name).is_file()]
    if missing:
        read.problems.append(f"{NAMESPACE}:{key}: folder {path} lacks {', '.join(missing)}")
    return path


def _show(key: str, value: str) -> str:
    return "<secret>" if key in SECRET_KEYS else repr(value)
