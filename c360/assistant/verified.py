"""Verified queries: matched before anything is compiled, translated from logical to physical SQL.

A question uses a verified query when it means the same thing: its semantic query signature equals the
verified question's (so "how many customers are in each segment" and "number of customers per segment"
both match), or its content words are exactly the verified question's and its reading (when it has one)
does not differ from the verified question's: a superlative, limit or filter the verified query lacks makes
the words alone no match. Verified SQL is written on logical
names (`__customer_360_profile`, logical columns), in Snowflake SQL as Cortex Analyst requires; locally it
is translated to the physical gold tables and the DuckDB dialect.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from c360.assistant.lexicon import Lexicon
from c360.assistant.model import SemanticModel, SemanticModelError, VerifiedQuery, parse_expr
from c360.assistant.query import SemanticQuery
from c360.assistant.reading import QuestionParser
from c360.assistant.spec import VERIFIED_TABLE_PREFIX
from c360.assistant.text import tokenize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexedQuery:
    query: VerifiedQuery
    signature: tuple[object, ...] | None
    words: frozenset[str]
    sql: str  # physical, target dialect


class VerifiedIndex:
    def __init__(
        self, model: SemanticModel, lexicon: Lexicon, parser: QuestionParser, dialect: str = "duckdb"
    ) -> None:
        self.lexicon = lexicon
        self.entries: list[IndexedQuery] = []
        for vq in model.verified_queries:
            parsed = parser.parse(vq.question)
            signature = parsed.query.signature() if parsed.query is not None else None
            self.entries.append(
                IndexedQuery(
                    vq, signature, self.content_words(vq.question), to_physical_sql(model, vq.sql, dialect)
                )
            )

    def content_words(self, question: str) -> frozenset[str]:
        stop = self.lexicon.vocabulary.stopwords
        return frozenset(t.lemma for t in tokenize(question) if t.lemma not in stop)

    def match(self, question: str, query: SemanticQuery | None) -> IndexedQuery | None:
        words = self.content_words(question)
        signature = query.signature() if query is not None else None
        for entry in self.entries:
            both = signature is not None and entry.signature is not None
            if both and signature == entry.signature:
                return entry
            # the same content words are enough only when the readings do not disagree: "which segment has
            # the most customers?" has the words of "how many customers are in each segment?" but asks for
            # one ranked row (a superlative, a limit), which the verified query does not have
            if words and words == entry.words and not both:
                return entry
        return None


def to_physical_sql(model: SemanticModel, sql: str, dialect: str = "duckdb") -> str:
    """Verified SQL on logical names -> SQL on the physical tables, in `dialect`."""
    try:
        tree = sqlglot.parse_one(sql, read="snowflake")
    except (ParseError, TokenError) as exc:
        raise SemanticModelError(f"verified query SQL is not valid: {exc}") from None
    aliases: dict[str, str] = {}  # alias (lower) -> logical table
    for table in list(tree.find_all(exp.Table)):
        name = table.name
        if not name.startswith(VERIFIED_TABLE_PREFIX):
            continue
        logical = name[len(VERIFIED_TABLE_PREFIX) :]
        target = model.table(logical)
        alias = table.alias or name
        aliases[alias.lower()] = logical
        replacement = exp.Table(
            this=exp.to_identifier(target.physical_name),
            db=exp.to_identifier(target.schema),
            alias=exp.TableAlias(this=exp.to_identifier(alias)),
        )
        table.replace(replacement)
    for column in list(tree.find_all(exp.Column)):
        logical_table = _owner(model, column, aliases)
        if logical_table is None:
            continue
        logical_col = model.tables[logical_table].columns.get(column.name)
        if logical_col is None or logical_col.expr.strip().lower() == column.name.lower():
            continue
        alias = column.table or next(a for a, t in aliases.items() if t == logical_table)
        expr = parse_expr(logical_col.expr)
        for inner in expr.find_all(exp.Column):
            if not inner.table:
                inner.set("table", exp.to_identifier(alias))
        column.replace(expr)
    return tree.sql(dialect=dialect)


def _owner(model: SemanticModel, column: exp.Column, aliases: dict[str, str]) -> str | None:
    if column.table:
        return aliases.get(column.table.lower())
    owners = [t for t in aliases.values() if column.name in model.tables[t].columns]
    return owners[0] if len(set(owners)) == 1 else None
