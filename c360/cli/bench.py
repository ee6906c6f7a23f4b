"""`c360 bench`: measure speed and memory at full scale; write docs/benchmarks.md."""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from c360.bench import SECTION_MODULES
from c360.bench.registry import BENCHMARKS, BenchContext, ordered
from c360.bench.report import save
from c360.cli.options import HomeOption
from c360.cli.output import fail, stderr
from c360.config import Settings
from c360.errors import C360Error
from c360.paths import DOCS_DIR


def bench(
    only: Annotated[
        list[str] | None, typer.Option("--only", help="measure only these sections (repeatable)")
    ] = None,
    runs: Annotated[int, typer.Option(help="repetitions per measurement", min=1, max=50)] = 3,
    customers: Annotated[int | None, typer.Option(help="scale (default 50,000)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="as-of date of the bench platform")] = None,
    home: HomeOption = None,
    docs: Annotated[Path, typer.Option(help="where benchmarks.md/.json are written")] = DOCS_DIR,
) -> None:
    """Measure every registered section (or --only some) and write docs/benchmarks.md."""
    for module in SECTION_MODULES:
        importlib.import_module(module)
    unknown = sorted(set(only or ()) - set(BENCHMARKS))
    if unknown:
        fail(f"unknown benchmark section(s) {', '.join(unknown)}: choose from {', '.join(BENCHMARKS)}")
    try:
        settings = Settings.load(customers=customers, as_of=as_of, home=home or _default_home())
    except C360Error as exc:
        fail(str(exc))
    sections = []
    with tempfile.TemporaryDirectory(prefix="c360-bench-", dir=settings.home.parent) as scratch:
        ctx = BenchContext(settings, runs, Path(scratch))
        for entry in ordered(only):
            stderr.print(f"[bold]bench[/] {entry.name}: {entry.title}")
            try:
                section = entry.fn(ctx)
            except C360Error as exc:
                fail(f"benchmark {entry.name} failed: {exc}")
            sections.append(section)
            for metric in section.metrics:
                stderr.print(
                    f"  {metric.name}: median {metric.median:,.3f} {metric.unit} (p95 {metric.p95:,.3f})"
                )
    path = save(docs, sections, {b.name: b.order for b in BENCHMARKS.values()})
    stderr.print(f"wrote {path}")


def _default_home() -> Path:
    return Path(".c360-bench")
