"""The assistant on the real 1,000-customer platform: the lifecycle step, live validation, the evaluation set
(targets from the issue), and the `c360 ask` JSON contract."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from c360.assistant.evaluation import EvalCase, EvalSummary, evaluate, load_cases, report_lines
from c360.assistant.live_check import validate_live
from c360.assistant.local import LocalAnalyst
from c360.assistant.model import MODEL_PATH, load_model
from c360.assistant.service import Assistant, platform_as_of
from c360.cli.main import app
from c360.config import Settings
from c360.engines.readers import open_reader
from c360.outputs import read_outputs
from tests.assistant.conftest import QUESTIONS

pytestmark = pytest.mark.integration

JSON_KEYS = {"question", "answer", "sql", "columns", "rows", "verified_query", "suggestions", "warnings"}


def test_semantic_model_step_validates_and_records_the_model(
    platform: object, platform_settings: Settings
) -> None:
    steps = {r.step: r for r in platform.results}  # type: ignore[attr-defined]
    assert steps["semantic_model"].status == "ran"
    assert steps["semantic_model"].details["checks"] > 100
    outputs = read_outputs(platform_settings.outputs_path)
    assert outputs is not None
    deployed = platform_settings.home / "semantic_model.yaml"
    assert outputs.semantic_model_location == str(deployed)
    assert deployed.read_text() == load_model(MODEL_PATH).text  # with the dbt column descriptions filled in


def test_semantic_model_matches_the_live_gold_tables(platform: object, platform_settings: Settings) -> None:
    session = open_reader(platform_settings)
    try:
        report = validate_live(session, load_model())
    finally:
        session.close()
    assert report.ok, report.problems


def test_evaluation_set_meets_the_targets(platform: object, platform_settings: Settings) -> None:
    as_of, cases = load_cases(QUESTIONS)
    summary = _evaluate(platform_settings, cases, as_of)
    report = "\n".join(report_lines(summary))
    assert summary.accuracy() >= 0.95, report
    assert summary.verified_wrong == [], report
    assert summary.refusals_missed == [], report


def _evaluate(settings: Settings, cases: list[EvalCase], as_of: date | None) -> EvalSummary:
    """Every case asked of the local assistant on the platform (at the set's as-of date, or the platform's own
    when None), references run on a second reader."""
    session, reference = open_reader(settings), open_reader(settings)
    try:
        model = load_model()
        as_of = as_of or platform_as_of(session)
        assistant = Assistant(
            settings,
            session,
            LocalAnalyst.on_session(model, as_of, session),
            model,
            as_of=as_of,
            log_requests=False,
        )
        return evaluate(assistant, cases, reference.con, as_of)  # type: ignore[attr-defined]
    finally:
        session.close()
        reference.close()


PARAPHRASES = sorted((Path(__file__).parent / "paraphrases").glob("*.yaml"))


@pytest.mark.parametrize("path", PARAPHRASES, ids=[p.stem for p in PARAPHRASES])
def test_paraphrase_classes_match_their_reference_sql(
    platform: object, platform_settings: Settings, path: Path
) -> None:
    """Paraphrases of our own per reader class (never a question of a set), each with hand-written reference SQL:
    every answerable one right, every must-refuse refused. The files are written for any as-of date (windows
    relative to it, or closed periods before it), so they run at this platform's own."""
    _, cases = load_cases(path)
    summary = _evaluate(platform_settings, cases, None)
    report = "\n".join(report_lines(summary))
    wrong = [r.case.id for r in summary.subset(refuse=False) if r.outcome in ("wrong", "error")]
    assert wrong == [] and summary.refusals_missed == [], report
    assert summary.accuracy() >= 0.85, report  # a few are refused by design (precision before recall)


def test_cli_ask_json_contract_and_exit_codes(platform: object, platform_settings: Settings) -> None:
    runner = CliRunner()
    home = str(platform_settings.home)
    answered = runner.invoke(
        app, ["ask", "How many customers are in each segment?", "--format", "json", "--home", home]
    )
    assert answered.exit_code == 0, answered.output
    payload = json.loads(answered.stdout)
    assert set(payload) >= JSON_KEYS
    assert payload["sql"] and payload["columns"] == ["customer_segment", "customer_count"]
    assert sum(row[1] for row in payload["rows"]) == 1000 and payload["verified_query"]["name"]
    refused = runner.invoke(app, ["ask", "What is the average income?", "--format", "json", "--home", home])
    assert refused.exit_code == 3
    payload = json.loads(refused.stdout)
    assert payload["sql"] is None and len(payload["suggestions"]) >= 2 and payload["rows"] == []
    text = runner.invoke(app, ["ask", "average lifetime value by region", "--home", home])
    assert text.exit_code == 0 and "lifetime value" in text.stdout
    # a verified answer to a question with a typo still says how the word was read
    typo = runner.invoke(
        app, ["ask", "how many custmers are in each segmnet?", "--format", "json", "--home", home]
    )
    payload = json.loads(typo.stdout)
    assert payload["verified_query"]["name"] and "I read 'segmnet' as 'segment'" in payload["answer"], payload
