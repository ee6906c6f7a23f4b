"""Campaign economics: ONE formula for what a retention (or win-back) campaign is worth, used by the
measured A/B result and by the ROI simulator alike. Plain functions, checkable by hand.

The inputs that define money (`Economics`) are configured once, as dbt vars, and read from
GOLD.CAMPAIGN_ECONOMICS; the measured result (GOLD.CAMPAIGN_PERFORMANCE) uses the same numbers in SQL.

    incremental spend   = targeted customers x spend the campaign keeps per customer per month x months
    incremental revenue = incremental spend x revenue rate         (the issuer earns ~3 % of spend)
    cost                = targeted customers x (incentive + contact cost)
    net benefit         = incremental revenue - cost
    ROI %               = net benefit / cost x 100                 (undefined when nothing is spent)

Measured: the spend kept per customer per month is the A/B test's difference-in-differences lift.
Projected: it is (retained customers / audience) x their usual monthly spend, where retained customers =
floor(audience x retention lift / 100) and the retention lift (percentage points of the audience that the
offer keeps, or wins back) defaults to the one the A/B test measured. A retained customer is therefore
worth usual monthly spend x revenue rate x horizon months.

Why not the seed's "(recovered spend - cost) / cost": it counts every recovered dollar of SPEND as if the
bank kept it. The bank earns only the revenue rate on spend, so that ratio overstates the return by a
factor of about 1 / revenue rate (~33x at 3 %), and it says nothing about how long the effect lasts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

import pandas as pd

DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class Economics:
    """What spend is worth and what a targeted customer costs (GOLD.CAMPAIGN_ECONOMICS)."""

    revenue_rate: float  # revenue per dollar of card spend
    incentive_per_customer: float
    contact_cost_per_customer: float
    horizon_months: float  # months a kept customer's spend counts

    def __post_init__(self) -> None:
        if self.incentive_per_customer < 0 or self.contact_cost_per_customer < 0:
            raise ValueError("incentive and contact cost per customer cannot be negative")
        if not 0 <= self.revenue_rate <= 1:
            raise ValueError("the revenue rate must be between 0 and 1")
        if self.horizon_months < 0:
            raise ValueError("the horizon cannot be negative")

    @property
    def cost_per_customer(self) -> float:
        return self.incentive_per_customer + self.contact_cost_per_customer

    @classmethod
    def from_row(cls, row: pd.Series) -> Economics:
        return cls(
            revenue_rate=float(row["revenue_rate"]),
            incentive_per_customer=float(row["incentive_per_customer"]),
            contact_cost_per_customer=float(row["contact_cost_per_customer"]),
            horizon_months=float(row["value_horizon_months"]),
        )


@dataclass(frozen=True)
class CampaignValue:
    """The one formula's result (module docstring)."""

    customers: int
    spend_kept_per_customer_month: float
    months: float
    incremental_spend: float
    incremental_revenue: float
    incentive_cost: float
    contact_cost: float
    total_cost: float
    net_benefit: float
    roi_pct: float | None  # None: nothing is spent, so there is no return on it

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def campaign_value(
    customers: int,
    spend_kept_per_customer_month: float,
    economics: Economics,
    months: float | None = None,
) -> CampaignValue:
    """Value, cost and ROI of targeting `customers` (module docstring); `months` defaults to the horizon."""
    if customers < 0:
        raise ValueError("the audience size cannot be negative")
    months = economics.horizon_months if months is None else months
    incremental_spend = customers * spend_kept_per_customer_month * months
    revenue = incremental_spend * economics.revenue_rate
    incentive = customers * economics.incentive_per_customer
    contact = customers * economics.contact_cost_per_customer
    total = incentive + contact
    net = revenue - total
    return CampaignValue(
        customers=customers,
        spend_kept_per_customer_month=spend_kept_per_customer_month,
        months=months,
        incremental_spend=incremental_spend,
        incremental_revenue=revenue,
        incentive_cost=incentive,
        contact_cost=contact,
        total_cost=total,
        net_benefit=net,
        roi_pct=(net / total * 100.0) if total > 0 else None,
    )


# ---- measured: the A/B test ------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    so_far: CampaignValue  # over the post period measured so far
    horizon: CampaignValue  # if the measured lift persists for the horizon
    retention_lift_pct: float  # percentage points, treatment minus control
    retention_ci_pct: tuple[float, float]


def measured(result: pd.Series, economics: Economics) -> Measured:
    """The A/B result (a GOLD.CAMPAIGN_PERFORMANCE row) through the one formula."""
    treated = int(result["customers"])
    lift = float(result["lift_per_customer_month"])
    months = float(result["post_period_days"]) / DAYS_PER_MONTH
    return Measured(
        so_far=campaign_value(treated, lift, economics, months),
        horizon=campaign_value(treated, lift, economics),
        retention_lift_pct=float(result["retention_lift_pct_points"]),
        retention_ci_pct=(float(result["retention_lift_ci_low"]), float(result["retention_lift_ci_high"])),
    )


