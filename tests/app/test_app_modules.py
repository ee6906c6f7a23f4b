"""The app's plain modules (no platform, no Streamlit runtime): formatting, queries' parameters,
transaction filters, chart choice, exports, the Snowpark backend and its Cortex Analyst calls."""

from __future__ import annotations

import ast
import json
import sys
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
import sqlglot
import yaml

import answer_charts
import app_context
import charts
import exports
import formatting as fmt
import queries
from app_types import AppDataError
from assistant_turns import AssistantReply, single_select
from backend_snowflake import SnowparkBackend
from c360.paths import REPO_ROOT, STREAMLIT_DIR
from components.app import APP_SHARED_MODULES
from state_grid import COLUMNS, ROWS, TILE_POSITIONS
from tabs.customer_360 import churn_alert, latest_complete_mom
from tabs.pipeline_health import layer_totals, quality_status, runs_view

# ---- deployability (Streamlit in Snowflake) -----------------------------------------------------------


def _imports(path) -> list[tuple[ast.stmt, str]]:  # type: ignore[no-untyped-def]
    """(statement, imported module) of every import in the file."""
    found: list[tuple[ast.stmt, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.extend((node, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            package = REPO_ROOT.joinpath(*module.split("."))  # `from c360 import names` imports c360.names
            found.extend(
                (node, f"{module}.{a.name}" if (package / f"{a.name}.py").is_file() else module)
                for a in node.names
            )
    return found


# c360/__init__.py is empty and names.py is stdlib only: importing it at module level loads nothing else
MODULE_LEVEL = {"c360.names"}
SHIPPED = {f"c360.{m.removesuffix('.py').replace('/', '.')}" for m in APP_SHARED_MODULES}


def test_app_folder_is_deployable_without_c360() -> None:
    """In Streamlit in Snowflake only streamlit/ and the c360 modules the stack ships beside it exist: the
    local backend alone imports the rest of c360; elsewhere only shipped modules, always inside functions
    (importing them locally loads the whole assistant package)."""
    assert not (STREAMLIT_DIR / "__init__.py").exists(), "an __init__.py would shadow the streamlit library"
    for path in STREAMLIT_DIR.rglob("*.py"):
        for node, name in _imports(path):
            if name.split(".")[0] in ("c360", "generators", "components", "stacks"):
                assert path.name == "backend_local.py" or name in SHIPPED, f"{path.name} imports {name}"
                assert node.col_offset > 0 or name in MODULE_LEVEL, (
                    f"{path.name} imports {name} at module level"
                )


def test_the_c360_modules_shipped_to_snowflake_import_only_each_other() -> None:
    """What the stack uploads beside the app must run without the rest of c360 (stdlib and pandas only)."""
    allowed_third_party = {"pandas", "requests"}  # requests: only cortex.SessionTransport, never in Snowflake
    for module in APP_SHARED_MODULES:
        for _, name in _imports(REPO_ROOT / "c360" / module):
            top = name.split(".")[0]
            if top == "c360":
                assert name in SHIPPED, f"{module} imports {name}, which is not shipped to Snowflake"
            else:
                assert top in allowed_third_party or top in sys.stdlib_module_names, (
                    f"{module} imports {name}"
                )


def test_environment_yml_lists_snowflake_channel_packages() -> None:
    env = yaml.safe_load((STREAMLIT_DIR / "environment.yml").read_text())
    assert env["channels"] == ["snowflake"]
    packages = {str(d).split("=")[0] for d in env["dependencies"]}
    assert {"streamlit", "pandas", "plotly", "snowflake-snowpark-python"} <= packages


@pytest.mark.parametrize("path", sorted((STREAMLIT_DIR / "sql").glob("*.sql")), ids=lambda p: p.name)
def test_sql_files_parse_as_one_select(path) -> None:  # type: ignore[no-untyped-def]
    dialect = "snowflake" if path.name.endswith(".snowflake.sql") else "duckdb"
    statements = [s for s in sqlglot.parse(path.read_text(), read=dialect) if s is not None]
    assert len(statements) == 1
    assert isinstance(statements[0], (sqlglot.exp.Select, sqlglot.exp.SetOperation))
    for table in statements[0].find_all(sqlglot.exp.Table):
        if table.name.lower() not in {
            c.alias_or_name.lower() for c in statements[0].find_all(sqlglot.exp.CTE)
        }:
            assert table.catalog.lower() == "customer_analytics", (
                f"{path.name}: {table.sql()} is not fully qualified"
            )


def test_every_query_the_app_names_exists() -> None:
    for name in (
        "platform_summary",
        "filter_options",
        "segment_customers",
        "customer_search",
        *queries.HEALTH_QUERIES,
    ):
        assert app_context.load_sql(name)
    with pytest.raises(AppDataError):
        app_context.load_sql("no_such_query")
    assert "datediff(millisecond" in app_context.load_sql("health_pipe", "snowflake")
    assert "date_diff('millisecond'" in app_context.load_sql("health_pipe", "duckdb")


# ---- formatting ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "value", "expected"),
    [
        (fmt.money, 1234.5, "$1,234"),
        (fmt.money, -1234.5, "-$1,234"),
        (fmt.money, None, fmt.MISSING),
        (fmt.money, float("nan"), fmt.MISSING),
        (fmt.money, Decimal("12.345"), "$12"),
        (fmt.compact_money, 27_012_345, "$27.0M"),
        (fmt.compact_money, 950, "$950"),
        (fmt.pct, 55.93, "55.9%"),
        (fmt.pct, pd.NA, fmt.MISSING),
        (fmt.signed_pct, -7.36, "-7.4%"),
        (fmt.number, 1000, "1,000"),
        (fmt.day, pd.Timestamp("2026-10-15 13:00"), "2026-10-15"),
        (fmt.day, pd.NaT, fmt.MISSING),
        (fmt.days, 1, "1 day"),
        (fmt.days, 12.4, "12 days"),
    ],
)
def test_formatting_never_crashes(fn, value, expected) -> None:  # type: ignore[no-untyped-def]
    assert fn(value) == expected


# ---- query parameters --------------------------------------------------------------------------------


def test_pipe_list_and_like_pattern() -> None:
    assert (
        queries.pipe_list(["High-Value Travelers", "New & Growing"]) == "|High-Value Travelers|New & Growing|"
    )
    assert queries.pipe_list([]) == "" and queries.pipe_list(None) == ""
    with pytest.raises(ValueError):
        queries.pipe_list(["a|b"])
    assert queries.like_pattern("O'Brien") == "%o'brien%"
    assert queries.like_pattern("50%_off!") == "%50!%!_off!!%"
    assert queries.normalize_customer_query("id", "12345") == "CUST00012345"
    assert queries.normalize_customer_query("name", "12345") == "12345"


def test_search_params_rank_exact_then_edge_then_anywhere() -> None:
    # digits: the exact id, then ids ending with them, then ids containing them; rows 1-50
    assert queries.search_params("id", "4242") == ["id", "cust00004242", "%4242", "%4242%", 1, 50]
    assert queries.search_params("id", "CUST0001424") == [
        "id",
        "cust0001424",
        "cust0001424%",
        "%cust0001424%",
        1,
        50,
    ]
    assert queries.search_params("name", " Smith ", page=3) == [
        "name",
        "smith",
        "smith%",
        "%smith%",
        101,
        150,
    ]
    assert queries.search_params("email", "a_b%", page=2, page_size=10)[2:] == ["a!_b!%%", "%a!_b!%%", 11, 20]
    with pytest.raises(ValueError):
        queries.search_params("phone", "555")
    page = queries.SearchPage(pd.DataFrame({"customer_id": ["a", "b"]}), total=102, page=3, page_size=50)
    assert (page.pages, page.first_row, page.last_row) == (3, 101, 102)


def test_segment_filter_params_order_matches_the_sql() -> None:
    filters = queries.SegmentFilters(
        segments=("Declining",),
        states=("CA", "TX"),
        min_ltv=500,
        monthly_spend_to=2_000,
        min_travel_dining_monthly=3_000,
    )
    params = queries.segment_filter_params(filters)
    assert params[:4] == ["|Declining|", "|Declining|", "|CA|TX|", "|CA|TX|"]
    assert params[8:] == [500.0, None, None, 2_000, 2_000, 3_000.0]
    assert queries.segment_filter_params(queries.SegmentFilters())[-1] == 0.0
    for name in ("segment_customers", "segment_breakdown"):
        assert app_context.load_sql(name).count("?") == len(params)
        assert "fct_transactions" not in app_context.load_sql(name), "the profile row holds every filter"
    where = {
        n: app_context.load_sql(n).split("where (cast", 1)[1].split("\norder by")[0].split("\ngroup by")[0]
        for n in ("segment_customers", "segment_breakdown")
    }
    assert len(set(where.values())) == 1, "both segment queries must filter identically"
    assert app_context.load_sql("campaign_targets").count("?") == len(
        queries.audience_params(queries.AudienceFilters())
    )
    assert app_context.load_sql("customer_search").count("?") == 6


def test_summarize_breakdown_rolls_up() -> None:
    breakdown = pd.DataFrame(
        {
            "customer_segment": ["Declining", "Declining", "High-Value Travelers"],
            "churn_risk_category": ["High Risk", "Low Risk", "Not Scored"],
            "state": ["CA", "TX", "CA"],
            "state_name": ["California", "Texas", "California"],
            "customers": [2, 3, 5],
            "total_ltv": [200.0, 300.0, 5_000.0],
            "total_avg_monthly_spend": [20.0, 30.0, 500.0],
            "churn_score_sum": [150.0, 30.0, None],
            "scored_customers": [2, 3, 0],
        }
    )
    s = queries.summarize_breakdown(breakdown)
    assert (s.customers, s.total_ltv, s.avg_ltv, s.scored_customers) == (10, 5_500.0, 550.0, 5)
    assert s.avg_churn_score == pytest.approx(36.0)  # (150 + 30) / 5 scored, unscored excluded
    assert s.by_segment["customer_segment"].tolist() == ["High-Value Travelers", "Declining"]
    assert s.by_state.set_index("state")["avg_ltv"].to_dict() == {"CA": 5_200 / 7, "TX": 100.0}
    empty = queries.summarize_breakdown(breakdown.iloc[0:0])
    assert empty.customers == 0 and empty.avg_ltv is None and empty.avg_churn_score is None


# ---- transactions ------------------------------------------------------------------------------------


def _transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "transaction_date": pd.to_datetime(
                [
                    "2026-10-15 23:00",
                    "2026-10-01 00:00",
                    "2026-07-20 00:00",
                    "2026-05-01 00:00",
                    "2025-05-01 00:00",
                    "2026-10-16 01:00",
                ]
            ),
            "transaction_id": ["t1", "t2", "t3", "t4", "t5", "t6"],
            "category_name": ["Travel", "Dining", "Travel", "Grocery", "Travel", "Dining"],
            "category_group": ["Leisure", "Leisure", "Leisure", "Necessities", "Leisure", "Leisure"],
            "transaction_amount": [100.0, 50.0, 25.0, 10.0, 5.0, 1.0],
            "channel": ["Online", "Mobile", "Online", "In-Store", "Online", "Online"],
            "status": ["approved", "declined", "approved", "approved", "approved", "approved"],
        }
    )


def test_filter_transactions_windows_end_at_as_of() -> None:
    frame, as_of = _transactions(), date(2026, 10, 15)
    # the gold windows: [as_of - days, ...) -> last 30 days from 2026-09-15, last 90 days from 2026-07-17
    assert queries.filter_transactions(frame, as_of, "Last 30 days")["transaction_id"].tolist() == [
        "t1",
        "t2",
        "t6",
    ]
    last_90 = queries.filter_transactions(frame, as_of, "Last 90 days")["transaction_id"].tolist()
    assert last_90 == ["t1", "t2", "t3", "t6"]
    assert len(queries.filter_transactions(frame, as_of, "All time")) == 6  # no date filter at all
    travel = queries.filter_transactions(
        frame, as_of, "All time", categories=["Travel"], statuses=["approved"]
    )
    assert travel["transaction_id"].tolist() == ["t1", "t3", "t5"]
    tz = frame.assign(transaction_date=frame["transaction_date"].dt.tz_localize("UTC"))
    assert len(queries.filter_transactions(tz, as_of, "Last 30 days")) == 3  # tz-aware timestamps work too


def test_transaction_summary_and_category_spend() -> None:
    summary = queries.summarize_transactions(_transactions())
    assert (summary.transactions, summary.approved, summary.approved_spend) == (6, 5, 141.0)
    assert summary.approval_rate_pct == pytest.approx(500 / 6)
    nothing = queries.summarize_transactions(_transactions().iloc[0:0])
    assert nothing.approval_rate_pct is None and nothing.avg_approved is None  # no division by zero
    spend = queries.category_spend(_transactions())
    assert spend.iloc[0].to_dict()["category_name"] == "Travel" and spend.iloc[0]["spend"] == 130.0
    assert spend["share_pct"].sum() == pytest.approx(100.0)


def test_latest_complete_mom_and_churn_alert() -> None:
    monthly = pd.DataFrame(
        {
            "month": pd.to_datetime(["2026-08-01", "2026-09-01", "2026-10-01"]),
            "monthly_spend": [100.0, 50.0, 10.0],
            "mom_change_pct": [None, -50.0, -80.0],
            "is_complete_month": [True, True, False],
        }
    )
    assert latest_complete_mom(monthly) == (pd.Timestamp("2026-09-01"), -50.0)
    assert churn_alert("High Risk", 82.14) == ("error", "⚠️ **High churn risk** · score 82.1 / 100")
    assert churn_alert("Low Risk", 3)[0] == "success"
    assert churn_alert(None, None)[0] == "info"  # unscored is never shown as low risk
    assert churn_alert("Not Scored", None)[0] == "info"
    assert quality_status(0, 0.0) == "✅ pass" and quality_status(3, 0.5) == "❌ fail"


# ---- charts ------------------------------------------------------------------------------------------


def test_tile_grid_covers_every_state_once() -> None:
    assert len(TILE_POSITIONS) == 51 and len(set(TILE_POSITIONS.values())) == 51
    assert all(0 <= r < ROWS and 0 <= c < COLUMNS for r, c in TILE_POSITIONS.values())
    from c360.reference import STATES

    assert {s.code for s in STATES} == set(TILE_POSITIONS)


def test_state_map_places_values_on_tiles() -> None:
    frame = pd.DataFrame(
        {"state": ["CA", "TX", "ZZ"], "state_name": ["California", "Texas", "?"], "customers": [7, 3, 1]}
    )
    fig = charts.state_tile_map(frame, "customers", "Customers by state", "Customers")
    z = fig.data[1].z
    r, c = TILE_POSITIONS["CA"]
    assert z[r][c] == 7
    assert "no customers" in fig.data[0].text[TILE_POSITIONS["NY"][0]][TILE_POSITIONS["NY"][1]]
    assert sum(v == v for row in z for v in row) == 2  # NaN elsewhere; unknown codes are ignored


@pytest.mark.parametrize(
    ("frame", "kind"),
    [
        (pd.DataFrame({"state": ["CA", "TX"], "avg_lifetime_value": [1.0, 2.0]}), "map"),
        (
            pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-02-01"]), "total_spend": [1.0, 2.0]}),
            "line",
        ),
        (pd.DataFrame({"month": ["2026-01", "2026-02", "2026-03"], "total_spend": [1.0, 2.0, 3.0]}), "line"),
        (pd.DataFrame({"customer_segment": ["A", "B", "C"], "customer_count": [5, 3, 2]}), "pie"),
        (pd.DataFrame({"customer_segment": ["A", "B", "C"], "avg_lifetime_value": [5.0, 3.0, 2.0]}), "bar"),
        (pd.DataFrame({"category": [f"c{i}" for i in range(9)], "total_spend": range(9)}), "bar"),
        (pd.DataFrame({"customer_count": [1_000]}), "metric"),
        (
            pd.DataFrame(
                {"customer_id": [f"C{i}" for i in range(40)], "full_name": ["x"] * 40, "score": range(40)}
            ),
            "table",
        ),
        (pd.DataFrame({"full_name": ["a", "b"]}), "table"),
        (pd.DataFrame({"x": []}), "table"),
    ],
)
def test_chart_auto_selection(frame: pd.DataFrame, kind: str) -> None:
    choice = answer_charts.choose_chart(frame)
    assert choice.kind == kind
    figure = answer_charts.build_chart(frame, choice)
    assert (figure is not None) == (kind in ("map", "line", "pie", "bar"))


TOP_MERCHANTS = pd.DataFrame(
    {
        "merchant_name": ["Southwest Airlines", "United Airlines", "Alaska Airlines", "JetBlue", "Delta"],
        "total_spend": [1_403_938.58, 1_247_875.97, 1_244_243.20, 1_203_480.47, 1_199_887.92],
    }
)


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        # a ranking: the rows are the first 5 of many merchants, not parts of a whole
        (
            "SELECT merchant_name, SUM(amount) AS total_spend FROM gold.fct_transactions "
            "GROUP BY merchant_name ORDER BY total_spend DESC LIMIT 5",
            "bar",
        ),
        ("select top 5 merchant_name, sum(amount) as total_spend from t group by 1 order by 2 desc", "bar"),
        ("select merchant_name, sum(amount) as total_spend from t group by 1 fetch first 5 rows only", "bar"),
        # every merchant there is (no limit, or a limit the result did not reach): the parts are the whole
        ("SELECT merchant_name, SUM(amount) AS total_spend FROM t GROUP BY merchant_name", "pie"),
        ("select merchant_name, sum(amount) as total_spend from t group by 1 limit 10000", "pie"),
        ("select * from (select merchant_name, total_spend from t limit 5) as s", "pie"),  # inner limit only
        ("select 'limit 5' as note, merchant_name, total_spend from t", "pie"),  # text, not a clause
    ],
)
def test_rankings_are_bars_and_pies_only_show_a_whole(sql: str, kind: str) -> None:
    assert answer_charts.choose_chart(TOP_MERCHANTS, sql).kind == kind


