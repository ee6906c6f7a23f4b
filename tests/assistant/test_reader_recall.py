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


def test_a_customer_found_by_e_mail_by_a_role_that_sees_addresses(
    model: SemanticModel, as_of_date: date
) -> None:
    engineer = LocalAnalyst(model, as_of_date, use_verified=False, role="DATA_ENGINEER")
    c = compiled(engineer, "look up jdoe@example.com")
    assert "p.churn_risk_category" in c.sql and "p.email = ?" in c.sql and "jdoe@example.com" in c.params


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
    names = ValueIndex.of(
        "customer_360_profile.full_name",
        "customer_360_profile.customer_id",
        [("Tanner Hill", "CUST00000077")],
    )
    analyst = LocalAnalyst(model, as_of_date, use_verified=False, values=names)
    c = compiled(analyst, "Tanner Hill - what's his churn risk score?")
    assert "p.customer_id = ?" in c.sql and "CUST00000077" in c.params  # the name is read as the customer
    assert any("Tanner Hill" in w and "CUST00000077" in w for w in c.warnings)
    assert turn(analyst, "tanner hill churn risk score").refusal is not None  # names only as written


def _masked_names(model: SemanticModel, as_of_date: date) -> LocalAnalyst:
    """Names as a masked role sees them (first name + initial): 'Dana K.' is one customer, 'Lee M.' two."""
    shown = [
        ("Dana K.", "CUST00000101"),
        ("Lee M.", "CUST00000102"),
        ("Lee M.", "CUST00000103"),
        ("Will P.", "CUST00000104"),
    ]
    initial = ValueIndex.of(
        "customer_360_profile.full_name",
        "customer_360_profile.customer_id",
        shown,
        masker=lambda ref, text: f"{text.split()[0]} {text.split()[-1][0]}.",
    )
    return LocalAnalyst(model, as_of_date, use_verified=False, values=initial)


def test_a_masked_name_finds_the_one_customer_shown_that_way(model: SemanticModel, as_of_date: date) -> None:
    analyst = _masked_names(model, as_of_date)
    c = compiled(analyst, "What is the credit limit of Dana Kowalski?")
    assert "p.customer_id = ?" in c.sql and "CUST00000101" in c.params
    assert any("'Dana K.'" in w and "masked" in w for w in c.warnings)  # the answer says how it matched
    assert "CUST00000101" in compiled(analyst, "Dana Kowalski's top spend category").params  # possessive


def test_an_ambiguous_or_masked_identifier_is_refused(model: SemanticModel, as_of_date: date) -> None:
    analyst = _masked_names(model, as_of_date)
    ambiguous = turn(analyst, "Which segment is Lee Morgan in?").refusal
    assert ambiguous is not None and "CUST00000102" in ambiguous.reason and "CUST00000103" in ambiguous.reason
    will = turn(analyst, "Which segment do Will Premium cardholders belong to?")
    assert will.compiled is None or "CUST00000104" not in will.compiled.params  # vocabulary is no name
    # the default role (MARKETING_MANAGER) sees e-mail addresses masked: it cannot look anyone up by one
    by_email = turn(analyst, "what is the lifetime value of jdoe@example.com").refusal
    assert by_email is not None and "masked" in by_email.reason


def test_follow_ups_about_a_customer_keep_the_customer(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "what did they spend in the last 30 days?", "Look up customer CUST00000027")
    assert "CUST00000027" in c.params and "customer_id" in [o.name for o in c.columns]
    history: list[Message] = []
    first = "Show me the top 10 customers by lifetime value"
    history += [Message.user(first), compiler_only.turn(conversation(history, first)).reply.message]
    narrowed = compiler_only.turn(conversation(history, "now only premium card holders")).compiled
    assert narrowed is not None and "LIMIT 10" in narrowed.sql and "Premium" in narrowed.params


@pytest.mark.parametrize(
    ("question", "earlier", "shown", "not_filtered"),
    [
        # a yes/no question about one customer shows the asked column instead of filtering on it
        ("Is CUST00000031 a Premium cardholder?", (), "p.card_type AS card_type", "Premium"),
        ("Does CUST00000044 have a credit limit above 20000?", (), "p.credit_limit AS credit_limit", 20000.0),
        ("is he retired?", ("Look up CUST00000012",), "p.employment_status AS employment_status", "Retired"),
        # campaign membership of one customer: the customer's own campaign group
        ("Was CUST00000019 part of the retention campaign?", (), "p.campaign_group AS campaign_group", None),
        ("which campaign group is CUST00000019 in", (), "p.campaign_group AS campaign_group", None),
    ],
)
def test_yes_no_about_one_customer_shows_the_column(
    compiler_only: LocalAnalyst, question: str, earlier: tuple[str, ...], shown: str, not_filtered: object
) -> None:
    c = compiled(compiler_only, question, *earlier)
    assert shown in c.sql and "p.customer_id = ?" in c.sql, c.sql
    assert not_filtered is None or not_filtered not in c.params, c.params


def test_yes_no_about_a_flag_groups_on_it(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "Is the retention campaign lift statistically significant at all?")
    assert "GROUP BY cp.is_lift_significant" in c.sql and "WHERE" not in c.sql, c.sql


