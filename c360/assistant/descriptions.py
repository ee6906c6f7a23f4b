"""Column descriptions have one home: the dbt model's YAML (dbt/models/**/<model>.yml).

A semantic-model column whose `expr` is a plain column of its base table's dbt model takes that column's
dbt description; a different description in both places is a structural problem, because the two texts drift
(they had: 102 of 104 such columns read differently). Derived columns (an expression over several columns)
and metrics keep their own description in the semantic model. The deployed file (local copy and the
Snowflake stage Cortex Analyst reads) is the model with the descriptions filled in.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

from c360.transform.docs import load_nodes

COLUMN_SECTIONS: Final = ("dimensions", "time_dimensions", "facts")
_PLAIN_COLUMN: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@lru_cache(maxsize=1)
def dbt_column_descriptions() -> dict[str, dict[str, str]]:
    """model name -> column name -> description (lower-case names; columns without a description left out)."""
    return {
        node.name.lower(): {c.name.lower(): c.description for c in node.columns if c.description}
        for node in load_nodes()
        if node.kind == "model"
    }


def plain_column(expr: object) -> str | None:
    text = str(expr or "").strip()
    return text.lower() if _PLAIN_COLUMN.match(text) else None


def fill_descriptions(raw: Any, described: dict[str, dict[str, str]]) -> list[str]:
    """Fill each plain column's description from dbt, in place; the problems found (described twice)."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        return problems
    for table in raw.get("tables") or []:
        if not isinstance(table, dict) or not isinstance(table.get("base_table"), dict):
            continue
        model = str(table["base_table"].get("table") or "").lower()
        columns = described.get(model, {})
        for section in COLUMN_SECTIONS:
            for column in table.get(section) or []:
                if not isinstance(column, dict):
                    continue
                physical = plain_column(column.get("expr"))
                text = columns.get(physical or "")
                if text is None:
                    continue
                if column.get("description") and " ".join(str(column["description"]).split()) != text:
                    problems.append(
                        f"tables.{table.get('name')}.{section}.{column.get('name')}: described here and in "
                        f"dbt ({model}.{physical}); keep one description, in the dbt model's YAML"
                    )
                else:
                    column["description"] = text
    return problems
