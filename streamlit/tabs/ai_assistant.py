"""AI Assistant: ask in plain English; answers come from the semantic model (Cortex Analyst or local)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

import streamlit as st

import answer_charts
import exports
import formatting as fmt
from app_context import AppContext
from app_types import AppDataError
from assistant_questions import SUGGESTED_QUESTIONS
from assistant_turns import AssistantReply, full_result_sql
from compat import download_button, form_submit, stretch

TITLE = "🤖 AI Assistant"
HISTORY_KEY = "assistant.history"  # list[Turn]
PENDING_KEY = "assistant.pending"
SHOWN_TURNS = 8
CONTEXT_TURNS = 4


class Turn(TypedDict):
    at: datetime
    reply: AssistantReply


ENGINE_LABELS = {
    "snowflake": "Snowflake Cortex Analyst over the staged semantic model",
    "local": "the local semantic engine (same semantic model and request/response shape as Cortex Analyst)",
}


def _init_state() -> None:
    if HISTORY_KEY not in st.session_state:
        st.session_state[HISTORY_KEY] = []
    if PENDING_KEY not in st.session_state:
        st.session_state[PENDING_KEY] = None
    if "assistant.question" not in st.session_state:
        st.session_state["assistant.question"] = ""
    if "assistant.category" not in st.session_state:
        st.session_state["assistant.category"] = next(iter(SUGGESTED_QUESTIONS))


def _queue(question: str) -> None:
    st.session_state[PENDING_KEY] = question


def _submit() -> None:
    text = str(st.session_state.get("assistant.question") or "").strip()
    if text:
        st.session_state[PENDING_KEY] = text
    st.session_state["assistant.question"] = ""


def _clear() -> None:
    st.session_state[HISTORY_KEY] = []
    st.session_state[PENDING_KEY] = None
    st.session_state["assistant.question"] = ""


def ask(ctx: AppContext, question: str, history: list[AssistantReply]) -> AssistantReply:
    """One question in the context of the last turns; every failure becomes a reply with an error."""
    try:
        return ctx.ask(question, history[-CONTEXT_TURNS:])
    except AppDataError as exc:
        return AssistantReply(question, error=str(exc))


def render(ctx: AppContext) -> None:
    _init_state()
    st.subheader(TITLE)
    st.caption(
        f"Ask questions about your customers in plain English. Answers come from {ENGINE_LABELS[ctx.backend_name]}, "
        f"run as {ctx.role} (only tables this role may read)."
    )
    pending = st.session_state[PENDING_KEY]
    if pending:
        st.session_state[PENDING_KEY] = None
        history = [turn["reply"] for turn in st.session_state[HISTORY_KEY]]
        with st.spinner("🤔 Thinking..."):
            reply = ask(ctx, pending, history)
        st.session_state[HISTORY_KEY].append(Turn(at=datetime.now(), reply=reply))

    _suggestions()
    turns = st.session_state[HISTORY_KEY]
    if turns:
        hidden = len(turns) - SHOWN_TURNS
        if hidden > 0:
            st.caption(f"{hidden} earlier answer(s) hidden; see Recent questions below.")
        for index, turn in enumerate(turns):
            if index >= max(0, hidden):
                _render_turn(ctx, index, turn["reply"])
    _input_form(bool(turns))
    _recent(turns)
    with st.expander("ℹ️ How to use the AI Assistant"):
        st.markdown(
            "- **Be specific**: name the measure and the grouping (*average lifetime value by state*).\n"
            "- **Use the platform's terms**: segments (High-Value Travelers, Declining, …), risk levels "
            "(High / Medium / Low Risk), card types (Standard, Premium), LTV, spend, churn risk score.\n"
            "- **Time periods** are relative to the data's as-of date (*last 90 days*, *last 6 months*).\n"
            "- **Compare and combine**: *Premium cardholders at medium or high churn risk*.\n"
            "- **Follow up**: the last few turns are sent along, so *now only in Texas* refines the last answer.\n"
            "- A ✅ **verified** badge means the answer used a query reviewed by the data team.\n"
            "- Questions outside the semantic model are refused with suggestions instead of a guess."
        )


def _suggestions() -> None:
    with st.expander("💡 Suggested questions", expanded=not st.session_state[HISTORY_KEY]):
        category = st.selectbox("Browse by category", list(SUGGESTED_QUESTIONS), key="assistant.category")
        questions = SUGGESTED_QUESTIONS[category]
        columns = st.columns(2)
        category_index = list(SUGGESTED_QUESTIONS).index(category)
        for i, question in enumerate(questions):
            columns[i % 2].button(
                question,
                key=f"assistant.suggested.{category_index}.{i}",
                on_click=_queue,
                args=(question,),
                **stretch(),
            )


def _input_form(has_history: bool) -> None:
    with st.form("assistant.form", clear_on_submit=False, border=True):
        st.text_area(
            "Ask a question" + (" (or a follow-up)" if has_history else ""),
            key="assistant.question",
            height=90,
            placeholder="e.g. Which Premium cardholders in California are at high churn risk?",
        )
        c1, _ = st.columns([1, 5])
        with c1:
            form_submit("🚀 Ask", type="primary", key="assistant.ask", on_click=_submit, **stretch())
    st.button("🔄 Clear conversation", key="assistant.clear", on_click=_clear, disabled=not has_history)


def _render_turn(ctx: AppContext, index: int, reply: AssistantReply) -> None:
    with st.chat_message("user"):
        st.markdown(reply.question)
    with st.chat_message("assistant"):
        if reply.refused:
            st.warning(f"❌ {reply.error or 'The question could not be answered.'}")
            _suggestion_buttons(index, reply.suggestions, "Try one of these instead:")
            return
        if reply.verified_query:
            st.success(f"✅ **Verified answer** · uses the verified query “{reply.verified_query}”")
        else:
            st.caption("🧪 Generated from the semantic model (not a verified query)")
        if reply.answer:
            st.markdown(reply.answer)
        for warning in reply.warnings:
            st.caption(f"⚠️ {warning}")
        if reply.error:
            st.error(f"The generated query could not run: {reply.error}")
        else:
            _render_result(ctx, index, reply)
        with st.expander("🔍 View generated SQL"):
            st.code(fmt.pretty_sql(reply.sql or "", ctx.backend.dialect), language="sql")
        _suggestion_buttons(index, reply.suggestions, "Follow-up ideas:")


def _render_result(ctx: AppContext, index: int, reply: AssistantReply) -> None:
    frame = reply.frame()
    if frame.empty:
        st.info("The query ran and returned no rows.")
        return
    choice = answer_charts.choose_chart(frame, reply.sql)
    if choice.kind == "metric":
        values = answer_charts.metric_values(frame)
        for column, (label, value) in zip(st.columns(max(1, len(values))), values, strict=False):
            column.metric(label, value)
    else:
        figure = answer_charts.build_chart(frame, choice)
        if figure is not None:
            st.plotly_chart(figure, key=f"assistant.chart.{index}", **stretch())
            st.caption(f"Chart: {choice.kind} ({choice.reason})")
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            name: st.column_config.NumberColumn(label, format=number)
            if number
            else st.column_config.Column(label)
            for name, (label, number) in answer_charts.column_formats(frame).items()
        },
        height=min(400, 38 + 35 * len(frame)),
        key=f"assistant.table.{index}",
        **stretch(),
    )
    everything = full_result_sql(reply)
    if everything is None:
        st.caption(f"{len(frame):,} row(s)")
        st.download_button(
            "📥 Download results (CSV)",
            data=exports.csv_bytes(frame),
            file_name=exports.export_name("assistant_results"),
            mime="text/csv",
            key=f"assistant.download.{index}",
        )
        return
    st.caption(f"The first {len(frame):,} rows are shown; the CSV has every row.")
    download_button(
        "📥 Download all rows (CSV)",
        lambda: exports.csv_file(ctx.stream_sql(everything)),
        file_name=exports.export_name("assistant_results"),
        key=f"assistant.download.{index}",
        version=f"{index}",
    )


def _suggestion_buttons(index: int, suggestions: tuple[str, ...], label: str) -> None:
    if not suggestions:
        return
    st.caption(label)
    for j, suggestion in enumerate(suggestions[:4]):
        st.button(suggestion, key=f"assistant.suggestion.{index}.{j}", on_click=_queue, args=(suggestion,))


def _recent(turns: list[Turn]) -> None:
    if not turns:
        return
    with st.expander(f"🕘 Recent questions ({min(5, len(turns))} of {len(turns)})"):
        for turn in reversed(turns[-5:]):
            reply, at = turn["reply"], turn["at"]
            status = (
                "refused" if reply.refused else ("failed" if reply.error else f"{len(reply.rows):,} rows")
            )
            st.markdown(f"`{at:%H:%M:%S}` {reply.question} · *{status}*")
