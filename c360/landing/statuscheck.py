"""`c360 status` as the crash-safety harnesses see it after a run (c360/landing/faultinjection.py,
c360/landing/fulldisk.py): the real command's exit code, its open alerts and its ingest queue.

The command's contract (c360/cli/status.py, issue 16): exit 2 while a critical alert is open, else 0. A
fault-injection or full-disk run can leave one open on purpose (files that failed to load fire the critical
`pipe_failure_rate`; a dbt refresh that failed fires `gold_model_failed`), so the harnesses check that the
exit code agrees with the alerts the command lists, not that it is 0, and report which alerts fired.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from c360.alerts.evaluation import ALERTS_DIR, OUTBOX_FILE
from c360.alerts.rules import Severity
from c360.config import child_process_env
from c360.faults import ENV_VAR

STATUS_EXIT_CRITICAL = 2  # c360/cli/status.py


@dataclass(frozen=True)
class StatusCheck:
    exit_code: int
    open_alerts: tuple[str, ...]  # rule names, in the order `c360 status` lists them
    critical_alerts: tuple[str, ...]
    waiting: int
    in_flight: int
    failed: int
    error: str = ""  # why the output could not be read ("" when it could)

    @property
    def expected_exit_code(self) -> int:
        return STATUS_EXIT_CRITICAL if self.critical_alerts else 0

    @property
    def consistent(self) -> bool:
        """The output was read and the exit code is the one its open alerts call for."""
        return not self.error and self.exit_code == self.expected_exit_code

    @property
    def queue_empty(self) -> bool:
        return self.waiting == self.in_flight == self.failed == 0

    def as_dict(self) -> dict[str, object]:
        return {
            "exit_code": self.exit_code,
            "expected_exit_code": self.expected_exit_code,
            "open_alerts": list(self.open_alerts),
            "critical_alerts": list(self.critical_alerts),
            "queue": {"waiting": self.waiting, "in_flight": self.in_flight, "failed": self.failed},
            "error": self.error,
        }


def run_status(home: Path, timeout: float = 600.0) -> StatusCheck:
    """Run `c360 status --format json` on `home` (a child process, as an operator or a cron job runs it)."""
    command = [sys.executable, "-m", "c360.cli.main", "status", "--home", str(home), "--format", "json"]
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=child_process_env({ENV_VAR: ""}),
        timeout=timeout,
        check=False,
    )
    return parse_status(proc.returncode, proc.stdout, proc.stderr)


def parse_status(exit_code: int, stdout: str, stderr: str = "") -> StatusCheck:
    try:
        payload = json.loads(stdout)
        alerts = payload["alerts"]
        opened = [str(e["rule_name"]) for e in alerts["open"]]
        critical = [
            str(e["rule_name"]) for e in alerts["open"] if e.get("severity") == Severity.CRITICAL.value
        ]
        queue = payload.get("ingest queue") or {"waiting": 0, "in_flight": 0, "failed": 0}
        return StatusCheck(
            exit_code,
            tuple(opened),
            tuple(critical),
            int(queue["waiting"]),
            int(queue["in_flight"]),
            int(queue["failed"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        tail = " | ".join(line for line in stderr.strip().splitlines()[-3:] if line.strip())
        return StatusCheck(exit_code, (), (), 0, 0, 0, f"unreadable `c360 status` output ({exc}): {tail}")


def alerts_fired(home: Path, since: datetime | None = None) -> dict[str, int]:
    """How often each rule fired (the local outbox, $C360_HOME/alerts/outbox.jsonl), since `since`."""
    outbox = home / ALERTS_DIR / OUTBOX_FILE
    fired: Counter[str] = Counter()
    if not outbox.is_file():
        return {}
    for line in outbox.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        if event.get("state") != "FIRED":
            continue
        if since is not None and datetime.fromisoformat(str(event["at"])) < since.replace(microsecond=0):
            continue
        fired[str(event["rule"])] += 1
    return dict(sorted(fired.items()))
