"""The last failed `c360 up`, kept beside the platform.

A failed run publishes no snapshot (readers keep the last good data), so its FAILED row in
PIPELINE_RUN_METADATA is only in the writer's file; `c360 status` reads this record to say so.
A successful run removes it.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Final

from c360.config import Settings
from c360.errors import StepError
from c360.files import write_text_atomically

FAILURE_FILE: Final = "last_failed_run.json"
log = logging.getLogger(__name__)


def record_failure(settings: Settings, run_id: str | None, exc: BaseException) -> None:
    record = {
        "run_id": run_id,
        "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "step": exc.step if isinstance(exc, StepError) else None,
        "error": f"{type(exc).__name__}: {exc}",
    }
    path = settings.home / FAILURE_FILE
    try:
        write_text_atomically(path, json.dumps(record, indent=2) + "\n")
    except OSError as err:  # never hide the run's own error behind this one
        log.warning("could not record the failed run in %s: %s", path, err)


def clear_failure(settings: Settings) -> None:
    (settings.home / FAILURE_FILE).unlink(missing_ok=True)


def last_failure(settings: Settings) -> dict[str, object] | None:
    path = settings.home / FAILURE_FILE
    try:
        return dict(json.loads(path.read_text()))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
