"""Campaign economics against hand-computed values (no platform needed): one formula for the measured
A/B result and the simulator's projection."""

from __future__ import annotations

import pandas as pd
import pytest

import simulator
from simulator import Economics, breakeven, campaign_value, measured, project, sensitivity

ECON = Economics(
    revenue_rate=0.03, incentive_per_customer=20.0, contact_cost_per_customer=5.0, horizon_months=12
)


def test_the_one_formula_by_hand() -> None:
    # 1,000 customers keep $40 of spend each per month for 12 months: spend 480,000; revenue 3 % = 14,400;
    # cost 1,000 x (20 + 5) = 25,000; net -10,600; ROI -42.4 %
    v = campaign_value(1_000, 40.0, ECON)
    assert (v.incremental_spend, v.incremental_revenue) == pytest.approx((480_000, 14_400))
    assert (v.incentive_cost, v.contact_cost, v.total_cost) == (20_000, 5_000, 25_000)
    assert v.net_benefit == pytest.approx(-10_600)
    assert v.roi_pct == pytest.approx(-42.4)
    assert campaign_value(1_000, 40.0, ECON, months=2).incremental_revenue == pytest.approx(2_400)


def test_roi_is_undefined_when_nothing_is_spent() -> None:
    free = Economics(0.03, 0.0, 0.0, 12)
    assert campaign_value(500, 100.0, free).roi_pct is None  # not 0 %: there is no cost to return on
    assert breakeven(500, 1_000.0, free).free
    assert project(500, 1_000.0, 10, free).value.roi_pct is None


def test_projection_by_hand() -> None:
    # 2,000 customers, usual spend $1,500/month, 2.5-point retention lift: retained floor(50) = 50;
    # each worth 1,500 x 3 % x 12 = 540; value 27,000; cost 50,000; net -23,000; ROI -46 %
    p = project(2_000, 1_500.0, 2.5, ECON)
    assert p.retained_customers == 50
    assert p.value_per_retained_customer == pytest.approx(540)
    assert p.value.incremental_revenue == pytest.approx(27_000)
    assert p.value.total_cost == 50_000
    assert p.value.roi_pct == pytest.approx(-46.0)
    assert p.cost_per_retained_customer == pytest.approx(1_000)
    assert project(2_000, 1_500.0, 0, ECON).cost_per_retained_customer is None


def test_measured_and_projected_share_the_formula() -> None:
    """The A/B row through `measured` equals the one formula on the treated group, to date and over the
    horizon; the SQL model computes roi_pct the same way (tests/integration checks the stored values)."""
    row = pd.Series(
        {
            "customers": 2_500,
            "lift_per_customer_month": 30.0,
            "post_period_days": 60.875,
            "retention_lift_pct_points": 1.6,
            "retention_lift_ci_low": 0.2,
            "retention_lift_ci_high": 3.0,
        }
    )
    m = measured(row, ECON)
    assert m.so_far == campaign_value(2_500, 30.0, ECON, months=2.0)
    assert m.horizon == campaign_value(2_500, 30.0, ECON)
    assert m.so_far.roi_pct == pytest.approx((2_500 * 30 * 2 * 0.03 - 62_500) / 62_500 * 100)
    assert (m.retention_lift_pct, m.retention_ci_pct) == (1.6, (0.2, 3.0))
    table = simulator.side_by_side(m.horizon, project(2_500, 1_000.0, 1.6, ECON).value)
    assert table["quantity"].iloc[0] == "Customers targeted" and set(table["kind"]) >= {"money", "pct"}


def test_retained_customers_are_whole_and_truncated() -> None:
    assert simulator.retained_customers(7, 30) == 2
    assert simulator.retained_customers(3, 33) == 0
    assert simulator.retained_customers(100, 30) == 30
    assert simulator.retained_customers(1_000, 0.1 * 100 * 0.7) == 70


def test_breakeven_is_one_number() -> None:
    # 5,100 customers x $25 = 127,500; a retained customer is worth 1,000 x 3 % x 12 = 360;
    # ceil(127,500 / 360) = 355 customers = 6.96 % of the audience. Nothing else is reported.
    even = breakeven(5_100, 1_000.0, ECON)
    assert even.customers_needed == 355
    assert even.retention_lift_pct == pytest.approx(355 / 5_100 * 100)
    at = project(5_100, 1_000.0, even.retention_lift_pct, ECON)  # type: ignore[arg-type]
    assert at.retained_customers == 355 and at.value.net_benefit >= 0
    below = project(5_100, 1_000.0, 354 / 5_100 * 100, ECON)
    assert below.value.net_benefit < 0


def test_unreachable_breakeven() -> None:
    assert not breakeven(100, 10.0, ECON).reachable  # each retained customer worth $3.60, costs $25 each
    assert not breakeven(100, 0.0, ECON).reachable
    assert breakeven(0, 1_000.0, ECON).retention_lift_pct is None


def test_sensitivity_curve_range_and_monotonic() -> None:
    rates = simulator.sensitivity_rates(1.6, 6.96)
    assert rates[0] == 0 and rates[-1] == 14 and len(rates) == 21
    curve = sensitivity(5_100, 1_000.0, ECON, rates)
    assert list(curve.columns) == ["retention_rate_pct", "retained_customers", "net_benefit", "roi_pct"]
    assert curve["roi_pct"].is_monotonic_increasing
    assert curve["roi_pct"].iloc[0] == pytest.approx(-100.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {
            "revenue_rate": -0.1,
            "incentive_per_customer": 1,
            "contact_cost_per_customer": 1,
            "horizon_months": 1,
        },
        {
            "revenue_rate": 0.03,
            "incentive_per_customer": -1,
            "contact_cost_per_customer": 1,
            "horizon_months": 1,
        },
        {
            "revenue_rate": 0.03,
            "incentive_per_customer": 1,
            "contact_cost_per_customer": 1,
            "horizon_months": -1,
        },
    ],
)
def test_bad_economics_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Economics(**kwargs)


def test_bad_retention_is_refused() -> None:
    with pytest.raises(ValueError):
        project(10, 100.0, 120, ECON)


def test_cost_breakdown() -> None:
    frame = simulator.cost_breakdown(campaign_value(10, 0.0, ECON))
    assert frame["cost"].tolist() == [200, 50]
