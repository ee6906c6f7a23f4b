"""The one home of configuration: a frozen, typed Settings built from the environment and CLI options.

Deeper code receives Settings as an argument and never reads os.environ itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from c360.errors import SettingsError
from c360.faults import ENV_VAR as FAULTS_ENV_VAR
from c360.faults import FaultPlan
from c360.outputs import read_outputs

DEFAULT_CUSTOMERS = 50_000
DEFAULT_MONTHS = 18
DEFAULT_SEED = 42
MAX_CUSTOMERS = 5_000_000
MIN_MONTHS, MAX_MONTHS = 3, 60
# the environment variables that set the scale (an explicit argument wins over them)
SCALE_ENV = {
    "customers": "C360_CUSTOMERS",
    "months": "C360_MONTHS",
    "seed": "C360_SEED",
    "as_of": "C360_AS_OF",
}


class Target(StrEnum):
    local = "local"
    snowflake = "snowflake"


@dataclass(frozen=True)
class SnowflakeCredentials:
    """Connection details for the snowflake target; only ever read from the environment."""

    account: str
    user: str
    password: str | None = field(default=None, repr=False)
    private_key_path: Path | None = None
    private_key_passphrase: str | None = field(default=None, repr=False)
    authenticator: str | None = None
    role: str = "DATA_ENGINEER"
    warehouse: str = "C360_WH"
    database: str = "CUSTOMER_ANALYTICS"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SnowflakeCredentials:
        account = env.get("SNOWFLAKE_ACCOUNT", "").strip()
        user = env.get("SNOWFLAKE_USER", "").strip()
        missing = [n for n, v in (("SNOWFLAKE_ACCOUNT", account), ("SNOWFLAKE_USER", user)) if not v]
        if missing:
            raise SettingsError(
                f"target 'snowflake' needs {', '.join(missing)} in the environment (see docs/deploy.md)"
            )
        if ".snowflakecomputing.com" in account:
            raise SettingsError(
                f"SNOWFLAKE_ACCOUNT must be an account identifier such as 'myorg-myaccount', "
                f"not a host name ({account!r})"
            )
        password = env.get("SNOWFLAKE_PASSWORD") or None
        key_path = env.get("SNOWFLAKE_PRIVATE_KEY_PATH") or None
        authenticator = env.get("SNOWFLAKE_AUTHENTICATOR") or None
        if not password and not key_path and not authenticator:
            raise SettingsError(
                "target 'snowflake' needs SNOWFLAKE_PRIVATE_KEY_PATH (key-pair auth) or SNOWFLAKE_PASSWORD"
            )
        if key_path and not Path(key_path).is_file():
            raise SettingsError(f"SNOWFLAKE_PRIVATE_KEY_PATH does not name a readable file: {key_path}")
        return cls(
            account=account,
            user=user,
            password=password,
            private_key_path=Path(key_path) if key_path else None,
            private_key_passphrase=env.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE") or None,
            authenticator=authenticator,
            role=env.get("SNOWFLAKE_ROLE") or "DATA_ENGINEER",
            warehouse=env.get("SNOWFLAKE_WAREHOUSE") or "C360_WH",
            database=env.get("SNOWFLAKE_DATABASE") or "CUSTOMER_ANALYTICS",
        )


class Scale(BaseModel):
    """The platform's size and date, validated by pydantic (bounds, whole numbers, ISO date)."""

    model_config = ConfigDict(frozen=True)

    customers: int = Field(DEFAULT_CUSTOMERS, ge=1, le=MAX_CUSTOMERS)
    months: int = Field(DEFAULT_MONTHS, ge=MIN_MONTHS, le=MAX_MONTHS)
    seed: int = Field(DEFAULT_SEED, ge=0, le=2**31 - 1)
    as_of: date = Field(default_factory=date.today)

    @field_validator("as_of")
    @classmethod
    def _in_range(cls, as_of: date) -> date:
        if as_of > date.today():
            raise ValueError(
                f"as-of date {as_of.isoformat()} is in the future; the data cannot end after today"
            )
        if as_of.year < 2000:
            raise ValueError(f"as-of date {as_of.isoformat()} is before 2000")
        return as_of

    @classmethod
    def load(cls, explicit: dict[str, object], env: Mapping[str, str]) -> Scale:
        """Explicit values (`--customers`...) win over C360_* variables, which win over the defaults."""
        given = {
            k: v for k, v in explicit.items() if v is not None and not (isinstance(v, str) and not v.strip())
        }
        sources = {k: f"--{k}" for k in given}
        for key, variable in SCALE_ENV.items():
            if key not in given and env.get(variable, "").strip():
                given[key], sources[key] = env[variable].strip(), variable
        try:
            return cls.model_validate(given)
        except ValidationError as exc:
            raise SettingsError(_scale_problem(exc.errors()[0], sources)) from None


