"""Lifecycle under mocks: the fixed steps in order, their fingerprints, and what each step resource
sends to its provider."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import dill
import pytest

from c360.paths import REPO_ROOT
from c360.steps.order import STEPS
from components.lifecycle import LIFECYCLE_STEPS, Lifecycle, LifecycleArgs, step_fingerprints, step_sources
from components.providers.lifecycle_step import PROVIDER_VERSION, LifecycleStepProvider
from components.source_graph import import_graph
from tests.unit.pulumi_stack.conftest import RecordingMocks, assert_parented, declare

STEP = "pulumi-python:dynamic/c360:LifecycleStep"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of what defines the steps (the code packages, the SQL, the dbt project); a test that edits a
    file restores it (`changed_by`)."""
    root = tmp_path_factory.mktemp("lifecycle") / "repo"
    skipped = shutil.ignore_patterns("__pycache__", "target", "logs", "dbt_packages", ".user.yml")
    for folder in ("c360", "generators", "sql", "dbt"):
        shutil.copytree(REPO_ROOT / folder, root / folder, ignore=skipped)
    return root


@pytest.fixture(scope="module")
def baseline(repo: Path) -> dict[str, str]:
    return step_fingerprints(LIFECYCLE_STEPS, repo)


def changed_by(repo: Path, baseline: dict[str, str], path: str) -> list[str]:
    """The steps whose fingerprint an edit of `path` changes (the file is restored afterwards)."""
    original = (repo / path).read_bytes()
    try:
        (repo / path).write_bytes(original + b"\n# edited\n")
        after = step_fingerprints(LIFECYCLE_STEPS, repo)
    finally:
        (repo / path).write_bytes(original)
    return [s for s in LIFECYCLE_STEPS if baseline[s] != after[s]]


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


def test_the_stack_declares_c360s_own_steps_less_the_local_only_ones() -> None:
    assert [s.name for s in STEPS if not s.local_only] == list(LIFECYCLE_STEPS)
    assert [s.name for s in STEPS if s.local_only] == ["maintenance"]


def test_a_dbt_change_reruns_dbt_and_everything_after_it_only(repo: Path, baseline: dict[str, str]) -> None:
    assert step_fingerprints(LIFECYCLE_STEPS, repo) == baseline  # deterministic
    model = next((repo / "dbt" / "models").rglob("*.sql")).relative_to(repo).as_posix()
    assert changed_by(repo, baseline, model) == ["dbt_build", "churn_model", "semantic_model"]
    (repo / "dbt" / "target").mkdir()
    (repo / "dbt" / "target" / "run_results.json").write_text("{}")  # build artefacts do not count
    moved = repo.parent / "elsewhere"
    shutil.copytree(repo, moved)
    assert step_fingerprints(LIFECYCLE_STEPS, moved) == baseline  # content, not location


@pytest.mark.parametrize(
    "path", ["c360/engines/duckdb.py", "c360/storage/s3.py", "c360/observability.py", "c360/config.py"]
)
def test_a_change_to_the_code_every_step_runs_on_reruns_every_step(
    repo: Path, baseline: dict[str, str], path: str
) -> None:
    assert changed_by(repo, baseline, path) == list(LIFECYCLE_STEPS)


@pytest.mark.parametrize(
    ("path", "first"),
    [
        ("generators/spec.py", "customers"),
        ("c360/steps/transactions.py", "transactions"),
        ("c360/transform/dbt.py", "dbt_build"),
        ("c360/ml/training.py", "churn_model"),
        ("c360/assistant/semantic_model.yaml", "semantic_model"),  # package data beside the code
        ("c360/assistant/lexicon.py", "semantic_model"),
    ],
)
def test_a_change_reruns_the_first_step_that_imports_it_and_those_after(
    repo: Path, baseline: dict[str, str], path: str, first: str
) -> None:
    assert changed_by(repo, baseline, path) == list(LIFECYCLE_STEPS[LIFECYCLE_STEPS.index(first) :])


def test_code_no_step_imports_changes_nothing(repo: Path, baseline: dict[str, str]) -> None:
    assert changed_by(repo, baseline, "c360/cli/status.py") == []
    assert changed_by(repo, baseline, "c360/steps/maintenance.py") == []  # local-only: not a stack step


def test_each_step_is_defined_by_its_module_the_runner_and_its_data() -> None:
    graph = import_graph(REPO_ROOT, ("c360", "generators"))
    for step in STEPS:
        if step.local_only:
            continue
        sources = step_sources(step.name, graph, REPO_ROOT)
        assert f"c360/steps/{step.name}.py" in sources and "c360/steps/pipeline.py" in sources
        assert set(step.data) <= set(sources)
        others = {f"c360/steps/{s.name}.py" for s in STEPS if s.name != step.name}
        assert not others & set(sources)  # another step's code belongs to that step's fingerprint
    assert any(p.startswith("dbt/") for p in step_sources("dbt_build", graph, REPO_ROOT))


def test_children_are_parented(mocks: RecordingMocks, repo: Path) -> None:
    declare(lambda: assert_parented(build(repo), "c360:lifecycle:Lifecycle"))


def test_args_are_validated(repo: Path) -> None:
    with pytest.raises(ValueError, match="unknown lifecycle step"):
        LifecycleArgs(1, 3, 1, "2026-10-15", steps=("provision", "deploy_everything"))
    with pytest.raises(ValueError, match="keep the order"):
        LifecycleArgs(1, 3, 1, "2026-10-15", steps=("customers", "provision"))
