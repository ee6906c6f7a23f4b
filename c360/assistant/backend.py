"""The assistant-backend seam: one Protocol, two implementations with the Cortex Analyst message shape.

- `local`  (c360.assistant.local.LocalAnalyst): the semantic compiler, on the local DuckDB gold tables.
- `cortex` (c360.assistant.cortex.CortexAnalyst): Snowflake Cortex Analyst over REST.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Protocol

from c360 import names
from c360.assistant.messages import AnalystReply, Message
from c360.assistant.model import SemanticModel
from c360.config import Settings, Target
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.grants import DEFAULT_APP_ROLE, Role


class BackendName(StrEnum):
    auto = "auto"  # local on the local target, cortex on the snowflake target
    local = "local"
    cortex = "cortex"


class AnalystBackend(Protocol):
    name: str

    def message(self, messages: Sequence[Message]) -> AnalystReply:
        """Answer the last user message of a conversation (alternating user/analyst turns)."""
        ...


def semantic_model_stage_path() -> str:
    return f"@{names.DATABASE}.{names.GOLD}.{names.SEMANTIC_STAGE}/{names.SEMANTIC_MODEL_FILE}"


def open_backend(
    choice: BackendName | str,
    settings: Settings,
    session: WarehouseSession,
    model: SemanticModel,
    as_of: date,
    role: Role | str = DEFAULT_APP_ROLE,
) -> AnalystBackend:
    choice = BackendName(str(choice))
    if choice is BackendName.auto:
        choice = BackendName.cortex if settings.target is Target.snowflake else BackendName.local
    if choice is BackendName.local:
        from c360.assistant.local import LocalAnalyst

        return LocalAnalyst.on_session(model, as_of, session, role)
    con = getattr(session, "con", None)
    if session.dialect != "snowflake" or con is None:
        raise C360Error("backend 'cortex' needs the snowflake target (Cortex Analyst runs in Snowflake)")
    from c360.assistant.cortex import CortexAnalyst, SessionTransport

    return CortexAnalyst(SessionTransport(con), semantic_model_stage_path())
