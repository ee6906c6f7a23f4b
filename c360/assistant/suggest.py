"""Suggested questions for a refusal: the onboarding and example questions closest to what was asked."""

from __future__ import annotations

from c360.assistant.lexicon import Lexicon
from c360.assistant.model import SemanticModel
from c360.assistant.text import tokenize

SUGGESTIONS = 3


def candidate_questions(model: SemanticModel, lexicon: Lexicon) -> list[str]:
    onboarding = [vq.question for vq in model.verified_queries if vq.onboarding]
    return list(dict.fromkeys([*onboarding, *lexicon.vocabulary.example_questions]))


def suggestions_for(
    question: str, model: SemanticModel, lexicon: Lexicon, count: int = SUGGESTIONS
) -> list[str]:
    """`count` answerable questions, the ones sharing the most words with `question` first."""
    stop = lexicon.vocabulary.stopwords
    asked = {t.lemma for t in tokenize(question) if t.lemma not in stop}
    candidates = candidate_questions(model, lexicon)
    scored = sorted(
        enumerate(candidates),
        key=lambda ic: (-len(asked & {t.lemma for t in tokenize(ic[1]) if t.lemma not in stop}), ic[0]),
    )
    return [q for _, q in scored[:count]]
