"""`c360 train`: retrain the churn model (champion/challenger), score every customer, refresh the profile."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from c360.cli.options import FormatOption, HomeOption, TargetOption
from c360.cli.output import OutputFormat, emit_json, fail, stderr, stdout
from c360.config import Settings, platform_settings
from c360.errors import C360Error

if TYPE_CHECKING:
    from c360.ml.evaluation import Metrics
    from c360.steps.churn_model import ChurnRun


def train(
    force: Annotated[
        bool, typer.Option(help="train a challenger even when the champion was trained on these exact inputs")
    ] = False,
    rebuild: Annotated[
        bool,
        typer.Option(help="rebuild the ML datasets (dbt models/ml) even when their inputs are unchanged"),
    ] = False,
    docs: Annotated[
        Path | None,
        typer.Option(help="also write model_card.md and its PNGs here (e.g. docs/ for the committed card)"),
    ] = None,
    target: TargetOption = None,
    home: HomeOption = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Retrain the churn model on the platform's data; a challenger replaces the champion only if it is
    not worse on the temporal hold-out. Exits 1 with the reason on bad training data or a failed gate."""
    from c360.steps.churn_model import retrain  # scikit-learn: imported only when training

    try:
        # the built platform's as-of date and scale, never a default of today
        settings = platform_settings(Settings.load(target=target, home=home, create_home=False))
        if fmt is OutputFormat.json:
            result = retrain(settings, force=force, rebuild_datasets=rebuild, card_dirs=_dirs(docs))
        else:
            with stderr.status("training the churn model") as status:
                result = retrain(
                    settings,
                    force=force,
                    rebuild_datasets=rebuild,
                    card_dirs=_dirs(docs),
                    progress=lambda done, total, message: status.update(f"churn model: {message}"),
                )
    except C360Error as exc:
        fail(str(exc))
    if fmt is OutputFormat.json:
        emit_json(result.as_dict())
    else:
        print_result(result)


def _dirs(docs: Path | None) -> tuple[Path, ...]:
    return () if docs is None else (docs,)


def print_result(result: ChurnRun) -> None:
    outcome = result.outcome
    assert outcome is not None
    champion = outcome.champion
    stdout.print(f"[bold]{outcome.status}[/]: {outcome.reason}")
    table = Table(title="temporal hold-out (validation cutoff)")
    table.add_column("metric")
    columns: list[tuple[str, Metrics]] = []
    if outcome.challenger_metrics is not None:
        columns.append((f"challenger {outcome.challenger_version}", outcome.challenger_metrics))
    if outcome.previous_champion_metrics is not None:
        columns.append((f"champion {outcome.champion_version_before}", outcome.previous_champion_metrics))
    if not columns and outcome.champion_metrics is not None and champion is not None:
        columns.append((f"champion {champion.version}", outcome.champion_metrics))
    for title, _ in columns:
        table.add_column(title, justify="right")
    getters: tuple[tuple[str, Callable[[Metrics], float | None]], ...] = (
        ("ROC-AUC", lambda m: m.roc_auc),
        ("PR-AUC", lambda m: m.pr_auc),
        ("F1", lambda m: m.f1),
        ("precision", lambda m: m.precision),
        ("recall", lambda m: m.recall),
        ("Brier", lambda m: m.brier_score),
        ("threshold", lambda m: m.threshold),
        ("heuristic ROC-AUC", lambda m: m.heuristic_roc_auc),
    )
    for label, getter in getters:
        table.add_row(label, *(_fmt(getter(m)) for _, m in columns))
    stdout.print(table)
    for gate in outcome.gates:
        stdout.print(f"  gate: {gate.describe()}")
    if outcome.scoring is not None:
        s = outcome.scoring
        bands = ", ".join(f"{k} {v:,}" for k, v in s.by_category.items())
        stdout.print(
            f"scored {s.scored:,} customers with {s.model_version} ({bands}); not scored {s.not_scored:,}"
        )
    for warning in outcome.warnings:
        stderr.print(f"[yellow]warning:[/] {warning}")
    if outcome.model_card is not None:
        stdout.print(f"model card: {outcome.model_card}")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
