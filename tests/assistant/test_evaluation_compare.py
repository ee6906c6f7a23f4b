"""The evaluation's result-set comparison must be able to fail: wrong values, rows, order or missing columns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from c360.assistant.evaluation import compare, load_cases, reference_frame
from c360.errors import C360Error
from c360.grants import Role
from tests.assistant.conftest import QUESTIONS


def frame(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_equal_results_match_whatever_the_column_names_and_extra_columns() -> None:
    reference = frame(seg=["A", "B"], n=[2, 1])
    actual = frame(customer_segment=["B", "A"], customer_count=[1.0, 2.0], extra=["x", "y"])
    assert compare(reference, actual, ordered=False) == (True, "")


def test_numbers_compare_with_a_relative_tolerance_and_decimals_and_dates_normalize() -> None:
    reference = frame(v=[Decimal("1234.5600001")], d=[date(2026, 3, 1)])
    actual = frame(v=[1234.56], d=[pd.Timestamp("2026-03-01 00:00:00")])
    assert compare(reference, actual, ordered=True)[0]


def test_differences_are_caught() -> None:
    reference = frame(state=["CA", "TX"], n=[10, 20])
    assert not compare(reference, frame(state=["CA", "TX"], n=[10, 21]), ordered=False)[0]
    assert not compare(reference, frame(state=["CA"], n=[10]), ordered=False)[0]
    assert not compare(reference, frame(state=["CA", "TX"]), ordered=False)[0]  # a missing column
    assert not compare(reference, frame(state=["TX", "CA"], n=[20, 10]), ordered=True)[0]  # order matters
    # each column matches on its own, but the pairing is wrong
    assert not compare(reference, frame(state=["CA", "TX"], n=[20, 10]), ordered=False)[0]
    assert not compare(frame(x=[None]), frame(x=[0.0]), ordered=False)[0]


def test_question_set_meets_its_own_rules() -> None:
    as_of, cases = load_cases(QUESTIONS)
    answerable = [c for c in cases if not c.refuse]
    refusals = [c for c in cases if c.refuse]
    assert len(cases) >= 80 and len(refusals) >= 15
    assert {c.source for c in cases} >= {
        "original-4.3",
        "original-5.3",
        "app",
        "paraphrase",
        "followup",
        "refuse",
    }
    assert sum(c.source == "original-5.3" for c in cases) == 20
    assert sum(c.source == "original-4.3" for c in cases) == 17
    assert any(c.conversation for c in answerable)
    assert all(c.sql for c in answerable) and all(c.split in ("dev", "holdout") for c in cases)
    assert as_of == date(2026, 10, 15)


def test_a_reference_stored_rounded_is_compared_at_its_own_precision() -> None:
    reference = pd.DataFrame({"segment": ["a", "b"], "avg_score": [3.02, 2.14]})  # a mart's round(x, 2)
    assert compare(reference, pd.DataFrame({"s": ["a", "b"], "v": [3.020361, 2.137331]}), ordered=False)[0]
    assert not compare(reference, pd.DataFrame({"s": ["a", "b"], "v": [3.03, 2.137331]}), ordered=False)[0]
    counts = pd.DataFrame({"n": [3.0, 2.0]})  # whole numbers are never rounded to match
    assert not compare(counts, pd.DataFrame({"n": [3.4, 2.2]}), ordered=False)[0]
    exact = pd.DataFrame({"v": [3.0203614]})  # an exact reference stays exact
    assert not compare(exact, pd.DataFrame({"v": [3.02]}), ordered=False)[0]
    ties = pd.DataFrame({"v": [1.78, -2.13]})  # SQL's ROUND: an exact tie goes away from zero
    assert compare(ties, pd.DataFrame({"v": [1.775, -2.125]}), ordered=False)[0]
    assert not compare(ties, pd.DataFrame({"v": [1.77, -2.12]}), ordered=False)[0]
    coefficient = pd.DataFrame({"correlation": [0.666]})  # round(corr(x, y), 3)
    assert compare(coefficient, pd.DataFrame({"c": [0.666272]}), ordered=False)[0]
    assert not compare(coefficient, pd.DataFrame({"c": [0.6667]}), ordered=False)[0]


def test_reference_personal_columns_are_shown_as_the_role_sees_them() -> None:
    """A right answer may not show a role more than it may see: the reference's names and e-mails are masked
    the way the assistant's role sees them; other columns, and a role that sees them in clear, are as stored."""
    from c360.assistant.evaluation import as_seen_by

    con = duckdb.connect()
    reference = frame(customer_id=["CUST00000001"], full_name=["Jane Doe"], email=["jane.doe@example.com"])
    masked = as_seen_by(reference, "MARKETING_MANAGER", con)
    assert masked.iloc[0].to_dict() == {
        "customer_id": "CUST00000001",
        "full_name": "Jane D.",
        "email": "j***@example.com",
    }
    assert as_seen_by(reference, "DATA_ENGINEER", con).equals(reference)
    assert (
        compare(masked, frame(customer_id=["CUST00000001"], full_name=["Jane D."]), ordered=True)[0] is False
    )
    assert compare(masked[["full_name"]], frame(name=["Jane D."]), ordered=True) == (True, "")


