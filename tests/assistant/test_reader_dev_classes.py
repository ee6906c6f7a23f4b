"""Round five of issue 15 (the development sets' remaining failures, fixed as classes): each class pinned on
paraphrases of our own that appear in no evaluation set, and on what must still refuse."""

from __future__ import annotations

import pytest

from c360.assistant.local import LocalAnalyst
from tests.assistant.test_compiler import compiled, turn


@pytest.mark.parametrize(
    ("question", "grouped_by"),
    [
        ("Split the customers by region - how many are in each?", "GROUP BY p.region"),
        ("which card types do our cardholders hold, and how many of each?", "GROUP BY p.card_type"),
        (
            "Which employment statuses do customers have, and how many in each?",
            "GROUP BY p.employment_status",
        ),
        (
            "customers per churn risk category, with the % of all customers in each one",
            "GROUP BY p.churn_risk_category",
        ),
    ],
)
def test_in_each_closing_the_question_points_back_at_the_named_groups(
    compiler_only: LocalAnalyst, question: str, grouped_by: str
) -> None:
    """'... by region - how many are in each?': the groups named before, counted once (no second count column)."""
    sql = compiled(compiler_only, question).sql
    assert grouped_by in sql and sql.count("COUNT(DISTINCT p.customer_id) AS") <= 1, sql


@pytest.mark.parametrize("question", ["how many customers are in each?", "average lifetime value in each"])
def test_in_each_with_no_groups_named_still_refuses(compiler_only: LocalAnalyst, question: str) -> None:
    result = turn(compiler_only, question)
    assert result.refusal is not None and result.refusal.kind == "incomplete"


@pytest.mark.parametrize(
    ("question", "window"),
    [
        ("How many new accounts did we open in 2025?", "p.account_open_date >= ?"),
        (
            "In which quarters of 2025 were new accounts opened, and how many in each?",
            "DATE_TRUNC('quarter', p.account_open_date)",
        ),
    ],
)
def test_new_accounts_counts_the_customers_who_opened_them(
    compiler_only: LocalAnalyst, question: str, window: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "COUNT(DISTINCT p.customer_id)" in sql and window in sql, sql


@pytest.mark.parametrize(
    ("question", "filtered"),
    [
        ("What share of last quarter's spend came from Standard cardholders?", "p.card_type = ?"),
        ("what percent of last month's spending was online", "t.channel = ?"),
    ],
)
def test_a_periods_possessive_spend_is_spend_in_that_period(
    compiler_only: LocalAnalyst, question: str, filtered: str
) -> None:
    """'last month's spend' is the spend in last month, never the customer-month table's prior-month column."""
    c = compiled(compiler_only, question)
    assert "prior_month_spend" not in c.sql and filtered in c.sql and "t.transaction_date >= ?" in c.sql, (
        c.sql
    )
    assert "SUM(CASE WHEN t.is_approved THEN t.transaction_amount" in c.sql


def test_a_share_of_spend_is_stated_as_a_share_of_spend(analyst: LocalAnalyst) -> None:
    """The answer names what the share is of (spend), not 'of transactions have ...'."""
    result = turn(analyst, "what share of total spend came from Declining customers")
    assert result.compiled is not None
    share = next(o for o in result.compiled.columns if o.name == "share_pct")
    assert share.label.startswith("share of total spend with "), share.label


@pytest.mark.parametrize(
    ("question", "fragment", "status"),
    [
        ("the total amount of declined transactions last month", "SUM(t.transaction_amount)", "declined"),
        ("What's the dollar value of declined purchases this year?", "SUM(t.transaction_amount)", "declined"),
        ("average amount of declined transactions by channel", "AVG(t.transaction_amount)", "declined"),
    ],
)
def test_the_money_of_declined_rows_is_their_amount_not_spend_beside_a_count(
    compiler_only: LocalAnalyst, question: str, fragment: str, status: str
) -> None:
    """'<money> of declined transactions': the amounts of those attempts, never approved spend plus the
    declined count as a second figure."""
    c = compiled(compiler_only, question)
    assert fragment in c.sql and "t.status = ?" in c.sql and status in c.params, c.sql
    assert "is_approved" not in c.sql and "declined_transaction" not in c.sql, c.sql


@pytest.mark.parametrize(
    "question", ["total value of transactions in 2025", "the total dollar amount of purchases in March 2026"]
)
def test_total_value_of_transactions_is_their_spend_not_their_count(
    compiler_only: LocalAnalyst, question: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert "transaction_amount" in sql or "monthly_spend" in sql or "spend" in sql, sql
    assert "COUNT(" not in sql and "transaction_count" not in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "customers whose 90-day spend change is under -40%",
        "how many Premium cardholders have a 90 day spend change above 20%",
    ],
)
def test_a_spend_change_in_its_own_window_stays_the_change_column(
    compiler_only: LocalAnalyst, question: str
) -> None:
    """'90-day spend change': the percent change, never the spend of the last 90 days compared with -40."""
    sql = compiled(compiler_only, question).sql
    assert "p.spend_change_pct" in sql and "spend_last_90_days" not in sql, sql


@pytest.mark.parametrize(
    ("question", "limit"),
    [
        ("Which Standard cardholders in Ohio have the highest credit limit? top 3", "LIMIT 3"),
        ("Which Declining customers have the lowest churn score? Just give me the top 4.", "LIMIT 4"),
    ],
)
def test_a_closing_top_n_limits_the_ranking_before_it(
    compiler_only: LocalAnalyst, question: str, limit: str
) -> None:
    sql = compiled(compiler_only, question).sql
    assert sql.rstrip().endswith(limit) and "ORDER BY p." in sql, sql