@pytest.mark.parametrize(
    "question",
    [
        "average LTV by state pls",
        "what share of spend came via mobile",
        "email we have on file for CUST00000003",
    ],
)
def test_filler_words_are_ignored(compiler_only: LocalAnalyst, question: str) -> None:
    assert turn(compiler_only, question).refusal is None


@pytest.mark.parametrize(
    ("question", "column"),
    [
        # when an event of one customer happened: the date column that records it
        ("What date did CUST00000021 open their account?", "p.account_open_date"),
        ("when was CUST00000033 upgraded to premium", "p.premium_upgrade_date"),
        ("When did CUST00000034 first make a purchase?", "p.first_transaction_date"),
        # how long ago: the elapsed measure in the unit asked
        ("how long ago did CUST00000021 last shop", "p.days_since_last_transaction"),
        ("How many months has it been since CUST00000021 opened the account?", "p.tenure_months"),
    ],
)
def test_when_a_customer_did_something(compiler_only: LocalAnalyst, question: str, column: str) -> None:
    c = compiled(compiler_only, question)
    assert f"{column} AS" in c.sql and "p.customer_id = ?" in c.sql, c.sql


def test_a_risk_band_is_shown_with_its_score(compiler_only: LocalAnalyst) -> None:
    band = compiled(compiler_only, "customers in Ohio at high churn risk")
    assert "p.churn_risk_score AS churn_risk_score" in band.sql
    score = compiled(compiler_only, "what's the churn score of CUST00000050")
    assert "p.churn_risk_category AS churn_risk_category" in score.sql


@pytest.mark.parametrize(
    ("question", "earlier", "order"),
    [
        (
            "order those by credit limit, lowest first",
            "List the retired customers in Florida",
            "p.credit_limit ASC",
        ),
        ("rank them by age descending", "show me the Premium cardholders in Ohio", "p.age DESC"),
        (
            "sort by tenure, highest to lowest",
            "which customers are in the Declining segment",
            "p.tenure_months DESC",
        ),
    ],
)
def test_sorting_the_rows_shown_keeps_every_row(
    compiler_only: LocalAnalyst, question: str, earlier: str, order: str
) -> None:
    c = compiled(compiler_only, question, earlier)
    assert f"ORDER BY {order}" in c.sql and "LIMIT 10000" in c.sql, c.sql


@pytest.mark.parametrize(
    "question",
    [
        "Who has the highest credit limit among Budget-Conscious customers?",
        "who has the smallest LTV in Texas",
    ],
)
def test_who_has_the_extreme_is_the_top_row_with_ties(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert "(SELECT M" in c.sql and "LIMIT 1)" in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("how many customers are in TX or FL and older than 65", "p.state IN (?, ?) AND"),
        (
            "retired or self-employed customers with a credit limit above 30000",
            "p.employment_status IN (?, ?)",
        ),
    ],
)
def test_or_between_values_of_one_column_stays_inside_the_and(
    compiler_only: LocalAnalyst, question: str, fragment: str
) -> None:
    c = compiled(compiler_only, question)
    assert " OR " not in c.sql and (fragment in c.sql or fragment.replace(" AND", "") in c.sql), c.sql


@pytest.mark.parametrize(
    ("question", "earlier", "fragments"),
    [
        # the campaign: retention lift, payback, before/after the offer, who got it
        ("what was the retention lift of the month-16 offer", (), ["AVG(cp.retention_lift_pct_points)"]),
        ("how many months until payback for the retention campaign", (), ["AVG(cp.payback_months)"]),
        (
            "average monthly spend before and after the offer by campaign group",
            (),
            ["AVG(cp.pre_avg_monthly_spend)", "AVG(cp.post_avg_monthly_spend)", "GROUP BY cp.campaign_group"],
        ),
        ("how many High Risk customers received the offer", (), ["p.campaign_group = 'treatment'"]),
        ("and how many of them got the offer?", ("How many retired customers are there?",), ["'treatment'"]),
        # a monthly spend rate in named categories
        (
            "count customers spending at least $2,500 a month on travel and dining",
            (),
            ["travel_dining_monthly_spend >= 2500"],
        ),
        # a percent change in a direction: the named change column, or the default (stated)
        (
            "how many customers' spend fell by more than 30% month over month in October",
            (),
            ["mm.mom_change_pct < -30"],
        ),
        ("Premium cardholders whose spending rose by at least 25%", (), ["p.spend_change_pct >= 25"]),
    ],
)
def test_campaign_rates_and_changes(
    compiler_only: LocalAnalyst, question: str, earlier: tuple[str, ...], fragments: list[str]
) -> None:
    sql = compiled(compiler_only, question, *earlier).display_sql()
    for fragment in fragments:
        assert fragment in sql, sql