def _rgb(color: str) -> tuple[int, ...]:
    if color.startswith("#"):
        return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(int(float(v)) for v in color[color.index("(") + 1 : color.index(")")].split(",")[:3])


def _distance(a: str, b: str) -> float:
    return sum((x - y) ** 2 for x, y in zip(_rgb(a), _rgb(b), strict=True)) ** 0.5


@pytest.mark.parametrize("scale", ["Blues", "Greens", "Purples"])
def test_map_keeps_the_smallest_selected_state_visible(scale: str) -> None:
    two_states = pd.DataFrame(
        {"state": ["CA", "NV"], "state_name": ["California", "Nevada"], "customers": [90, 3]}
    )
    fig = charts.state_tile_map(two_states, "customers", "Customers by state", "Customers", colorscale=scale)
    no_data = fig.data[0].colorscale[0][1]
    lightest = fig.data[1].colorscale[0][1]  # the colour of NV, the smaller selected state (zmin)
    assert fig.data[1].zmin == 3 and fig.data[1].zmax == 90
    assert _distance(lightest, no_data) >= 60, f"{lightest} reads like an unselected state ({no_data})"
    one_state = charts.state_tile_map(two_states.head(1), "customers", "t", "Customers", colorscale=scale)
    assert one_state.data[1].zmax > one_state.data[1].zmin == 90  # a single state gets the visible light end


