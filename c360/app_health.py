"""Health checks of the local app, for the app_health_failing and dashboard_query_slow alerts.

While `c360 app` serves, a probe thread checks the app every PROBE_INTERVAL_SECONDS: Streamlit's own health
endpoint (GET /_stcore/health answers 200 "ok" while the server runs) and a dashboard query — the sidebar's
platform summary the app runs on every page (streamlit/sql/platform_summary.sql), through the query guard as
the app's default role, timed. The app only reads the warehouse, so each check is appended to
$C360_HOME/logs/app_health.jsonl (one O_APPEND write) and the next writer run's alert evaluation loads the new
lines into OBSERVABILITY.APP_HEALTH_CHECKS, once each (by check_id) — as the assistant's request log is.
Streamlit in Snowflake has no endpoint a probe inside Snowflake could call: there the table is fed by
whatever external monitor the bank runs (docs/runbooks/alerts.md).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from time import perf_counter
from typing import Final

import pandas as pd

from c360.config import Settings
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.paths import STREAMLIT_DIR

log = logging.getLogger(__name__)

LOG_FILE: Final = "app_health.jsonl"
TABLE: Final = "OBSERVABILITY.APP_HEALTH_CHECKS"
PROBE_INTERVAL_SECONDS: Final = 60.0
HTTP_TIMEOUT_SECONDS: Final = 5.0
DASHBOARD_QUERY: Final = STREAMLIT_DIR / "sql" / "platform_summary.sql"


@dataclass(frozen=True)
class HealthCheck:
    check_id: str
    checked_at: str  # ISO, local time like every warehouse timestamp
    is_healthy: bool
    http_status: int | None
    query_seconds: float | None
    detail: str


def log_path(settings: Settings) -> Path:
    return settings.logs_dir / LOG_FILE


def check_app(settings: Settings, url: str, *, timeout: float = HTTP_TIMEOUT_SECONDS) -> HealthCheck:
    """One check: the server's health endpoint, then the dashboard query timed. Never raises."""
    from c360.engines.readers import open_reader
    from c360.grants import DEFAULT_APP_ROLE
    from c360.guard import run_guarded

    checked_at = datetime.now().replace(microsecond=0).isoformat(sep=" ")
    problems: list[str] = []
    status: int | None = None
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/_stcore/health", timeout=timeout) as response:
            status = int(response.status)
            body = response.read(64).decode("utf-8", "replace").strip()
            if status != 200 or body != "ok":
                problems.append(f"health endpoint answered {status} {body!r}")
    except urllib.error.HTTPError as exc:
        status = exc.code
        problems.append(f"health endpoint answered {exc.code}")
    except (urllib.error.URLError, OSError) as exc:
        problems.append(f"app server unreachable at {url}: {getattr(exc, 'reason', exc)}")
    seconds: float | None = None
    try:
        session = open_reader(settings)
        try:
            began = perf_counter()
            run_guarded(session, DASHBOARD_QUERY.read_text(), DEFAULT_APP_ROLE)
            seconds = round(perf_counter() - began, 3)
        finally:
            session.close()
    except (C360Error, OSError) as exc:
        problems.append(f"dashboard query failed: {str(exc).splitlines()[0]}")
    return HealthCheck(
        f"health-{uuid.uuid4().hex[:12]}",
        checked_at,
        not problems,
        status,
        seconds,
        "; ".join(problems) or "ok",
    )


def append_check(settings: Settings, check: HealthCheck) -> None:
    """Append one JSON line (a single write on an O_APPEND file); never raises, but says so."""
    path = log_path(settings)
    line = json.dumps(asdict(check)) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        log.warning("app health check %s not logged to %s: %s", check.check_id, path, exc)


def read_checks(settings: Settings) -> list[HealthCheck]:
    path = log_path(settings)
    if not path.exists():
        return []
    checks = []
    fields = set(HealthCheck.__dataclass_fields__)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            checks.append(HealthCheck(**{k: raw.get(k) for k in fields}))
        except (json.JSONDecodeError, TypeError) as exc:
            log.warning("skipping malformed app health line %d in %s: %s", number, path, exc)
    return checks


def load_health_checks(session: WarehouseSession, settings: Settings) -> int:
    """Insert the log's checks not yet in OBSERVABILITY.APP_HEALTH_CHECKS; returns how many were added."""
    checks = read_checks(settings)
    if not checks:
        return 0
    known = set(session.query(f"select check_id from {TABLE}")["check_id"].astype(str))
    new = list({c.check_id: c for c in checks if c.check_id not in known}.values())
    if not new:
        return 0
    frame = pd.DataFrame(
        [{**asdict(c), "checked_at": pd.Timestamp(c.checked_at).to_pydatetime()} for c in new]
    )
    frame["http_status"] = frame["http_status"].astype("Int64")
    with session.transaction():
        session.insert_frame(TABLE, frame)
    return len(new)


class HealthProbe:
    """Checks the app every `interval` seconds on a daemon thread until `stop()`."""

    def __init__(self, settings: Settings, url: str, interval: float = PROBE_INTERVAL_SECONDS) -> None:
        self.settings = settings
        self.url = url
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="c360-app-health", daemon=True)

    def start(self) -> HealthProbe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=HTTP_TIMEOUT_SECONDS + 1)

    def _run(self) -> None:
        # the first check after one interval: Streamlit needs a few seconds to start
        while not self._stop.wait(self.interval):
            check = check_app(self.settings, self.url)
            if not check.is_healthy:
                log.warning("app health check failed: %s", check.detail)
            append_check(self.settings, check)
