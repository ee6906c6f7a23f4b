"""Churn model at full scale: train + score time and the temporal-validation metrics.

Runs `c360 train --force` in a child process on a private copy of the full-scale bench platform (built
with `c360 up` when missing): every run trains a challenger on the training cutoffs, validates it on the
later cutoff, scores all customers and rebuilds the profile. The first run also rebuilds the ML datasets
(dbt models/ml) so their build time is measured too.
"""

from __future__ import annotations

import shutil

from c360.bench.measure import c360_command, run_child
from c360.bench.registry import BenchContext, BenchSection, Metric, benchmark
from c360.bench.streaming import _ensure_platform
from c360.errors import C360Error

TRAIN_SCORE_TARGET_S = 30.0
TRAIN_SCORE_PARTS = ("load", "train", "validate", "importance", "score", "write")


@benchmark(
    "churn_model", "Churn model: train + score for the full portfolio, temporal-validation metrics", order=30
)
def bench_churn_model(ctx: BenchContext) -> BenchSection:
    source = _ensure_platform(ctx)
    home = ctx.fresh_home("churn_model")
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(source.home, home, ignore=shutil.ignore_patterns("*.wal", ".*", "snapshots"))

    reports, walls, rss = [], [], []
    for run in range(ctx.runs):
        args = ["train", "--force", "--home", str(home), "--format", "json"]
        if run == 0:
            args.insert(2, "--rebuild")
        child = run_child(c360_command(*args))
        if child.returncode != 0:
            raise C360Error(f"c360 train failed: {child.stderr.strip().splitlines()[-1:]}")
        reports.append(child.json())
        walls.append(child.seconds)
        rss.append(child.peak_rss_mb)
    shutil.rmtree(home, ignore_errors=True)

    def timing(part: str) -> tuple[float, ...]:
        return tuple(float(r["timings_seconds"].get(part, 0.0)) for r in reports)

    train_score = tuple(
        sum(float(r["timings_seconds"].get(p, 0.0)) for p in TRAIN_SCORE_PARTS) for r in reports
    )
    last = reports[-1]
    m = last["champion_metrics"]
    rows = last["rows"]
    cutoffs = last["cutoffs"]
    aucs = {round(float(r["champion_metrics"]["roc_auc"]), 6) for r in reports}
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
                "dbt build of the ML datasets (models/ml, first run)",
                "s",
                (float(reports[0]["dbt_seconds"].get("dbt_ml_datasets", 0.0)),),
            ),
            Metric(
                "dbt build of customer_360_profile+ (scores into the profile)",
                "s",
                tuple(float(r["dbt_seconds"]["dbt_profile"]) for r in reports),
            ),
            Metric("`c360 train --force` wall time (incl. interpreter start, dbt)", "s", tuple(walls)),
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
            f"{cutoffs['validation_cutoff']} ({rows['validation']:,} rows). {ctx.runs} runs of "
            "`c360 train --force` (the first with `--rebuild`).",
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