def test_figures_handle_empty_frames() -> None:
    empty = pd.DataFrame(columns=["customer_segment", "customers", "total_ltv", "churn_risk_category"])
    for fig in (charts.segment_pie(empty), charts.risk_bars(empty), charts.ltv_by_segment(empty)):
        assert fig.layout.annotations[0].text == "No customers"


def test_credit_limit_history_steps() -> None:
    history = pd.DataFrame(
        {
            "valid_from": pd.Series([datetime(2020, 1, 1), datetime(2026, 3, 1)], dtype="datetime64[us]"),
            "valid_to": pd.Series([datetime(2026, 3, 1), datetime(9999, 12, 31)], dtype="datetime64[us]"),
            "card_type": ["Standard", "Premium"],
            "credit_limit": [5_000.0, 15_000.0],
        }
    )
    fig = charts.credit_limit_history(history, pd.Timestamp("2026-10-15"), "limit")
    assert list(fig.data[0].y) == [5_000.0, 5_000.0, 15_000.0, 15_000.0]
    assert pd.Timestamp(fig.data[0].x[-1]) == pd.Timestamp(
        "2026-10-15"
    )  # open version ends at the as-of date


# ---- exports -----------------------------------------------------------------------------------------


def test_csv_keeps_the_time_of_day_and_dates_stay_dates() -> None:
    frame = pd.DataFrame(
        {
            "transaction_date": pd.to_datetime(["2026-10-14 23:58:39", "2026-10-14 00:00:00"]),
            "at_utc": pd.to_datetime(["2026-10-14 08:05:00", "2026-10-14 09:00:00"]).tz_localize("UTC"),
            "day": [date(2026, 10, 14), date(2026, 10, 13)],
        }
    )
    assert exports.csv_bytes(frame).decode().splitlines() == [
        "transaction_date,at_utc,day",
        "2026-10-14 23:58:39,2026-10-14 08:05:00,2026-10-14",
        "2026-10-14 00:00:00,2026-10-14 09:00:00,2026-10-13",
    ]


