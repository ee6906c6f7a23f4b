"""Streamlit in Snowflake: the active Snowpark session, with the app OWNER's rights; Cortex Analyst through
c360's client (c360.assistant.cortex) over `_snowflake.send_snow_api_request`.

The c360 package is not deployed to Snowflake: the stack uploads the few standard-library modules this
backend imports from it beside the app (components/app.py APP_SHARED_MODULES), and they are imported inside
the functions that use them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from app_cache import VersionMemo
from app_types import DEFAULT_MAX_ROWS, AppDataError, first_line
from assistant_turns import AssistantReply, history_messages, single_select

if TYPE_CHECKING:
    from c360.assistant.cortex import HttpResponse

log = logging.getLogger(__name__)

# In Streamlit in Snowflake the app runs with its OWNER's rights: the stack makes MARKETING_MANAGER the owner
# (components/app.py APP_OWNER), which reads GOLD only (c360/grants.py). The app cannot ask for its role:
# context functions need READ SESSION and ALTER SESSION is refused under owner's rights
# (https://docs.snowflake.com/en/developer-guide/streamlit/owners-rights#restrictions-on-owner-s-rights), so
# both facts are fixed here and checked against their sources by tests/app/test_sis_owner_rights.py.
SIS_OWNER_ROLE: Final = "MARKETING_MANAGER"
SIS_OWNER_SCHEMAS: Final = frozenset({"GOLD"})
SIS_DATABASE: Final = "CUSTOMER_ANALYTICS"
# Fully qualified stage path of the semantic model Cortex Analyst reads in Streamlit in Snowflake.
SEMANTIC_MODEL_FILE: Final = "@CUSTOMER_ANALYTICS.GOLD.SEMANTIC_STAGE/semantic_model.yaml"
CORTEX_TIMEOUT_SECONDS: Final = 50.0
# How long a read of the data version is trusted before the next query reads it again (or the refresh button).
DATA_VERSION_MAX_AGE_SECONDS: Final = 60.0


class SnowparkBackend:
    """Snowpark session inside Streamlit in Snowflake (one per app process, shared by its viewers)."""

    name = "snowflake"
    dialect = "snowflake"
    identity = "snowflake"

    def __init__(self, session: Any, version_sql: str) -> None:
        # No ALTER SESSION and no context functions (owner's rights, see SIS_OWNER_ROLE): queries are bounded
        # by the warehouse's STATEMENT_TIMEOUT_IN_SECONDS (stack config statementTimeoutSeconds). The first
        # read of the data version is also the check that the session works.
        self.session, self._version_sql = session, version_sql
        self.current_role, self.database = SIS_OWNER_ROLE, SIS_DATABASE
        self.roles: tuple[str, ...] = (self.current_role,)
        try:
            self._version = VersionMemo(self._read_version, DATA_VERSION_MAX_AGE_SECONDS)
        except AppDataError as exc:
            raise AppDataError("unavailable", f"the Snowflake session is not usable: {exc}") from None

    def _read_version(self) -> str:
        """When a GOLD table last changed (INFORMATION_SCHEMA.TABLES.LAST_ALTERED) and how many there are.

        The pipeline's own watermark (OBSERVABILITY.LOAD_HISTORY.gold_refreshed_at, PIPELINE_RUNS) is out of
        the owner's reach (it reads GOLD only); every load, dbt build and incremental refresh alters the GOLD
        tables it writes, so their latest change is the watermark of what this app can read.
        """
        try:
            rows = self.session.sql(self._version_sql).collect()
        except Exception as exc:
            raise classify_snowflake_error(exc) from None
        altered, tables = (rows[0][0], rows[0][1]) if rows else (None, 0)
        stamp = (
            "never" if altered is None else altered.isoformat() if hasattr(altered, "isoformat") else altered
        )
        return f"gold altered {stamp} ({tables} tables)"

    def data_version(self) -> str:
        return self._version.get()

    def refresh_data_version(self) -> str:
        return self._version.refresh()

    def describe(self) -> str:
        return f"Snowflake · {self.database} · role {self.current_role}"

    def can_read(self, role: str, schema: str) -> bool | None:
        """What the owner's grants allow: every query runs with them, whoever views the app."""
        return schema.upper() in SIS_OWNER_SCHEMAS

    def run(self, sql: str, params: Sequence[object], role: str, max_rows: int) -> pd.DataFrame:
        try:
            frame = self.session.sql(sql, params=list(params)).limit(max_rows).to_pandas()
        except Exception as exc:
            raise classify_snowflake_error(exc) from None
        return normalize_frame(frame)

    def ask(self, question: str, history: Sequence[AssistantReply], role: str) -> AssistantReply:
        """Cortex Analyst's answer (c360's client), its SQL run with the owner's grants."""
        from c360.assistant.cortex import CortexAnalyst
        from c360.assistant.messages import Message
        from c360.errors import C360Error

        analyst = CortexAnalyst(SnowApiTransport(), SEMANTIC_MODEL_FILE, timeout=CORTEX_TIMEOUT_SECONDS)
        try:
            reply = analyst.message((*history_messages(history), Message.user(question)))
        except C360Error as exc:
            return AssistantReply(question, error=str(exc))
        except Exception as exc:  # _snowflake's own errors: the service could not be reached
            return AssistantReply(question, error=f"Cortex Analyst is unavailable: {first_line(exc)}")
        used = reply.sql.verified_query_used if reply.sql else None
        said = AssistantReply(
            question,
            answer=reply.text.strip(),
            sql=reply.sql.statement.strip() if reply.sql else None,
            verified_query=(used.question or used.name or "verified query") if used else None,
            suggestions=reply.suggestions,
            warnings=reply.warnings,
        )
        if said.sql is None:
            return AssistantReply(
                question,
                answer=said.answer,
                suggestions=said.suggestions,
                warnings=said.warnings,
                error=said.answer or "The question could not be answered from the semantic model.",
            )
        try:
            frame = self.run(single_select(said.sql), [], role, DEFAULT_MAX_ROWS)
        except AppDataError as exc:
            return replace(said, error=str(exc))
        return replace(
            said,
            columns=tuple(frame.columns),
            rows=tuple(tuple(r) for r in frame.itertuples(index=False, name=None)),
        )


