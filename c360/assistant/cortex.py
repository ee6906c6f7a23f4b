"""Snowflake Cortex Analyst backend: `POST /api/v2/cortex/analyst/message`, multi-turn, non-streaming.

The HTTP layer is a small seam (`HttpTransport`) so tests drive the backend with a fake server; production
uses `SessionTransport`, which authenticates with the session token of an open Snowflake connection
(`Authorization: Snowflake Token="..."`, as the Cortex Analyst quickstart does). Inside Streamlit in Snowflake
the app calls `_snowflake.send_snow_api_request` itself with the same body (c360.assistant.messages).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from c360.assistant.messages import AnalystReply, Message, MessageFormatError, request_body
from c360.errors import C360Error

log = logging.getLogger(__name__)

ANALYST_PATH: Final = "/api/v2/cortex/analyst/message"
DEFAULT_TIMEOUT_SECONDS: Final = 60.0


class AnalystServiceError(C360Error):
    """Cortex Analyst answered with an error; carries its request id and error code."""

    def __init__(
        self, message: str, *, request_id: str | None = None, error_code: str | None = None, status: int = 0
    ):
        detail = f"Cortex Analyst error {error_code or status}: {message}"
        if request_id:
            detail += f" (request id {request_id})"
        super().__init__(detail)
        self.request_id = request_id
        self.error_code = error_code
        self.status = status


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: str
    headers: Mapping[str, str] = field(default_factory=dict)


class HttpTransport(Protocol):
    def post(self, path: str, body: Mapping[str, Any], timeout: float) -> HttpResponse: ...


class CortexAnalyst:
    """Backend `cortex`: Snowflake generates the SQL from the staged semantic model."""

    name = "cortex"

    def __init__(
        self, transport: HttpTransport, semantic_model_file: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS
    ):
        if not semantic_model_file.startswith("@"):
            raise C360Error(
                f"semantic_model_file must be a stage path like @DB.SCHEMA.STAGE/file.yaml, got {semantic_model_file!r}"
            )
        self.transport = transport
        self.semantic_model_file = semantic_model_file
        self.timeout = timeout

    def message(self, messages: Sequence[Message]) -> AnalystReply:
        body = request_body(messages, semantic_model_file=self.semantic_model_file)
        response = self.transport.post(ANALYST_PATH, body, self.timeout)
        request_id = _header(response.headers, "X-Snowflake-Request-Id")
        payload = _json(response.body)
        if response.status >= 400:
            raise AnalystServiceError(
                str(payload.get("message") or response.body[:300] or "no message"),
                request_id=str(payload.get("request_id") or request_id or "") or None,
                error_code=str(payload.get("error_code")) if payload.get("error_code") else None,
                status=response.status,
            )
        try:
            return AnalystReply.from_dict(payload, request_id=request_id)
        except MessageFormatError as exc:
            raise AnalystServiceError(
                f"unexpected response shape: {exc}",
                request_id=str(payload.get("request_id") or request_id or ""),
            ) from None


class SessionTransport:
    """HTTPS to the account with the session token of an open snowflake-connector connection."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def post(self, path: str, body: Mapping[str, Any], timeout: float) -> HttpResponse:
        import requests

        host = self.connection.host
        token = self.connection.rest.token
        try:
            resp = requests.post(
                f"https://{host}{path}",
                json=dict(body),
                headers={
                    "Authorization": f'Snowflake Token="{token}"',
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
                timeout=timeout,
            )
        except requests.RequestException as exc:
            raise AnalystServiceError(f"cannot reach Cortex Analyst at {host}: {exc}") from None
        return HttpResponse(resp.status_code, resp.text, dict(resp.headers))


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