@pytest.mark.parametrize(
    ("question", "group_by", "params"),
    [
        ("Are Premium cardholders' churn scores higher than everyone else's?", "GROUP BY p.card_type", ()),
        (
            "Do self-employed customers have a lower average credit limit than retired ones?",
            "GROUP BY p.employment_status",
            ("Self-Employed", "Retired"),
        ),
        (
            "Is the average LTV bigger for customers in the West or for those in the South?",
            "GROUP BY p.region",
            ("West", "South"),
        ),
    ],
)
def test_yes_no_comparisons_of_groups(
    compiler_only: LocalAnalyst, question: str, group_by: str, params: tuple
) -> None:
    c = compiled(compiler_only, question)
    assert group_by in c.sql and set(params) <= set(c.params), c.sql


@pytest.mark.parametrize(
    ("question", "fragments"),
    [
        # a grain asked with 'which <unit>'; quarters carry their number; the day of the week in calendar order
        ("what week had the most declined transactions in 2026", ["DATE_TRUNC('week'", "LIMIT 1"]),
        ("number of transactions in 2026 by quarter", ["EXTRACT(QUARTER FROM", "GROUP BY"]),
        ("how does spend vary across days of the week", ["dd.day_name", "ORDER BY day_of_week"]),
        ("total spend Monday through Friday by channel", ["dd.day_name IN (?, ?, ?, ?, ?)"]),
        ("average transaction value on weekends", ["dd.is_weekend = ?"]),
        # a trailing window written as an adjective
        ("median 30-day spend of Premium cardholders", ["MEDIAN(p.spend_last_30_days)"]),
    ],
)
def test_grains_days_of_the_week_and_adjective_windows(
    compiler_only: LocalAnalyst, question: str, fragments: list[str]
) -> None:
    c = compiled(compiler_only, question)
    for fragment in fragments:
        assert fragment in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "fragments", "absent"),
    [
        # a breakdown of rows by a column counts them; of a score, counts them per band of that score
        (
            "break down the Premium customers by region",
            ["GROUP BY p.region", "COUNT(DISTINCT p.customer_id)"],
            "",
        ),
        ("churn risk breakdown of High-Value Travelers", ["GROUP BY p.churn_risk_category"], "AVG("),
        (
            "what does the churn risk distribution look like by card type",
            ["p.churn_risk_category", "p.card_type"],
            "AVG(",
        ),
        # a breakdown of a named measure is that measure by the column
        ("break down total spend by channel for 2026", ["GROUP BY t.channel"], "COUNT("),
    ],
)
def test_breakdowns(compiler_only: LocalAnalyst, question: str, fragments: list[str], absent: str) -> None:
    c = compiled(compiler_only, question)
    for fragment in fragments:
        assert fragment in c.sql, c.sql
    assert not absent or absent not in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "fragments"),
    [
        # 'avg' inside a measure's name
        ("avg purchase amount by channel", ["AVG(CASE WHEN t.is_approved THEN t.transaction_amount END)"]),
        (
            "what's the avg ticket size of CUST00000061",
            ["SUM(p.lifetime_value) / NULLIF(SUM(p.total_transactions), 0)"],
        ),
        # what spend is on: the merchant category, the first one
        (
            "what does CUST00000061 spend the most on",
            ["GROUP BY t.customer_id, p.full_name, mc.category_name", "LIMIT 1"],
        ),
        ("What do retirees spend the most on this year?", ["GROUP BY mc.category_name", "DESC", "LIMIT 1"]),
    ],
)
def test_abbreviated_measures_and_what_spend_is_on(
    compiler_only: LocalAnalyst, question: str, fragments: list[str]
) -> None:
    c = compiled(compiler_only, question)
    for fragment in fragments:
        assert fragment in c.sql, c.sql


@pytest.mark.parametrize(
    "question",
    [
        "show me the card history of CUST00000070",
        "has the credit limit of CUST00000070 changed over the years?",
        "CUST00000070 - list their credit limit changes",
    ],
)
def test_a_customers_card_history(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert "FROM GOLD.DIM_CUSTOMER AS dc" in c.sql and "dc.credit_limit AS credit_limit" in c.sql, c.sql
    assert "ORDER BY dc.valid_from ASC" in c.sql and "CUST00000070" in c.params


@pytest.mark.parametrize(
    ("question", "fragments", "absent"),
    [
        # a window on a named filter about a date: on that date
        ("how many Standard cardholders upgraded to Premium in 2026", ["p.premium_upgrade_date >= ?"], ""),
        ("list customers who upgraded to premium last month", ["p.premium_upgrade_date < ?"], ""),
        # campaign participants are a filter, not the whole portfolio
        ("How many High Risk customers are part of the campaign?", ["p.campaign_group IS NULL"], ""),
        # a yes/no about a named filter of one customer shows what the filter reads
        ("Is CUST00000077 at risk?", ["p.churn_risk_category AS churn_risk_category"], "IN ("),
        # a yes/no about another table's rows keeps filtering them
        (
            "Has CUST00000077 ever had a purchase declined at Amazon?",
            ["t.status = ?", "t.merchant_name = ?"],
            "",
        ),
        ("How long has CUST00000321 had their card?", ["p.tenure_months AS tenure_months"], ""),
    ],
)
def test_dated_filters_and_yes_no_filters(
    compiler_only: LocalAnalyst, question: str, fragments: list[str], absent: str
) -> None:
    c = compiled(compiler_only, question)
    for fragment in fragments:
        assert fragment in c.sql, c.sql
    assert not absent or absent not in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "fragments"),
    [
        # an average compared per group is a HAVING on it, and it is shown
        (
            "Which regions have an average churn score above 15?",
            ["HAVING AVG(p.churn_risk_score) > ?", "AVG(p.churn_risk_score) AS"],
        ),
        # rows in an order, even when the rows are named by a filter
        ("win-back customers sorted by credit limit", ["ORDER BY p.credit_limit DESC", "LIMIT 10000"]),
        # a portion of a fact is of its total
        (
            "what portion of total credit limit sits with retired customers",
            ["SUM(CASE WHEN (p.employment_status = ?) THEN p.credit_limit END)"],
        ),
        (
            "what percentage of lifetime value is held by the Northeast",
            ["SUM(CASE WHEN (p.region = ?) THEN p.lifetime_value END)"],
        ),
        # the share of rows with a value, per group, when the value follows the rows
        (
            "percent of purchases made online in each segment",
            ["COUNT(CASE WHEN (t.channel = ?)", "GROUP BY p.customer_segment"],
        ),
    ],
)
def test_group_conditions_orders_and_portions(
    compiler_only: LocalAnalyst, question: str, fragments: list[str]
) -> None:
    c = compiled(compiler_only, question)
    for fragment in fragments:
        assert fragment in c.sql, c.sql