def test_streamed_csv_has_one_header_and_every_batch() -> None:
    batches = (
        pd.DataFrame({"customer_id": [f"CUST{i:08d}" for i in range(n, n + 3)], "v": [1.5] * 3})
        for n in (0, 3, 6)
    )
    file = exports.csv_file(batches)
    lines = file.read().decode().splitlines()
    assert lines[0] == "customer_id,v" and len(lines) == 10 and lines[-1] == "CUST00000008,1.5"
    empty = exports.csv_file(iter([pd.DataFrame(columns=["customer_id", "v"])]))
    assert empty.read().decode().splitlines() == ["customer_id,v"]


def test_csv_export_keeps_raw_values() -> None:
    frame = pd.DataFrame(
        {"customer_id": ["CUST00000001"], "lifetime_value": [1234.5], "full_name": ["O'Brien, Pat"]}
    )
    text = exports.csv_bytes(frame).decode()
    assert text.splitlines() == [
        "customer_id,lifetime_value,full_name",
        'CUST00000001,1234.5,"O\'Brien, Pat"',
    ]
    assert (
        exports.export_name("customer_segment", datetime(2026, 10, 15, 9, 5, 7))
        == "customer_segment_20261015_090507.csv"
    )
    assert (
        exports.export_name("customer CUST1/tx", datetime(2026, 10, 15), with_time=False)
        == "customer_CUST1_tx_20261015.csv"
    )


