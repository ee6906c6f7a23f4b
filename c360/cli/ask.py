"""`c360 ask`: one question to the assistant (local semantic compiler or Cortex Analyst)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from c360.assistant import AnalystResponse, Assistant, BackendName
from c360.cli.options import FormatOption, HomeOption, TargetOption
from c360.cli.output import OutputFormat, emit_json, fail, render_frame, stderr, stdout
from c360.config import Settings
from c360.errors import C360Error
from c360.grants import DEFAULT_APP_ROLE, Role

REFUSED_EXIT_CODE = 3


def ask(
    question: Annotated[str, typer.Argument(help="a question in plain English")],
    role: Annotated[
        Role, typer.Option(help="ask as this role (the grant matrix applies)")
    ] = DEFAULT_APP_ROLE,
    backend: Annotated[
        BackendName,
        typer.Option(help="auto (local on the local target, cortex on snowflake) | local | cortex"),
    ] = BackendName.auto,
    history: Annotated[
        Path | None,
        typer.Option(help="JSON file with earlier turns (Cortex message list) for follow-up questions"),
    ] = None,
    target: TargetOption = None,
    home: HomeOption = None,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Ask a question; prints the answer, the SQL and the result. Exit 3 when the assistant refuses."""
    try:
        settings = Settings.load(target=target, home=home, create_home=False)
        turns = _read_history(history) if history else []
        with Assistant.open(settings, role=role, backend=backend) as assistant:
            response = assistant.ask(question, turns)
    except C360Error as exc:
        fail(str(exc))
    if fmt is OutputFormat.json:
        emit_json(response.to_dict())
    else:
        _print(response, fmt)
    if response.refused:
        raise typer.Exit(code=REFUSED_EXIT_CODE)


def _read_history(path: Path) -> list[dict[str, Any]]:
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise C360Error(f"cannot read the history file {path}: {exc}") from None
    if isinstance(raw, dict) and "messages" in raw:
        raw = raw["messages"]
    if not isinstance(raw, list):
        raise C360Error(f"the history file {path} must hold a list of messages")
    return raw


def _print(response: AnalystResponse, fmt: OutputFormat) -> None:
    stdout.print(response.answer, highlight=False, soft_wrap=True)
    if response.refused:
        for suggestion in response.suggestions:
            stdout.print(f"  - {suggestion}", highlight=False)
        return
    if response.verified_query:
        stderr.print(f"verified query: {response.verified_query.get('name')}", style="green")
    for warning in response.warnings:
        stderr.print(f"note: {warning}", style="yellow", highlight=False)
    stderr.print(response.sql or "", style="dim", highlight=False, soft_wrap=True)
    render_frame(response.frame, OutputFormat.table if fmt is OutputFormat.text else fmt)
