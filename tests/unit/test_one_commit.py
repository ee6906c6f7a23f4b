"""One commit per in-process dbt invocation (c360/transform/one_commit.py), on dbt-duckdb's own environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dbt.adapters.duckdb import environments
from dbt.adapters.duckdb.credentials import DuckDBCredentials
from dbt.adapters.duckdb.environments.local import LocalEnvironment

from c360.errors import C360Error
from c360.transform.one_commit import finish, is_transaction_control, one_commit

DBT_COMMENT = '/* {"app": "dbt", "dbt_version": "1.10.15", "node_id": "model.c360.x"} */\n'


@pytest.mark.parametrize(
    "sql",
    ["BEGIN", "commit", "COMMIT;", "rollback", "begin transaction", f"{DBT_COMMENT}COMMIT", "  end  "],
)
def test_transaction_control_is_recognised(sql: str) -> None:
    assert is_transaction_control(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "commit; drop table t",
        f"{DBT_COMMENT}insert into t select 'commit'",
        "create table commit_log (a int)",
        "begin_snapshot",
    ],
)
def test_other_statements_are_not_transaction_control(sql: str) -> None:
    assert not is_transaction_control(sql)


@pytest.fixture
def environment(tmp_path: Path) -> Iterator[LocalEnvironment]:
    database = tmp_path / "one_commit.duckdb"
    env = environments.create(DuckDBCredentials(path=str(database), keep_open=True))
    assert isinstance(env, LocalEnvironment)
    yield env
    env.close()


def _tables(environment: LocalEnvironment) -> list[str]:
    handle = environment.handle()
    try:
        rows = handle.cursor().execute("select table_name from duckdb_tables() order by 1").fetchall()
        return [str(row[0]) for row in rows]
    finally:
        handle.close()


def _node(environment: LocalEnvironment, *statements: str) -> None:
    """What dbt does per node: a new handle, BEGIN, the node's SQL, COMMIT, close."""
    handle = environment.handle()
    cursor = handle.cursor()
    cursor.execute("BEGIN")
    for sql in statements:
        cursor.execute(sql)
    cursor.execute(f"{DBT_COMMENT}COMMIT")
    handle.close()


def test_every_handle_shares_one_transaction_that_commits_once(environment: LocalEnvironment) -> None:
    with one_commit() as transaction:
        _node(environment, "create table a (x int)", "insert into a values (1)")
        _node(environment, "create table b as select x + 1 as y from a")  # sees the first node's work
        handle = environment.handle()
        handle.rollback()  # dbt's handle-level rollback after a release leaves the transaction alone
        handle.close()
        finish(transaction, commit=True)
    assert _tables(environment) == ["a", "b"]


def test_a_failed_invocation_leaves_nothing(environment: LocalEnvironment) -> None:
    _node(environment, "create table kept (x int)")
    with one_commit() as transaction:
        _node(environment, "insert into kept values (1)", "create table half (x int)")
        with pytest.raises(Exception, match="does_not_exist"):
            _node(environment, "insert into kept select * from does_not_exist")
        finish(transaction, commit=False)
    assert _tables(environment) == ["kept"]
    handle = environment.handle()
    assert handle.cursor().execute("select count(*) from kept").fetchone() == (0,)
    handle.close()


def test_leaving_without_finishing_rolls_back_and_restores_dbt(environment: LocalEnvironment) -> None:
    original = LocalEnvironment.handle
    with pytest.raises(RuntimeError, match="interrupted"), one_commit():
        _node(environment, "create table lost (x int)")
        raise RuntimeError("interrupted")
    assert LocalEnvironment.handle is original
    assert _tables(environment) == []


def test_invocations_do_not_nest() -> None:
    with one_commit(), pytest.raises(C360Error, match="already running"), one_commit():
        pass


def test_the_commit_reports_a_conflict(environment: LocalEnvironment) -> None:
    _node(environment, "create table c (x int primary key)")
    with one_commit() as transaction:
        _node(environment, "insert into c values (1)")
        handle = environment.handle()
        handle.close()
        conflicting = environment.conn.cursor()  # another connection of the same database, outside dbt
        conflicting.execute("insert into c values (1)")
        with pytest.raises(Exception, match=r"(?i)conflict|constraint|duplicate"):
            finish(transaction, commit=True)
        conflicting.close()
    handle = environment.handle()
    assert handle.cursor().execute("select count(*) from c").fetchone() == (1,)
    handle.close()
