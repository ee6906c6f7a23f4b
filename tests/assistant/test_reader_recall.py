"""What the reader understands beyond its own question set (issue 15), on paraphrases that appear in no
evaluation set: typos and abbreviations, customer lookups, 'or' across columns, percent of total and shares of
a measure, calendar-complete periods and dates, yes/no comparisons, current values 'this month' — and that it
still refuses what it cannot answer exactly."""

from __future__ import annotations

from datetime import date

import pytest

from c360.assistant.local import LocalAnalyst
from c360.assistant.messages import Message, conversation
from c360.assistant.model import SemanticModel
from c360.assistant.values import ValueIndex
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    ("question", "fragments", "params"),
    [
        # typos and abbreviations (stated in the answer, below)
        ("averge lifetime value by regoin", ["AVG(p.lifetime_value)", "GROUP BY p.region"], ()),
        ("how many txns were made online", ["t.channel = ?"], ("Online",)),
        # one customer by id or e-mail: the asked columns, or the whole profile
        (
            "what is the credit limit of CUST00000005",
            ["p.credit_limit", "p.customer_id = ?"],
            ("CUST00000005",),
        ),
        ("look up jdoe@example.com", ["p.churn_risk_category", "p.email = ?"], ("jdoe@example.com",)),
        (
            "how much did CUST00000007 spend online in 2025",
            ["GROUP BY t.customer_id", "t.channel = ?"],
            ("CUST00000007", "Online", date(2025, 1, 1)),
        ),
        (
            "the 3 most recent transactions of CUST00000009",
            ["ORDER BY t.transaction_date DESC", "LIMIT 3"],
            ("CUST00000009",),
        ),
        # conditions on different columns joined by 'or'; one column's values stay one filter
        (
            "customers in Texas or with a credit limit above 30000",
            ["OR", "p.credit_limit > ?"],
            ("TX", 30000.0),
        ),
        ("number of Standard cardholders at low or medium churn risk", ["IN (?, ?)"], ("Standard",)),
        # percent of total and shares of a measure
        (
            "number of customers by region as a percentage of the total",
            ["SUM(COUNT(DISTINCT p.customer_id)) OVER ()"],
            (),
        ),
        (
            "what share of total spend came from Premium cardholders",
            ["100.0 * SUM(CASE WHEN (p.card_type = ?)"],
            ("Premium",),
        ),
        # calendar-complete periods and dates
        (
            "total spend in the last 2 complete months",
            ["mm.month >= ?"],
            (date(2026, 8, 1), date(2026, 10, 1)),
        ),
        ("dining spend since March 15, 2026", ["t.transaction_date >= ?"], (date(2026, 3, 15),)),
        # yes/no as a grouped comparison; a current score 'this month'
        (
            "Are retired customers more likely to be lapsed than employed ones?",
            ["GROUP BY p.employment_status", "p.customer_status = 'Lapsed'"],
            ("Retired", "Employed"),
        ),
        (
            "Which customers have the highest churn score this month?",
            ["ORDER BY p.churn_risk_score DESC"],
            (),
        ),
        # superlatives: the row(s) holding an extreme, the extreme itself, both extremes
        (
            "which transaction was the biggest in 2025",
            ["t.transaction_amount >= (SELECT MIN(top_k.v)", "ORDER BY v DESC LIMIT 1"],
            (date(2025, 1, 1),),
        ),
        (
            "which customer has the lowest churn risk score",
            ["p.churn_risk_score <= (SELECT MAX(top_k.v)", "ORDER BY v ASC LIMIT 1"],
            (),
        ),
        ("what is the lowest credit limit", ["MIN(p.credit_limit)"], ()),
        ("which month had the most declined transactions", ["DATE_TRUNC('month'", "DESC", "LIMIT 1"], ()),
        (
            "the smallest and largest purchases made online",
            ["MIN(t.transaction_amount)", "MAX(t.transaction_amount)"],
            ("Online",),
        ),
    ],
)
def test_questions_beyond_the_evaluation_sets(
    compiler_only: LocalAnalyst, question: str, fragments: list[str], params: tuple
) -> None:
    c = compiled(compiler_only, question)
    for fragment in fragments:
        assert fragment in c.sql, c.sql
    for param in params:
        assert param in c.params, c.params


def test_corrections_and_defaults_are_stated(compiler_only: LocalAnalyst) -> None:
    assert (
        "I read 'regoin' as 'region'" in compiled(compiler_only, "averge lifetime value by regoin").warnings
    )
    assert "approved transactions only" in compiled(compiler_only, "approved spend by channel").warnings
    this_month = compiled(compiler_only, "Which customers have the highest churn score this month?")
    assert any("current values" in w for w in this_month.warnings)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        (
            "average number of merchants a customer uses",
            "incomplete",
        ),  # a count per customer: not in the data
        ("spend by merchant city", "unavailable"),
        ("average lifetime value this month", "incomplete"),  # lifetime value is not a current value
        ("Cilafornai spend", "not_understood"),  # three edits from California: too far to guess
        ("How many customers named Zed Quux?", "not_understood"),  # not a known name
    ],
)
def test_still_refuses_instead_of_guessing(analyst: LocalAnalyst, question: str, kind: str) -> None:
    result = turn(analyst, question)
    assert result.refusal is not None and result.refusal.kind == kind, result.refusal


def test_a_customer_found_by_name(model: SemanticModel, as_of_date: date) -> None:
    names = ValueIndex({"tanner hill": ("customer_360_profile.full_name", "Tanner Hill")})
    analyst = LocalAnalyst(model, as_of_date, use_verified=False, values=names)
    c = compiled(analyst, "Tanner Hill - what's his churn risk score?")
    assert "p.full_name = ?" in c.sql and "Tanner Hill" in c.params
    assert turn(analyst, "tanner hill churn risk score").refusal is not None  # names only as written


def test_follow_ups_about_a_customer_keep_the_customer(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "what did they spend in the last 30 days?", "Look up customer CUST00000027")
    assert "CUST00000027" in c.params and "customer_id" in [o.name for o in c.columns]
    history: list[Message] = []
    first = "Show me the top 10 customers by lifetime value"
    history += [Message.user(first), compiler_only.turn(conversation(history, first)).reply.message]
    narrowed = compiler_only.turn(conversation(history, "now only premium card holders")).compiled
    assert narrowed is not None and "LIMIT 10" in narrowed.sql and "Premium" in narrowed.params
