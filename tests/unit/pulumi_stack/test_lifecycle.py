"""Lifecycle under mocks: the fixed steps in order, their fingerprints, and what each step resource
sends to its provider."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import dill
import pytest

from components.lifecycle import LIFECYCLE_STEPS, STEP_SOURCES, Lifecycle, LifecycleArgs, step_fingerprints
from components.providers.lifecycle_step import PROVIDER_VERSION, LifecycleStepProvider
from tests.unit.pulumi_stack.conftest import RecordingMocks, assert_parented, declare

STEP = "pulumi-python:dynamic/c360:LifecycleStep"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small stand-in repository with a file for every step's sources."""
    root = tmp_path / "repo"
    for path in ("sql/ddl/bronze.sql", "generators/spec.py", "sql/generate/t.sql.j2", "dbt/models/stg.sql",
                 "dbt/dbt_project.yml", "c360/ml/train.py", "c360/assistant/semantic_model.yaml"):  # fmt: skip
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(f"-- {path}\n")
    return root


def build(repo: Path, **changes: object) -> Lifecycle:
    args = {
        "customers": 1000,
        "months": 18,
        "seed": 42,
        "as_of": "2026-10-15",
        "bucket_name": "b",
        "region": "us-east-1",
    }
    args.update(changes)
    return Lifecycle("lifecycle", LifecycleArgs(repo_root=repo, **args))  # type: ignore[arg-type]


def test_steps_are_declared_in_order_with_their_inputs(mocks: RecordingMocks, repo: Path) -> None:
    declare(lambda: build(repo).steps["semantic_model"].status)
    steps = mocks.of_type(STEP)
    assert [s.inputs["step"] for s in steps] == list(LIFECYCLE_STEPS)  # each waits for the one before
    assert LIFECYCLE_STEPS == (
        "provision",
        "customers",
        "transactions",
        "dbt_build",
        "churn_model",
        "semantic_model",
    )
    for s in steps:
        assert (
            s.inputs["target"] == "snowflake"
            and s.inputs["bucket"] == "b"
            and s.inputs["region"] == "us-east-1"
        )
        assert (s.inputs["customers"], s.inputs["months"], s.inputs["seed"], s.inputs["as_of"]) == (
            1000,
            18,
            42,
            "2026-10-15",
        )
        assert s.inputs["provider_version"] == PROVIDER_VERSION
        assert not any("password" in k.lower() or "key" in k.lower() for k in s.inputs if k != "__provider")
        provider = dill.loads(base64.b64decode(s.inputs["__provider"]["value"]))
        assert isinstance(provider, LifecycleStepProvider)
    assert len({s.inputs["fingerprint"] for s in steps}) == len(steps)


def test_a_dbt_change_reruns_dbt_and_everything_after_it_only(repo: Path) -> None:
    before = step_fingerprints(LIFECYCLE_STEPS, repo)
    assert before == step_fingerprints(LIFECYCLE_STEPS, repo)  # deterministic
    (repo / "dbt" / "models" / "stg.sql").write_text("select 2\n")
    after = step_fingerprints(LIFECYCLE_STEPS, repo)
    changed = [s for s in LIFECYCLE_STEPS if before[s] != after[s]]
    assert changed == ["dbt_build", "churn_model", "semantic_model"]
    (repo / "dbt" / "target").mkdir()
    (repo / "dbt" / "target" / "run_results.json").write_text("{}")  # build artefacts do not count
    assert step_fingerprints(LIFECYCLE_STEPS, repo) == after
    moved = repo.parent / "elsewhere"
    shutil.copytree(repo, moved)
    assert step_fingerprints(LIFECYCLE_STEPS, moved) == after  # content, not location


def test_a_generator_change_reruns_the_data_steps(repo: Path) -> None:
    before = step_fingerprints(LIFECYCLE_STEPS, repo)
    (repo / "generators" / "spec.py").write_text("SPEC = 2\n")
    after = step_fingerprints(LIFECYCLE_STEPS, repo)
    assert [s for s in LIFECYCLE_STEPS if before[s] != after[s]] == list(LIFECYCLE_STEPS[1:])


def test_every_fixed_step_has_sources() -> None:
    assert set(STEP_SOURCES) == set(LIFECYCLE_STEPS)
    assert any(p.startswith("dbt/") for p in STEP_SOURCES["dbt_build"])


def test_children_are_parented(mocks: RecordingMocks, repo: Path) -> None:
    declare(lambda: assert_parented(build(repo), "c360:lifecycle:Lifecycle"))


def test_args_are_validated(repo: Path) -> None:
    with pytest.raises(ValueError, match="unknown lifecycle step"):
        LifecycleArgs(1, 3, 1, "2026-10-15", steps=("provision", "deploy_everything"))
    with pytest.raises(ValueError, match="keep the order"):
        LifecycleArgs(1, 3, 1, "2026-10-15", steps=("customers", "provision"))
