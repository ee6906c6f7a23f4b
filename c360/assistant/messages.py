"""The Cortex Analyst message shapes, shared by both backends (standard library only).

Request (`POST /api/v2/cortex/analyst/message`)::

    {"messages": [{"role": "user", "content": [{"type": "text", "text": "..."}]},
                  {"role": "analyst", "content": [...]}, ...],
     "semantic_model_file": "@DB.SCHEMA.STAGE/semantic_model.yaml", "stream": false}

Response::

    {"request_id": "...",
     "message": {"role": "analyst", "content": [
         {"type": "text", "text": "This is our interpretation of your question: ..."},
         {"type": "sql", "statement": "SELECT ...", "confidence": {"verified_query_used": null | {...}}},
         {"type": "suggestions", "suggestions": ["...", "..."]}]},
     "warnings": [{"message": "..."}], "response_metadata": {...}}

Error: ``{"request_id", "error_code", "message"}`` with an HTTP status >= 400.

This module deliberately imports nothing outside the standard library, so the Streamlit-in-Snowflake app
(where the c360 package is not deployed) can vendor it unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

USER: Final = "user"
ANALYST: Final = "analyst"
Role = Literal["user", "analyst"]


class MessageFormatError(ValueError):
    """A message or response does not have the Cortex Analyst shape; the text says where."""


@dataclass(frozen=True)
class VerifiedQueryUsed:
    name: str
    question: str
    sql: str
    verified_at: int | None = None
    verified_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "question": self.question,
            "sql": self.sql,
            "verified_at": self.verified_at,
            "verified_by": self.verified_by,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> VerifiedQueryUsed:
        return cls(
            name=str(raw.get("name") or ""),
            question=str(raw.get("question") or ""),
            sql=str(raw.get("sql") or ""),
            verified_at=_opt_int(raw.get("verified_at")),
            verified_by=None if raw.get("verified_by") is None else str(raw["verified_by"]),
        )


@dataclass(frozen=True)
class TextContent:
    text: str
    type: Literal["text"] = "text"

    def to_dict(self) -> dict[str, Any]:
        return {"type": "text", "text": self.text}


@dataclass(frozen=True)
class SqlContent:
    statement: str
    verified_query_used: VerifiedQueryUsed | None = None
    type: Literal["sql"] = "sql"

    def to_dict(self) -> dict[str, Any]:
        used = self.verified_query_used.to_dict() if self.verified_query_used else None
        return {"type": "sql", "statement": self.statement, "confidence": {"verified_query_used": used}}


@dataclass(frozen=True)
class SuggestionsContent:
    suggestions: tuple[str, ...]
    type: Literal["suggestions"] = "suggestions"

    def to_dict(self) -> dict[str, Any]:
        return {"type": "suggestions", "suggestions": list(self.suggestions)}


Content = TextContent | SqlContent | SuggestionsContent


@dataclass(frozen=True)
class Message:
    role: Role
    content: tuple[Content, ...]

    @classmethod
    def user(cls, text: str) -> Message:
        return cls(USER, (TextContent(text),))

    @property
    def text(self) -> str:
        """All text blocks joined (for a user message: the question)."""
        return "\n".join(c.text for c in self.content if isinstance(c, TextContent))

    @property
    def sql(self) -> SqlContent | None:
        return next((c for c in self.content if isinstance(c, SqlContent)), None)

    @property
    def suggestions(self) -> tuple[str, ...]:
        return tuple(s for c in self.content if isinstance(c, SuggestionsContent) for s in c.suggestions)

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "content": [c.to_dict() for c in self.content]}

    @classmethod
    def from_dict(cls, raw: object, where: str = "message") -> Message:
        if not isinstance(raw, Mapping):
            raise MessageFormatError(f"{where} must be an object, got {type(raw).__name__}")
        role = raw.get("role")
        if role not in (USER, ANALYST):
            raise MessageFormatError(f"{where}.role must be 'user' or 'analyst', got {role!r}")
        blocks = raw.get("content")
        if not isinstance(blocks, list) or not blocks:
            raise MessageFormatError(f"{where}.content must be a non-empty list of content blocks")
        return cls(role, tuple(parse_content(b, f"{where}.content[{i}]") for i, b in enumerate(blocks)))


def parse_content(raw: Mapping[str, Any], where: str = "content") -> Content:
    if not isinstance(raw, Mapping):
        raise MessageFormatError(f"{where} must be an object")
    kind = raw.get("type")
    if kind == "text":
        text = raw.get("text")
        if not isinstance(text, str):
            raise MessageFormatError(f"{where}.text must be a string")
        return TextContent(text)
    if kind == "sql":
        statement = raw.get("statement")
        if not isinstance(statement, str) or not statement.strip():
            raise MessageFormatError(f"{where}.statement must be a non-empty string")
        confidence = raw.get("confidence") or {}
        if not isinstance(confidence, Mapping):
            raise MessageFormatError(f"{where}.confidence must be an object")
        used = confidence.get("verified_query_used")
        if used is not None and not isinstance(used, Mapping):
            raise MessageFormatError(f"{where}.confidence.verified_query_used must be an object or null")
        return SqlContent(statement, VerifiedQueryUsed.from_dict(used) if used else None)
    if kind == "suggestions":
        items = raw.get("suggestions")
        if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
            raise MessageFormatError(f"{where}.suggestions must be a list of strings")
        return SuggestionsContent(tuple(items))
    raise MessageFormatError(f"{where}.type {kind!r} is not one of text, sql, suggestions")


@dataclass(frozen=True)
class AnalystReply:
    """One analyst turn: what either backend returns for a list of messages."""

    request_id: str
    message: Message
    warnings: tuple[str, ...] = ()
    response_metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sql(self) -> SqlContent | None:
        return self.message.sql

    @property
    def text(self) -> str:
        return self.message.text

    @property
    def suggestions(self) -> tuple[str, ...]:
        return self.message.suggestions

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "message": self.message.to_dict(),
            "warnings": [{"message": w} for w in self.warnings],
            "response_metadata": dict(self.response_metadata),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], request_id: str | None = None) -> AnalystReply:
        if not isinstance(raw, Mapping):
            raise MessageFormatError("response must be a JSON object")
        message = Message.from_dict(raw.get("message"), "response.message")
        if message.role != ANALYST:
            raise MessageFormatError("response.message.role must be 'analyst'")
        warnings = raw.get("warnings") or []
        if not isinstance(warnings, list):
            raise MessageFormatError("response.warnings must be a list")
        texts = tuple(str(w.get("message", "")) if isinstance(w, Mapping) else str(w) for w in warnings)
        metadata = raw.get("response_metadata") or {}
        return cls(
            request_id=str(raw.get("request_id") or request_id or ""),
            message=message,
            warnings=texts,
            response_metadata=metadata if isinstance(metadata, Mapping) else {},
        )


def request_body(
    messages: Sequence[Message], *, semantic_model_file: str | None = None, semantic_model: str | None = None
) -> dict[str, Any]:
    """The JSON body for `POST /api/v2/cortex/analyst/message` (non-streaming)."""
    if (semantic_model_file is None) == (semantic_model is None):
        raise ValueError("give exactly one of semantic_model_file or semantic_model")
    validate_conversation(messages)
    body: dict[str, Any] = {"messages": [m.to_dict() for m in messages], "stream": False}
    if semantic_model_file is not None:
        body["semantic_model_file"] = semantic_model_file
    else:
        body["semantic_model"] = semantic_model
    return body


def validate_conversation(messages: Sequence[Message]) -> None:
    """Cortex expects alternating user/analyst turns that start and end with a user turn."""
    if not messages:
        raise MessageFormatError("a conversation needs at least one user message")
    for i, message in enumerate(messages):
        expected = USER if i % 2 == 0 else ANALYST
        if message.role != expected:
            raise MessageFormatError(
                f"message {i} has role {message.role!r}: turns must alternate user/analyst, starting with user"
            )
    if messages[-1].role != USER:
        raise MessageFormatError("the last message must be the user's question")


def conversation(history: Sequence[Message | Mapping[str, Any]], question: str) -> tuple[Message, ...]:
    """History (Message objects or their JSON dicts) plus the new question, validated."""
    parsed = tuple(
        m if isinstance(m, Message) else Message.from_dict(m, f"history[{i}]") for i, m in enumerate(history)
    )
    messages = (*parsed, Message.user(question))
    validate_conversation(messages)
    return messages


def _opt_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
