"""The benchmark registry and the values sections exchange."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from c360.config import Settings
from c360.percentiles import percentile


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    samples: tuple[float, ...]
    target: float | None = None  # the stated target, compared against the median
    higher_is_better: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def meets_target(self) -> bool | None:
        if self.target is None:
            return None
        return self.median >= self.target if self.higher_is_better else self.median <= self.target

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "unit": self.unit,
            "samples": list(self.samples),
            "median": self.median,
            "p95": self.p95,
            "target": self.target,
            "higher_is_better": self.higher_is_better,
            "meets_target": self.meets_target,
        }


@dataclass
class BenchSection:
    name: str
    title: str
    metrics: list[Metric] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: dict[str, list[dict[str, object]]] = field(default_factory=dict)  # extra detail tables
    order: int | None = None  # where it renders; default: its registered benchmark's order


@dataclass(frozen=True)
class BenchContext:
    settings: Settings  # full-scale settings; settings.home is the bench platform's home
    runs: int
    work_dir: Path  # scratch space for sections that need fresh homes

    def fresh_home(self, label: str) -> Path:
        return self.work_dir / label


BenchFn = Callable[[BenchContext], BenchSection]


@dataclass(frozen=True)
class Registered:
    name: str
    title: str
    order: int
    fn: BenchFn


BENCHMARKS: dict[str, Registered] = {}


def benchmark(name: str, title: str, order: int) -> Callable[[BenchFn], BenchFn]:
    def register(fn: BenchFn) -> BenchFn:
        BENCHMARKS[name] = Registered(name, title, order, fn)
        return fn

    return register


def ordered(names: Sequence[str] | None = None) -> list[Registered]:
    chosen = [b for b in BENCHMARKS.values() if not names or b.name in names]
    return sorted(chosen, key=lambda b: b.order)
