"""StageFilesProvider against the Snowflake emulator: the session and every other statement on fakesnow, the
file commands (PUT / LIST / REMOVE into stage folders, which fakesnow 0.11.18 cannot do) on
tests/support/stage_emulator.py, with Snowflake's documented semantics."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import fakesnow
import pytest

from c360.engines.snowflake import SnowflakeSession
from components.content_hash import file_manifest
from components.providers.stage_files import (
    PROVIDER_VERSION,
    StageFilesError,
    StageFilesProvider,
    plan_sync,
    put_statement,
)
from tests.support.stage_emulator import StageEmulator

STAGE = "CUSTOMER_ANALYTICS.GOLD.APP_STAGE"
pytestmark = pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result:UserWarning")


@pytest.fixture
def stage() -> StageEmulator:
    return StageEmulator({STAGE})


@pytest.fixture
def snowflake_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: StageEmulator
) -> Iterator[list[str]]:
    """Credentials in the environment (as at deploy time), fakesnow behind the connector, the stage's files
    in the emulator, and a log of every statement the provider sends."""
    monkeypatch.setenv("C360_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SNOWFLAKE_ACCOUNT", "myorg-c360_dev")
    monkeypatch.setenv("SNOWFLAKE_USER", "C360_DEPLOY")
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", "fake")
    statements: list[str] = []
    original = SnowflakeSession._cursor_execute

    def recording(self: SnowflakeSession, sql: str, params: object) -> object:
        statements.append(sql)
        return stage.handle(sql) or original(self, sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(SnowflakeSession, "_cursor_execute", recording)
    (tmp_path / "fakesnow").mkdir()
    with fakesnow.patch(db_path=str(tmp_path / "fakesnow")):
        yield statements


def listed(stage: StageEmulator) -> set[str]:
    return stage.listed(STAGE, "c360_app")


def app_props(folder: Path) -> dict[str, object]:
    return {
        "stage": STAGE,
        "directory": "c360_app",
        "source_dir": str(folder),
        "files": file_manifest(folder),
        "provider_version": PROVIDER_VERSION,
    }


def test_check_rejects_unsafe_inputs(app_dir: Path) -> None:
    provider = StageFilesProvider()
    assert provider.check({}, app_props(app_dir)).failures == []
    bad = {**app_props(app_dir), "stage": "GOLD.APP_STAGE; drop database x", "directory": "../up"}
    bad["files"] = {"../secrets.txt": "0" * 64, "ok.py": "not-a-digest"}
    failures = provider.check({}, bad).failures
    assert {f.property for f in failures} == {"stage", "directory", "files"}
    assert len([f for f in failures if f.property == "files"]) == 2


def test_create_uploads_the_folder_and_skips_build_artefacts(
    snowflake_env: list[str], stage: StageEmulator, app_dir: Path
) -> None:
    (app_dir / "__pycache__").mkdir()
    (app_dir / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (app_dir / ".streamlit").mkdir()
    (app_dir / ".streamlit" / "secrets.toml").write_text("password = 'never uploaded'\n")
    (app_dir / ".env").write_text("SNOWFLAKE_PASSWORD=never-uploaded\n")
    created = StageFilesProvider().create(app_props(app_dir))
    assert created.id == f"@{STAGE}/c360_app"
    assert created.outs["file_count"] == 3
    assert listed(stage) == {"streamlit_app.py", "environment.yml", "tabs/segments.py"}
    puts = [s for s in snowflake_env if s.startswith("put ")]
    assert len(puts) == 3 and all("auto_compress = false overwrite = true" in s for s in puts)
    assert any(f"@{STAGE}/c360_app/tabs/" in s for s in puts)


def test_diff_and_update_touch_only_what_changed(snowflake_env: list[str], app_dir: Path) -> None:
    provider = StageFilesProvider()
    created = provider.create(app_props(app_dir))
    assert provider.diff("id", created.outs, app_props(app_dir)).changes is False
    moved = provider.diff("id", created.outs, {**app_props(app_dir), "source_dir": "/elsewhere/streamlit"})
    assert moved.changes is False  # another checkout of the same content is not a change

    (app_dir / "tabs" / "segments.py").write_text("TITLE = 'Segments v2'\n")
    (app_dir / "tabs" / "campaign.py").write_text("TITLE = 'Campaign'\n")
    (app_dir / "environment.yml").unlink()
    (app_dir / "environment.yml.bak").write_text("kept\n")  # starts with a removed path
    news = app_props(app_dir)
    diff = provider.diff("id", created.outs, news)
    assert diff.changes is True and diff.replaces == []
    snowflake_env.clear()
    provider.update("id", created.outs, news)
    removes = [s for s in snowflake_env if s.startswith("remove ")]
    puts = sorted(re.search(r"/([^/']+)' @", s).group(1) for s in snowflake_env if s.startswith("put "))
    assert removes == [f"remove @{STAGE}/c360_app/environment.yml"]
    assert puts == ["campaign.py", "environment.yml.bak", "segments.py"]
    assert provider.diff("id", created.outs, {**news, "directory": "c360_app_v2"}).replaces == ["directory"]


def test_a_file_edited_after_the_plan_fails_the_update(snowflake_env: list[str], app_dir: Path) -> None:
    props = app_props(app_dir)
    (app_dir / "streamlit_app.py").write_text("# edited after preview\n")
    with pytest.raises(StageFilesError, match="changed after the plan"):
        StageFilesProvider().create(props)
    assert not [s for s in snowflake_env if s.startswith("put ")]


def test_delete_removes_every_file_it_put(
    snowflake_env: list[str], stage: StageEmulator, app_dir: Path
) -> None:
    provider = StageFilesProvider()
    created = provider.create(app_props(app_dir))
    snowflake_env.clear()
    provider.delete(created.id, created.outs)
    assert sorted(snowflake_env) == sorted(
        f"remove @{STAGE}/c360_app/{rel}"
        for rel in ("environment.yml", "streamlit_app.py", "tabs/segments.py")
    )
    assert listed(stage) == set()


def test_plan_sync_and_put_statement_quote_the_local_path(tmp_path: Path) -> None:
    assert plan_sync({"a.py": "1", "b.py": "2"}, {"a.py": "1", "b.py.orig": "3"}) == (["b.py.orig"], ["b.py"])
    spaced = tmp_path / "my app" / "x.py"
    statement = put_statement(spaced, STAGE, "c360_app", "x.py")
    assert statement.startswith(f"put 'file://{spaced.resolve().as_posix()}' @{STAGE}/c360_app/ ")


def test_a_relative_source_dir_is_a_folder_of_the_checkout(tmp_path: Path) -> None:
    """The state holds `streamlit`, not /home/someone/c360/streamlit (components/content_hash.py stored_path)."""
    from c360.paths import REPO_ROOT
    from components.content_hash import stored_path
    from components.providers.stage_files import source_root

    assert stored_path(REPO_ROOT / "streamlit") == "streamlit"
    assert source_root("streamlit") == REPO_ROOT / "streamlit"
    assert stored_path(tmp_path) == tmp_path.resolve().as_posix()
    assert source_root(str(tmp_path)) == tmp_path
