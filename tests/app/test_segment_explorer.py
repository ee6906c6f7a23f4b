"""Segment Explorer in AppTest: the neutral default, every filter, the "filters changed" state, empty result,
export contents (every match, not just the listed ones)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from navigation import REQUESTED_TAB_KEY
from tests.app.conftest import tab_metrics, tab_title, texts

pytestmark = pytest.mark.integration

TABS = [
    "🎯 Segment Explorer",
    "🔍 Customer 360",
    "🤖 AI Assistant",
    "📈 Campaign Performance",
    "🩺 Pipeline Health",
]
PROFILE = "gold.customer_360_profile"


def _count(reference, where: str, params=()) -> int:  # type: ignore[no-untyped-def]
    return int(reference(f"select count(*) as n from {PROFILE} where {where}", params)["n"].iloc[0])


def test_default_render_is_the_whole_portfolio(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    at = make_app()
    at.run()
    assert not at.exception
    assert [t.label for t in at.tabs] == TABS
    assert not texts(at, "error")
    metrics = tab_metrics(at.tabs[0])
    assert metrics["Customers"] == f"{_count(reference, '1 = 1'):,}"  # no segment preselected
    ltv = reference(f"select avg(lifetime_value) as mean from {PROFILE}").iloc[0]
    assert metrics["Avg LTV"] == f"${float(ltv['mean']):,.0f}"
    for key in ("segments.segments", "segments.states", "segments.risks", "segments.cards"):
        assert at.multiselect(key=key).value == []
    assert not texts(at.tabs[0], "warning")
    sidebar = {m.label: m.value for m in at.sidebar.metric}
    assert sidebar["Customers"] == f"{_count(reference, '1 = 1'):,}"


@pytest.mark.parametrize(
    ("widget", "value", "where", "params"),
    [
        ("segments.segments", ["Budget-Conscious"], "customer_segment = 'Budget-Conscious'", ()),
        ("segments.states", ["CA", "TX"], "state in ('CA', 'TX')", ()),
        ("segments.risks", None, "churn_risk_category = ?", ()),  # the most common category on the platform
        ("segments.cards", ["Premium"], "card_type = 'Premium'", ()),
        ("segments.min_ltv", 100_000.0, "lifetime_value >= 100000", ()),
        ("segments.spend_range", (1_000.0, 5_000.0), "avg_monthly_spend between 1000 and 5000", ()),
    ],
)
def test_each_filter(make_app, reference, widget, value, where, params) -> None:  # type: ignore[no-untyped-def]
    if widget == "segments.risks":
        top = reference(
            "select churn_risk_category, count(*) as n from gold.customer_360_profile group by 1 order by n desc limit 1"
        )["churn_risk_category"].iloc[0]
        value, params = [top], (top,)
    at = make_app()
    at.run()
    if widget != "segments.segments":
        at.multiselect(key="segments.segments").set_value([])  # all segments, so only `widget` filters
    if widget == "segments.spend_range":
        at.slider(key=widget).set_value(value)
    elif widget == "segments.min_ltv":
        at.number_input(key=widget).set_value(value)
    else:
        at.multiselect(key=widget).set_value(value)
    at.button(key="segments.apply").click().run()
    assert not at.exception
    expected = _count(reference, where, params)
    assert expected > 0, "the 1,000-customer platform should have customers for every tested filter"
    assert tab_metrics(at.tabs[0])["Customers"] == f"{expected:,}"


def test_travel_and_dining_filter(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    expected = int(
        reference(
            """
            with spend as (
                select t.customer_id, sum(t.transaction_amount) / 3 as monthly
                from gold.fct_transactions t join gold.dim_merchant_category c
                    on t.merchant_category_key = c.category_key
                where t.status = 'approved'
                  and (c.is_travel or c.category_name = 'Dining')
                  and t.transaction_date >= (select max(as_of_date) from gold.customer_360_profile) - interval 90 day
                group by 1
            )
            select count(*) as n from spend where monthly >= 2000
            """
        )["n"].iloc[0]
    )
    at = make_app()
    at.run()
    at.multiselect(key="segments.segments").set_value([])
    at.number_input(key="segments.min_travel_dining").set_value(2_000.0)
    at.button(key="segments.apply").click().run()
    assert not at.exception
    assert expected > 0
    assert tab_metrics(at.tabs[0])["Customers"] == f"{expected:,}"


def test_combined_filters_and_empty_result(make_app) -> None:  # type: ignore[no-untyped-def]
    at = make_app()
    at.run()
    at.number_input(key="segments.min_ltv").set_value(1e12)
    at.button(key="segments.apply").click().run()
    assert not at.exception
    assert any("No customers match" in w for w in texts(at.tabs[0], "warning"))
    assert "Customers" not in tab_metrics(at.tabs[0])  # no stale results from the previous filter


def test_a_changed_filter_is_flagged_until_applied(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    everyone = _count(reference, "1 = 1")
    premium = _count(reference, "card_type = 'Premium'")
    at = make_app()
    at.run()
    at.multiselect(key="segments.cards").set_value(["Premium"]).run()  # changed, not applied
    assert not at.exception
    pending = [w for w in texts(at.tabs[0], "warning") if "Filters changed" in w]
    assert len(pending) == 1 and "card type" in pending[0] and "Apply filters" in pending[0]
    assert tab_metrics(at.tabs[0])["Customers"] == f"{everyone:,}"  # still the applied (previous) filters
    at.button(key="segments.apply").click().run()
    assert not any("Filters changed" in w for w in texts(at.tabs[0], "warning"))
    assert tab_metrics(at.tabs[0])["Customers"] == f"{premium:,}"
    at.button(key="segments.reset").click().run()  # back to everyone, applied at once
    assert at.multiselect(key="segments.cards").value == []
    assert tab_metrics(at.tabs[0])["Customers"] == f"{everyone:,}"
    assert not any("Filters changed" in w for w in texts(at.tabs[0], "warning"))


def test_applied_filters_survive_a_tab_switch(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    at = make_app()
    at.run()
    at.multiselect(key="segments.states").set_value(["CA", "TX"])
    at.button(key="segments.apply").click().run()
    at.session_state[REQUESTED_TAB_KEY] = tab_title("Customer 360")
    at.run()  # the explorer is closed: Streamlit forgets its widgets' values
    assert not at.tabs[0].children
    at.session_state[REQUESTED_TAB_KEY] = tab_title("Segment Explorer")
    at.run()
    assert at.multiselect(key="segments.states").value == ["CA", "TX"]
    assert not any("Filters changed" in w for w in texts(at.tabs[0], "warning"))
    expected = _count(reference, "state in ('CA', 'TX')")
    assert tab_metrics(at.tabs[0])["Customers"] == f"{expected:,}"


def test_export_has_every_match_not_just_the_listed_rows(make_app, reference, downloads, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import queries

    monkeypatch.setattr(queries, "CUSTOMER_LIST_LIMIT", 100)  # the table's cap, far below the matches
    everyone = reference(f"select customer_id from {PROFILE} order by lifetime_value desc, customer_id")
    at = make_app()
    at.run()
    assert not at.exception
    table = next(d.value for d in at.tabs[0].dataframe if "lifetime_value" in d.value.columns)
    assert len(table) == 100
    button = at.download_button(key="segments.download")
    assert button.label == f"Download all {len(everyone):,} customers (CSV)"  # the count, before downloading
    data, _ = downloads.of(button)
    exported = pd.read_csv(io.BytesIO(data))
    assert exported["customer_id"].tolist() == everyone["customer_id"].tolist()


def test_export_contains_the_filtered_list(make_app, reference, downloads) -> None:  # type: ignore[no-untyped-def]
    at = make_app()
    at.run()
    at.multiselect(key="segments.segments").set_value(["Declining"])
    at.multiselect(key="segments.cards").set_value(["Standard"])
    at.button(key="segments.apply").click().run()
    button = at.download_button(key="segments.download")
    data, name = downloads.of(button)
    assert name.startswith("customer_segment_") and name.endswith(".csv")
    exported = pd.read_csv(io.BytesIO(data))
    expected = reference(
        f"select customer_id, lifetime_value from {PROFILE} where customer_segment = 'Declining' "
        "and card_type = 'Standard' order by lifetime_value desc, customer_id"
    )
    assert exported["customer_id"].tolist() == expected["customer_id"].tolist()
    assert (
        exported["lifetime_value"].round(2).tolist()
        == expected["lifetime_value"].astype(float).round(2).tolist()
    )
    assert set(exported["customer_segment"]) == {"Declining"} and set(exported["card_type"]) == {"Standard"}
    assert {"email", "churn_risk_score", "avg_monthly_spend"} <= set(exported.columns)


def test_win_back_preset_selects_every_lapsed_customer(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    lapsed = int(
        reference("select count(*) as n from gold.customer_360_profile where customer_status = 'Lapsed'")[
            "n"
        ].iloc[0]
    )
    assert lapsed > 0
    at = make_app()
    at.run()
    at.button(key="segments.win_back").click().run()
    assert not at.exception
    assert at.multiselect(key="segments.risks").value == ["Lapsed"]
    assert at.multiselect(key="segments.segments").value == []
    assert tab_metrics(at.tabs[0])["Customers"] == f"{lapsed:,}"