def test_a_comparison_across_two_columns_is_refused(compiler_only: LocalAnalyst) -> None:
    refusal = turn(compiler_only, "average credit limit of retired vs Premium customers").refusal
    assert refusal is not None and "one column" in refusal.reason


@pytest.mark.parametrize(
    ("question", "group_by"),
    [
        ("Are retired customers older on average than self-employed ones?", "GROUP BY p.employment_status"),
        ("Are Premium cardholders younger than Standard cardholders?", "GROUP BY p.card_type"),
    ],
)
def test_older_or_younger_compares_average_age(
    compiler_only: LocalAnalyst, question: str, group_by: str
) -> None:
    c = compiled(compiler_only, question)
    assert "AVG(p.age)" in c.sql and group_by in c.sql, c.sql


def test_a_rank_among_all_rows_is_refused(compiler_only: LocalAnalyst) -> None:
    assert turn(compiler_only, "what's the churn score ranking", "Look up CUST00000015").refusal is not None


@pytest.mark.parametrize(
    ("question", "fragments"),
    [
        # 'total' before a per-customer count's name aggregates the count (and windows apply)
        ("total transactions per quarter in 2026", ["SUM(mm.approved_transactions)", "DATE_TRUNC('quarter'"]),
        # a phrase naming two columns of one table shows both; a percentage inside a name is part of it
        (
            "what is the 95% confidence interval for the spend lift",
            ["AVG(cp.lift_ci_low)", "AVG(cp.lift_ci_high)"],
        ),
        # a qualifier before the measure it restates
        (
            "post-offer average monthly spend for each group",
            ["AVG(cp.post_avg_monthly_spend)", "GROUP BY cp.campaign_group"],
        ),
        # how much of a campaign fact: the campaign-level value, not its two rows
        ("how much extra spend did the offer bring", ["AVG(cp.incremental_spend)"]),
        (
            "average spend per transaction by region in 2026",
            ["AS avg_transaction_amount", "GROUP BY p.region"],
        ),
    ],
)
def test_aggregated_names_intervals_and_campaign_facts(
    compiler_only: LocalAnalyst, question: str, fragments: list[str]
) -> None:
    c = compiled(compiler_only, question)
    for fragment in fragments:
        assert fragment in c.sql, c.sql


def test_a_concept_the_data_lacks_is_never_corrected_into_one_it_has(compiler_only: LocalAnalyst) -> None:
    refusal = turn(compiler_only, "what interest rate does CUST00000020 pay").refusal
    assert refusal is not None and refusal.kind == "unavailable"


@pytest.mark.parametrize(
    ("question", "earlier", "fragments"),
    [
        # 'their' in a follow-up without rows of its own: the rows of the question before
        (
            "what's their median credit limit?",
            "List the retired customers in Arizona",
            ["MEDIAN(p.credit_limit)", "p.state = 'AZ'"],
        ),
        (
            "and their average churn score?",
            "How many customers received the offer?",
            ["AVG(p.churn_risk_score)", "'treatment'"],
        ),
        # 'how many are there?' counts the rows shown
        (
            "how many are there?",
            "Show me the Premium customers in Oregon",
            ["COUNT(DISTINCT p.customer_id)", "p.state = 'OR'"],
        ),
        # an event of the customer looked up before
        (
            "when did he open his account?",
            "Look up CUST00000071",
            ["p.account_open_date AS account_open_date", "'CUST00000071'"],
        ),
    ],
)
def test_follow_ups_about_the_rows_before(
    compiler_only: LocalAnalyst, question: str, earlier: str, fragments: list[str]
) -> None:
    sql = compiled(compiler_only, question, earlier).display_sql()
    for fragment in fragments:
        assert fragment in sql, sql


