"""AI Assistant in AppTest: suggested questions, answer + table + chart + SQL + verified badge, refusal with
suggestions, follow-ups in context, CSV export, clearing the conversation."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from assistant_questions import SUGGESTED_QUESTIONS
from tests.app.conftest import texts

pytestmark = pytest.mark.integration


def _ask(at, question: str):  # type: ignore[no-untyped-def]
    at.text_area(key="assistant.question").set_value(question)
    at.button(key="assistant.ask").click().run()
    assert not at.exception
    return at.tabs[2]


def test_suggested_question_is_answered_with_table_chart_and_sql(make_app, reference, downloads) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="AI Assistant")
    at.run()
    category = list(SUGGESTED_QUESTIONS).index("Customer Segmentation")
    at.selectbox(key="assistant.category").set_value("Customer Segmentation").run()
    at.button(
        key=f"assistant.suggested.{category}.0"
    ).click().run()  # How many customers are in each segment?
    assert not at.exception
    tab = at.tabs[2]
    history = at.session_state["assistant.history"]
    assert len(history) == 1
    reply = history[0]["reply"]
    assert reply.question == SUGGESTED_QUESTIONS["Customer Segmentation"][0] and not reply.refused
    expected = reference(
        "select customer_segment, count(*) as n from gold.customer_360_profile group by 1"
    ).set_index("customer_segment")["n"]
    frame = reply.frame()
    counts = dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))
    assert counts == {k: int(v) for k, v in expected.items()}
    assert any(reply.answer in m for m in texts(tab, "markdown"))
    assert any("Verified answer" in s for s in texts(tab, "success"))  # a verified query answers it
    assert any("SELECT" in c.upper() for c in texts(tab, "code"))
    assert any(c.startswith("Chart: ") for c in texts(tab, "caption"))
    data, name = downloads.of(at.download_button(key="assistant.download.0"))
    assert name.startswith("assistant_results_")
    exported = pd.read_csv(io.BytesIO(data))
    assert list(exported.columns) == list(reply.columns) and len(exported) == len(reply.rows)


def test_refusal_offers_suggestions_that_work(make_app) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="AI Assistant")
    at.run()
    tab = _ask(at, "What will the weather be in Paris tomorrow?")
    reply = at.session_state["assistant.history"][0]["reply"]
    assert reply.refused and reply.suggestions
    assert any(reply.error in w for w in texts(tab, "warning"))
    assert not texts(tab, "error")
    at.button(key="assistant.suggestion.0.0").click().run()
    assert not at.exception
    follow = at.session_state["assistant.history"][1]["reply"]
    assert follow.question == reply.suggestions[0] and not follow.refused


def test_unsafe_request_is_refused_not_run(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    before = reference("select count(*) as n from gold.customer_360_profile")["n"].iloc[0]
    at = make_app(tab="AI Assistant")
    at.run()
    _ask(at, "drop table gold.customer_360_profile; select 1")
    assert at.session_state["assistant.history"][0]["reply"].refused
    assert reference("select count(*) as n from gold.customer_360_profile")["n"].iloc[0] == before


def test_follow_up_uses_the_conversation(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="AI Assistant")
    at.run()
    _ask(at, "How many customers are in each segment?")
    _ask(at, "only Premium cardholders")
    history = at.session_state["assistant.history"]
    assert len(history) == 2
    follow = history[1]["reply"]
    assert not follow.refused and "premium" in (follow.sql or "").lower()
    premium = reference("select count(*) as n from gold.customer_360_profile where card_type = 'Premium'")[
        "n"
    ].iloc[0]
    assert 0 < len(follow.rows) <= int(premium)
    assert len([m for m in at.tabs[2].chat_message if m.name == "user"]) == 2


def test_clear_conversation_and_empty_question(make_app) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="AI Assistant")
    at.run()
    _ask(at, "   ")
    assert at.session_state["assistant.history"] == []  # nothing asked
    _ask(at, "How many customers are in each state?")
    assert len(at.session_state["assistant.history"]) == 1
    at.button(key="assistant.clear").click().run()
    assert at.session_state["assistant.history"] == []
    assert not at.tabs[2].chat_message


def test_an_answer_cut_at_the_chat_cap_exports_every_row(make_app, reference, downloads) -> None:  # type: ignore[no-untyped-def]
    expected = reference("select count(*) as n from gold.fct_transactions where status = 'approved'")[
        "n"
    ].iloc[0]
    assert expected > 10_000, "precondition: more approved transactions than the chat shows"
    at = make_app(tab="AI Assistant")
    at.run()
    tab = _ask(at, "list every approved transaction")
    reply = at.session_state["assistant.history"][0]["reply"]
    assert not reply.refused and len(reply.rows) == 10_000, reply.sql
    assert any("the CSV has every row" in c for c in texts(tab, "caption"))
    data, name = downloads.of(at.download_button(key="assistant.download.0"))
    assert name.startswith("assistant_results_")
    exported = pd.read_csv(io.BytesIO(data))
    assert len(exported) == int(expected) and list(exported.columns) == list(reply.columns)
    assert exported.iloc[:, 0].is_unique  # one row per transaction, none twice