# DuckDB's memory cap for writer sessions and dbt. At 2GB the full build's big aggregations (the churn features'
# 26M day x cutoff rows, ml_customer_days, silver's de-duplication) ran out of room and went external: measured
# on ml_customer_features at 50,000 customers, 35 s of CPU at 2GB, 17-18 s at 3-4GB, 15 s at 8GB. A cap, not
# a reservation: small builds use what they need. 3GB rather than 4GB: the same gain, a lower peak on a laptop.
DEFAULT_DUCKDB_MEMORY_LIMIT = "3GB"


@dataclass(frozen=True)
class Settings:
    target: Target
    home: Path
    scale: Scale
    snowflake: SnowflakeCredentials | None = None
    bucket: str | None = None
    aws_region: str = "us-east-1"
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    duckdb_threads: int = 2
    kill_at: FaultPlan | None = None  # fault-injection runs only (C360_KILL_AT, c360/faults.py)

    # ---- derived locations (local target) -------------------------------------------------
    @property
    def warehouse_dir(self) -> Path:
        """The local warehouse: a DuckLake (SQLite catalog + Parquet data), see c360/engines/lake.py."""
        return self.home / "warehouse"

    @property
    def warehouse_path(self) -> Path:
        """The warehouse's catalog file; what `DuckDBSession.open` and dbt attach."""
        return self.warehouse_dir / "customer_analytics.sqlite"

    @property
    def legacy_warehouse_path(self) -> Path:
        """The single DuckDB file of platforms built before the lake (migrated by the next writer)."""
        return self.home / "customer_analytics.duckdb"

    @property
    def lake_dir(self) -> Path:
        return self.home / "lake"

    @property
    def outputs_path(self) -> Path:
        return self.home / "outputs.json"

    @property
    def queue_dir(self) -> Path:
        return self.home / "queue"

    @property
    def snapshots_dir(self) -> Path:
        """Where the single-file warehouse kept its reader copies (removed by the migration to the lake)."""
        return self.home / "snapshots"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def tmp_dir(self) -> Path:
        return self.home / "tmp"

    def with_scale(self, **changes: object) -> Settings:
        return replace(self, scale=self.scale.model_copy(update=changes))

    @classmethod
    def load(
        cls,
        *,
        target: str | Target | None = None,
        customers: int | None = None,
        months: int | None = None,
        seed: int | None = None,
        as_of: date | str | None = None,
        home: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        create_home: bool = True,
    ) -> Settings:
        """Build Settings: explicit arguments win over C360_* environment variables, which win over defaults."""
        env = os.environ if env is None else env
        target_value = _parse_target(target if target is not None else env.get("C360_TARGET", "local"))
        scale = Scale.load({"customers": customers, "months": months, "seed": seed, "as_of": as_of}, env)
        home_path = _prepare_home(home if home is not None else env.get("C360_HOME", ".c360"), create_home)
        creds = SnowflakeCredentials.from_env(env) if target_value is Target.snowflake else None
        bucket = env.get("C360_BUCKET") or None
        if target_value is Target.snowflake and not bucket:
            bucket = _bucket_from_outputs(home_path)
        memory_limit = env.get("C360_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)
        if not memory_limit[:-2].replace(".", "", 1).isdigit() or memory_limit[-2:].upper() not in {
            "MB",
            "GB",
        }:
            raise SettingsError(
                f"C360_DUCKDB_MEMORY_LIMIT must look like '2GB' or '512MB', got {memory_limit!r}"
            )
        return cls(
            target=target_value,
            home=home_path,
            scale=scale,
            snowflake=creds,
            bucket=bucket,
            aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            duckdb_memory_limit=memory_limit,
            kill_at=FaultPlan.parse(env.get(FAULTS_ENV_VAR)),
        )


def _parse_target(value: str | Target) -> Target:
    try:
        return Target(str(value).strip().lower())
    except ValueError:
        choices = " | ".join(t.value for t in Target)
        raise SettingsError(f"unknown target {value!r}: choose {choices}") from None


def _scale_problem(error: Any, sources: Mapping[str, str]) -> str:
    """A pydantic error on the scale, worded for where the value came from (--months or C360_MONTHS)."""
    key = str(error["loc"][0])
    source, value = sources.get(key, key), error["input"]
    if key == "as_of":
        return (
            error["msg"].removeprefix("Value error, ")
            if error["type"] == "value_error"
            else (f"as-of date must be YYYY-MM-DD, got {value!r}")
        )
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        bounds = {
            b: getattr(m, b) for m in Scale.model_fields[key].metadata for b in ("ge", "le") if hasattr(m, b)
        }
        return f"{source} must be between {bounds['ge']:,} and {bounds['le']:,}, got {int(value):,}"
    return f"{source} must be a whole number, got {value!r}"


def _prepare_home(value: str | Path, create: bool) -> Path:
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise SettingsError(f"C360_HOME {str(path)!r} exists and is not a directory")
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe = path / ".write-probe"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise SettingsError(f"C360_HOME {str(path)!r} is not writable: {exc.strerror or exc}") from None
    return path.resolve() if path.exists() else path.absolute()


def _bucket_from_outputs(home: Path) -> str | None:
    outputs = read_outputs(home / "outputs.json")
    # only a stack's outputs name an S3 bucket; a local platform's "bucket" is a folder
    return outputs.bucket if outputs and outputs.target == Target.snowflake.value else None


def platform_settings(settings: Settings) -> Settings:
    """Settings with the built platform's scale (as-of date, months, seed) from its outputs file.

    `c360 stream` continues the platform `c360 up` built; without this, a default as-of of today would put
    the stream clock and the dbt windows somewhere else than the data.
    """
    outputs = read_outputs(settings.outputs_path)
    if outputs is None or not outputs.scale:
        raise SettingsError(f"no platform under {settings.home}: run `c360 up` first")
    scale = outputs.scale
    try:
        return settings.with_scale(
            as_of=date.fromisoformat(str(scale["as_of"])),
            months=int(str(scale["months"])),
            seed=int(str(scale["seed"])),
            customers=int(str(scale["customers"])),
        )
    except (KeyError, ValueError) as exc:
        raise SettingsError(f"outputs file {settings.outputs_path} has an unreadable scale: {exc}") from None


# ---- environment of tools the runtime starts (dbt) -------------------------------------------------
# The one other place the process environment is touched: child processes inherit it plus the values
# the runtime derives from Settings, and an in-process tool run sees the same overrides temporarily.


def child_process_env(overrides: Mapping[str, str]) -> dict[str, str]:
    """The current environment plus `overrides`, for a child process the runtime starts."""
    return {**os.environ, **overrides}


@contextmanager
def environ_overrides(overrides: Mapping[str, str]) -> Iterator[None]:
    """Set `overrides` in os.environ for the duration of an in-process tool run, then restore."""
    previous = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
