"""Campaign Performance in AppTest: the A/B result through the one campaign economics, the simulator's
maths on a real audience, breakeven and undefined ROI, the win-back audience, an empty audience, a changed
audience flagged until applied, and the CSV exports."""

from __future__ import annotations

import io
import math
import re

import pandas as pd
import pytest

from tests.app.conftest import tab_metrics, texts

pytestmark = pytest.mark.integration

# The default audience minus the risk levels, so the test holds whether or not a churn model has scored yet.
AUDIENCE = "customer_segment = 'Declining' and lifetime_value >= 5000"
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def _any_risk(at) -> None:  # type: ignore[no-untyped-def]
    at.multiselect(key="campaign.risks").set_value([])
    at.button(key="campaign.find").click().run()


def _economics(reference) -> pd.Series:  # type: ignore[no-untyped-def]
    return reference("select * from gold.campaign_economics").iloc[0]


def _breakeven_messages(at) -> list[str]:  # type: ignore[no-untyped-def]
    tab = at.tabs[3]
    return [
        t for t in texts(tab, "info") + texts(tab, "warning") if "break" in t.lower() and "even" in t.lower()
    ]


def test_ab_result_uses_the_one_formula(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    stored = reference("select * from gold.campaign_performance").set_index("campaign_group")
    econ = _economics(reference)
    treatment = stored.loc["treatment"]
    # the SQL model and the app's formula agree: (lift x treated x months x rate - treated x cost) / cost
    treated = int(treatment["customers"])
    months = float(treatment["post_period_days"]) / 30.4375
    cost = treated * float(econ["cost_per_customer"])
    revenue = float(treatment["lift_per_customer_month"]) * treated * months * float(econ["revenue_rate"])
    assert float(treatment["roi_pct"]) == pytest.approx((revenue - cost) / cost * 100, abs=0.05)
    assert float(treatment["campaign_cost"]) == pytest.approx(cost)
    at = make_app(tab="Campaign Performance")
    at.run()
    assert not at.exception
    tab = at.tabs[3]
    metrics = tab_metrics(tab)
    assert metrics["Measured ROI"] == f"{(revenue - cost) / cost * 100:,.1f}%"
    assert metrics["Campaign cost"] == f"${cost:,.0f}"
    assert metrics["Retention lift"] == f"{float(treatment['retention_lift_pct_points']):,.1f} pp"
    customers = [m.value for m in tab.metric if m.label == "Customers"]
    assert customers[:2] == [f"{int(stored.loc[g, 'customers']):,}" for g in ("treatment", "control")]
    significance = (
        "is statistically significant" if bool(treatment["is_lift_significant"]) else "not statistically"
    )
    assert any(significance in s for s in texts(tab, "success") + texts(tab, "warning"))
    # the simulator starts from the measured retention lift
    assert at.number_input(key="campaign.retention").value == pytest.approx(
        max(0.0, round(float(treatment["retention_lift_pct_points"]), 1))
    )


def test_simulator_maths_on_the_default_audience(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    audience = reference(
        "select count(*) as n, avg(coalesce(lifetime_avg_monthly_spend, avg_monthly_spend, 0)) as spend "
        f"from gold.customer_360_profile where {AUDIENCE}"
    )
    n, spend = int(audience["n"].iloc[0]), float(audience["spend"].iloc[0])
    assert n > 0
    at = make_app(tab="Campaign Performance")
    at.run()
    _any_risk(at)
    at.number_input(key="campaign.incentive").set_value(40.0)
    at.number_input(key="campaign.retention").set_value(25.0)
    at.number_input(key="campaign.cost").set_value(10.0)
    at.number_input(key="campaign.revenue_rate").set_value(3.0)
    at.number_input(key="campaign.horizon").set_value(12)
    at.run()
    assert not at.exception
    metrics = tab_metrics(at.tabs[3])
    total = n * (40 + 10)
    retained = math.floor(n * 25 / 100)
    revenue = retained * spend * 0.03 * 12
    roi = (revenue - total) / total * 100
    assert metrics["Target customers"] == f"{n:,}"
    assert metrics["Total cost"] == f"${total:,.0f}"
    assert metrics["Expected retained"] == f"{retained:,}"
    assert metrics["Projected ROI"] == f"{roi:,.1f}%"
    assert metrics["Net benefit"] == (
        f"${revenue - total:,.0f}" if revenue >= total else f"-${total - revenue:,.0f}"
    )
    assert metrics["Cost per retained customer"] == f"${total / retained:,.2f}"


def test_breakeven_states_one_figure(make_app) -> None:  # type: ignore[no-untyped-def]
    """Regression: the text used to say "breaks even at 2% ... exactly 1.02%" (and with a $0 incentive
    "1% ... exactly 0.10%"): two different answers to one question."""
    at = make_app(tab="Campaign Performance")
    at.run()
    _any_risk(at)
    for incentive, cost in ((0.0, 1.0), (20.0, 5.0), (3.0, 2.0)):
        at.number_input(key="campaign.incentive").set_value(incentive)
        at.number_input(key="campaign.cost").set_value(cost)
        at.run()
        assert not at.exception
        messages = _breakeven_messages(at)
        assert len(messages) == 1, messages
        figures = {float(x) for x in PERCENT.findall(messages[0])}
        assert len(figures) <= 1, f"breakeven states several figures: {messages[0]}"


def test_roi_is_undefined_when_nothing_is_spent(make_app) -> None:  # type: ignore[no-untyped-def]
    """Regression: with a $0 incentive and $0 cost the ROI read 0.0 %; nothing spent means no ROI."""
    at = make_app(tab="Campaign Performance")
    at.run()
    _any_risk(at)
    at.number_input(key="campaign.incentive").set_value(0.0)
    at.number_input(key="campaign.cost").set_value(0.0)
    at.run()
    assert not at.exception
    metrics = tab_metrics(at.tabs[3])
    assert metrics["Total cost"] == "$0"
    assert metrics["Projected ROI"] == "n/a"
    assert not any(re.search(r"ROI \*?\*?0\.0%", t) for t in texts(at.tabs[3], "markdown"))


def test_empty_audience(make_app) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="Campaign Performance")
    at.run()
    at.number_input(key="campaign.min_ltv").set_value(1e12)
    at.button(key="campaign.find").click().run()
    assert not at.exception
    assert any("No customers match the selected criteria" in w for w in texts(at.tabs[3], "warning"))
    assert "Target customers" not in tab_metrics(at.tabs[3])


def test_unreachable_breakeven_is_said_plainly(make_app) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="Campaign Performance")
    at.run()
    at.number_input(key="campaign.incentive").set_value(500.0)
    at.number_input(key="campaign.cost").set_value(100.0)
    at.number_input(key="campaign.revenue_rate").set_value(0.25)
    at.number_input(key="campaign.horizon").set_value(1)
    at.number_input(key="campaign.min_ltv").set_value(0.0)
    at.multiselect(key="campaign.segments").set_value(["New & Growing"])
    at.multiselect(key="campaign.risks").set_value([])
    at.button(key="campaign.find").click().run()
    assert not at.exception
    warnings = texts(at.tabs[3], "warning")
    assert any("does not break even at any retention lift" in w for w in warnings)
    assert not any("None%" in t for t in texts(at.tabs[3], "markdown") + texts(at.tabs[3], "info"))


