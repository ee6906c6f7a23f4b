"""'On average, how many purchases did active customers make …?', 'how many transactions does a Premium customer
make on average': an average per customer of a count. The reader has no per-customer count of a window, and the
count it would otherwise answer is the total (a wrong answer), so a question that says *on average* and whose
reading has no average measure (a total, or a listing of the rows) is refused."""

from __future__ import annotations

import itertools

from c360.assistant.model import SemanticModel
from c360.assistant.query import SemanticQuery
from c360.assistant.reading.items import Refusal
from c360.assistant.text import Token

AVERAGE_WORDS = frozenset({"average", "avg", "mean"})


def said_on_average(tokens: list[Token]) -> bool:
    return any(a.norm == "on" and b.norm in AVERAGE_WORDS for a, b in itertools.pairwise(tokens))


def _averaged(model: SemanticModel, query: SemanticQuery) -> bool:
    for measure in query.measures:
        for option in measure.options:
            if option.aggregation in ("avg", "median"):
                return True
            column = model.tables[option.table].columns.get(option.column or "")
            if column is not None and column.expr.strip().upper().startswith(("AVG(", "MEDIAN(")):
                return True
    return False


def unread_average(model: SemanticModel, tokens: list[Token], query: SemanticQuery) -> Refusal | None:
    """The refusal when the question says 'on average' and the reading averages nothing."""
    if not said_on_average(tokens) or _averaged(model, query):  # a listing averages nothing either
        return None
    return Refusal(
        "incomplete",
        "I can't yet answer 'on average' here: what I would compute is a total, not an average per customer; ask "
        "for the total, or for an average the data stores per customer (e.g. average monthly spend).",
    )