class SnowApiTransport:
    """c360's HttpTransport over Streamlit in Snowflake's authenticated `_snowflake.send_snow_api_request`."""

    def post(self, path: str, body: Mapping[str, Any], timeout: float) -> HttpResponse:
        import _snowflake  # only inside Streamlit in Snowflake

        from c360.assistant.cortex import HttpResponse

        response = _snowflake.send_snow_api_request(
            "POST", path, {}, {}, dict(body), None, int(timeout * 1000)
        )
        content = response.get("content")
        text = content.decode() if isinstance(content, bytes) else content
        if not isinstance(text, str):
            text = json.dumps(text) if text is not None else ""
        return HttpResponse(int(response.get("status", 500)), text, dict(response.get("headers") or {}))


def classify_snowflake_error(exc: BaseException) -> AppDataError:
    text = first_line(exc)
    lower = text.lower()
    if "does not exist or not authorized" in lower or "insufficient privileges" in lower:
        return AppDataError("forbidden", f"this role cannot read the data this view needs ({text})")
    if "timeout" in lower or "cancelled" in lower:
        return AppDataError("timeout", "the query timed out: narrow the filters and try again")
    if "warehouse" in lower and (
        "suspended" in lower or "no active warehouse" in lower or "cannot be" in lower
    ):
        return AppDataError("unavailable", f"the warehouse is unavailable: {text}")
    return AppDataError("failed", f"the query failed: {text}")


def normalize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Lower-case column names; Decimal columns become floats (Snowflake NUMBER(p, s) arrives as Decimal)."""
    frame = frame.copy()
    frame.columns = [str(c).lower() for c in frame.columns]
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object:
            sample = series.dropna()
            if not sample.empty and all(isinstance(v, Decimal) for v in sample.head(50)):
                frame[column] = pd.to_numeric(series, errors="coerce").astype("float64")
    return frame