@pytest.mark.parametrize(
    ("question", "fragments"),
    [
        (
            "Of all retired customers, what share are lapsed?",
            ["100.0 * COUNT(DISTINCT CASE WHEN", "p.employment_status = 'Retired'"],
        ),
        (
            "I'd like the top 3 Stable Mid-Spenders by credit limit",
            ["ORDER BY p.credit_limit DESC", "LIMIT 3"],
        ),
        ("We'd like to know the average LTV in each region", ["AVG(p.lifetime_value)", "GROUP BY p.region"]),
    ],
)
def test_shares_without_of_contractions_and_top_rows_of_a_value(
    compiler_only: LocalAnalyst, question: str, fragments: list[str]
) -> None:
    sql = compiled(compiler_only, question).display_sql()
    for fragment in fragments:
        assert fragment in sql, sql


def test_did_the_campaign_work_is_its_return(analyst: LocalAnalyst) -> None:
    result = turn(analyst, "so did the month-16 offer actually work?")
    assert result.refusal is None and (
        result.verified is not None or "roi_pct" in (result.compiled.sql if result.compiled else "")
    )


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        (
            "what is the average number of days since the last purchase of Premium cardholders",
            "AVG(p.days_since_last_transaction)",
        ),
        (
            "how many Budget-Conscious customers are eligible for the retention campaign",
            "p.lifetime_value >= 10000",
        ),
    ],
)
def test_counts_that_are_columns_and_eligibility(
    compiler_only: LocalAnalyst, question: str, fragment: str
) -> None:
    sql = compiled(compiler_only, question).display_sql()
    assert fragment in sql and "COUNT(DISTINCT p.customer_id) AS customer_count, AVG" not in sql, sql


@pytest.mark.parametrize(
    "question",
    [
        "customer count by credit limit distribution",  # ranges of a number are not groups
        "average spend of customers over 60 vs under 30",
    ],
)
def test_numeric_ranges_as_groups_are_refused(compiler_only: LocalAnalyst, question: str) -> None:
    assert turn(compiler_only, question).refusal is not None


def test_an_averaged_amount_counts_approved_transactions(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "average Grocery transaction amount in 2026")
    assert "AVG(CASE WHEN t.is_approved THEN t.transaction_amount END)" in c.sql, c.sql


# ---- third round (sealed final set's failure classes; paraphrases of our own) --------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "What segment has the largest number of customers?",
        "which card type do the fewest customers hold",
        "Which region has the highest total lifetime value?",
        "which merchant category does CUST00000031 spend the most on",
        "Which channel did CUST00000052 spend the most through?",
        "which channel has the highest number of purchases for CUST00000052",
    ],
)
def test_a_singular_superlative_answers_one_row(analyst: LocalAnalyst, question: str) -> None:
    result = turn(analyst, question)
    assert result.refusal is None and result.verified is None, (result.refusal, result.verified)
    assert result.compiled is not None and result.compiled.sql.endswith("LIMIT 1"), result.compiled.sql


@pytest.mark.parametrize(
    "question",
    [
        "Which segments have the most customers?",
        "top 3 states by number of customers",
        "which regions have the highest average LTV",  # (the top customer in each region: within.py, per region)
    ],
)
def test_a_plural_or_counted_superlative_keeps_its_rows(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert not c.sql.endswith("LIMIT 1"), c.sql


def test_a_verified_query_needs_the_questions_shape(analyst: LocalAnalyst) -> None:
    """The same content words as a verified question are no match when the reading adds a superlative."""
    assert turn(analyst, "number of customers in each segment").verified is not None
    assert turn(analyst, "Which segment has the most customers?").verified is None


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("standard deviation of credit limit by card type", "STDDEV_SAMP(p.credit_limit)"),
        ("what's the std dev of customer age", "STDDEV_SAMP(p.age)"),
        ("stddev of transaction amounts per channel", "STDDEV_SAMP(CASE WHEN t.status = ? THEN"),
        ("median purchase amount by merchant category", "MEDIAN(CASE WHEN t.status = ? THEN"),
        ("the median transaction value in each region", "MEDIAN(CASE WHEN t.status = ? THEN"),
    ],
)
def test_median_and_standard_deviation(compiler_only: LocalAnalyst, question: str, fragment: str) -> None:
    """Spread aggregates of any fact; over transaction amounts they count approved transactions, like spend."""
    c = compiled(compiler_only, question)
    assert fragment.replace("?", "'approved'") in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("total spend H1 2026", date(2026, 1, 1), date(2026, 7, 1)),
        (
            "how much did Premium cardholders spend in the second half of 2025",
            date(2025, 7, 1),
            date(2026, 1, 1),
        ),
        ("number of transactions in the first half of 2026", date(2026, 1, 1), date(2026, 7, 1)),
        ("dining spend in H2 of 2025", date(2025, 7, 1), date(2026, 1, 1)),
    ],
)
def test_halves_of_a_year(compiler_only: LocalAnalyst, question: str, start: date, end: date) -> None:
    c = compiled(compiler_only, question)
    assert start.isoformat() in c.display_sql() and end.isoformat() in c.display_sql(), c.display_sql()


