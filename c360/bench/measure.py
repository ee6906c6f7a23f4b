"""Run a command in a child process and measure its wall time and peak RSS."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from c360.errors import C360Error

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        """The command's JSON document: the last one on stdout (a library may have printed a line first).
        Its values are typed by each command's `--format json` contract, which the caller reads."""
        try:
            return _document(json.loads(self.stdout))
        except json.JSONDecodeError:
            starts = [
                i for i, line in enumerate(self.stdout.splitlines(keepends=True)) if line.startswith("{")
            ]
            lines = self.stdout.splitlines(keepends=True)
            for start in reversed(starts):
                try:
                    document = json.loads("".join(lines[start:]))
                except json.JSONDecodeError:
                    continue
                log.warning(
                    "the child printed more than its JSON on stdout: %r", "".join(lines[:start])[:300]
                )
                return _document(document)
            raise


def _document(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise C360Error(f"expected a JSON object on the child's stdout, got {type(value).__name__}")
    return value


def run_child(args: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 3600) -> ChildRun:
    """Wall time and peak resident set size (MB) of a child started with `c360_command`."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        list(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    seconds = time.perf_counter() - began
    return ChildRun(seconds, _peak_from_stderr(err), proc.returncode, out, err)


RSS_MARKER = "C360_PEAK_RSS_KB="


def c360_command(*args: str) -> list[str]:
    """`c360 ...` in a child interpreter that reports its own peak RSS on exit."""
    code = (
        "import resource, sys, atexit\n"
        "from c360.cli.main import app\n"
        f"atexit.register(lambda: sys.stderr.write('\\n{RSS_MARKER}%d\\n' % "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
        "sys.argv = ['c360', *sys.argv[1:]]\n"
        "app()\n"
    )
    return [sys.executable, "-c", code, *args]


def _peak_from_stderr(stderr: str) -> float:
    for line in reversed(stderr.splitlines()):
        if line.startswith(RSS_MARKER):
            return int(line[len(RSS_MARKER) :]) / 1024
    return float("nan")
