"""The AI assistant: plain-English questions -> semantic model -> guarded SQL -> answer, table and chart.

Public API (small on purpose; the Streamlit app and `c360 ask` use only this):

    from c360.assistant import Assistant, AnalystResponse, ask

    response = ask("How many customers are in each segment?", role="MARKETING_MANAGER", settings=settings)
    response.to_dict()          # the `c360 ask --format json` object
    history = [*response.as_history()]
    follow_up = ask("and only Premium?", history, settings=settings)

    with Assistant.open(settings, role="MARKETING_MANAGER") as assistant:   # warm: one session, many questions
        assistant.ask("Which states have the most Premium cardholders?")

Backends (c360.assistant.backend): `local` (the semantic compiler on DuckDB) and `cortex` (Snowflake Cortex
Analyst REST); both speak the Cortex message shape (c360.assistant.messages, standard library only).
"""

from __future__ import annotations

from c360.assistant.backend import AnalystBackend, BackendName
from c360.assistant.messages import AnalystReply, Message
from c360.assistant.service import AnalystResponse, Assistant, AssistantError, ask

__all__ = [
    "AnalystBackend",
    "AnalystReply",
    "AnalystResponse",
    "Assistant",
    "AssistantError",
    "BackendName",
    "Message",
    "ask",
]