@pytest.mark.parametrize(
    "question",
    [
        "total spend per month since Sept",
        "total spend per month in 2025",
        "number of transactions per month since June",
    ],
)
def test_per_month_after_a_measure_is_the_grain(compiler_only: LocalAnalyst, question: str) -> None:
    """'spend per month' names the monthly-spend column; with a total over a period it is spend by month."""
    c = compiled(compiler_only, question)
    assert "DATE_TRUNC('month'" in c.sql and "GROUP BY" in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("How big is the Declining segment?", "COUNT(DISTINCT p.customer_id)"),
        ("how large is the High-Value Travelers segment", "COUNT(DISTINCT p.customer_id)"),
        ("show the 25 customers most likely to churn", "ORDER BY p.churn_risk_score DESC"),
        ("which 5 customers in Texas are most at risk", "ORDER BY p.churn_risk_score DESC"),
        ("list the 15 Premium cardholders least likely to churn", "ORDER BY p.churn_risk_score ASC"),
    ],
)
def test_everyday_wordings_of_known_measures(
    compiler_only: LocalAnalyst, question: str, fragment: str
) -> None:
    c = compiled(compiler_only, question)
    assert fragment in c.sql, c.sql


@pytest.mark.parametrize(
    "question",
    ["the 10 Premium cardholders with the highest LTV", "the 7 Texas customers with the lowest age"],
)
def test_a_number_before_values_and_rows_is_the_limit(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert c.sql.endswith(("LIMIT 10", "LIMIT 7")), c.sql


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("how much does the campaign cost per treated customer", "AVG(cp.cost_per_customer)"),
        ("what was the offer's cost per customer", "AVG(cp.cost_per_customer)"),
        ("what's the projected ROI of the retention campaign", "AVG(cp.horizon_roi_pct)"),
        ("ROI over the value horizon for the offer", "AVG(cp.horizon_roi_pct)"),
        ("how long until the retention campaign breaks even", "AVG(cp.payback_months)"),
        ("how many months before the offer pays for itself", "AVG(cp.payback_months)"),
        ("when was the retention offer sent", "MIN(cp.offer_month)"),
        ("when did the campaign launch", "MIN(cp.offer_month)"),
        ("change in spend after the offer for the control group", "cp.spend_change_pct"),
        ("share of each campaign group that stayed active after the offer", "cp.active_post_pct"),
    ],
)
def test_campaign_economics(compiler_only: LocalAnalyst, question: str, fragment: str) -> None:
    c = compiled(compiler_only, question)
    assert fragment in c.sql, c.sql


@pytest.mark.parametrize("question", ["when did customers open their accounts"])
def test_campaign_wordings_it_cannot_read_stay_refused(compiler_only: LocalAnalyst, question: str) -> None:
    """A population's events are no lookup."""
    assert turn(compiler_only, question).refusal is not None


def test_the_12_month_horizon_is_never_a_window_on_the_offer_month(compiler_only: LocalAnalyst) -> None:
    """'over the 12-month horizon' is the horizon ROI with its length checked (reading/horizon.py), not a window."""
    sql = compiled(compiler_only, "what's the campaign ROI over the 12-month horizon").sql
    assert "offer_month" not in sql and "horizon_roi_pct" in sql and "value_horizon_months" in sql, sql


@pytest.mark.parametrize(
    ("question", "grouped"),
    [
        ("Compare average LTV of lapsed and active customers", "GROUP BY p.customer_status"),
        ("average credit limit: lapsed vs active customers", "GROUP BY p.customer_status"),
        ("average transaction value for Travel compared with Grocery", "GROUP BY mc.category_name"),
        ("compare spend per transaction in the Hotels category against Dining", "GROUP BY mc.category_name"),
    ],
)
def test_compared_values_are_groups_of_one_column(
    compiler_only: LocalAnalyst, question: str, grouped: str
) -> None:
    """Two compared values read on different columns become groups of the one column that holds both."""
    c = compiled(compiler_only, question)
    assert grouped in c.sql and " AND " not in c.sql.split("WHERE")[-1].split("GROUP BY")[0], c.sql


@pytest.mark.parametrize(
    "question",
    [
        "how many customers in the South and West combined",
        "number of cardholders in Ohio, Iowa and Utah combined",
        "total LTV of customers in California and Nevada combined",
    ],
)
def test_values_combined_are_one_total(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert "GROUP BY" not in c.sql and " IN (" in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "days"),
    [
        ("customers who have not spent anything in over 100 days", 100),
        ("list Premium customers that haven't purchased anything for 75 days", 75),
        ("how many customers have not shopped at all in the last 50 days", 50),
    ],
)
def test_no_purchase_for_more_than_n_days(compiler_only: LocalAnalyst, question: str, days: int) -> None:
    c = compiled(compiler_only, question)
    assert "p.days_since_last_transaction > ?" in c.sql and days in c.params, (c.sql, c.params)


