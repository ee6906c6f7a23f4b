"""Retention-campaign ROI maths: plain functions, checkable by hand.

Model (the original simulator's, with its defects fixed):
- every targeted customer receives the incentive and costs the per-customer campaign cost, so
  incentive cost = n x incentive, campaign cost = n x cost per customer, total cost = their sum;
- retained customers = floor(n x retention rate / 100) (whole customers);
- a retained customer is worth `value_rate` (default 20%) of the audience's average lifetime value for
  the next year, so retained value = retained x avg LTV x value_rate;
- net benefit = retained value - total cost; ROI % = net benefit / total cost x 100 (0 when nothing is
  spent); cost per retained customer = total cost / retained (None when nobody is retained).
ROI rises monotonically with the retention rate (costs do not depend on it), so the breakeven is the
smallest rate whose floor(n x rate / 100) reaches ceil(total cost / value per retained customer).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd

DEFAULT_VALUE_RATE = 0.20
SENSITIVITY_RATES = tuple(range(0, 101, 5))


@dataclass(frozen=True)
class CampaignInputs:
    incentive_per_customer: float = 50.0
    retention_rate_pct: float = 30.0
    cost_per_customer: float = 5.0
    value_rate: float = DEFAULT_VALUE_RATE  # share of average LTV a retained customer is worth per year

    def __post_init__(self) -> None:
        if self.incentive_per_customer < 0 or self.cost_per_customer < 0:
            raise ValueError("incentive and cost per customer cannot be negative")
        if not 0 <= self.retention_rate_pct <= 100:
            raise ValueError("the retention rate must be between 0 and 100 %")
        if not 0 <= self.value_rate <= 1:
            raise ValueError("the value rate must be between 0 and 1")


@dataclass(frozen=True)
class CampaignResult:
    num_customers: int
    avg_ltv: float
    incentive_cost: float
    campaign_cost: float
    total_cost: float
    expected_retained_customers: int
    value_per_retained_customer: float
    expected_retained_value: float
    net_benefit: float
    roi_pct: float
    cost_per_retained_customer: float | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Breakeven:
    customers_needed: int | None  # retained customers needed for ROI >= 0; None when unreachable
    exact_rate_pct: float | None  # customers_needed / n x 100
    rate_pct: int | None  # the first whole-number retention rate with ROI >= 0

    @property
    def reachable(self) -> bool:
        return self.rate_pct is not None


def retained_customers(num_customers: int, retention_rate_pct: float) -> int:
    # A tiny epsilon keeps exact products (e.g. 0.3 x 100 customers) from flooring to one less.
    return math.floor(num_customers * retention_rate_pct / 100.0 + 1e-9)


def campaign_roi(num_customers: int, avg_ltv: float | None, inputs: CampaignInputs) -> CampaignResult:
    if num_customers < 0:
        raise ValueError("the audience size cannot be negative")
    ltv = float(avg_ltv) if avg_ltv is not None and not math.isnan(float(avg_ltv)) else 0.0
    incentive_cost = num_customers * inputs.incentive_per_customer
    campaign_cost = num_customers * inputs.cost_per_customer
    total_cost = incentive_cost + campaign_cost
    retained = retained_customers(num_customers, inputs.retention_rate_pct)
    value_each = ltv * inputs.value_rate
    retained_value = retained * value_each
    net = retained_value - total_cost
    return CampaignResult(
        num_customers=num_customers,
        avg_ltv=ltv,
        incentive_cost=incentive_cost,
        campaign_cost=campaign_cost,
        total_cost=total_cost,
        expected_retained_customers=retained,
        value_per_retained_customer=value_each,
        expected_retained_value=retained_value,
        net_benefit=net,
        roi_pct=(net / total_cost * 100.0) if total_cost > 0 else 0.0,
        cost_per_retained_customer=(total_cost / retained) if retained > 0 else None,
    )


def calculate_campaign_roi(
    target_customers: pd.DataFrame,
    incentive_per_customer: float,
    expected_retention_rate: float,
    campaign_cost_per_customer: float,
    value_rate: float = DEFAULT_VALUE_RATE,
) -> CampaignResult:
    """ROI for a target list (its `lifetime_value` column gives the average LTV; empty list -> 0)."""
    n = len(target_customers)
    avg_ltv = float(pd.to_numeric(target_customers["lifetime_value"]).fillna(0).mean()) if n else 0.0
    inputs = CampaignInputs(
        incentive_per_customer, expected_retention_rate, campaign_cost_per_customer, value_rate
    )
    return campaign_roi(n, avg_ltv, inputs)


def breakeven(num_customers: int, avg_ltv: float | None, inputs: CampaignInputs) -> Breakeven:
    total_cost = num_customers * (inputs.incentive_per_customer + inputs.cost_per_customer)
    value_each = (float(avg_ltv) if avg_ltv else 0.0) * inputs.value_rate
    if num_customers == 0:
        return Breakeven(None, None, None)
    if total_cost == 0:
        return Breakeven(0, 0.0, 0)
    if value_each <= 0:
        return Breakeven(None, None, None)
    needed = math.ceil(total_cost / value_each - 1e-9)
    if needed > num_customers:
        return Breakeven(None, None, None)
    exact = needed / num_customers * 100.0
    rate = next(
        (r for r in range(0, 101) if retained_customers(num_customers, r) * value_each >= total_cost - 1e-6),
        None,
    )
    return Breakeven(needed, exact, rate)


def sensitivity(
    num_customers: int,
    avg_ltv: float | None,
    inputs: CampaignInputs,
    rates: Iterable[float] = SENSITIVITY_RATES,
) -> pd.DataFrame:
    """ROI, net benefit and retained customers at each retention rate (everything else unchanged)."""
    rows = []
    for rate in rates:
        result = campaign_roi(
            num_customers,
            avg_ltv,
            CampaignInputs(
                inputs.incentive_per_customer, float(rate), inputs.cost_per_customer, inputs.value_rate
            ),
        )
        rows.append(
            {
                "retention_rate_pct": float(rate),
                "retained_customers": result.expected_retained_customers,
                "net_benefit": result.net_benefit,
                "roi_pct": result.roi_pct,
            }
        )
    return pd.DataFrame(rows, columns=["retention_rate_pct", "retained_customers", "net_benefit", "roi_pct"])


def cost_breakdown(result: CampaignResult) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "component": ["Incentives", "Campaign operations"],
            "cost": [result.incentive_cost, result.campaign_cost],
        }
    )
