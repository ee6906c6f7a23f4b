"""docs/model_card.md (and its ROC / calibration PNGs), regenerated from a training run's outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from c360.ml.evaluation import HEURISTIC_SPEND_CHANGE, Curves, Metrics
from c360.ml.features import FEATURES
from c360.ml.policy import TrainingPolicy
from c360.ml.trainer import TrainedModel
from c360.names import HIGH_RISK_THRESHOLD, LAPSED_AFTER_DAYS, MEDIUM_RISK_THRESHOLD, RISK_CATEGORIES
from c360.values import as_float, as_int

if TYPE_CHECKING:
    from c360.ml.training import TrainingOutcome

log = logging.getLogger(__name__)

CARD_FILE = "model_card.md"
ROC_FILE = "churn_model_roc.png"
CALIBRATION_FILE = "churn_model_calibration.png"


def render_model_card(
    folder: Path,
    outcome: TrainingOutcome,
    model: TrainedModel,
    model_curves: Curves,
    importance: list[dict[str, object]],
    trainer_config: dict[str, object],
    policy: TrainingPolicy,
) -> Path:
    """Write model_card.md plus the two PNGs into `folder`; return the card's path."""
    folder.mkdir(parents=True, exist_ok=True)
    _plot_roc(folder / ROC_FILE, model_curves, outcome.champion_metrics)
    _plot_calibration(folder / CALIBRATION_FILE, model_curves)
    path = folder / CARD_FILE
    path.write_text(_markdown(outcome, model, importance, trainer_config, policy))
    log.info("model card written to %s", path)
    return path


def _active_section(
    add: Callable[[str], None], outcome: TrainingOutcome, lapsed_days: int, label: dict[str, float]
) -> None:
    """Metrics on active customers only (the banded ones), next to the whole population's, and what each
    band means on the hold-out (observed churn rate)."""
    a, m = outcome.active_metrics, outcome.champion_metrics
    add("### On active customers only (the ones that get a risk band)")
    add("")
    add(
        f"The population above includes customers who were idle for {lapsed_days}-"
        f"{label['population_active_days'] - 1} days at the cutoff; they are already lapsed by the label's own "
        "rule and easy to predict, which flatters the headline figures. Scoring gives bands only to customers "
        f"with an approved transaction in the {lapsed_days} days before the as-of date, so this is the honest "
        "measure of the bands. Same model, same validation cutoff, same threshold."
    )
    add("")
    if a is None or m is None:
        add("_Not computed on this run (too few active validation customers or only one class)._")
        add("")
    else:
        add("| metric | active customers only | whole population (the gates) |")
        add("|---|---:|---:|")
        add(f"| validation customers | {a.rows:,} | {m.rows:,} |")
        add(f"| churn rate | {_pct(a.base_rate)} | {_pct(m.base_rate)} |")
        add(f"| ROC-AUC | {_num(a.roc_auc)} | {_num(m.roc_auc)} |")
        add(f"| PR-AUC | {_num(a.pr_auc)} | {_num(m.pr_auc)} |")
        add(f"| F1 at the threshold | {_num(a.f1)} | {_num(m.f1)} |")
        add(f"| precision | {_num(a.precision)} | {_num(m.precision)} |")
        add(f"| recall | {_num(a.recall)} | {_num(m.recall)} |")
        add(f"| Brier score | {_num(a.brier_score, 4)} | {_num(m.brier_score, 4)} |")
        add(
            f"| heuristic ROC-AUC (spend change) | {_num(a.heuristic_roc_auc)} | {_num(m.heuristic_roc_auc)} |"
        )
        add("")
    if outcome.band_rates:
        add(
            "What each band means on the hold-out (active validation customers, banded by the model's score):"
        )
        add("")
        add("| band | score range | customers | share | mean predicted churn | observed churn rate |")
        add("|---|---|---:|---:|---:|---:|")
        total = sum(b.customers for b in outcome.band_rates)
        for b in outcome.band_rates:
            upper = "100" if b.score_to is None else f"< {b.score_to:g}"
            add(
                f"| {b.band} | >= {b.score_from:g}, {upper} | {b.customers:,} | "
                f"{_pct(b.customers / total if total else None)} | {_pct(b.mean_probability)} | "
                f"{_pct(b.observed_churn_rate)} |"
            )
        add("")


