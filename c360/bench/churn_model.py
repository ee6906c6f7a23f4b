"""Churn model at full scale: train + score time and the temporal-validation metrics.

Runs `c360 train` in a child process on a private copy of the full-scale bench platform (built with
`c360 up` when missing). The copy starts without a champion (its registry and model artifacts are
cleared), so every run does the whole job: train a challenger on the training cutoffs, validate it on the
later cutoff, explain it (permutation importance), score all customers, write the tables and the model
card, rebuild the profile. A first, unmeasured run with `--rebuild` rebuilds the ML datasets (dbt
models/ml) and times that build; the measured runs use `--force` (the data and seed are unchanged, so
each challenger equals the previous champion and is promoted as "not worse").
"""

from __future__ import annotations

import shutil
from pathlib import Path

from c360.bench.measure import ChildRun, c360_command, run_child
from c360.bench.platform import ensure_platform
from c360.bench.registry import BenchContext, BenchSection, Metric, benchmark
from c360.config import Settings
from c360.engines.duckdb import DuckDBSession
from c360.errors import C360Error
from c360.ml.registry import IMPORTANCE_TABLE, METRICS_TABLE, RUNS_TABLE

TRAIN_SCORE_TARGET_S = 30.0
TRAIN_SCORE_PARTS = ("load", "train", "validate", "importance", "score", "write")


@benchmark(
    "churn_model", "Churn model: train + score for the full portfolio, temporal-validation metrics", order=30
)
def bench_churn_model(ctx: BenchContext) -> BenchSection:
    source = ensure_platform(ctx)
    home = ctx.fresh_home("churn_model")
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(source.home, home, ignore=shutil.ignore_patterns("*.wal", ".*", "snapshots", "models"))
    _forget_champion(home)

    warmup = _train(home, "--force", "--rebuild")
    reports, walls, rss = [], [], []
    for _ in range(ctx.runs):
        child = _train(home, "--force")
        reports.append(child.json())
        walls.append(child.seconds)
        rss.append(child.peak_rss_mb)
    shutil.rmtree(home, ignore_errors=True)
    if any(r["status"] != "PROMOTED" for r in reports):
        raise C360Error(f"expected every run to promote its challenger: {[r['status'] for r in reports]}")

    def timing(part: str) -> tuple[float, ...]:
        return tuple(float(r["timings_seconds"].get(part, 0.0)) for r in reports)

    train_score = tuple(
        sum(float(r["timings_seconds"].get(p, 0.0)) for p in TRAIN_SCORE_PARTS) for r in reports
    )
    last = reports[-1]
    m = last["challenger_metrics"]
    rows = last["rows"]
    cutoffs = last["cutoffs"]
    aucs = {round(float(r["challenger_metrics"]["roc_auc"]), 6) for r in reports}
    lift = None if m["heuristic_roc_auc"] is None else m["roc_auc"] - m["heuristic_roc_auc"]
    train_rate = last.get("train_base_rate")

    def quality(name: str, value: float | None, target: float | None, higher: bool = True) -> Metric:
        return Metric(name, "", (float("nan") if value is None else float(value),), target, higher)

    return BenchSection(
        "churn_model",
        "Churn model: train + score for the full portfolio, temporal-validation metrics",
        metrics=[
            Metric(
                f"train + score {rows['scoring']:,} customers (load, fit, validate, importance, score, write)",
                "s",
                train_score,
                target=TRAIN_SCORE_TARGET_S,
            ),
            Metric("  fit (incl. calibration and threshold)", "s", timing("train")),
            Metric("  validation predictions (challenger + champion)", "s", timing("validate")),
            Metric("  permutation feature importance", "s", timing("importance")),
            Metric("  scoring every customer", "s", timing("score")),
            Metric("  writing predictions, metrics, run rows", "s", timing("write")),
            Metric("model card (markdown + 2 PNGs)", "s", timing("model_card")),
            Metric(
                "dbt build of the ML datasets (models/ml: features, labels, tests)",
                "s",
                (float(warmup.json()["dbt_seconds"]["dbt_ml_datasets"]),),
            ),
            Metric(
                "dbt build of customer_360_profile+ (scores into the profile)",
                "s",
                tuple(float(r["dbt_seconds"]["dbt_profile"]) for r in reports),
            ),
            Metric(
                "`c360 train --force` wall time (incl. interpreter start, profile dbt build)",
                "s",
                tuple(walls),
            ),
            Metric("`c360 train` peak RSS", "MB", tuple(rss)),
            quality("validation ROC-AUC", m["roc_auc"], 0.80),
            quality("validation ROC-AUC (leakage ceiling)", m["roc_auc"], 0.97, higher=False),
            quality("validation PR-AUC", m["pr_auc"], None),
            quality("validation F1", m["f1"], 0.50),
            quality("validation precision", m["precision"], 0.60),
            quality("validation recall", m["recall"], 0.40),
            quality("validation Brier score", m["brier_score"], None, higher=False),
            quality("heuristic ROC-AUC (90-day spend change < -30 %)", m["heuristic_roc_auc"], None),
            quality("ROC-AUC lift over the heuristic", lift, 0.05),
            quality("train base rate (population, all training cutoffs)", train_rate, None),
            quality("validation base rate", m["base_rate"], None),
        ],
        notes=[
            f"Platform: {rows['scoring']:,} customers, as-of {cutoffs['as_of']}; training cutoffs "
            f"{', '.join(cutoffs['train_cutoffs'])} ({rows['train']:,} rows), validation cutoff "
            f"{cutoffs['validation_cutoff']} ({rows['validation']:,} rows). {ctx.runs} measured runs of "
            "`c360 train --force` on a copy without a champion, after one `--rebuild` run that rebuilt the ML "
            "datasets.",
            f"Threshold {m['threshold']:.3f} (chosen on held-out training customers); confusion matrix at it: "
            f"TP {m['confusion']['true_positives']:,}, FP {m['confusion']['false_positives']:,}, "
            f"FN {m['confusion']['false_negatives']:,}, TN {m['confusion']['true_negatives']:,}; "
            f"expected calibration error {m['expected_calibration_error']:.4f}.",
            "Reproducibility: the seeded runs gave "
            + ("identical validation ROC-AUC." if len(aucs) == 1 else f"ROC-AUCs {sorted(aucs)}."),
            "Train + score excludes the dbt builds (listed separately) and the model card; it covers loading "
            "the ML datasets, validating them, fitting, calibrating, the temporal validation of challenger "
            "and champion, permutation importance, scoring every customer and writing the GOLD/"
            "OBSERVABILITY tables.",
        ],
        tables={
            "base rates per cutoff": [
                {k: r[k] for k in ("dataset", "cutoff_date", "customer_group", "customers", "churn_rate")}
                for r in last["base_rates"]
            ],
            "top features": list(last.get("top_features") or [])[:10],
        },
    )


def _train(home: Path, *flags: str) -> ChildRun:
    child = run_child(c360_command("train", *flags, "--home", str(home), "--format", "json"))
    if child.returncode != 0:
        raise C360Error(f"c360 train failed: {child.stderr.strip().splitlines()[-1:]}")
    return child


def _forget_champion(home: Path) -> None:
    """Clear the copy's model registry so every measured run trains, explains and promotes a model."""
    settings = Settings.load(target="local", home=home, env={})
    with DuckDBSession.open(settings.warehouse_path) as session:
        for table in (RUNS_TABLE, METRICS_TABLE, IMPORTANCE_TABLE):
            if session.table_exists(*table.split(".")[1:]):
                session.execute(f"delete from {table}")
