"""The answer sentence of two periods side by side (per_period.py): each figure in both periods and its change,
for the whole result (one row per period) or for the first groups in the order shown."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from c360.assistant.answer import fmt
from c360.assistant.compiler import OutputColumn


def sentence(
    frame: pd.DataFrame,
    columns: Sequence[OutputColumn],
    changes: Sequence[tuple[str, str, str]],
    periods: Sequence[str],
    shown: int = 3,
) -> str:
    """'Total spend $1,628,631 in October 2026 vs $1,677,533 in November 2026 (+$48,902, +3.0%).' — per group,
    the first rows in the order shown."""
    if frame.empty or len(periods) != 2:
        return "No rows match."
    first, last = periods
    by_name = {c.name: c for c in columns}
    groups = [c for c in columns if c.role == "dimension" and c.name in frame.columns]

    def figures(earlier_row: pd.Series, later_row: pd.Series, per_row: bool) -> str:
        parts = []
        for earlier, later, change in changes:
            a = by_name[earlier]
            b = by_name[later] if per_row else a
            label = a.label.removesuffix(f" ({first})")
            delta, pct = later_row[change], later_row[f"{change}_pct"]
            if pd.isna(delta):
                moved = f"no value in {first} to compare"
            else:
                moved = fmt(delta, a.format)
                moved = moved if moved.startswith("-") else f"+{moved}"
                moved += "" if pd.isna(pct) else f", {float(pct):+.1f}%"
            parts.append(
                f"{label} {fmt(earlier_row[earlier], a.format)} in {first} vs "
                f"{fmt(later_row[later if per_row else earlier], b.format)} in {last} ({moved})"
            )
        return "; ".join(parts)

    if "period_start" in frame.columns and len(frame) == 2:  # one row per period, earlier first
        text = figures(frame.iloc[0], frame.iloc[1], per_row=False)
        return text[:1].upper() + text[1:] + "."
    if (
        not groups and len(frame) == 1
    ):  # one row, each period a column ("the last 90 days vs the 90 days before")
        text = figures(frame.iloc[0], frame.iloc[0], per_row=True)
        return text[:1].upper() + text[1:] + "."
    rows = [
        f"{' / '.join(str(row[g.name]) for g in groups)}: {figures(row, row, per_row=True)}"
        for _, row in frame.head(shown).iterrows()
    ]
    more = f" ({len(frame) - shown} more rows in the table)" if len(frame) > shown else ""
    return ". ".join(rows) + f".{more}"
