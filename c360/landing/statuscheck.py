"""`c360 status` as the crash-safety harnesses see it after a run (c360/bench/faultinjection.py,
c360/bench/fulldisk.py): the real command's exit code, its open alerts and its ingest queue.

The command's contract (c360/cli/status.py, issue 16): exit 2 while a critical alert is open, else 0. A
fault-injection or full-disk run can leave one open on purpose (files that failed to load fire the critical
`pipe_failure_rate`; a dbt refresh that failed fires `gold_model_failed`), so the harnesses do not expect 0:
they expect the critical alerts `c360 status` lists to be exactly the critical rules whose condition is
breached on the data readers see (each rule's own SQL, c360/alerts/rules.py, run on the published
snapshot), and the exit code to follow from them. An alert left open or never fired by a killed run, or an
exit code that ignores an open alert, fails the check. The alerts that fired during the run are reported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from c360.alerts.evaluation import ALERTS_DIR, OUTBOX_FILE, observe
from c360.alerts.rules import RULES, Severity
from c360.config import Settings, child_process_env
from c360.engines.readers import open_reader
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
    breached_critical: tuple[str, ...] | None = None  # critical rules breached on the published data

    @property
    def expected_exit_code(self) -> int:
        return STATUS_EXIT_CRITICAL if self.critical_alerts else 0

    @property
    def consistent(self) -> bool:
        """The output was read, the exit code is the one its open alerts call for, and (when the data was
        checked) the open critical alerts are exactly the breached critical rules."""
        agrees = self.breached_critical is None or set(self.breached_critical) == set(self.critical_alerts)
        return not self.error and self.exit_code == self.expected_exit_code and agrees

    @property
    def queue_empty(self) -> bool:
        return self.waiting == self.in_flight == self.failed == 0

    def as_dict(self) -> dict[str, object]:
        return {
            "exit_code": self.exit_code,
            "expected_exit_code": self.expected_exit_code,
            "open_alerts": list(self.open_alerts),
            "critical_alerts": list(self.critical_alerts),
            "breached_critical_rules": None
            if self.breached_critical is None
            else list(self.breached_critical),
            "queue": {"waiting": self.waiting, "in_flight": self.in_flight, "failed": self.failed},
            "error": self.error,
        }


def run_status(settings: Settings, timeout: float = 600.0) -> StatusCheck:
    """Run `c360 status --format json` (a child process, as an operator or a cron job runs it), and check
    its critical alerts against the critical rules breached on the published snapshot."""
    command = [
        sys.executable,
        "-m",
        "c360.cli.main",
        "status",
        "--home",
        str(settings.home),
        "--format",
        "json",
    ]
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=child_process_env({ENV_VAR: ""}),
        timeout=timeout,
        check=False,
    )
    check = parse_status(proc.returncode, proc.stdout, proc.stderr)
    return replace(check, breached_critical=breached_rules(settings, Severity.CRITICAL))


def breached_rules(settings: Settings, severity: Severity) -> tuple[str, ...]:
    """The rules of `severity` whose condition is breached on what readers see (the published snapshot)."""
    session = open_reader(settings)
    try:
        observations = [observe(session, rule) for rule in RULES if rule.severity is severity]
    finally:
        session.close()
    return tuple(o.rule.name for o in observations if o.breached)


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