# ---- projected: the simulator ----------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    value: CampaignValue
    retention_lift_pct: float
    retained_customers: int
    usual_monthly_spend: float  # what a retained customer spends in a usual month
    value_per_retained_customer: float  # usual monthly spend x revenue rate x horizon
    cost_per_retained_customer: float | None  # None when nobody is retained

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Breakeven:
    customers_needed: int | None  # retained customers needed for net benefit >= 0; None: unreachable
    retention_lift_pct: float | None  # customers_needed / audience x 100: THE breakeven, one number
    free: bool = False  # nothing is spent: any retention is profit, ROI is undefined

    @property
    def reachable(self) -> bool:
        return self.customers_needed is not None


def retained_customers(num_customers: int, retention_lift_pct: float) -> int:
    # A tiny epsilon keeps exact products (e.g. 0.3 x 100 customers) from flooring to one less.
    return math.floor(num_customers * retention_lift_pct / 100.0 + 1e-9)


def project(
    num_customers: int, usual_monthly_spend: float | None, retention_lift_pct: float, economics: Economics
) -> Projection:
    """The campaign's projected value for an audience (module docstring)."""
    if not 0 <= retention_lift_pct <= 100:
        raise ValueError("the retention lift must be between 0 and 100 percentage points")
    spend = _number(usual_monthly_spend)
    retained = retained_customers(num_customers, retention_lift_pct)
    kept_per_customer = retained * spend / num_customers if num_customers else 0.0
    value = campaign_value(num_customers, kept_per_customer, economics)
    return Projection(
        value=value,
        retention_lift_pct=retention_lift_pct,
        retained_customers=retained,
        usual_monthly_spend=spend,
        value_per_retained_customer=spend * economics.revenue_rate * economics.horizon_months,
        cost_per_retained_customer=(value.total_cost / retained) if retained > 0 else None,
    )


def breakeven(num_customers: int, usual_monthly_spend: float | None, economics: Economics) -> Breakeven:
    """The retention lift at which the projected net benefit reaches zero, as ONE number (whole customers)."""
    if num_customers == 0:
        return Breakeven(None, None)
    total_cost = num_customers * economics.cost_per_customer
    if total_cost == 0:
        return Breakeven(0, 0.0, free=True)
    value_each = _number(usual_monthly_spend) * economics.revenue_rate * economics.horizon_months
    if value_each <= 0:
        return Breakeven(None, None)
    needed = math.ceil(total_cost / value_each - 1e-9)
    if needed > num_customers:
        return Breakeven(None, None)
    return Breakeven(needed, needed / num_customers * 100.0)


def sensitivity_rates(chosen_pct: float, breakeven_pct: float | None, points: int = 21) -> list[float]:
    """Retention lifts to plot: from 0 to twice the larger of the choice and the breakeven (at least 5)."""
    top = max(5.0, 2 * chosen_pct, 2 * (breakeven_pct or 0.0))
    top = min(100.0, math.ceil(top))
    return [round(top * i / (points - 1), 4) for i in range(points)]


def sensitivity(
    num_customers: int,
    usual_monthly_spend: float | None,
    economics: Economics,
    rates: Iterable[float],
) -> pd.DataFrame:
    """ROI, net benefit and retained customers at each retention lift (everything else unchanged)."""
    rows = []
    for rate in rates:
        p = project(num_customers, usual_monthly_spend, float(rate), economics)
        rows.append(
            {
                "retention_rate_pct": float(rate),
                "retained_customers": p.retained_customers,
                "net_benefit": p.value.net_benefit,
                "roi_pct": p.value.roi_pct,
            }
        )
    return pd.DataFrame(rows, columns=["retention_rate_pct", "retained_customers", "net_benefit", "roi_pct"])


def side_by_side(measured_value: CampaignValue, projected: CampaignValue) -> pd.DataFrame:
    """Measured and projected in the same units, one row per quantity (for the tab and the CSV)."""
    rows = [
        ("Customers targeted", "customers", "customers"),
        ("Spend kept per customer per month ($)", "spend_kept_per_customer_month", "money2"),
        ("Months counted", "months", "months"),
        ("Incremental spend ($)", "incremental_spend", "money"),
        ("Incremental revenue ($)", "incremental_revenue", "money"),
        ("Campaign cost ($)", "total_cost", "money"),
        ("Net benefit ($)", "net_benefit", "money"),
        ("ROI (%)", "roi_pct", "pct"),
    ]
    m, p = measured_value.as_dict(), projected.as_dict()
    return pd.DataFrame(
        [
            {"quantity": label, "measured": m[key], "projected": p[key], "kind": kind}
            for label, key, kind in rows
        ]
    )


def cost_breakdown(value: CampaignValue) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "component": ["Incentives", "Contact and operations"],
            "cost": [value.incentive_cost, value.contact_cost],
        }
    )


def with_changes(economics: Economics, **changes: float) -> Economics:
    return replace(economics, **changes)


def _number(value: float | None) -> float:
    if value is None:
        return 0.0
    number = float(value)
    return 0.0 if math.isnan(number) else number
