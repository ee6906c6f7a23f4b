"""Dynamic provider: one c360 lifecycle step as a Pulumi resource.

`create`/`update` call exactly what `c360 up` calls — `run_all(Settings.load(...), only=[step])` — so
the stack and the CLI share one implementation of every step. `diff` re-runs a step when its
fingerprint (content hash of the code and data it depends on, chained through the upstream steps),
its scale or the provider version change. `delete` forgets the step's completion record so that a
re-created resource does the work in full; the data itself lives in the Pulumi-managed database.

Pickling rules (Pulumi serialises this provider with dill, by reference to this module): no state on
`self`, clients and sessions opened inside each method, credentials only from the environment
(read by c360.config.Settings), never from inputs.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, ClassVar, Final

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

log = logging.getLogger(__name__)

PROVIDER_VERSION: Final = 1  # bump when create/update/delete semantics change
TARGETS: Final = ("snowflake", "local")
STEP_NAME: Final = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
FINGERPRINT: Final = re.compile(r"^[0-9a-f]{16,128}$")
INT_INPUTS: Final = {"customers": (1, 5_000_000), "months": (3, 60), "seed": (0, 2**31 - 1)}
TRIGGER_KEYS: Final = (
    "step",
    "target",
    "customers",
    "months",
    "seed",
    "as_of",
    "fingerprint",
    "bucket",
    "region",
    "provider_version",
)
REPLACE_KEYS: Final = ("step", "target")


class StepNotAvailableError(RuntimeError):
    """The stack declares a step this c360 build does not implement."""


class LifecycleStepProvider(ResourceProvider):
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = dict(news)
        failures: list[CheckFailure] = []
        step = inputs.get("step")
        if not isinstance(step, str) or not STEP_NAME.match(step):
            failures.append(CheckFailure("step", f"step must be a lower-case step name, got {step!r}"))
        if inputs.get("target") not in TARGETS:
            failures.append(
                CheckFailure("target", f"target must be one of {TARGETS}, got {inputs.get('target')!r}")
            )
        for key, (lo, hi) in INT_INPUTS.items():
            value = _whole(inputs.get(key))
            if value is None or not lo <= value <= hi:
                failures.append(
                    CheckFailure(key, f"{key} must be a whole number in {lo}..{hi}, got {inputs.get(key)!r}")
                )
            else:
                inputs[key] = value
        try:
            date.fromisoformat(str(inputs.get("as_of")))
        except ValueError:
            failures.append(CheckFailure("as_of", f"as_of must be YYYY-MM-DD, got {inputs.get('as_of')!r}"))
        if not isinstance(inputs.get("fingerprint"), str) or not FINGERPRINT.match(inputs["fingerprint"]):
            failures.append(CheckFailure("fingerprint", "fingerprint must be a lower-case hex digest"))
        if inputs.get("target") == "snowflake" and not inputs.get("bucket"):
            failures.append(CheckFailure("bucket", "target 'snowflake' needs the landing bucket name"))
        return CheckResult(inputs, failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = _run_step(props)
        return CreateResult(id_=f"{props['target']}:{props['step']}", outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in TRIGGER_KEYS if _canonical(olds.get(k)) != _canonical(news.get(k))]
        return DiffResult(
            changes=bool(changed),
            replaces=[k for k in changed if k in REPLACE_KEYS],
            stables=[],
            delete_before_replace=True,
        )

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=_run_step(news))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        _forget_step(props)


def _run_step(props: dict[str, Any]) -> dict[str, Any]:
    from c360.steps.order import STEP_BY_NAME
    from c360.steps.pipeline import run_all

    step = str(props["step"])
    available = list(STEP_BY_NAME)
    if step not in available:
        raise StepNotAvailableError(
            f"lifecycle step '{step}' is declared by the stack but this c360 build does not implement it "
            f"(available: {', '.join(available)}). Deploy from a c360 version that has it, or set "
            "`c360:lifecycle` to false to deploy the infrastructure alone (docs/deploy.md)."
        )
    settings = _settings(props)
    log.info("running lifecycle step %s on %s", step, settings.target.value)
    report = run_all(settings, only=[step])
    result = report.results[0]
    return {
        **{k: props.get(k) for k in TRIGGER_KEYS},
        "status": result.status,
        "rows": int(result.rows),
        "seconds": round(float(result.seconds), 3),
        "run_id": report.run_id,
    }


def _forget_step(props: dict[str, Any]) -> None:
    from c360.config import Target
    from c360.engines import open_session
    from c360.errors import WarehouseError
    from c360.names import OBSERVABILITY, STEP_STATE
    from c360.observability import forget_step

    settings = _settings(props)
    if settings.target is Target.local and not settings.warehouse_path.exists():
        log.info("no local warehouse at %s: nothing to forget", settings.warehouse_path)
        return
    session = open_session(settings)
    try:
        if session.table_exists(OBSERVABILITY, STEP_STATE):
            forget_step(session, str(props["step"]))
    except WarehouseError as exc:
        if "does not exist" not in str(exc):
            raise
        log.info("step state already gone (%s)", exc)
    finally:
        session.close()


def _settings(props: dict[str, Any]) -> Any:
    from c360.config import Settings, Target

    settings = Settings.load(
        target=str(props["target"]),
        customers=_whole(props["customers"]),
        months=_whole(props["months"]),
        seed=_whole(props["seed"]),
        as_of=str(props["as_of"]),
    )
    if settings.target is Target.snowflake:
        settings = replace(
            settings, bucket=str(props["bucket"]), aws_region=str(props.get("region") or settings.aws_region)
        )
    return settings


def _whole(value: object) -> int | None:
    """Pulumi carries numbers as floats; accept whole numbers only."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _canonical(value: object) -> object:
    whole = _whole(value)
    return whole if whole is not None else value


@dataclass(frozen=True)
class LifecycleStepArgs:
    step: str
    fingerprint: str
    customers: int
    months: int
    seed: int
    as_of: str
    target: str = "snowflake"
    bucket: pulumi.Input[str] | None = None
    region: str | None = None


class LifecycleStep(Resource, module="c360", name="LifecycleStep"):
    """`pulumi-python:dynamic/c360:LifecycleStep` — one step of the c360 lifecycle."""

    status: pulumi.Output[str]
    rows: pulumi.Output[int]
    run_id: pulumi.Output[str]
    OUTPUTS: ClassVar[tuple[str, ...]] = ("status", "rows", "seconds", "run_id")

    def __init__(
        self, name: str, args: LifecycleStepArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props: dict[str, Any] = {f.name: getattr(args, f.name) for f in fields(args)}
        props["provider_version"] = PROVIDER_VERSION
        props.update({key: None for key in self.OUTPUTS})
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))
        super().__init__(LifecycleStepProvider(), name, props, opts)
