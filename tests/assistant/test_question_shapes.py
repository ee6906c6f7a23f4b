"""Every question of the evaluation sets (dev, old holdout, blind_v1-v5, blind_final), read and compiled
without a database: what each one compiles to (SQL with its values written in, a verified query, or the kind of
refusal) must equal the recorded shape in `question_shapes.yaml`. It runs in a second and catches any change in
how a question is read; the platform test (test_platform.py) and `c360 bench --only assistant` check the results themselves.

After an intended change: `C360_UPDATE_SHAPES=1 pytest tests/assistant/test_question_shapes.py`, then review
the diff of question_shapes.yaml like code (each changed line is a question answered differently).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
import yaml

from c360.assistant.evaluation import EvalCase, load_cases
from c360.assistant.local import LocalAnalyst
from c360.assistant.messages import Message, conversation
from c360.assistant.model import load_model

HERE = Path(__file__).parent
SETS = (HERE / "questions.yaml", *sorted((HERE / "blind").glob("*.yaml")))  # every set, spent or not
SHAPES = HERE / "question_shapes.yaml"


@cache
def _analyst(as_of: str) -> LocalAnalyst:
    from datetime import date

    return LocalAnalyst(load_model(), date.fromisoformat(as_of))


def shape(analyst: LocalAnalyst, case: EvalCase) -> str:
    """One line: `refused <kind>`, `verified <name>` or the compiled SQL with its values inlined."""
    history: list[Message] = []
    for earlier in case.conversation:
        reply = analyst.turn(conversation(history, earlier)).reply
        history += [Message.user(earlier), reply.message]
    turn = analyst.turn(conversation(history, case.question))
    if turn.refusal is not None:
        return f"refused {turn.refusal.kind}"
    if turn.verified is not None:
        return f"verified {turn.verified.query.name}"
    assert turn.compiled is not None
    return turn.compiled.display_sql()


def _all_cases() -> list[tuple[str, EvalCase]]:
    out = []
    for path in SETS:
        as_of, cases = load_cases(path)
        out.extend((as_of.isoformat(), case) for case in cases)
    return out


def test_every_question_compiles_to_its_recorded_shape() -> None:
    actual = {case.id: shape(_analyst(as_of), case) for as_of, case in _all_cases()}
    if os.environ.get("C360_UPDATE_SHAPES"):
        SHAPES.write_text(yaml.safe_dump(actual, sort_keys=False, width=10_000, allow_unicode=True))
    expected = yaml.safe_load(SHAPES.read_text())
    changed = {k: (expected.get(k), v) for k, v in actual.items() if expected.get(k) != v}
    assert not changed, "\n".join(f"{k}:\n  was: {a}\n  now: {b}" for k, (a, b) in changed.items())
    assert set(expected) == set(actual), "shapes recorded for questions that no longer exist"


@pytest.mark.parametrize(
    "as_of, case", [c for c in _all_cases() if c[1].refuse], ids=lambda c: getattr(c, "id", c)
)
def test_must_refuse_questions_are_refused(as_of: str, case: EvalCase) -> None:
    assert shape(_analyst(as_of), case).startswith("refused"), case.question