@pytest.mark.parametrize(
    ("question", "fragments"),
    [
        ("the lowest and highest credit limit", ["MIN(p.credit_limit)", "MAX(p.credit_limit)"]),
        (
            "min and max transaction amount in 2026",
            ["MIN(t.transaction_amount)", "MAX(t.transaction_amount)"],
        ),
        ("smallest and largest LTV by segment", ["MIN(p.lifetime_value)", "GROUP BY p.customer_segment"]),
        ("what are the oldest and youngest ages of our Premium cardholders", ["MIN(p.age)", "MAX(p.age)"]),
        ("highest and lowest churn score among retired customers", ["MIN(p.churn_risk_score)", "MAX("]),
    ],
)
def test_both_extremes_of_a_column(compiler_only: LocalAnalyst, question: str, fragments: list[str]) -> None:
    c = compiled(compiler_only, question)
    assert all(f in c.sql for f in fragments), c.sql


@pytest.mark.parametrize(
    ("question", "before"),
    [
        ("which full month had the highest spend", "< DATE '2026-12-01'"),
        ("which complete quarter had the most transactions", "< DATE '2026-10-01'"),
        ("which whole month had the lowest total spend", "< DATE '2026-12-01'"),
    ],
)
def test_which_complete_period(analyst: LocalAnalyst, question: str, before: str) -> None:
    """'Which complete month ...' ranks whole calendar periods: the one the as-of date is in is left out."""
    from datetime import date as _date

    a = LocalAnalyst(analyst.model, _date(2026, 12, 4), use_verified=False)
    c = compiled(a, question)
    assert before in c.display_sql() and c.sql.endswith("LIMIT 1"), c.display_sql()


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        (
            "number of unique merchants in October",
            "COUNT(DISTINCT CASE WHEN t.status = 'approved' THEN t.merchant_name",
        ),
        ("how many distinct cities do our Premium customers live in", "COUNT(DISTINCT p.city)"),
        ("how many different states are our customers in", "COUNT(DISTINCT p.state)"),
    ],
)
def test_how_many_different_values(compiler_only: LocalAnalyst, question: str, fragment: str) -> None:
    c = compiled(compiler_only, question)
    assert fragment in c.sql, c.sql


def test_how_many_different_values_with_another_count_is_refused(compiler_only: LocalAnalyst) -> None:
    """'how many distinct merchants had declined transactions' is not read as two counts side by side."""
    assert turn(compiler_only, "how many distinct merchants had declined transactions").refusal is not None


@pytest.mark.parametrize(
    "question",
    ["what has CUST00000071 spent in the past 30 days", "what did CUST00000042 spend on groceries in 2025"],
)
def test_what_has_a_customer_spent_is_how_much(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert ("total_spend" in c.sql and "p.customer_id = ?" in c.sql) or "t.customer_id = ?" in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("Premium cardholders in Texas who are still active", "p.customer_status = ?"),
        ("how has Dining spend trended in 2025", "DATE_TRUNC('month'"),
        ("how many transactions did we process in October", "transaction"),
        ("average tenure in months by card type", "AVG(p.tenure_months)"),
    ],
)
def test_everyday_words(compiler_only: LocalAnalyst, question: str, fragment: str) -> None:
    c = compiled(compiler_only, question)
    assert fragment in c.sql, c.sql


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("list the declined transactions of CUST00000042", "declined"),
        ("show CUST00000042's approved transactions in 2026", "approved"),
        ("display every rejected transaction for CUST00000077", "declined"),
    ],
)
def test_one_customers_transactions_with_a_status(
    compiler_only: LocalAnalyst, question: str, status: str
) -> None:
    """A listing of one customer's declined transactions lists those rows, not the customer's count of them."""
    c = compiled(compiler_only, question)
    assert "FROM GOLD.FCT_TRANSACTIONS" in c.sql and "t.status = ?" in c.sql and status in c.params, c.sql


def test_counting_one_customers_declined_transactions_stays_a_count(compiler_only: LocalAnalyst) -> None:
    c = compiled(compiler_only, "how many declined transactions does CUST00000042 have")
    assert "declined_transaction_count" in c.sql, c.sql


@pytest.mark.parametrize(
    "question",
    ["what was the previous credit limit of CUST00000042", "CUST00000042's limit before the last change"],
)
def test_the_credit_limit_before_the_latest_change(compiler_only: LocalAnalyst, question: str) -> None:
    c = compiled(compiler_only, question)
    assert "p.previous_credit_limit" in c.sql, c.sql


@pytest.mark.parametrize(
    "question",
    [
        "Do Premium cardholders spend more per month than Standard ones?",
        "do retirees spend less each month than employed people",
    ],
)
def test_a_rate_or_a_series_in_a_yes_no_is_the_rate(compiler_only: LocalAnalyst, question: str) -> None:
    """'spend more per month than': never answered as a time series (which cannot answer a yes/no); since round
    five the groups' monthly spend rate, stated in the answer (three blind writers meant it so)."""
    c = compiled(compiler_only, question)
    assert "DATE_TRUNC" not in c.sql and "AVG(p.avg_monthly_spend)" in c.sql, c.sql


# ---- after blind v3: three precision classes (a forecast, data the platform does not hold, a bare superlative)


