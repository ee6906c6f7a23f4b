"""ROI simulator maths against hand-computed values (no platform needed)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import simulator
from simulator import CampaignInputs, breakeven, calculate_campaign_roi, campaign_roi, sensitivity


def test_seed_formula_by_hand() -> None:
    # 200 customers, avg LTV $10,000, $50 incentive, $5 campaign cost, 30% retention, value 20% of LTV:
    # incentive 200 x 50 = 10,000; campaign 200 x 5 = 1,000; total 11,000; retained floor(60) = 60;
    # value each 2,000; retained value 120,000; net 109,000; ROI 109,000 / 11,000 = 990.909...%;
    # cost per retained 11,000 / 60 = 183.333...
    r = campaign_roi(200, 10_000.0, CampaignInputs(50, 30, 5))
    assert r.incentive_cost == 10_000
    assert r.campaign_cost == 1_000
    assert r.total_cost == 11_000
    assert r.expected_retained_customers == 60
    assert r.value_per_retained_customer == 2_000
    assert r.expected_retained_value == 120_000
    assert r.net_benefit == 109_000
    assert r.roi_pct == pytest.approx(990.9090909, rel=1e-9)
    assert r.cost_per_retained_customer == pytest.approx(183.3333333, rel=1e-9)


def test_retained_customers_are_whole_and_truncated() -> None:
    # 7 x 30% = 2.1 -> 2; 3 x 33% = 0.99 -> 0; 100 x 30% = 30 exactly (no float floor-to-29 slip)
    assert simulator.retained_customers(7, 30) == 2
    assert simulator.retained_customers(3, 33) == 0
    assert simulator.retained_customers(100, 30) == 30
    assert simulator.retained_customers(1_000, 0.1 * 100 * 0.7) == 70


def test_negative_roi_and_no_retention() -> None:
    # 10 customers, avg LTV $1,000, incentive $100, cost $20, 10% retention:
    # total 10 x 120 = 1,200; retained 1; value 200; net -1,000; ROI -83.333...%
    r = campaign_roi(10, 1_000.0, CampaignInputs(100, 10, 20))
    assert (r.total_cost, r.expected_retained_customers, r.expected_retained_value) == (1_200, 1, 200)
    assert r.net_benefit == -1_000
    assert r.roi_pct == pytest.approx(-83.3333333, rel=1e-9)
    zero = campaign_roi(10, 1_000.0, CampaignInputs(100, 0, 20))
    assert zero.expected_retained_customers == 0
    assert zero.cost_per_retained_customer is None  # not a division by zero


def test_free_campaign_and_empty_audience() -> None:
    free = campaign_roi(50, 2_000.0, CampaignInputs(0, 40, 0))
    assert free.total_cost == 0 and free.roi_pct == 0.0  # defined as 0 when nothing is spent
    empty = calculate_campaign_roi(pd.DataFrame({"lifetime_value": []}), 50, 30, 5)
    assert empty.num_customers == 0 and empty.avg_ltv == 0.0 and not math.isnan(empty.roi_pct)


def test_target_list_average_ignores_nothing() -> None:
    targets = pd.DataFrame({"lifetime_value": [1_000.0, 3_000.0, None]})  # NULL LTV counts as 0
    r = calculate_campaign_roi(targets, 10, 100, 0)
    assert r.avg_ltv == pytest.approx(4_000 / 3)
    assert r.expected_retained_customers == 3


def test_breakeven_by_hand() -> None:
    # total cost 11,000, value each 2,000 -> ceil(5.5) = 6 customers -> 6 / 200 = 3% exactly
    even = breakeven(200, 10_000.0, CampaignInputs(50, 30, 5))
    assert (even.customers_needed, even.exact_rate_pct, even.rate_pct) == (6, 3.0, 3)
    assert campaign_roi(200, 10_000.0, CampaignInputs(50, 3, 5)).roi_pct >= 0
    assert campaign_roi(200, 10_000.0, CampaignInputs(50, 2, 5)).roi_pct < 0
    # 7 customers needed out of 150 -> 4.67% exactly, first whole rate 5% (floor(150 x 4%) = 6 < 7)
    odd = breakeven(150, 1_000.0, CampaignInputs(8, 30, 1))  # cost 1,350, value 200 -> ceil(6.75) = 7
    assert (odd.customers_needed, odd.rate_pct) == (7, 5)
    assert odd.exact_rate_pct == pytest.approx(100 * 7 / 150)


def test_unreachable_breakeven() -> None:
    # cost per customer 300 > value per customer 0.2 x 1,000 = 200: even 100% retention loses money
    even = breakeven(40, 1_000.0, CampaignInputs(250, 50, 50))
    assert not even.reachable and even.rate_pct is None and even.customers_needed is None
    assert campaign_roi(40, 1_000.0, CampaignInputs(250, 100, 50)).roi_pct < 0


def test_sensitivity_curve_shape_and_monotonic() -> None:
    curve = sensitivity(200, 10_000.0, CampaignInputs(50, 30, 5))
    assert list(curve["retention_rate_pct"]) == [float(r) for r in range(0, 101, 5)]
    assert curve["roi_pct"].is_monotonic_increasing
    assert curve.loc[curve["retention_rate_pct"] == 30, "roi_pct"].item() == pytest.approx(990.9090909)
    assert curve.loc[curve["retention_rate_pct"] == 0, "roi_pct"].item() == pytest.approx(-100.0)


def test_value_rate_is_an_input() -> None:
    r = campaign_roi(100, 5_000.0, CampaignInputs(0, 10, 10, value_rate=0.5))
    # retained 10 x 2,500 = 25,000; cost 1,000; ROI 2,400%
    assert r.expected_retained_value == 25_000 and r.roi_pct == pytest.approx(2_400.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"incentive_per_customer": -1},
        {"cost_per_customer": -0.01},
        {"retention_rate_pct": 101},
        {"retention_rate_pct": -5},
        {"value_rate": 1.5},
    ],
)
def test_bad_inputs_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        CampaignInputs(**kwargs)


def test_cost_breakdown() -> None:
    frame = simulator.cost_breakdown(campaign_roi(200, 10_000.0, CampaignInputs(50, 30, 5)))
    assert frame.to_dict("list") == {
        "component": ["Incentives", "Campaign operations"],
        "cost": [10_000, 1_000],
    }