def test_win_back_audience_is_the_lapsed_customers(make_app, reference, downloads) -> None:  # type: ignore[no-untyped-def]
    expected = reference(
        "select customer_id from gold.customer_360_profile where customer_status = 'Lapsed' "
        "and lifetime_value >= 5000 order by churn_risk_score desc nulls last, lifetime_value desc, customer_id"
    )
    assert len(expected) > 0, "precondition: the platform has lapsed customers"
    at = make_app(tab="Campaign Performance")
    at.run()
    at.radio(key="campaign.audience").set_value("Win-back: lapsed customers").run()
    assert at.multiselect(key="campaign.risks").value == ["Lapsed"]
    assert at.multiselect(key="campaign.segments").value == []
    at.button(key="campaign.find").click().run()
    assert not at.exception
    assert tab_metrics(at.tabs[3])["Target customers"] == f"{len(expected):,}"
    data, _ = downloads.of(at.download_button(key="campaign.download"))
    exported = pd.read_csv(io.BytesIO(data))
    assert exported["customer_id"].tolist() == expected["customer_id"].tolist()
    assert set(exported["customer_status"]) == {"Lapsed"} and exported["churn_risk_score"].isna().all()


def test_measured_and_projected_side_by_side(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    treatment = reference("select * from gold.campaign_performance where campaign_group = 'treatment'").iloc[
        0
    ]
    econ = _economics(reference)
    at = make_app(tab="Campaign Performance")
    at.run()
    _any_risk(at)
    table = next(d.value for d in at.tabs[3].dataframe if "quantity" in d.value.columns)
    rows = table.set_index("quantity")
    treated = int(treatment["customers"])
    cost = treated * float(econ["cost_per_customer"])
    revenue = (
        float(treatment["lift_per_customer_month"])
        * treated
        * float(econ["value_horizon_months"])
        * float(econ["revenue_rate"])
    )
    assert rows.loc["Customers targeted", "measured"] == f"{treated:,}"
    assert rows.loc["ROI (%)", "measured"] == f"{(revenue - cost) / cost * 100:,.1f}%"
    assert rows.loc["ROI (%)", "projected"] == tab_metrics(at.tabs[3])["Projected ROI"]
    assert rows.loc["Months counted", "measured"] == rows.loc["Months counted", "projected"]


def test_campaign_results_export(make_app, reference, downloads) -> None:  # type: ignore[no-untyped-def]
    stored = reference("select campaign_group, roi_pct, customers from gold.campaign_performance")
    at = make_app(tab="Campaign Performance")
    at.run()
    data, name = downloads.of(at.download_button(key="campaign.results_download"))
    assert name.startswith("campaign_results_")
    exported = pd.read_csv(io.BytesIO(data))
    assert sorted(exported["campaign_group"]) == ["control", "treatment"]
    assert {"roi_pct", "horizon_roi_pct", "retention_lift_ci_low", "revenue_rate"} <= set(exported.columns)
    merged = exported.merge(stored, on="campaign_group", suffixes=("", "_db"))
    assert (merged["customers"] == merged["customers_db"]).all()


def test_a_changed_audience_is_flagged_until_found(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="Campaign Performance")
    at.run()
    _any_risk(at)
    before = tab_metrics(at.tabs[3])["Target customers"]
    at.number_input(key="campaign.min_ltv").set_value(0.0).run()  # changed, not applied
    assert not at.exception
    pending = [w for w in texts(at.tabs[3], "warning") if "Filters changed" in w]
    assert len(pending) == 1 and "min lifetime value" in pending[0] and "Find target audience" in pending[0]
    assert tab_metrics(at.tabs[3])["Target customers"] == before  # still the applied audience
    at.button(key="campaign.find").click().run()
    expected = reference(
        "select count(*) as n from gold.customer_360_profile where customer_segment = 'Declining'"
    )["n"].iloc[0]
    assert tab_metrics(at.tabs[3])["Target customers"] == f"{int(expected):,}"
    assert not any("Filters changed" in w for w in texts(at.tabs[3], "warning"))


def test_target_export_is_the_full_list(make_app, reference, downloads) -> None:  # type: ignore[no-untyped-def]
    expected = reference(
        f"select customer_id from gold.customer_360_profile where {AUDIENCE} "
        "order by churn_risk_score desc nulls last, lifetime_value desc, customer_id"
    )
    at = make_app(tab="Campaign Performance")
    at.run()
    _any_risk(at)
    button = at.download_button(key="campaign.download")
    assert f"({len(expected):,} customers, CSV)" in button.label  # the count, before downloading
    data, name = downloads.of(button)
    assert name.startswith("campaign_targets_")
    exported = pd.read_csv(io.BytesIO(data))
    assert exported["customer_id"].tolist() == expected["customer_id"].tolist()
    assert {"churn_risk_score", "lifetime_value", "email", "customer_status"} <= set(exported.columns)
    top10 = next(d.value for d in at.tabs[3].dataframe if "churn_risk_score" in d.value.columns)
    assert top10["customer_id"].tolist() == expected["customer_id"].head(10).tolist()