@pytest.mark.parametrize(
    ("question", "period"),
    [
        ("total spend in January 2027", "January 2027"),
        ("how much did customers spend in March 2027?", "March 2027"),
        ("spend by category in Q1 2027", "Q1 2027"),
        ("how many transactions were there in 2027", "2027"),
        ("average transaction amount in December 2026", "December 2026"),
    ],
)
def test_a_period_after_the_as_of_date_is_refused_as_a_forecast(
    analyst: LocalAnalyst, as_of_date: date, question: str, period: str
) -> None:
    refusal = turn(analyst, question).refusal
    assert refusal is not None and refusal.kind == "unavailable", refusal
    assert refusal.reason == f"The data ends on {as_of_date.isoformat()}; I can't forecast {period}."


@pytest.mark.parametrize(
    "question",
    [
        "total spend next month",
        "how many customers will churn next quarter",
        "what will spend be next year",
        "forecast transactions for the coming months",
    ],
)
def test_future_words_are_refused_with_the_as_of_date(
    analyst: LocalAnalyst, as_of_date: date, question: str
) -> None:
    refusal = turn(analyst, question).refusal
    assert refusal is not None and f"The data ends on {as_of_date.isoformat()}" in refusal.reason, refusal


@pytest.mark.parametrize(
    "question", ["total spend in 2026", "how much did customers spend in September 2026"]
)
def test_a_period_up_to_the_as_of_date_is_still_answered(compiler_only: LocalAnalyst, question: str) -> None:
    assert compiled(compiler_only, question).params


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("card numbers for Premium cardholders", "card or account numbers"),
        ("list the CVV of every customer in Texas", "security codes"),
        ("what is the PIN of CUST00000005", "PINs"),
        ("show account numbers of High Risk customers", "card or account numbers"),
        ("home addresses of customers in California", "city, state and census-region"),
        ("what is the street address of CUST00000005", "city, state and census-region"),
        ("phone numbers of Premium cardholders", "contact details"),
        ("social security numbers of customers in Ohio", "identity documents"),
        ("average salary by segment", "income"),
        ("customers with a credit score above 700", "credit bureau"),
    ],
)
def test_data_the_platform_does_not_hold_is_refused(
    analyst: LocalAnalyst, question: str, reason: str
) -> None:
    refusal = turn(analyst, question).refusal
    assert refusal is not None and refusal.kind == "unavailable" and reason in refusal.reason, refusal


@pytest.mark.parametrize("question", ["passwords of all customers", "list every customer's password"])
def test_passwords_are_refused(analyst: LocalAnalyst, question: str) -> None:
    assert turn(analyst, question).refusal is not None


@pytest.mark.parametrize(
    "question",
    [
        "list Premium cardholders in Texas",
        "what is the email of CUST00000005",
        "show the profile of CUST00000005",
    ],
)
def test_questions_near_the_refused_nouns_are_still_answered(
    compiler_only: LocalAnalyst, question: str
) -> None:
    assert compiled(compiler_only, question).sql


@pytest.mark.parametrize(
    ("question", "earlier"),
    [
        ("full names of every customer in California", ()),
        ("list the names of all Premium cardholders", ()),
        ("names and emails of customers in Texas", ()),
        ("list their full names", ("High Risk customers in Ohio",)),
    ],
)
def test_names_a_role_sees_masked_are_not_listed(
    model: SemanticModel, as_of_date: date, question: str, earlier: tuple[str, ...]
) -> None:
    manager = LocalAnalyst(model, as_of_date, role="MARKETING_MANAGER")
    refusal = turn(manager, question, *earlier).refusal
    assert refusal is not None and "masked for your role" in refusal.reason, refusal


def test_one_customers_masked_name_and_unmasked_lists_are_still_answered(
    model: SemanticModel, as_of_date: date
) -> None:
    manager = LocalAnalyst(model, as_of_date, use_verified=False, role="MARKETING_MANAGER")
    assert "p.full_name" in compiled(manager, "what is the name of CUST00000005").sql
    engineer = LocalAnalyst(model, as_of_date, use_verified=False, role="DATA_ENGINEER")
    assert "p.full_name" in compiled(engineer, "full names of every customer in California").sql


@pytest.mark.parametrize(
    ("question", "column", "direction"),
    [
        ("which segment is the biggest?", "p.customer_segment", "DESC"),
        ("Which segment is the largest", "p.customer_segment", "DESC"),
        ("which segment is the smallest?", "p.customer_segment", "ASC"),
        ("what's the top state?", "p.state", "DESC"),
        ("which region is biggest", "p.region", "DESC"),
        ("which segment has the most customers?", "p.customer_segment", "DESC"),
    ],
)
def test_a_singular_bare_superlative_is_one_row_not_the_verified_listing(
    analyst: LocalAnalyst, question: str, column: str, direction: str
) -> None:
    c = compiled(analyst, question)  # the compiler, not the verified "customers in each segment"
    assert f"GROUP BY {column}" in c.sql and f"customer_count {direction}" in c.sql and "LIMIT 1" in c.sql, (
        c.sql
    )


def test_a_plural_superlative_and_the_verified_question_still_list_every_group(analyst: LocalAnalyst) -> None:
    assert "LIMIT" not in compiled(analyst, "what are the top states").sql
    assert turn(analyst, "How many customers are in each segment?").verified is not None
