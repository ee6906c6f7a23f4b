"""Step 5: the churn model — build its datasets, train or re-use the champion, score, refresh the profile.

    dbt build --select path:models/ml        features + labels at the cutoffs (GOLD.ML_*), with their tests
    train_and_score (c360/ml/training.py)     champion/challenger, GOLD.CHURN_PREDICTIONS, metrics, card
    dbt build --select customer_360_profile+  the scores flow into the profile and its dependents

Skipped when nothing it depends on changed since it last completed (the gold build state, the ML dbt
models, the model spec and trainer) and its outputs exist. With too little data to train (a tiny
platform) it records the failed training run and reports itself skipped with the reason, so `c360 up`
still builds the rest of the platform; a model that fails a quality gate (suspected leakage above all)
fails the step. `c360 train` runs the same path (retrain) and always exits non-zero on failure.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING

from c360 import names
from c360.alerts.evaluation import after_writer_run
from c360.config import Settings, Target
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.ml import registry
from c360.ml.data import TrainingDataError, ml_tables_exist
from c360.ml.policy import TrainingPolicy
from c360.ml.trainer import ChurnTrainer
from c360.ml.training import MODEL_SPEC_VERSION, TrainingOutcome, default_trainer, train_and_score
from c360.observability import save_step_fingerprint, step_fingerprint
from c360.paths import DBT_DIR
from c360.sqlfiles import load_sql
from c360.steps.context import StepContext, StepResult

if TYPE_CHECKING:
    from c360.transform.dbt import InProcessDbt

log = logging.getLogger(__name__)

STEP = "churn_model"
ML_SELECTOR = "path:models/ml"
PROFILE_SELECTOR = "customer_360_profile+"
ML_PROJECT_PATHS = ("models/ml", "macros/ml")

Release = Callable[[], AbstractContextManager[None]]
# progress(completed, total, message)
Progress = Callable[[float, float, str], None]


def _no_progress(completed: float, total: float, message: str) -> None:
    return None


@dataclass
class ChurnRun:
    outcome: TrainingOutcome | None
    dbt_seconds: dict[str, float]
    skipped_reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            **(self.outcome.as_dict() if self.outcome else {}),
            "dbt_seconds": {k: round(v, 2) for k, v in self.dbt_seconds.items()},
            "skipped_reason": self.skipped_reason,
        }


def run(ctx: StepContext) -> StepResult:
    began = perf_counter()
    settings = ctx.settings
    trainer = default_trainer(settings)
    key = inputs_key(ctx.session, settings, trainer)
    if not ctx.force and step_fingerprint(ctx.session, STEP) == key and outputs_present(ctx.session):
        ctx.progress(STEP, 1, 1, "inputs unchanged, skipped")
        return StepResult(STEP, "skipped", perf_counter() - began, 0, {"fingerprint": key})

    def progress(done: float, total: float, message: str) -> None:
        ctx.progress(STEP, done, total, message)

    from c360.transform.dbt import shared_runner  # dbt-runner import stays off the unit-test path

    try:
        result = refresh_churn_model(
            settings,
            ctx.session,
            ctx.warehouse_released,
            trainer=trainer,
            force=ctx.force,
            pipeline_run_id=ctx.run_id,
            progress=progress,
            runner=shared_runner(ctx),
        )
    except TrainingDataError as exc:
        log.warning("churn model not trained: %s", exc)
        save_step_fingerprint(ctx.session, STEP, key, {"status": "insufficient_data", "reason": str(exc)})
        ctx.progress(STEP, 1, 1, "not trained: the training data failed validation (see details)")
        return StepResult(
            STEP, "skipped", perf_counter() - began, 0, {"fingerprint": key, "reason": str(exc)}
        )
    outcome = result.outcome
    assert outcome is not None
    save_step_fingerprint(
        ctx.session,
        STEP,
        key,
        {"status": outcome.status, "champion": outcome.champion.version if outcome.champion else None},
    )
    scored = outcome.scoring.scored if outcome.scoring else 0
    ctx.progress(STEP, 1, 1, f"{outcome.status.lower()}: {scored:,} customers scored")
    return StepResult(
        STEP,
        "ran",
        perf_counter() - began,
        scored,
        {
            "fingerprint": key,
            "status": outcome.status,
            "reason": outcome.reason,
            "champion": outcome.champion.version if outcome.champion else None,
            "roc_auc": outcome.champion_metrics.roc_auc if outcome.champion_metrics else None,
            "timings_seconds": {k: round(v, 2) for k, v in {**outcome.timings, **result.dbt_seconds}.items()},
            "warnings": outcome.warnings,
        },
    )


def refresh_churn_model(
    settings: Settings,
    session: WarehouseSession,
    release: Release,
    *,
    trainer: ChurnTrainer | None = None,
    policy: TrainingPolicy | None = None,
    force: bool = False,
    pipeline_run_id: str | None = None,
    card_dirs: tuple[Path, ...] = (),
    progress: Progress = _no_progress,
    build_datasets: bool = True,
    runner: InProcessDbt | None = None,
) -> ChurnRun:
    """Build the ML datasets, train/score (champion/challenger) and rebuild the profile. Raises
    TrainingDataError / ModelQualityError (recorded as FAILED runs) and dbt errors. `runner`: an in-process
    dbt to reuse (`c360 up` shares its run's, parsed once); without one the call parses its own."""
    from c360.transform.dbt import InProcessDbt, run_dbt  # dbt-runner import stays off the unit-test path

    dbt_seconds: dict[str, float] = {}
    # Both dbt builds in this process: the second skips an interpreter start, dbt's import and the project
    # parse (~6 s of CPU per dbt process, at any data size). dbt's database is closed while the model trains.
    with ExitStack() as owned:
        dbt = runner if runner is not None else owned.enter_context(InProcessDbt(settings))
        if build_datasets:
            progress(0, 3, "dbt build: churn datasets (models/ml)")
            with release():
                built = run_dbt(settings, ["build", "--select", ML_SELECTOR], runner=dbt)
                dbt.release_database()
            built.raise_for_status()
            dbt_seconds["dbt_ml_datasets"] = built.elapsed

        progress(1, 3, "training / scoring")
        outcome = train_and_score(
            settings,
            session,
            trainer=trainer,
            policy=policy,
            force=force,
            pipeline_run_id=pipeline_run_id,
            card_dirs=card_dirs,
        )

        progress(2, 3, "dbt build: customer_360_profile and dependents")
        with release():
            profile = run_dbt(
                settings, ["build", "--select", PROFILE_SELECTOR, "--exclude", ML_SELECTOR], runner=dbt
            )
            dbt.release_database()
    profile.raise_for_status()
    dbt_seconds["dbt_profile"] = profile.elapsed
    progress(3, 3, "done")
    return ChurnRun(outcome, dbt_seconds)


def inputs_key(session: WarehouseSession, settings: Settings, trainer: ChurnTrainer) -> str:
    """Everything the step's outputs depend on; unchanged => the step has nothing to do."""
    from c360.transform.build_state import stored_state

    gold_state = stored_state(session)
    key = {
        "gold": gold_state.details() if gold_state else None,
        "ml_project": ml_project_hash(),
        "spec": MODEL_SPEC_VERSION,
        "trainer": trainer.kind,
        "config": trainer.config(),
        "policy": TrainingPolicy().as_dict(),
        "as_of": settings.scale.as_of.isoformat(),
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()


def ml_project_hash(project_dir: Path = DBT_DIR) -> str:
    digest = hashlib.sha256()
    for folder in ML_PROJECT_PATHS:
        for path in sorted((project_dir / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(project_dir).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def outputs_present(session: WarehouseSession) -> bool:
    """The ML datasets exist and the current champion's predictions are in GOLD.CHURN_PREDICTIONS."""
    if not ml_tables_exist(session) or not session.table_exists(names.GOLD, "CHURN_PREDICTIONS"):
        return False
    champion = registry.champion_metadata(session)
    if champion is None:
        return False
    found = session.scalar(load_sql("ml/predictions_for_version"), [str(champion["version"])])
    return bool(found)


@contextmanager
def released(session: WarehouseSession) -> Iterator[None]:
    """Release a DuckDB writer session while another process (dbt) writes the file; no-op on Snowflake."""
    release = getattr(session, "released", None)
    if release is None:
        yield
        return
    with release():
        yield


def retrain(
    settings: Settings,
    *,
    force: bool = False,
    rebuild_datasets: bool = False,
    card_dirs: tuple[Path, ...] = (),
    progress: Progress = _no_progress,
) -> ChurnRun:
    """`c360 train`: the step's path on demand. The ML datasets are rebuilt only when their inputs changed
    (or when asked); training re-uses the champion when its inputs are unchanged unless `force`."""
    from c360.engines import open_session
    from c360.snapshots import publish_snapshot

    session = open_session(settings)
    try:
        if not session.table_exists(names.OBSERVABILITY, "STEP_STATE") or not session.table_exists(
            names.GOLD, "fct_transactions"
        ):
            raise TrainingDataError("the gold layer is not built yet: run `c360 up` first")
        trainer = default_trainer(settings)
        key = inputs_key(session, settings, trainer)
        stale = rebuild_datasets or step_fingerprint(session, STEP) != key or not ml_tables_exist(session)
        result = refresh_churn_model(
            settings,
            session,
            lambda: released(session),
            trainer=trainer,
            force=force,
            card_dirs=card_dirs,
            progress=progress,
            build_datasets=stale,
        )
        outcome = result.outcome
        assert outcome is not None
        save_step_fingerprint(
            session,
            STEP,
            key,
            {"status": outcome.status, "champion": outcome.champion.version if outcome.champion else None},
        )
        after_writer_run(settings, session)  # alerts (c360/alerts/evaluation.py)
        if settings.target is Target.local:
            publish_snapshot(settings, session)  # readers (the app, `c360 sql`) see the new scores
    except C360Error:
        after_writer_run(settings, session)  # a failed scoring fires its alert now
        raise
    finally:
        session.close()
    return result
