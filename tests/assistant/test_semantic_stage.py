"""On the snowflake target the semantic_model step PUTs the model to GOLD.SEMANTIC_STAGE (the session on fakesnow;
PUT and LIST on tests/support/stage_emulator.py: fakesnow 0.11.18 cannot parse LIST @db.schema.stage)."""

from __future__ import annotations

from pathlib import Path

import fakesnow
import pytest
import snowflake.connector

from c360 import names
from c360.assistant.model import MODEL_PATH
from c360.config import SnowflakeCredentials
from c360.engines.snowflake import SnowflakeSession
from c360.steps import semantic_model
from tests.support.stage_emulator import StageEmulator

pytestmark = pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result:UserWarning")
STAGE = f"{names.DATABASE}.{names.GOLD}.{names.SEMANTIC_STAGE}"


def test_model_is_put_to_the_semantic_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    statements: list[str] = []
    original = SnowflakeSession._cursor_execute

    stage = StageEmulator({STAGE})

    def recording(self: SnowflakeSession, sql: str, params: object) -> object:
        statements.append(sql)
        return stage.handle(sql) or original(self, sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(SnowflakeSession, "_cursor_execute", recording)
    (tmp_path / "fakesnow").mkdir()
    with fakesnow.patch(db_path=str(tmp_path / "fakesnow")):
        setup = snowflake.connector.connect(account="x", user="u", password="p")
        setup.cursor().execute(f"create database if not exists {names.DATABASE}")
        setup.cursor().execute(f"create schema if not exists {names.DATABASE}.{names.GOLD}")
        session = SnowflakeSession.connect(SnowflakeCredentials(account="myorg-dev", user="u", password="p"))
        try:
            semantic_model._put_to_stage(session, MODEL_PATH)
            semantic_model._put_to_stage(session, MODEL_PATH)  # OVERWRITE: a re-deploy replaces the file
        finally:
            session.close()
        setup.close()
    listed = [str(row[0]) for row in stage.handle(f"list @{STAGE}").fetchall()]  # type: ignore[union-attr]
    assert [name for name in listed if name.endswith(names.SEMANTIC_MODEL_FILE)], listed
    puts = [s for s in statements if s.lstrip().upper().startswith("PUT")]
    assert len(puts) == 2 and all("AUTO_COMPRESS = FALSE OVERWRITE = TRUE" in s for s in puts)
    assert semantic_model.stage_location() == f"@{STAGE}/{names.SEMANTIC_MODEL_FILE}"
