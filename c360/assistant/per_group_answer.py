"""The answer sentence of a ranking within each group (per_group.py): the first rows of a few groups, by name."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from c360.assistant.answer import fmt
from c360.assistant.compiler import OutputColumn


def sentence(frame: pd.DataFrame, columns: Sequence[OutputColumn], partition: str, shown: int = 3) -> str:
    """'3 channels, the first 3 rows of each. In-Store: Airlines ($4,989,316), Grocery ($4,685,612), …': the
    answer per group (the overall highest and lowest rows would say nothing about the ranking asked for)."""
    measure = next((c for c in columns if c.role == "measure"), None)
    group = next((c for c in columns if c.name == partition), None)
    if frame.empty or measure is None or group is None:
        return "No rows match."
    ids = [c for c in columns if c.role == "dimension" and c.name != partition and c.format == "id"]
    names = [c for c in columns if c.role == "dimension" and c.name != partition and c.format != "id"]

    def row_name(row: pd.Series) -> str:
        label = " / ".join(str(row[c.name]) for c in names)
        key = ", ".join(str(row[c.name]) for c in ids)
        return f"{label} ({key})" if label and key else label or key

    parts = []
    groups = list(frame.groupby(partition, sort=False, dropna=False))
    for value, rows in groups[:shown]:
        ranked = ", ".join(
            f"{row_name(row)} ({fmt(row[measure.name], measure.format)})" for _, row in rows.iterrows()
        )
        parts.append(f"{value}: {ranked}")
    more = f"; and {len(groups) - shown} more" if len(groups) > shown else ""
    most = int(frame.groupby(partition, dropna=False).size().max())
    return (
        f"{len(groups)} {group.label} values, up to {most} row{'s' if most > 1 else ''} each by {measure.label}. "
        + ("; ".join(parts) + more + ".")
    )
