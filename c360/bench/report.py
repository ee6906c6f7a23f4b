"""docs/benchmarks.json (raw results per section) and docs/benchmarks.md (rendered from it)."""

from __future__ import annotations

import contextlib
import json
import os
import platform
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from c360.bench.registry import BenchSection


def machine_description() -> dict[str, object]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "unknown"
    versions = {}
    for package in ("duckdb", "dbt-core", "dbt-duckdb", "pandas", "streamlit", "scikit-learn"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": versions,
    }


def section_dict(section: BenchSection) -> dict[str, object]:
    return {
        "name": section.name,
        "title": section.title,
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "machine": machine_description(),
        "metrics": [m.as_dict() for m in section.metrics],
        "notes": section.notes,
        "tables": section.tables,
    }


def save(docs_dir: Path, sections: list[BenchSection], order: dict[str, int]) -> Path:
    raw_path = docs_dir / "benchmarks.json"
    raw: dict[str, dict[str, Any]] = json.loads(raw_path.read_text()) if raw_path.exists() else {}
    for section in sections:
        position = section.order if section.order is not None else order.get(section.name, 999)
        raw[section.name] = section_dict(section) | {"order": position}
    raw_path.write_text(json.dumps(raw, indent=2, default=str) + "\n")
    md_path = docs_dir / "benchmarks.md"
    md_path.write_text(render(raw))
    return md_path


def render(raw: dict[str, dict[str, Any]]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Measured by `c360 bench` (or `make bench`); every number below is a measurement on the machine",
        "described with its section, never an assertion in a test. Medians unless stated; p95 where a",
        "latency distribution matters. Re-measure one section with `c360 bench --only <name>`.",
        "",
    ]
    for section in sorted(raw.values(), key=lambda s: (s.get("order", 999), s["name"])):
        machine = section["machine"]
        lines += [
            f"## {section['title']}",
            "",
            f"Measured {section['measured_at']} on {machine['cpu']} ({machine['logical_cores']} logical cores, "
            f"{machine['memory']} RAM), {machine['os']}, Python {machine['python']}"
            + (
                ", " + ", ".join(f"{k} {v}" for k, v in machine.get("packages", {}).items())
                if machine.get("packages")
                else ""
            )
            + ".",
            "",
        ]
        if section["metrics"]:
            lines += ["| metric | median | p95 | runs | target | verdict |", "|---|---:|---:|---:|---:|---|"]
            for m in section["metrics"]:
                target = (
                    ""
                    if m["target"] is None
                    else f"{'≥' if m['higher_is_better'] else '≤'} {_num(m['target'])} {m['unit']}"
                )
                verdict = {True: "meets target", False: "**misses target**", None: ""}[m["meets_target"]]
                lines.append(
                    f"| {m['name']} | {_num(m['median'])} {m['unit']} | {_num(m['p95'])} {m['unit']} | "
                    f"{len(m['samples'])} | {target} | {verdict} |"
                )
            lines.append("")
        for title, rows in section.get("tables", {}).items():
            if not rows:
                continue
            columns = list(rows[0])
            lines += [f"**{title}**", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
            lines += ["| " + " | ".join(_num(r.get(c)) for c in columns) + " |" for r in rows]
            lines.append("")
        lines += [f"- {note}" for note in section["notes"]]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _num(value: object) -> str:
    if isinstance(value, float):
        if value != value:
            return "n/a"
        return (
            f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3f}"
        )
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)
