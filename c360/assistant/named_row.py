"""Questions after one row was looked up by its key ('profile of CUST00000042'): a person's pronoun is that
customer ('what's their churn risk?' is read again as "what's CUST00000042's churn risk?"), and other customers
described through that one ('how many customers are in their segment?', 'customers like them') are recognised so
that they can be refused instead of answered with a carried key (which would count the one customer)."""

from __future__ import annotations

import re

from c360.assistant.query import SemanticQuery
from c360.assistant.reading import Parsed, QuestionParser, Reading
from c360.assistant.reading.yesno import is_yes_no, key_columns
from c360.assistant.text import lemma

PERSON_PRONOUNS = re.compile(r"\b(?:(they|them|she|he|him)|(their|her|his))\b", re.IGNORECASE)
SINGULAR_PERSON = re.compile(r"\b(?:she|he|him|his|her|hers)\b", re.IGNORECASE)


def name_the_row(question: str, key: str) -> str | None:
    """The question with each pronoun of a person replaced by the row's key ('their' -> "KEY's"), or None
    when it has none (never 'it' or 'those', which point at a result or a measure)."""
    if PERSON_PRONOUNS.search(question) is None:
        return None
    return PERSON_PRONOUNS.sub(lambda m: key if m.group(1) else f"{key}'s", question)


def one_row_key(parser: QuestionParser, query: SemanticQuery) -> str | None:
    """The key value of the one row a query names ('CUST00000042'), if it names one."""
    keys = key_columns(parser.lk)
    for c in query.conditions:
        if c.op == "in" and len(c.values) == 1 and any(o.column in keys for o in c.options):
            value = c.values[0]
            return value if isinstance(value, str) else None
    return None


def about_named_row(
    parser: QuestionParser, previous: SemanticQuery, question: str, time_adjectives: bool
) -> Parsed | None:
    """The question read again with the looked-up row's key for its pronouns, as a question of its own; None
    when there is no such row or pronoun, the re-reading fails, or it names other rows of the row's table."""
    key = one_row_key(parser, previous)
    rewritten = name_the_row(question, key) if key is not None else None
    if key is None or rewritten is None:
        return None
    parsed = parser.parse(rewritten, time_adjectives=time_adjectives)
    if parsed.refusal is not None or parsed.query is None or parsed.partial is None:
        return None
    table = _table_of(previous, key)
    if any(i.kind == "LEX" and any(e.table == table for e in i.of("entity")) for i in parsed.partial.items):
        return None  # "how many customers are in their segment?": other rows than the one looked up
    return Parsed(parsed.query, followup=False, partial=parsed.partial)


def relative_to_named_row(
    parser: QuestionParser, previous: SemanticQuery, partial: Reading, question: str
) -> bool:
    """Other rows described through the looked-up one: a person's pronoun and the plural noun of the row's
    table, outside a yes/no about the row ('is she a Premium cardholder?' is about her)."""
    key = one_row_key(parser, previous)
    if key is None or PERSON_PRONOUNS.search(question) is None or is_yes_no(partial.tokens):
        return False
    table = _table_of(previous, key) or ""
    nouns = {lemma(n) for n in parser.lex.vocabulary.entities.get(table, {}).get("nouns", [])}
    return any(t.lemma in nouns and t.norm != t.lemma for t in partial.tokens)


def _table_of(query: SemanticQuery, key: str) -> str | None:
    return next((o.table for c in query.conditions for o in c.options if key in c.values), None)
