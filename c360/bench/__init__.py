"""`c360 bench`: measured speed and memory, written to docs/benchmarks.md.

Each feature registers a section with `@benchmark(name, title, order)` in its own module under
c360/bench/ and lists that module in SECTION_MODULES below. A section function receives a
BenchContext and returns a BenchSection (metric rows with median / p95 / target / verdict).
`c360 bench --only NAME` re-measures one section and keeps the others' last results
(docs/benchmarks.json holds the raw results; the Markdown is rendered from it).
"""

from __future__ import annotations

SECTION_MODULES: tuple[str, ...] = (
    "c360.bench.generation",
    "c360.bench.dbt",
    "c360.bench.data_quality",
    "c360.bench.churn_model",
    "c360.bench.app",
    "c360.bench.assistant",
    "c360.bench.streaming",
    "c360.bench.governance",
    "c360.bench.scale",
)