# ---- plots ---------------------------------------------------------------------------------------


def _use_agg() -> None:
    """The non-interactive backend, chosen before pyplot is imported (matplotlib loads only for plots)."""
    import matplotlib

    matplotlib.use("Agg")


def _plot_roc(path: Path, c: Curves, metrics: Metrics | None) -> None:
    _use_agg()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 4.6), dpi=110)
    label = f"model (ROC-AUC {metrics.roc_auc:.3f})" if metrics else "model"
    ax.plot(c.fpr, c.tpr, color="#1f6feb", lw=2, label=label)
    if c.heuristic_fpr:
        h_label = "90-day spend-change heuristic"
        if metrics and metrics.heuristic_roc_auc is not None:
            h_label += f" ({metrics.heuristic_roc_auc:.3f})"
        ax.plot(c.heuristic_fpr, c.heuristic_tpr, color="#d29922", lw=1.5, ls="--", label=h_label)
    ax.plot([0, 1], [0, 1], color="#8b949e", lw=1, ls=":", label="chance")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC on the temporal hold-out (validation cutoff)")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _plot_calibration(path: Path, c: Curves) -> None:
    _use_agg()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 4.6), dpi=110)
    predicted = [b[0] for b in c.calibration]
    observed = [b[1] for b in c.calibration]
    sizes = [b[2] for b in c.calibration]
    ax.plot([0, 1], [0, 1], color="#8b949e", lw=1, ls=":", label="perfect calibration")
    ax.plot(predicted, observed, color="#1f6feb", marker="o", lw=1.5, label="model")
    for x, y, n in zip(predicted, observed, sizes, strict=True):
        ax.annotate(
            f"{n:,}", (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7, color="#57606a"
        )
    ax.set_xlabel("mean predicted probability (10 bins)")
    ax.set_ylabel("observed churn rate")
    ax.set_title("Calibration on the temporal hold-out")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# ---- markdown ------------------------------------------------------------------------------------


def _pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:.{digits}f} %"