# ---- the Snowpark backend and its Cortex Analyst calls (c360's client over _snowflake) -----------------


class FakeSnowApi:
    """`_snowflake` inside Streamlit in Snowflake: records each request, answers with the next response."""

    def __init__(self, *responses: dict[str, object]) -> None:
        self.responses, self.requests = list(responses), []

    def send_snow_api_request(self, method, path, headers, params, body, request_guid, timeout_ms):  # type: ignore[no-untyped-def]
        self.requests.append((method, path, body, timeout_ms))
        response = self.responses.pop(0)
        if isinstance(response, Exception):
            raise response
        return response


def _snowflake_app(
    monkeypatch: pytest.MonkeyPatch, *responses: object
) -> tuple[SnowparkBackend, FakeSnowApi]:
    api = FakeSnowApi(*responses)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "_snowflake", api)
    return SnowparkBackend(FakeSession(), "select version"), api


ANSWER = {
    "request_id": "r1",
    "message": {
        "role": "analyst",
        "content": [
            {"type": "text", "text": "This is our interpretation of your question: customers per segment"},
            {
                "type": "sql",
                "statement": "SELECT 1",
                "confidence": {
                    "verified_query_used": {
                        "name": "seg",
                        "question": "How many customers are in each segment?",
                    }
                },
            },
        ],
    },
    "warnings": [{"message": "w1"}],
}


