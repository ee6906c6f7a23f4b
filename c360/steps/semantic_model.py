"""Step 6: validate the semantic model against the live gold tables and deploy it.

- Both targets: the YAML must pass the structural check (c360.assistant.spec) and the live check
  (c360.assistant.live_check: every expr compiles, every sample value exists, relationships join, verified
  queries pass the guard and run). Any problem fails the step with the full list.
- The deployed file is the model as loaded: c360/assistant/semantic_model.yaml with each plain column's
  description filled in from its dbt model's YAML (c360/assistant/descriptions.py).
- local: it is recorded at $C360_HOME/semantic_model.yaml (the outputs' semantic_model_location: what was
  validated against this platform). The local assistant itself loads the packaged
  c360/assistant/semantic_model.yaml, so an edit there is live before this step re-validates it.
- snowflake: it is PUT to @CUSTOMER_ANALYTICS.GOLD.SEMANTIC_STAGE (Cortex Analyst reads it from there).
- Both: assistant request-log lines written by readers since the last run are loaded into
  OBSERVABILITY.ASSISTANT_REQUESTS.
Idempotent: an unchanged model on unchanged gold is only re-checked, never re-deployed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from time import perf_counter
from typing import Final

from c360 import names
from c360.assistant.live_check import validate_live
from c360.assistant.model import MODEL_PATH, load_model
from c360.assistant.requestlog import load_request_log
from c360.config import Settings, Target
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.observability import save_step_fingerprint, step_fingerprint
from c360.sqlfiles import load_sql, render_sql
from c360.steps.context import StepContext, StepResult

log = logging.getLogger(__name__)

STEP: Final = "semantic_model"


class SemanticModelInvalid(C360Error):
    """The semantic model does not match the live gold tables; the message lists every problem."""


def deployed_path(settings: Settings) -> Path:
    """Where the local target records the validated semantic model (outputs: semantic_model_location)."""
    return settings.home / names.SEMANTIC_MODEL_FILE


def stage_location() -> str:
    return f"@{names.DATABASE}.{names.GOLD}.{names.SEMANTIC_STAGE}/{names.SEMANTIC_MODEL_FILE}"


def run(ctx: StepContext) -> StepResult:
    began = perf_counter()
    model = load_model(MODEL_PATH)  # structural validation; raises with every problem
    ctx.progress(STEP, 0, 3, "checking the semantic model against gold")
    report = validate_live(ctx.session, model)
    if not report.ok:
        listed = "\n  ".join(report.problems)
        raise SemanticModelInvalid(
            f"semantic model {MODEL_PATH.name} does not match the gold tables ({len(report.problems)} problem(s)):\n  {listed}"
        )
    for warning in report.warnings:
        log.warning("semantic model: %s", warning)
    fingerprint = _fingerprint(model.text, ctx.session)
    unchanged = step_fingerprint(ctx.session, STEP) == fingerprint and not ctx.force
    ctx.progress(STEP, 1, 3, f"{report.checks} checks passed")
    if ctx.settings.target is Target.snowflake:
        deployed_to = stage_location()
        if not unchanged:
            with tempfile.TemporaryDirectory(prefix="c360-semantic-") as folder:
                rendered = Path(folder) / names.SEMANTIC_MODEL_FILE  # PUT keeps the file's name
                rendered.write_text(model.text)
                _put_to_stage(ctx.session, rendered)
    else:
        target = deployed_path(ctx.settings)
        deployed_to = str(target)
        if not unchanged or not target.exists():
            _write_atomically(model.text, target)
            unchanged = False
    ctx.progress(STEP, 2, 3, f"deployed to {deployed_to}" if not unchanged else "unchanged")
    loaded = load_request_log(ctx.session, ctx.settings)
    if not unchanged:
        save_step_fingerprint(
            ctx.session,
            STEP,
            fingerprint,
            {"location": deployed_to, "checks": report.checks, "tables": len(model.tables)},
        )
    ctx.progress(STEP, 3, 3, f"{report.checks} checks, {loaded} assistant request(s) logged")
    return StepResult(
        STEP,
        "skipped" if unchanged else "ran",
        perf_counter() - began,
        loaded,
        {
            "location": deployed_to,
            "checks": report.checks,
            "tables": len(model.tables),
            "verified_queries": len(model.verified_queries),
            "assistant_requests_loaded": loaded,
            "warnings": list(report.warnings),
        },
    )


def _fingerprint(text: str, session: WarehouseSession) -> str:
    """The model text plus the gold build it was checked against."""
    built = session.scalar(load_sql("semantic/gold_version", session.dialect))
    return hashlib.sha256(f"{text}\n{built}".encode()).hexdigest()[:32]


def _write_atomically(text: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".yaml.tmp")
    tmp.write_text(text)
    os.replace(tmp, target)


def _put_to_stage(session: WarehouseSession, source: Path) -> None:
    # PUT takes no bind parameters; the path is a file this step wrote, quoted as a literal.
    path = source.resolve().as_posix().replace("'", "''")
    rendered = render_sql("semantic/put_model", session.dialect, file=path)
    # the connector recognises PUT by the statement's first word: drop the file's comment lines
    statement = " ".join(
        line for line in rendered.splitlines() if line.strip() and not line.lstrip().startswith("--")
    )
    session.execute(statement)
    log.info("semantic model uploaded to %s", stage_location())