def _num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _markdown(
    outcome: TrainingOutcome,
    model: TrainedModel,
    importance: list[dict[str, object]],
    trainer_config: dict[str, object],
    policy: TrainingPolicy,
) -> str:
    data = outcome.data
    assert data is not None
    m = outcome.champion_metrics
    cut = data.cutoffs
    label = cut.label
    lapsed_days = int(label.get("lapsed_after_days", LAPSED_AFTER_DAYS))
    lines: list[str] = []
    add = lines.append
    add("# Churn model card")
    add("")
    add(
        "_Generated by the churn-model training run "
        f"`{outcome.training_run_id}` (`c360 train` / the `churn_model` step of `c360 up`). "
        "Do not edit by hand: `c360 train --docs docs` rewrites it._"
    )
    add("")
    add("| | |")
    add("|---|---|")
    add(f"| model version | `{model.version}` |")
    add(f"| trainer | {model.trainer} ({trainer_config.get('algorithm', model.trainer)}) |")
    add(f"| trained at | {model.trained_at.isoformat(sep=' ')} |")
    add(f"| last run | **{outcome.status}**: {outcome.reason} |")
    add(f"| as-of date | {cut.as_of.isoformat()} |")
    add(f"| training cutoffs | {', '.join(d.isoformat() for d in cut.train)} |")
    add(f"| validation cutoff (temporal hold-out) | {cut.validation.isoformat()} |")
    add(f"| decision threshold | {model.threshold:.3f} |")
    add("")

    add("## What it predicts")
    add("")
    add(
        "The probability that a cardholder **churns in the next "
        f"{label['label_horizon_days']} days** after a cutoff date T. A customer churned if, in the window "
        f"[T, T + {label['label_horizon_days']} days):"
    )
    add("")
    add(
        f"- they made no approved transaction for **{label['label_inactive_days']}+ consecutive days** "
        "(counted from T and up to the end of the window; no transaction at all counts as the whole window), or"
    )
    add(
        f"- their average monthly approved spend in the window fell below **{label['label_spend_ratio']:.0%} "
        "of their baseline**: the average monthly approved spend over the "
        f"{label['baseline_days']} days before T (over the part of that year the account was open and history "
        f"exists, at least {label['min_baseline_days']} days)."
    )
    add("")
    add(
        "**Population** at a cutoff: customers with at least one approved transaction in the "
        f"{label['population_active_days']} days before it (training and the quality gates). **Scoring and "
        f"the risk bands cover active customers only**: an approved transaction in the "
        f"{lapsed_days} days before the as-of date. A customer without one has already met the label's "
        "inactivity rule: they are **Lapsed** (no score, no band; the win-back audience, not a retention "
        "target). Their observed churn rate at the training cutoffs"
        + (f" ({_pct(model.lapsed_churn_rate)})" if model.lapsed_churn_rate is not None else "")
        + " is why a score would add nothing. Accounts younger than that without a transaction are not scored."
    )
    add("")
    add(
        "**No leakage by construction**: every feature at cutoff T reads only transactions dated before T "
        "(and the card version recorded by T); the label reads only [T, T + horizon). The model trains on the "
        "training cutoffs, whose outcome windows all end by the validation cutoff, and is validated on a later "
        "cutoff whose outcomes it never saw. The generator's hidden columns (segment, decline type, attrition "
        "date/type) and the campaign assignment are never features (tests/unit/ml and tests/integration/ml check both, including a shift test)."
    )
    add("")

    add("## Data")
    add("")
    add("| split | cutoff | rows (population) | churn rate | lapsed customers | their churn rate |")
    add("|---|---|---:|---:|---:|---:|")
    rates = data.base_rates
    for cutoff in sorted(set(rates["cutoff_date"])):
        at = rates[rates["cutoff_date"] == cutoff]
        population = at[at["customer_group"] == "population"]
        lapsed = at[at["customer_group"] == "lapsed"]
        split = str(at.iloc[0]["dataset"])
        pop_n = int(population["customers"].sum())
        lap_n = int(lapsed["customers"].sum())
        add(
            f"| {split} | {_date(cutoff)} | {pop_n:,} | "
            f"{_pct(float(population['churn_rate'].iloc[0]) if pop_n else None)} | {lap_n:,} | "
            f"{_pct(float(lapsed['churn_rate'].iloc[0]) if lap_n else None)} |"
        )
    add("")
    add(
        f"Training rows: {len(data.train):,} (all training cutoffs; a customer appears once per cutoff). "
        f"Validation rows: {len(data.validation):,}. Customers at the as-of date: {len(data.scoring):,} "
        "(the active ones are scored; see Threshold choice). Built by the dbt models in `dbt/models/ml/` "
        "from the gold star schema."
    )
    add("")

    add("## Validation metrics (temporal hold-out)")
    add("")
    if m is not None:
        lift = None if m.heuristic_roc_auc is None else m.roc_auc - m.heuristic_roc_auc
        add("| metric | value | target |")
        add("|---|---:|---|")
        add(
            f"| ROC-AUC | {_num(m.roc_auc)} (95 % CI {_num(m.roc_auc - 1.96 * m.roc_auc_se)}-"
            f"{_num(m.roc_auc + 1.96 * m.roc_auc_se)}, Hanley-McNeil) | >= {policy.min_roc_auc:.2f} and <= "
            f"{policy.max_roc_auc:.2f} (above: suspected leakage, the run fails) |"
        )
        add(f"| PR-AUC (average precision) | {_num(m.pr_auc)} | base rate {_pct(m.base_rate)} |")
        add(f"| F1 at the threshold | {_num(m.f1)} | >= {policy.min_f1:.2f} |")
        add(f"| precision | {_num(m.precision)} | >= {policy.min_precision:.2f} |")
        add(f"| recall | {_num(m.recall)} | >= {policy.min_recall:.2f} |")
        add(f"| accuracy | {_num(m.accuracy)} | |")
        add(
            f"| Brier score | {_num(m.brier_score, 4)} | lower is better (base-rate-only model: {m.base_rate * (1 - m.base_rate):.4f}) |"
        )
        add(f"| expected calibration error (10 bins) | {_num(m.expected_calibration_error, 4)} | |")
        add(
            f"| heuristic ROC-AUC (90-day spend change < {HEURISTIC_SPEND_CHANGE:.0%}) | {_num(m.heuristic_roc_auc)} | "
            f"model must beat it by >= {policy.min_heuristic_lift:.2f} (lift {_num(lift)}) |"
        )
        if m.heuristic_f1 is not None:
            add(
                f"| heuristic flag: F1 / precision / recall | {_num(m.heuristic_f1)} / "
                f"{_num(m.heuristic_precision)} / {_num(m.heuristic_recall)} | |"
            )
        add("")
        c = m.confusion
        add(f"Confusion matrix on {m.rows:,} validation customers at threshold {m.threshold:.3f}:")
        add("")
        add("| | predicted churn | predicted stay |")
        add("|---|---:|---:|")
        add(f"| churned | {c.true_positives:,} (TP) | {c.false_negatives:,} (FN) |")
        add(f"| stayed | {c.false_positives:,} (FP) | {c.true_negatives:,} (TN) |")
        add("")
    add(f"![ROC curve]({ROC_FILE}) ![Calibration]({CALIBRATION_FILE})")
    add("")
    _active_section(add, outcome, lapsed_days, label)

    add("## Threshold choice")
    add("")
    holdout = model.holdout_metrics
    add(
        f"`predicted_churn` flags probability >= **{model.threshold:.3f}**. The threshold was chosen on held-out "
        "*training* rows (customers kept out of the fit, never the validation cutoff): the best F1 among "
        f"thresholds with precision >= {policy.min_precision:.2f}, so a retention campaign mostly reaches real "
        "churners."
        + (
            f" On those rows: F1 {holdout.f1:.3f}, precision {holdout.precision:.3f}, recall {holdout.recall:.3f}."
            if holdout
            else ""
        )
    )
    add(
        "The risk bands rank **active** customers by the calibrated probability (`churn_risk_score` = "
        f"probability x 100; `c360/names.py`): **High Risk** >= {HIGH_RISK_THRESHOLD} (more likely than not to "
        f"churn in {label['label_horizon_days']} days), **Medium Risk** >= {MEDIUM_RISK_THRESHOLD} (at least the "
        "portfolio's typical churn rate), else **Low Risk**. Lapsed customers are **Lapsed**, not a band."
    )
    add("")
    if outcome.scoring is not None:
        sc = outcome.scoring
        basis = sc.by_basis
        add(
            f"Scored at {sc.scored_at.isoformat(sep=' ')}: {sc.scored:,} active customers. Not scored: "
            f"{basis.get('lapsed', 0):,} lapsed (no approved transaction in {lapsed_days} days: the win-back "
            f"audience) and {basis.get('new', 0):,} new accounts without a transaction."
        )
        add("")
        add("| risk band | customers | share of scored active customers |")
        add("|---|---:|---:|")
        for category in RISK_CATEGORIES:
            n = sc.by_category.get(category, 0)
            add(f"| {category} | {n:,} | {_pct(n / sc.scored if sc.scored else None)} |")
        add(f"| predicted_churn = true | {sc.predicted_churners:,} | |")
        add(f"| Lapsed (no band) | {basis.get('lapsed', 0):,} | |")
        add("")

    add("## Features")
    add("")
    ranks = {str(r["feature"]): r for r in importance}
    add(
        f"{len(FEATURES)} features, identical in training and scoring (`c360/ml/features.py`, dbt macro `ml_feature_columns`)."
    )
    if importance:
        add("Importance: " + _importance_method(outcome) + ".")
    add("")
    add("| # | feature | group | definition | importance |")
    add("|---:|---|---|---|---:|")
    ordered = sorted(FEATURES, key=lambda f: as_int(ranks[f.name]["rank"]) if f.name in ranks else 10_000)
    for i, f in enumerate(ordered, 1):
        value = ranks.get(f.name, {}).get("importance")
        add(
            f"| {i} | `{f.name}` | {f.group} | {f.description} | {_num(as_float(value), 4) if value is not None else ''} |"
        )
    add("")

    add("## Champion / challenger")
    add("")
    add(
        "A retrained model (challenger) replaces the current one (champion) only if, on the same validation "
        f"rows, its ROC-AUC and PR-AUC are not worse (tolerance {policy.comparison_tolerance}); a challenger "
        "that misses a quality gate never scores. Every attempt is a row in "
        "`OBSERVABILITY.CHURN_TRAINING_RUNS`; metrics are in `GOLD.CHURN_MODEL_METRICS`, importance in "
        "`GOLD.CHURN_FEATURE_IMPORTANCE`, scores in `GOLD.CHURN_PREDICTIONS`."
    )
    add("")
    add("| model | role | ROC-AUC | PR-AUC | F1 | precision | recall |")
    add("|---|---|---:|---:|---:|---:|---:|")
    for version, role, metrics in (
        (outcome.challenger_version, "challenger", outcome.challenger_metrics),
        (outcome.champion_version_before, "previous champion", outcome.previous_champion_metrics),
    ):
        if version and metrics:
            add(
                f"| `{version}` | {role} | {metrics.roc_auc:.4f} | {metrics.pr_auc:.4f} | {metrics.f1:.3f} | "
                f"{metrics.precision:.3f} | {metrics.recall:.3f} |"
            )
    add("")

    add("## Training configuration")
    add("")
    for key, value in {
        **trainer_config,
        **{k: v for k, v in model.params.items() if k not in trainer_config},
    }.items():
        add(f"- `{key}`: {value}")
    for note in model.training_notes:
        add(f"- {note}")
    add("")

    add("## Limitations")
    add("")
    add(
        "- **Synthetic data.** The portfolio is generated (`generators/`): attrition is planted with a visible "
        "ramp-down for most attriters, which is why recency/trend features dominate and ROC-AUC is high. Real "
        "portfolios churn less legibly; expect lower numbers and re-validate before using scores for spend."
    )
    add(
        "- **Short history.** 18 months allow only a few cutoffs: the baseline of the earliest training cutoff is "
        "shorter than a year, and there is one validation cutoff (no confidence interval across periods)."
    )
    add(
        "- **Label definition.** Churn is behavioural (inactivity or a spend collapse), not account closure; a "
        "customer on a long trip or with seasonal spend can be labelled churned."
    )
    add(
        "- **Lapsed customers** get a constant rate, not a model score; brand-new accounts without activity "
        "are not scored."
    )
    add(
        "- **Drift.** Calibration is fitted on the training period; base rates move between cutoffs "
        "(see Data). Retrain when the as-of date moves (`c360 train`); the champion/challenger gate keeps a "
        "worse model out."
    )
    add(
        "- **Fairness.** Age and region are features; no protected-attribute audit was run on this synthetic "
        "portfolio. Review before any real-world use."
    )
    if outcome.warnings:
        add("")
        add("Warnings from this run:")
        add("")
        for w in outcome.warnings:
            add(f"- {w}")
    add("")
    return "\n".join(lines)


def _importance_method(outcome: TrainingOutcome) -> str:
    return (
        "permutation importance (mean drop in validation ROC-AUC when the feature is shuffled)"
        if outcome.champion and outcome.champion.trainer == "local"
        else "Cortex SHOW_FEATURE_IMPORTANCE score"
    )


def _date(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
