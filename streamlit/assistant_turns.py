"""One assistant turn as the app shows it, the conversation it continues, and what its SQL may be.

The message shapes are c360's (c360.assistant.messages, standard library only): locally the package is
installed; in Streamlit in Snowflake the stack uploads that module beside the app (components/app.py
APP_SHARED_MODULES). It is imported inside the functions that need it, so the app's other views never pay
for importing the assistant.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from app_types import DEFAULT_MAX_ROWS, AppDataError

if TYPE_CHECKING:
    from c360.assistant.messages import Message

HISTORY_TURNS: Final = 4  # earlier turns sent with a follow-up question


@dataclass(frozen=True)
class AssistantReply:
    """One assistant turn, in the `c360 ask` / Cortex Analyst response shape."""

    question: str
    answer: str = ""
    sql: str | None = None
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    verified_query: str | None = None
    suggestions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None  # set when the question was refused or failed

    @property
    def refused(self) -> bool:
        return self.sql is None

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=list(self.columns))


def history_messages(history: Sequence[AssistantReply]) -> tuple[Message, ...]:
    """The last HISTORY_TURNS turns as alternating user/analyst messages (Cortex Analyst's shape)."""
    from c360.assistant.messages import ANALYST, Message, SqlContent, TextContent

    messages: list[Message] = []
    for turn in history[-HISTORY_TURNS:]:
        messages.append(Message.user(turn.question))
        said = TextContent(turn.answer or turn.error or "")
        messages.append(Message(ANALYST, (said, SqlContent(turn.sql)) if turn.sql else (said,)))
    return tuple(messages)


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_FIRST_WORD = re.compile(r"\s*\(*\s*(\w+)")


def single_select(sql: str) -> str:
    """Cortex Analyst's SQL if it is exactly one SELECT (or WITH … SELECT), else AppDataError.

    In Streamlit in Snowflake c360's query guard is not deployed (it needs the c360 package); the owner
    role's grants (MARKETING_MANAGER: GOLD only) bound what any statement can read, and this check keeps
    the assistant from running anything but a single query. Deliberately strict: a ';' or comment marker
    inside a string literal is refused too.
    """
    text = _COMMENTS.sub(" ", sql).strip().rstrip(";").strip()
    first = _FIRST_WORD.match(text)
    if ";" in text or first is None or first.group(1).lower() not in ("select", "with"):
        raise AppDataError(
            "refused", "Cortex Analyst returned SQL that is not a single SELECT; it was not run"
        )
    return sql


_OUTER_LIMIT = re.compile(r"\s+LIMIT\s+(\d+)\s*;?\s*$", re.IGNORECASE)


def full_result_sql(reply: AssistantReply, shown_cap: int = DEFAULT_MAX_ROWS) -> str | None:
    """The statement that exports every row of an answer the chat shows only in part, else None.

    An answer is cut when it has `shown_cap` rows: the listing default (an outer `LIMIT 10000` the reader
    adds when the question named no number) or the row cap of the chat. The export drops that default limit;
    a limit the question asked for ("top 20") is kept, as is anything inside the statement.
    """
    if reply.sql is None or len(reply.rows) < shown_cap:
        return None
    sql = single_select(reply.sql).strip()
    limit = _OUTER_LIMIT.search(sql)
    if limit is not None and int(limit.group(1)) == shown_cap:
        sql = sql[: limit.start()]
    return sql
