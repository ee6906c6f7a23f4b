"""The first rows within each group (per_group.py), run on DuckDB: ties are broken by the other groupings."""

from __future__ import annotations

import duckdb
import pytest

from c360.assistant.per_group import top_per_group

GROUPED = "SELECT channel, category, SUM(amount) AS spend FROM t GROUP BY channel, category"


def test_the_ranking_restarts_in_every_group_and_ties_fall_to_the_ranked_values() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM (VALUES ('Online', 'B', 5), ('Online', 'A', 5), ('Online', 'C', 1), "
        "('Mobile', 'C', 7), ('Mobile', 'A', 2), ('Mobile', 'A', 2)) AS v(channel, category, amount)"
    )
    sql, order = top_per_group(GROUPED, "channel", ["spend DESC NULLS LAST"], ["category"], 2)
    rows = con.execute(f"{sql} ORDER BY {', '.join(order)}").fetchall()
    assert rows == [("Mobile", "C", 7), ("Mobile", "A", 4), ("Online", "A", 5), ("Online", "B", 5)]
    sql, order = top_per_group(GROUPED, "channel", ["spend ASC NULLS LAST"], ["category"], 1)
    assert con.execute(f"{sql} ORDER BY {', '.join(order)}").fetchall() == [
        ("Mobile", "A", 4),
        ("Online", "C", 1),
    ]


def test_no_rows_per_group_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        top_per_group(GROUPED, "channel", ["spend DESC"], ["category"], 0)