@pytest.mark.parametrize(
    ("question", "grouped_by"),
    [
        ("Do self-employed customers spend more per month than retired ones?", "p.employment_status"),
        ("do Western customers spend less each month than customers in the South?", "p.region"),
    ],
)
def test_spend_more_per_month_in_a_yes_no_comparison_is_the_monthly_rate(
    compiler_only: LocalAnalyst, question: str, grouped_by: str
) -> None:
    """A series by month cannot answer a yes/no: 'spend more per month than' compares the monthly spend rate."""
    result = turn(compiler_only, question)
    assert result.compiled is not None, result.refusal
    sql = result.compiled.sql
    assert "AVG(p.avg_monthly_spend)" in sql and f"GROUP BY {grouped_by}" in sql, sql
    assert any("monthly spend" in w for w in result.compiled.warnings), result.compiled.warnings


def test_spend_per_month_without_a_comparison_is_still_not_guessed(compiler_only: LocalAnalyst) -> None:
    result = turn(compiler_only, "Is spend per month higher for Premium cardholders or Standard ones?")
    assert result.refusal is not None or "DATE_TRUNC('month'" not in result.compiled.sql  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("question", "window"),
    [
        ("What was CUST00000077's month-over-month change in October 2026?", "mm.month < ?"),
        ("month over month spend change for CUST00000031 since August", "mm.month >= ?"),
    ],
)
def test_one_customers_month_over_month_change_in_a_period_is_read_from_the_month_rows(
    compiler_only: LocalAnalyst, question: str, window: str
) -> None:
    """A per-month column of one customer in a period: that customer's month rows, each with its month."""
    c = compiled(compiler_only, question)
    assert "mm.mom_change_pct" in c.sql and "mm.month AS month" in c.sql and window in c.sql, c.sql
    assert "mm.customer_id = ?" in c.sql and "mm.prior_month_spend" in c.sql, c.sql  # beside what it compares


def test_a_lifetime_measure_of_one_customer_in_a_period_is_still_refused(compiler_only: LocalAnalyst) -> None:
    result = turn(compiler_only, "what was CUST00000042's lifetime value last month")
    assert result.refusal is not None


@pytest.mark.parametrize(
    ("question", "card"),
    [
        ("total spend by card type in 2026", "dc.card_type"),
        ("What share of last month's spend came from Premium cardholders?", "p.card_type"),
    ],
)
def test_transactions_cut_by_card_type_say_which_card(
    compiler_only: LocalAnalyst, question: str, card: str
) -> None:
    """docs/metrics.md: spend split by card type is on the card each transaction was made on (the card
    history's version); Premium cardholders are the customers holding the card today. The answer says which."""
    c = compiled(compiler_only, question)
    assert card in c.sql, c.sql
    assert any("each transaction was made on" in t or "card type today" in t for t in c.told), c.told


def test_a_profile_question_about_card_type_has_no_such_note(compiler_only: LocalAnalyst) -> None:
    assert not any(
        "current card" in w for w in compiled(compiler_only, "average credit limit by card type").warnings
    )


@pytest.mark.parametrize(
    ("question", "params"),
    [
        ("How many customers are 15 to 29 days since their last transaction?", (15, 29)),
        ("customers whose last purchase was between 61 and 90 days ago", (61, 90)),
        ("Show lapsing customers, i.e. 31-59 days without a purchase", (31, 59)),
    ],
)
def test_a_range_of_days_since_the_last_purchase_is_read_on_the_recency_column(
    compiler_only: LocalAnalyst, question: str, params: tuple[int, int]
) -> None:
    c = compiled(compiler_only, question)
    assert "p.days_since_last_transaction BETWEEN ? AND ?" in c.sql and set(params) <= set(c.params), c.sql


def test_a_reversed_range_of_days_is_not_read(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "customers 59 to 31 days since their last purchase").refusal is not None


@pytest.mark.parametrize(
    ("question", "checked"),
    [
        (
            "what ROI would the retention campaign have over the value horizon?",
            (),
        ),
        ("what's the return on investment over the 12-month horizon", (12,)),
        ("If the lift holds, what would the campaign's ROI be?", ()),
    ],
)
def test_the_roi_over_the_horizon_is_the_horizon_twin(
    compiler_only: LocalAnalyst, question: str, checked: tuple[int, ...]
) -> None:
    """The horizon qualifies the measure wherever it stands; a number of months is checked, never ignored."""
    c = compiled(compiler_only, question)
    assert "horizon_roi_pct" in c.sql and "AVG(cp.roi_pct)" not in c.sql, c.sql
    assert ("cp.value_horizon_months IN (?)" in c.sql or "cp.value_horizon_months = ?" in c.sql) == bool(
        checked
    )
    assert set(checked) <= set(c.params)


def test_the_plain_roi_stays_the_roi_so_far(compiler_only: LocalAnalyst) -> None:
    assert "horizon" not in compiled(compiler_only, "what was the ROI of the retention campaign").sql


def test_the_horizon_without_a_measure_to_qualify_is_refused(compiler_only: LocalAnalyst) -> None:
    """'and over the full horizon if the lift holds?' after an ROI question: which figure is unsaid here, never
    the horizon's length and the lift as two new measures."""
    result = turn(
        compiler_only,
        "and what would it be over the full horizon if the lift holds?",
        "what was the campaign ROI?",
    )
    assert result.refusal is not None


def test_the_horizon_asked_for_itself_is_still_answered(compiler_only: LocalAnalyst) -> None:
    assert (
        "value_horizon_months"
        in compiled(compiler_only, "what is the value horizon of the retention campaign").sql
    )