def _profile_con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema gold")
    con.execute(
        "create table gold.customer_360_profile as select * from (values "
        "('CUST00000001', 'Regina Lopez', 'Premium', 'regina.lopez@example.com'), "
        "('CUST00000002', 'Sheena Jones', 'Standard', 'sheena.jones@example.com')) "
        "t(customer_id, full_name, customer_segment, email)"
    )
    return con


def test_a_reference_runs_as_its_writers_role_so_a_masked_name_filter_finds_the_customer() -> None:
    """Blind writers validate references under `c360 sql --role DATA_ANALYST`, which shows names as
    "First L.": `where full_name = 'Regina L.'` means Regina Lopez, not nobody (f2-062 and three more)."""
    con = _profile_con()
    sql = "select customer_segment from gold.customer_360_profile where full_name = 'Regina L.'"
    as_of = date(2026, 12, 4)
    assert reference_frame(con, sql, as_of)["customer_segment"].tolist() == ["Premium"]
    # a role that sees names in clear (a set declaring reference_role: DATA_ENGINEER) filters stored values
    assert reference_frame(con, sql, as_of, Role.DATA_ENGINEER).empty
    stored = "select customer_id from gold.customer_360_profile where full_name = 'Sheena Jones'"
    assert reference_frame(con, stored, as_of, "DATA_ENGINEER")["customer_id"].tolist() == ["CUST00000002"]
    # the projection is masked as well, and $as_of is still bound
    shown = reference_frame(
        con, "select full_name, email, $as_of as d from gold.customer_360_profile order by customer_id", as_of
    )
    assert shown["full_name"].tolist() == ["Regina L.", "Sheena J."]
    assert shown["email"].tolist() == ["r***@example.com", "s***@example.com"]
    assert {pd.Timestamp(v).date() for v in shown["d"]} == {as_of}
    # every row counts: no guard row limit cuts a reference short
    big = "select p.customer_id from gold.customer_360_profile p, gold.customer_360_profile q, " + ", ".join(
        f"gold.customer_360_profile t{i}" for i in range(13)
    )
    assert len(reference_frame(con, big, as_of)) == 2**15


def test_a_set_declares_its_reference_role_in_its_header(tmp_path: Path) -> None:
    body = "questions:\n  - id: q1\n    question: Which segment is Regina L. in?\n    sql: select 1\n"
    default = tmp_path / "default.yaml"
    default.write_text('as_of: "2026-12-04"\n' + body)
    assert load_cases(default)[1][0].reference_role is Role.DATA_ANALYST
    declared = tmp_path / "declared.yaml"
    declared.write_text('as_of: "2026-12-04"\nreference_role: data_engineer\n' + body)
    assert load_cases(declared)[1][0].reference_role is Role.DATA_ENGINEER
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text('as_of: "2026-12-04"\nreference_role: ADMIN\n' + body)
    with pytest.raises(C360Error, match="reference_role 'ADMIN' is not a role"):
        load_cases(wrong)


def test_a_reference_the_writers_role_may_not_run_is_a_precise_error() -> None:
    con = _profile_con()
    with pytest.raises(
        C360Error,
        match="reference SQL refused for role MARKETING_MANAGER: role MARKETING_MANAGER may not read SILVER",
    ):
        reference_frame(con, "select * from silver.stg_customers", date(2026, 12, 4), Role.MARKETING_MANAGER)


def test_each_shipped_set_declares_the_role_its_name_filters_were_written_in() -> None:
    """A set whose references filter on names as DATA_ANALYST sees them ('Regina L.') must run as that role, and
    one that filters on stored names ('Tanner Hill') must declare a role that sees them in clear: otherwise the
    filter matches nobody and a right answer is scored wrong."""
    import re

    literal = re.compile(r"full_name\s*=\s*'([^']*)'")
    masked = re.compile(r"^\S+ \S\.$")
    checked = 0
    for path in sorted((Path(__file__).parent / "blind").glob("*.yaml")):
        _, cases = load_cases(path)
        for case in cases:
            for name in literal.findall(case.sql or ""):
                clear = case.reference_role is Role.DATA_ENGINEER
                assert bool(masked.match(name)) != clear, (path.name, case.id, name, case.reference_role)
                checked += 1
    assert checked >= 20
