"""The first N rows within each group ("top 3 merchant categories per channel"): the grouped query ranked
again inside every value of one of its groupings, ties broken by the other groupings' values so the rows are
the same on every run. Written over the grouped result's column names, so the same SQL runs on DuckDB and
Snowflake (both have QUALIFY)."""

from __future__ import annotations

from collections.abc import Sequence


def top_per_group(
    grouped: str, partition: str, order: Sequence[str], tiebreak: Sequence[str], per: int
) -> tuple[str, list[str]]:
    """The SQL keeping `per` rows of each `partition` value of the `grouped` query (no ORDER BY of its own),
    and the ORDER BY of the result (group, then rank inside it)."""
    if per < 1:
        raise ValueError(f"rows per group must be at least 1, got {per}")
    ranking = ", ".join([*order, *(f"{t} ASC" for t in tiebreak)])
    sql = (
        f"SELECT * FROM ({grouped}) AS grouped "
        f"QUALIFY ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {ranking}) <= {int(per)}"
    )
    return sql, [f"{partition} ASC", *order, *(f"{t} ASC" for t in tiebreak)]