def test_cortex_request_carries_the_conversation(monkeypatch: pytest.MonkeyPatch) -> None:
    backend, api = _snowflake_app(monkeypatch, {"status": 200, "content": json.dumps(ANSWER)})
    earlier = AssistantReply("How many customers per segment?", answer="Counts per segment", sql="select 1")
    backend.ask("only Premium?", [earlier], "MARKETING_MANAGER")
    method, path, body, timeout_ms = api.requests[0]
    assert (method, path, timeout_ms) == ("POST", "/api/v2/cortex/analyst/message", 50_000)
    assert body["semantic_model_file"] == "@CUSTOMER_ANALYTICS.GOLD.SEMANTIC_STAGE/semantic_model.yaml"
    assert [m["role"] for m in body["messages"]] == ["user", "analyst", "user"]
    assert body["messages"][1]["content"][0] == {"type": "text", "text": "Counts per segment"}
    assert body["messages"][1]["content"][1]["statement"] == "select 1"
    assert body["messages"][-1]["content"][0]["text"] == "only Premium?"


def test_cortex_answer_refusal_and_error(monkeypatch: pytest.MonkeyPatch) -> None:
    refusal = {
        "message": {
            "role": "analyst",
            "content": [
                {"type": "text", "text": "I cannot answer that."},
                {"type": "suggestions", "suggestions": ["How many customers are in each segment?"]},
            ],
        }
    }
    backend, _ = _snowflake_app(
        monkeypatch,
        {"status": 200, "content": json.dumps(ANSWER)},
        {"status": 200, "content": json.dumps(refusal)},
        {"status": 400, "content": json.dumps({"error_code": "392708", "message": "bad model"})},
        {"status": 500, "content": "<html>"},
        RuntimeError("connection reset\ntrace"),
    )
    reply = backend.ask("q", [], "MARKETING_MANAGER")
    assert reply.sql == "SELECT 1" and reply.verified_query == "How many customers are in each segment?"
    assert reply.warnings == ("w1",) and not reply.refused and reply.error is None
    assert reply.columns == ("customer_id", "lifetime_value") and len(reply.rows) == 1  # the SQL ran
    assert backend.session.calls[-1] == ("SELECT 1", [])
    refused = backend.ask("q", [], "MARKETING_MANAGER")
    assert refused.refused and refused.suggestions == ("How many customers are in each segment?",)
    assert refused.error == "I cannot answer that."
    failed = backend.ask("q", [], "MARKETING_MANAGER")
    assert failed.refused and "392708" in (failed.error or "") and "bad model" in (failed.error or "")
    assert (backend.ask("q", [], "MARKETING_MANAGER").error or "").startswith("Cortex Analyst error 500")
    down = backend.ask("q", [], "MARKETING_MANAGER")
    assert down.error == "Cortex Analyst is unavailable: connection reset"


def test_cortex_sql_that_fails_keeps_the_answer_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    backend, _ = _snowflake_app(monkeypatch, {"status": 200, "content": json.dumps(ANSWER)})
    backend.session.error = "SQL compilation error: Object 'X' does not exist or not authorized."
    reply = backend.ask("q", [], "MARKETING_MANAGER")
    assert reply.sql == "SELECT 1" and reply.answer.startswith("This is our interpretation")
    assert "cannot read" in (reply.error or "") and reply.rows == ()


class FakeSnowparkFrame:
    def __init__(self, session: FakeSession, sql: str, params: list[object]) -> None:
        self.session, self.sql, self.params = session, sql, params

    def collect(self) -> list[tuple[object, ...]]:
        if self.session.version_error:
            raise RuntimeError(self.session.version_error)
        return [(self.session.gold_altered, 12)]  # the data-version query: GOLD's last change, its tables

    def limit(self, n: int) -> FakeSnowparkFrame:
        self.session.limits.append(n)
        return self

    def to_pandas(self) -> pd.DataFrame:
        if self.session.error:
            raise RuntimeError(self.session.error)
        return pd.DataFrame({"CUSTOMER_ID": ["CUST00000001"], "LIFETIME_VALUE": [Decimal("10.50")]})


class FakeSession:
    def __init__(self, error: str | None = None) -> None:
        self.error, self.calls, self.limits = error, [], []
        self.gold_altered, self.version_error = datetime(2026, 10, 15, 6, 0), None

    def sql(self, sql: str, params: list[object] | None = None) -> FakeSnowparkFrame:
        self.calls.append((sql, params))
        return FakeSnowparkFrame(self, sql, list(params or []))


def test_snowpark_backend_binds_params_and_normalizes() -> None:
    session = FakeSession()
    backend = SnowparkBackend(session, "select version")
    assert backend.roles == ("MARKETING_MANAGER",) and "CUSTOMER_ANALYTICS" in backend.describe()
    frame = backend.run("select * from t where customer_id = ?", ["CUST00000001"], "APP_ROLE", 100)
    assert session.calls[-1] == ("select * from t where customer_id = ?", ["CUST00000001"])
    assert session.limits == [100]
    assert list(frame.columns) == ["customer_id", "lifetime_value"]
    assert frame["lifetime_value"].dtype == "float64" and frame["lifetime_value"].iloc[0] == 10.5


