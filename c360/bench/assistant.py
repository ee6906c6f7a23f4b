"""The AI assistant: accuracy on the question set and latency per question on the full-scale platform.

Accuracy: tests/assistant/questions.yaml (dev and old holdout splits) and tests/assistant/blind/blind_v*.yaml (blind
sets written without seeing the assistant, development sets since issue 15) run end to end (parse ->
verified query or compiler -> guard -> DuckDB -> answer) and compared with hand-written reference SQL by result
set; reported per split, and for the compiler alone (verified queries switched off). Latency: a warm
assistant (one read-only snapshot session, as the app keeps one per role), per question, every run; plus the
wall time of a cold `c360 ask` process.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

from c360.assistant.evaluation import EvalSummary, evaluate, load_cases
from c360.assistant.local import LocalAnalyst
from c360.assistant.model import load_model
from c360.assistant.service import Assistant, platform_as_of
from c360.bench.measure import c360_command, run_child
from c360.bench.platform import ensure_platform
from c360.bench.registry import BenchContext, BenchSection, Metric, benchmark
from c360.config import Settings
from c360.engines.readers import open_reader
from c360.errors import C360Error
from c360.paths import REPO_ROOT
from c360.percentiles import percentile

QUESTIONS = REPO_ROOT / "tests" / "assistant" / "questions.yaml"
BLIND = REPO_ROOT / "tests" / "assistant" / "blind"
# blind sets (split -> file, status): written by helpers who never saw the assistant, each scored once on the
# assistant before it was changed for it (docs/assistant.md), then development sets
BLIND_SPLITS = {
    "blind_v1": (BLIND / "blind_v1.yaml", "a development set since issue 15"),
    "blind_v2": (BLIND / "blind_v2.yaml", "a development set since 2026-12-04"),
    "blind_final": (BLIND / "blind_final.yaml", "the sealed final set, a development set since 2026-12-04"),
}
BLIND_SETS = tuple(path for path, _ in BLIND_SPLITS.values())
SPLITS = (("dev", "dev split"), ("holdout", "old holdout split (written after the compiler)"))
LATENCY_TARGET_MS = 300.0
ACCURACY_TARGET_PCT = 95.0
COLD_QUESTIONS = (
    "How many customers are in each segment?",
    "What is the average spend of customers in California?",
    "Show spending trends in travel over the last 6 months",
)


@benchmark("assistant", "AI assistant: accuracy and latency", order=70)
def bench_assistant(ctx: BenchContext) -> BenchSection:
    settings = ensure_platform(ctx)
    cases = [case for path in (QUESTIONS, *BLIND_SETS) for case in load_cases(path)[1]]
    model = load_model()
    runs: list[EvalSummary] = []
    compiler_only: EvalSummary | None = None
    reference = open_reader(settings)
    session = open_reader(settings)
    try:
        from c360.engines.duckdb import DuckDBSession

        if not isinstance(reference, DuckDBSession):
            raise C360Error("the assistant benchmark reads its reference answers from the local warehouse")
        as_of = platform_as_of(session)
        analyst = LocalAnalyst.on_session(model, as_of, session)
        assistant = Assistant(settings, session, analyst, model, as_of=as_of, log_requests=False)
        for _ in range(ctx.runs):
            runs.append(evaluate(assistant, cases, reference.con, as_of))
        plain = Assistant(
            settings,
            session,
            LocalAnalyst(model, as_of, use_verified=False, values=analyst.parser.lk.values),
            model,
            as_of=as_of,
            log_requests=False,
        )
        compiler_only = evaluate(plain, cases, reference.con, as_of)
    finally:
        session.close()
        reference.close()
    cold = _cold_asks(settings, ctx.runs)
    warm_up = _cold_in_process(settings, ctx.runs)
    return _section(settings, as_of, runs, compiler_only, cold, warm_up)


def _section(
    settings: Settings,
    as_of: date,
    runs: list[EvalSummary],
    compiler_only: EvalSummary,
    cold: list[float],
    warm_up: list[float],
) -> BenchSection:
    first = runs[0].as_dict()
    latencies = [lat for run in runs for lat in run.latencies()]
    per_run_p95 = tuple(percentile(run.latencies(), 95) for run in runs)
    question_set = {"dev", "holdout"}
    metrics = [
        Metric(
            "answerable questions answered exactly right (questions.yaml: dev + old holdout)",
            "%",
            tuple(100 * _accuracy(r, question_set) for r in runs),
            target=ACCURACY_TARGET_PCT,
            higher_is_better=True,
        ),
        *(
            Metric(
                f"accuracy, {title}", "%", tuple(100 * r.accuracy(split) for r in runs), higher_is_better=True
            )
            for split, title in SPLITS
        ),
        *(
            Metric(
                f"accuracy, {split} (blind set, {BLIND_SPLITS.get(split, (None, 'a development set'))[1]})",
                "%",
                tuple(100 * r.accuracy(split) for r in runs),
                higher_is_better=True,
            )
            for split in _blind_splits(runs[0])
        ),
        Metric(
            "answerable questions answered wrong (not refused), all sets",
            "answers",
            tuple(float(sum(x.outcome == "wrong" for x in r.subset(refuse=False))) for r in runs),
        ),
        Metric(
            "accuracy, compiler alone (verified queries off)",
            "%",
            (100 * _accuracy(compiler_only, question_set),),
            higher_is_better=True,
        ),
        Metric(
            "wrong answers marked verified",
            "answers",
            tuple(float(len(r.verified_wrong)) for r in runs),
            target=0.0,
        ),
        Metric(
            "must-refuse questions refused",
            "%",
            tuple(100 * (1 - len(r.refusals_missed) / max(1, len(r.subset(refuse=True)))) for r in runs),
            target=100.0,
            higher_is_better=True,
        ),
        Metric("latency per question, warm assistant (all questions, all runs)", "ms", tuple(latencies)),
        Metric("p95 latency per question, per run", "ms", per_run_p95, target=LATENCY_TARGET_MS),
        Metric(
            "first answer in a fresh process: import, open snapshot, load model, answer", "s", tuple(warm_up)
        ),
        Metric(
            "cold `c360 ask` process (interpreter and every CLI command's imports included)", "s", tuple(cold)
        ),
    ]
    by_split = [
        {"split": split, "questions": total, "right": right, "accuracy %": round(100 * right / total, 1)}
        for split, (right, total) in runs[0].splits().items()
    ]
    by_source: dict[str, list[bool]] = defaultdict(list)
    for result in runs[0].results:
        by_source[result.case.source].append(result.correct)
    timing: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        for result in run.results:
            timing[result.case.id].append(result.latency_ms)
    slowest = sorted(runs[0].results, key=lambda r: -statistics.median(timing[r.case.id]))[:10]
    notes = [
        f"{settings.scale.customers:,} customers, as-of {as_of}; {first['cases']} questions "
        f"({first['answerable']} answerable, {first['must_refuse']} must-refuse; dev {first['dev_total']}, "
        f"holdout {first['holdout_total']}, "
        + ", ".join(f"{split} {first['splits'].get(split, {}).get('total', 0)}" for split in BLIND_SPLITS)
        + ") from tests/assistant/questions.yaml and tests/assistant/blind/*.yaml, compared by result set with "
        "hand-written reference SQL (a reference stored rounded is compared at its own precision; a personal "
        "column of the reference is shown through the assistant role's mask).",
        "blind_v1, blind_v2 and blind_final were written by helpers who never saw the assistant; their first "
        "scores, on the assistant before it was changed for them, are in docs/assistant.md (held-out slices). Since then they "
        "are development sets: the reader was changed by failure class, never per question; a sealed set "
        "measures the result (blind v3, scored once at the end of the third round).",
        f"Verified queries answered {first['verified_answers']} questions; the compiler alone scores "
        f"{100 * _accuracy(compiler_only, question_set):.1f}% on questions.yaml (the verified queries cover the "
        "onboarding questions only).",
        "Latency: one warm assistant on the read-only snapshot (the app keeps one per role), each question timed "
        "from the question to the finished answer (parse, verified match or compile, guard, DuckDB, baseline query, "
        f"answer sentence); {len(runs)} run(s). Target: p95 <= {LATENCY_TARGET_MS:.0f} ms per question.",
        "The slowest questions need transaction-level detail (channel, merchant, category, or a window starting "
        "mid-month) and scan the 13.5M-row fact table; the rest are answered from the customer profile or the "
        "customer-month table (aggregate navigation). The machine is shared with the other benchmarks and "
        "tests, so absolute latencies vary between runs (load average during this run in the notes below).",
    ]
    notes.append(
        f"Load average (1, 5, 15 min) at the end of the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())}."
    )
    if first["failures"]:
        notes.append("Not exactly right in run 1: " + "; ".join(first["failures"]))
    tables: dict[str, list[dict[str, object]]] = {
        "accuracy by split (run 1)": by_split,
        "accuracy by source (run 1)": [
            {
                "source": source,
                "questions": len(ok),
                "right": sum(ok),
                "accuracy %": round(100 * sum(ok) / len(ok), 1),
            }
            for source, ok in sorted(by_source.items())
        ],
        "slowest questions (median over runs)": [
            {
                "id": r.case.id,
                "question": r.case.question,
                "median ms": round(statistics.median(timing[r.case.id]), 1),
                "max ms": round(max(timing[r.case.id]), 1),
                "verified": "yes" if r.verified else "",
            }
            for r in slowest
        ],
    }
    return BenchSection("assistant", "AI assistant: accuracy and latency", metrics, notes, tables)


def _accuracy(summary: EvalSummary, splits: set[str]) -> float:
    answerable = [r for r in summary.subset(refuse=False) if r.case.split in splits]
    return sum(r.correct for r in answerable) / len(answerable) if answerable else float("nan")


def _blind_splits(summary: EvalSummary) -> list[str]:
    return [split for split in summary.splits() if split not in ("dev", "holdout")]


COLD_SCRIPT = (
    "import sys, time\n"
    "began = time.perf_counter()\n"
    "from c360.assistant import Assistant\n"
    "from c360.config import Settings\n"
    "settings = Settings.load(target='local', home=sys.argv[1], env={}, create_home=False)\n"
    "with Assistant.open(settings, log_requests=False) as assistant:\n"
    "    assistant.ask(sys.argv[2])\n"
    "print(time.perf_counter() - began)\n"
)


def _cold_in_process(settings: Settings, runs: int) -> list[float]:
    """A fresh interpreter importing only the assistant: what the app pays once per role."""
    seconds = []
    for i in range(runs):
        child = run_child(
            [sys.executable, "-c", COLD_SCRIPT, str(settings.home), COLD_QUESTIONS[i % len(COLD_QUESTIONS)]]
        )
        if child.returncode != 0:
            raise C360Error(f"the cold-start probe failed: {child.stderr.strip().splitlines()[-1:]}")
        seconds.append(float(child.stdout.strip().splitlines()[-1]))
    return seconds


def _cold_asks(settings: Settings, runs: int) -> list[float]:
    seconds = []
    for i in range(runs):
        question = COLD_QUESTIONS[i % len(COLD_QUESTIONS)]
        child = run_child(
            c360_command("ask", question, "--format", "json", "--home", str(Path(settings.home)))
        )
        if child.returncode != 0:
            raise C360Error(f"`c360 ask` failed: {child.stderr.strip().splitlines()[-1:]}")
        seconds.append(child.seconds)
    return seconds
