"""Streamlit in Snowflake runs the app with its owner's rights (defect 7).

Under owner's rights the app may not run ALTER SESSION, and context functions need READ SESSION
(https://docs.snowflake.com/en/developer-guide/streamlit/owners-rights#restrictions-on-owner-s-rights). The
owner is MARKETING_MANAGER (GOLD only), so Pipeline Health, which reads OBSERVABILITY, says why it is hidden
instead of failing every section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import app_context
from app_context import AppContext, load_sql
from backend_snowflake import SIS_OWNER_ROLE, SIS_OWNER_SCHEMAS, SnowparkBackend
from c360.grants import readable_schemas
from c360.paths import STREAMLIT_DIR
from components.app import APP_OWNER
from tabs.pipeline_health import hidden_reason

SESSION_CONTEXT = re.compile(
    r"\bcurrent_(role|user|database|schema|schemas|warehouse|session|account|secondary_roles|available_roles)"
    r"\s*\(|\balter\s+session\b",
    re.IGNORECASE,
)


class Frame:
    def collect(self) -> list[tuple[datetime, int]]:
        return [(datetime(2026, 10, 15, 6, 0), 12)]


@dataclass
class Session:
    statements: list[str]

    def sql(self, sql: str, params: list[object] | None = None) -> Frame:
        self.statements.append(sql)
        return Frame()


def test_the_owner_the_app_assumes_is_the_owner_the_stack_sets() -> None:
    assert APP_OWNER.value == SIS_OWNER_ROLE
    assert readable_schemas(APP_OWNER) == SIS_OWNER_SCHEMAS


def test_the_snowflake_backend_sends_no_session_statement_or_context_function() -> None:
    session = Session([])
    backend = SnowparkBackend(session, load_sql("data_version", "snowflake"))
    assert session.statements == [load_sql("data_version", "snowflake")]  # the data version, read once
    assert "information_schema.tables" in session.statements[0]
    assert backend.roles == (SIS_OWNER_ROLE,) and backend.database == "CUSTOMER_ANALYTICS"
    assert backend.can_read(SIS_OWNER_ROLE, "GOLD") is True
    assert backend.can_read(SIS_OWNER_ROLE, "OBSERVABILITY") is False


def test_no_app_query_or_module_uses_a_session_context_function() -> None:
    files = [*STREAMLIT_DIR.glob("sql/*.sql"), *STREAMLIT_DIR.rglob("*.py")]
    offenders = []
    for path in files:
        text = path.read_text()
        if path.suffix == ".py":  # only string literals can reach Snowflake; comments may mention them
            text = "\n".join(re.findall(r"\"[^\"\n]*\"|'[^'\n]*'", text))
        if SESSION_CONTEXT.search(text):
            offenders.append(path.name)
    assert offenders == []


def test_pipeline_health_explains_what_the_owner_cannot_read() -> None:
    ctx = AppContext(backend=SnowparkBackend(Session([]), "select version"), role=SIS_OWNER_ROLE)
    assert ctx.can_read("OBSERVABILITY") is False  # the tab shows the reason, not four refused queries
    reason = hidden_reason(ctx)
    assert "owner's rights" in reason and "OBSERVABILITY" in reason and "Snowsight" in reason
    assert "Viewing as" not in reason  # no persona switch in Snowflake: the owner is the only role
    assert app_context.DEFAULT_ROLE == SIS_OWNER_ROLE