def test_snowflake_data_version_is_golds_last_change_read_once_a_minute_or_on_refresh() -> None:
    session = FakeSession()
    backend = SnowparkBackend(session, "select version")
    first = backend.data_version()
    assert first == "gold altered 2026-10-15T06:00:00 (12 tables)"
    assert session.calls == [("select version", None)]
    session.gold_altered = datetime(2026, 10, 15, 7, 0)  # the pipeline refreshed GOLD
    assert backend.data_version() == first and len(session.calls) == 1  # remembered: no round trip per query
    ctx = app_context.AppContext(backend=backend, role="MARKETING_MANAGER")
    assert ctx.refresh() is True  # the refresh button: re-read, new keys from now on
    assert backend.data_version() == "gold altered 2026-10-15T07:00:00 (12 tables)"
    assert ctx.refresh() is False  # nothing new: every cached result stays valid
    session.version_error = "No active warehouse selected in the current session."
    assert backend.refresh_data_version() == "gold altered 2026-10-15T07:00:00 (12 tables)"  # kept
    broken = FakeSession()
    broken.version_error = "Incorrect username or password was specified."
    with pytest.raises(AppDataError) as err:
        SnowparkBackend(broken, "select version")
    assert err.value.kind == "unavailable" and "not usable" in str(err.value)


def test_cached_results_are_keyed_on_the_data_version() -> None:
    class Counting:
        name, dialect, identity, roles = "test", "duckdb", "test", ("R",)

        def __init__(self) -> None:
            self.version, self.runs = "v1", 0

        def data_version(self) -> str:
            return self.version

        def run(self, sql: str, params: list[object], role: str, max_rows: int) -> pd.DataFrame:
            self.runs += 1
            return pd.DataFrame({"version": [self.version]})

    backend = Counting()
    ctx = app_context.AppContext(backend=backend, role="R")  # type: ignore[arg-type]
    sql = f"select {datetime.now().timestamp()}"  # a statement no other test caches
    assert ctx.run_sql(sql)["version"].tolist() == ["v1"] and backend.runs == 1
    assert ctx.run_sql(sql)["version"].tolist() == ["v1"] and backend.runs == 1  # cached
    backend.version = "v2"  # a new load: the old entry is simply not asked for
    assert ctx.run_sql(sql)["version"].tolist() == ["v2"] and backend.runs == 2


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("SQL compilation error: Object 'X' does not exist or not authorized.", "forbidden"),
        ("Statement reached its statement or warehouse timeout of 60 second(s) and was canceled.", "timeout"),
        ("No active warehouse selected in the current session.", "unavailable"),
        ("something else", "failed"),
    ],
)
def test_snowflake_errors_become_clear_messages(message: str, kind: str) -> None:
    backend = SnowparkBackend(FakeSession(), "select version")
    backend.session.error = message
    with pytest.raises(AppDataError) as err:
        backend.run("select 1", [], "APP_ROLE", 10)
    assert err.value.kind == kind


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT customer_segment, COUNT(*) FROM gold.customer_360_profile GROUP BY 1",
        "WITH __p AS (SELECT * FROM gold.customer_360_profile) SELECT COUNT(*) FROM __p;",
        "-- Generated by Cortex Analyst\n(SELECT 1)",
    ],
)
def test_cortex_sql_that_is_one_select_runs(sql: str) -> None:
    assert single_select(sql) == sql


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM gold.customer_360_profile",
        "SELECT 1; DROP TABLE gold.customer_360_profile",
        "/* SELECT */ CREATE TABLE x AS SELECT 1",
        "CALL system$wait(1)",
        "",
    ],
)
def test_cortex_sql_that_is_not_one_select_is_refused(sql: str) -> None:
    with pytest.raises(AppDataError) as err:
        single_select(sql)
    assert err.value.kind == "refused" and "not a single SELECT" in str(err.value)


def test_form_submit_passes_a_key_only_where_supported(monkeypatch: pytest.MonkeyPatch) -> None:
    import compat

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(compat.st, "form_submit_button", lambda label, **kw: calls.append(kw) or True)
    monkeypatch.setattr(compat, "SUBMIT_TAKES_KEY", False)  # Streamlit in Snowflake's pinned version
    assert compat.form_submit("Go", key="x.go", type="primary")
    monkeypatch.setattr(compat, "SUBMIT_TAKES_KEY", True)
    compat.form_submit("Go", key="x.go")
    assert "key" not in calls[0] and calls[0]["type"] == "primary"
    assert calls[1]["key"] == "x.go" and calls[1]["type"] == "secondary"  # Streamlit's default


