"""Pulumi mocks for the stack's unit tests: `set_mocks` runs here, before any test imports components.

RecordingMocks keeps every registered resource (type, name, raw camelCase inputs, parent/deps) so tests
assert on exactly what the program would send to the engine, and answers the two AWS invokes the
stack makes (caller identity, partition) with fixed values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest

ACCOUNT_ID = "123456789012"
SNOWFLAKE_USER_ARN = "arn:aws:iam::999988887777:user/abc1-s-snowflake"
NOTIFICATION_CHANNEL = "arn:aws:sqs:us-east-1:999988887777:sf-snowpipe-AIDA-queue"


@dataclass
class Registered:
    typ: str
    name: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    provider: str | None


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[Registered] = []
        self.calls: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        outs = dict(inputs)
        name = str(inputs.get("name") or args.name)
        if args.typ.startswith("aws:"):
            outs.setdefault("arn", f"arn:aws:mock:us-east-1:{ACCOUNT_ID}:{name}")
        if args.typ == "aws:s3/bucket:Bucket":
            outs["bucket"] = inputs.get("bucket") or f"{args.name}-bucket"
            outs["arn"] = f"arn:aws:s3:::{outs['bucket']}"
        elif args.typ == "aws:iam/role:Role":
            outs["arn"] = f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
        elif args.typ == "aws:sns/topic:Topic":
            outs["arn"] = f"arn:aws:sns:us-east-1:{ACCOUNT_ID}:{name}"
        elif args.typ == "aws:sqs/queue:Queue":
            outs["arn"] = f"arn:aws:sqs:us-east-1:{ACCOUNT_ID}:{name}"
            outs["url"] = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT_ID}/{name}"
        elif args.typ.startswith("snowflake:"):
            outs.setdefault("fullyQualifiedName", f'"{name}"')
            if args.typ == "snowflake:index/storageIntegrationAws:StorageIntegrationAws":
                outs["describeOutputs"] = [
                    {"iamUserArn": SNOWFLAKE_USER_ARN, "externalId": inputs.get("storageAwsExternalId")}
                ]
            elif args.typ == "snowflake:index/pipe:Pipe":
                outs["notificationChannel"] = NOTIFICATION_CHANNEL
            elif args.typ == "snowflake:index/notificationIntegration:NotificationIntegration":
                outs["awsSnsIamUserArn"] = SNOWFLAKE_USER_ARN
                outs["awsSnsExternalId"] = "ABC1_SFCRole=2_notificationexternalid"
        self.resources.append(Registered(args.typ, args.name, inputs, outs, args.provider))
        # like the real providers: a bucket's id is its name (what BucketVersioning & co. reference)
        resource_id = outs["bucket"] if args.typ == "aws:s3/bucket:Bucket" else f"{args.name}-id"
        return resource_id, outs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        self.calls.append(args.token)
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/ci",
                "userId": "AIDA",
                "id": ACCOUNT_ID,
            }, []
        if args.token == "aws:index/getPartition:getPartition":
            return {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "id": "aws",
                "reverseDnsSuffix": "com.amazonaws",
            }, []
        return {}, []

    # ---- queries the tests use --------------------------------------------------------------
    def of_type(self, typ: str) -> list[Registered]:
        return [r for r in self.resources if r.typ == typ]

    def one(self, typ: str, name: str | None = None) -> Registered:
        found = [
            r for r in self.of_type(typ) if name is None or r.name == name or r.inputs.get("name") == name
        ]
        assert len(found) == 1, f"expected one {typ} {name or ''}, found {[r.name for r in found]}"
        return found[0]


MOCKS = RecordingMocks()
pulumi.runtime.set_mocks(MOCKS, project="c360", stack="test", preview=False)


@pytest.fixture
def mocks() -> Iterator[RecordingMocks]:
    """A clean recording for each test (fresh mock monitor, no config)."""
    MOCKS.resources.clear()
    MOCKS.calls.clear()
    pulumi.runtime.set_mocks(MOCKS, project="c360", stack="test", preview=False)
    pulumi.runtime.set_all_config({}, [])
    yield MOCKS
    MOCKS.resources.clear()


def make_app_dir(root: Path) -> Path:
    """A minimal Streamlit-in-Snowflake app folder (the real one is streamlit/)."""
    folder = root / "streamlit"
    (folder / "tabs").mkdir(parents=True)
    (folder / "streamlit_app.py").write_text("import streamlit as st\nst.title('c360')\n")
    (folder / "environment.yml").write_text("name: sf_env\nchannels: [snowflake]\ndependencies: [plotly]\n")
    (folder / "tabs" / "segments.py").write_text("TITLE = 'Segments'\n")
    return folder


def make_dbt_dir(root: Path) -> Path:
    """A minimal dbt project folder (the real one is dbt/, built in parallel)."""
    folder = root / "dbt"
    (folder / "models" / "staging").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text("name: c360\nversion: '1.0.0'\nprofile: c360\n")
    (folder / "models" / "staging" / "stg_transactions.sql").write_text("select 1 as transaction_id\n")
    (folder / "target").mkdir()
    (folder / "target" / "manifest.json").write_text("{}")  # build artefact: never uploaded
    return folder


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return make_app_dir(tmp_path)


@pytest.fixture
def dbt_dir(tmp_path: Path) -> Path:
    return make_dbt_dir(tmp_path)


def declare(build: Callable[[], Any]) -> Any:
    """Run `build` inside a Pulumi program under the mocks, wait until every resource is registered,
    and return the resolved value of what it returned (outputs, dicts of outputs, plain values)."""
    box: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[Any]:
        return pulumi.Output.from_input(build()).apply(lambda value: box.__setitem__("value", value))

    program()
    return box.get("value")


def declare_graph(build: Callable[[], Any]) -> Any:
    """Run `build` under mocks like `declare`, and return the resource graph it registered with every
    dependency (rehearsal/graph.py): what a real `pulumi up` would wait for."""
    from tests.unit.pulumi_stack.rehearsal.graph import DeployGraph, GraphMonitor

    monitor = GraphMonitor(MOCKS)
    MOCKS.resources.clear()
    pulumi.runtime.set_mocks(MOCKS, project="c360", stack="test", preview=False, monitor=monitor)
    try:
        declare(build)
    finally:
        pulumi.runtime.set_mocks(MOCKS, project="c360", stack="test", preview=False)
        MOCKS.resources.clear()
    return DeployGraph(list(monitor.nodes))


def child_resources(component: pulumi.ComponentResource) -> list[pulumi.Resource]:
    """The resources a component keeps as attributes (directly, or in lists and dicts)."""
    found: list[pulumi.Resource] = []
    for value in vars(component).values():
        values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
        found.extend(v for v in values if isinstance(v, pulumi.Resource) and v is not component)
    return found


def assert_parented(component: pulumi.ComponentResource, component_type: str) -> pulumi.Output[None]:
    """Every child's URN has the component type in its parent chain, and its name the component's prefix."""
    children = child_resources(component)
    assert children, "component exposes no child resources"

    def check(urns: list[str]) -> None:
        for urn in urns:
            assert f"{component_type}$" in urn, f"{urn} is not parented to {component_type}"

    return pulumi.Output.all(*(c.urn for c in children)).apply(check)


def snapshot(build: Callable[[], Any], stack: str = "test") -> RecordingMocks:
    """Declare once (for a module-scoped fixture) and return a copy of what was registered."""
    MOCKS.resources.clear()
    pulumi.runtime.set_mocks(MOCKS, project="c360", stack=stack, preview=False)
    declare(build)
    recorded = RecordingMocks()
    recorded.resources = list(MOCKS.resources)
    MOCKS.resources.clear()
    return recorded
