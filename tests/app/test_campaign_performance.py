"""Campaign Performance in AppTest: the A/B result as stored, the simulator's maths on a real audience,
an empty audience, a changed audience flagged until applied, and the target export."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from tests.app.conftest import tab_metrics, texts

pytestmark = pytest.mark.integration

# The default audience minus the risk levels, so the test holds whether or not a churn model has scored yet.
AUDIENCE = "customer_segment = 'Declining' and lifetime_value >= 5000"


def _any_risk(at) -> None:  # type: ignore[no-untyped-def]
    at.multiselect(key="campaign.risks").set_value([])
    at.button(key="campaign.find").click().run()


def test_ab_result_matches_campaign_performance(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    stored = reference("select * from gold.campaign_performance").set_index("campaign_group")
    at = make_app(tab="Campaign Performance")
    at.run()
    assert not at.exception
    tab = at.tabs[3]
    metrics = tab_metrics(tab)
    treatment = stored.loc["treatment"]
    assert metrics["Measured ROI"] == f"{float(treatment['roi_pct']):,.1f}%"
    assert metrics["Campaign cost"] == f"${float(treatment['campaign_cost']):,.0f}"
    assert (
        metrics["Lift / customer / month"].replace("-", "")
        == f"${abs(float(treatment['lift_per_customer_month'])):,.2f}"
    )
    customers = [m.value for m in tab.metric if m.label == "Customers"]
    assert customers[:2] == [f"{int(stored.loc[g, 'customers']):,}" for g in ("treatment", "control")]
    significance = (
        "is statistically significant" if bool(treatment["is_lift_significant"]) else "not statistically"
    )
    assert any(significance in s for s in texts(tab, "success") + texts(tab, "warning"))


def test_simulator_maths_on_the_default_audience(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    audience = reference(
        f"select count(*) as n, avg(lifetime_value) as ltv from gold.customer_360_profile where {AUDIENCE}"
    )
    n, avg_ltv = int(audience["n"].iloc[0]), float(audience["ltv"].iloc[0])
    assert n > 0
    at = make_app(tab="Campaign Performance")
    at.run()
    _any_risk(at)
    at.number_input(key="campaign.incentive").set_value(40.0)
    at.slider(key="campaign.retention").set_value(25)
    at.number_input(key="campaign.cost").set_value(10.0)
    at.run()
    assert not at.exception
    metrics = tab_metrics(at.tabs[3])
    total = n * (40 + 10)
    retained = math.floor(n * 25 / 100)
    value = retained * avg_ltv * 0.20
    roi = (value - total) / total * 100
    assert metrics["Target customers"] == f"{n:,}"
    assert metrics["Total cost"] == f"${total:,.0f}"
    assert metrics["Expected retained"] == f"{retained:,}"
    assert metrics["Projected ROI"] == f"{roi:,.1f}%"
    assert metrics["Net benefit"] == (
        f"${value - total:,.0f}" if value >= total else f"-${total - value:,.0f}"
    )
    assert metrics["Cost per retained customer"] == f"${total / retained:,.2f}"
    needed = math.ceil(total / (avg_ltv * 0.2))
    first_rate = next(r for r in range(0, 101) if math.floor(n * r / 100) >= needed)
    assert any(f"breaks even at **{first_rate}% retention**" in i for i in texts(at.tabs[3], "info"))


def test_empty_audience(make_app) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="Campaign Performance")
    at.run()
    at.number_input(key="campaign.min_ltv").set_value(1e12)
    at.button(key="campaign.find").click().run()
    assert not at.exception
    assert any("No customers match the selected criteria" in w for w in texts(at.tabs[3], "warning"))
    assert "Target customers" not in tab_metrics(at.tabs[3])


def test_unreachable_breakeven_is_said_plainly(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    avg_ltv = float(
        reference(
            "select avg(lifetime_value) as v from gold.customer_360_profile where customer_segment = 'New & Growing'"
        )["v"].iloc[0]
    )
    assert 0.05 * avg_ltv < 500 + 100, "precondition: each customer costs more than a retained one is worth"
    at = make_app(tab="Campaign Performance")
    at.run()
    at.number_input(key="campaign.incentive").set_value(500.0)
    at.number_input(key="campaign.cost").set_value(100.0)
    at.slider(key="campaign.value_rate").set_value(5)
    at.number_input(key="campaign.min_ltv").set_value(0.0)
    at.multiselect(key="campaign.segments").set_value(["New & Growing"])
    at.multiselect(key="campaign.risks").set_value([])
    at.button(key="campaign.find").click().run()
    assert not at.exception
    warnings = texts(at.tabs[3], "warning")
    assert any("does not break even at any retention rate" in w for w in warnings)
    assert not any("None%" in t for t in texts(at.tabs[3], "markdown") + texts(at.tabs[3], "info"))


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
    assert {"churn_risk_score", "lifetime_value", "email"} <= set(exported.columns)
    top10 = next(d.value for d in at.tabs[3].dataframe if "churn_risk_score" in d.value.columns)
    assert top10["customer_id"].tolist() == expected["customer_id"].head(10).tolist()