def test_generated_sql_is_pretty_printed() -> None:
    one_line = (
        "SELECT t.merchant_name AS merchant_name, SUM(CASE WHEN t.is_approved THEN t.transaction_amount ELSE 0 END) "
        "AS total_spend FROM GOLD.FCT_TRANSACTIONS AS t GROUP BY t.merchant_name ORDER BY total_spend DESC LIMIT 5"
    )
    pretty = fmt.pretty_sql(one_line)
    lines = pretty.splitlines()
    assert len(lines) >= 6 and lines[0] == "SELECT"
    assert any(line.startswith("FROM ") for line in lines) and any(line.startswith("LIMIT") for line in lines)
    assert sqlglot.parse_one(pretty, read="duckdb") == sqlglot.parse_one(
        one_line, read="duckdb"
    )  # same statement
    assert fmt.pretty_sql("not sql at all (") == "not sql at all ("  # shown as it came


def test_pipeline_health_views() -> None:
    counts = pd.DataFrame(
        {
            "layer": ["gold", "bronze", "silver", "gold"],
            "record_count": [2, 13_252_748, 5, 3],
            "table_name": list("abcd"),
        }
    )
    assert layer_totals(counts) == [("Bronze", 13_252_748), ("Silver", 5), ("Gold", 5)]
    runs = pd.DataFrame(
        {
            "run_id": ["r1", "r2"],
            "run_type": ["dbt_build", "c360_up"],
            "status": ["FAILED", "SUCCESS"],
            "started_at": pd.to_datetime(["2026-10-15 01:02:03", "2026-10-15 01:00:00"]),
            "finished_at": [pd.NaT, pd.Timestamp("2026-10-15 01:05:00")],
            "duration_seconds": [None, 300.25],
            "rows_affected": [None, 13_252_748],
            "models_run": [3, None],
            "models_failed": [1, None],
            "error_message": ["x" * 500, None],
        }
    )
    view = runs_view(runs)
    assert view.loc[1, "Error"] == fmt.MISSING and view.loc[0, "Finished"] == fmt.MISSING
    assert view.loc[1, "Rows"] == "13,252,748" and view.loc[0, "Started"] == "2026-10-15 01:02:03"
    assert len(view.loc[0, "Error"]) == 300 and view.loc[0, "Error"].endswith("…")
    assert "None" not in {str(v) for v in view.to_numpy().ravel()}


def test_downloads_without_deferred_data_are_prepared_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit in Snowflake's version cannot defer a download: a Prepare button produces the data first."""
    from streamlit.testing.v1 import AppTest

    import compat

    monkeypatch.setattr(compat, "DOWNLOADS_CAN_DEFER", False)

    def page() -> None:
        import compat as shim

        shim.download_button(
            "Download 3 rows", lambda: b"a\n1\n2\n3\n", key="x.csv", file_name="x.csv", version="v1"
        )

    at = AppTest.from_function(page)
    at.run()
    assert not at.download_button and at.button(key="x.csv.prepare").label == "Prepare: Download 3 rows"
    at.button(key="x.csv.prepare").click().run()
    assert not at.exception
    assert at.download_button(key="x.csv").label == "Download 3 rows"


def test_assistant_table_formats() -> None:
    frame = pd.DataFrame(
        {
            "state": ["RI"],
            "avg_lifetime_value": [51383.2794],
            "customer_count": [12],
            "churn_rate_pct": [3.25],
        }
    )
    formats = answer_charts.column_formats(frame)
    assert formats == {
        "state": ("State", None),
        "avg_lifetime_value": ("Avg lifetime value", "dollar"),
        "customer_count": ("Customer count", "localized"),
        "churn_rate_pct": ("Churn rate pct", "%.1f%%"),
    }


def test_only_an_answer_cut_at_the_cap_exports_more_and_only_the_default_limit_is_dropped() -> None:
    from assistant_turns import full_result_sql

    def reply(sql: str, rows: int) -> AssistantReply:
        return AssistantReply("q", sql=sql, columns=("a",), rows=tuple((i,) for i in range(rows)))

    listing = "SELECT t.transaction_id FROM gold.fct_transactions AS t ORDER BY 1 LIMIT 10000"
    assert (
        full_result_sql(reply(listing, 10_000))
        == "SELECT t.transaction_id FROM gold.fct_transactions AS t ORDER BY 1"
    )
    assert full_result_sql(reply(listing, 9_999)) is None  # everything is already shown
    top = "SELECT customer_id FROM gold.customer_360_profile ORDER BY lifetime_value DESC LIMIT 20000"
    assert full_result_sql(reply(top, 10_000)) == top  # a limit the question asked for stays
    inner = "SELECT * FROM (SELECT a FROM gold.x LIMIT 10000) AS s"
    assert full_result_sql(reply(inner, 10_000)) == inner
    assert full_result_sql(AssistantReply("q", error="refused")) is None


def test_every_risk_and_segment_value_has_a_chart_colour() -> None:
    """The app's orders come from c360/names.py; a value added there without a colour would draw grey."""
    import charts
    from c360 import names

    assert set(charts.RISK_COLORS) == set(names.RISK_DISPLAY_ORDER)
    assert set(charts.SEGMENT_COLORS) == set(names.SEGMENTS)
