"""The portfolio spec: every distribution parameter of the synthetic portfolio, in one place.

Customers (Python, Faker) and transactions (SQL rendered for DuckDB and Snowflake) both read it, so the
two SQL dialects can never drift apart and a tuning change is one edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from c360.names import SEGMENTS
from c360.reference import CATEGORY_BY_NAME

HVT, STABLE, BUDGET, DECLINING, NEW_GROWING = SEGMENTS


# Channel overrides: these categories are (almost) never paid in person / (mostly) paid in person.
ONLINE_CATEGORIES: Final = frozenset({"Streaming Services", "Online Marketplace", "Education"})
IN_STORE_CATEGORIES: Final = frozenset({"Gas", "Public Transit"})


@dataclass(frozen=True)
class SegmentProfile:
    share: float  # exact quota of customers
    premium_share: float
    credit_limit_k: tuple[int, int]  # inclusive range, in $1,000 steps
    age_range: tuple[int, int]
    attrition_share: float  # share of the segment that attrites at some point in the window
    monthly_txns: float  # base transactions per active month
    base_amount: float  # dollars, before the category factor and noise
    decline_rate: float  # probability a transaction is declined
    channel_weights: tuple[float, float, float]  # Online, In-Store, Mobile
    category_weights: MappingProxyType[str, float]
    # card history inside the window (generators/customer_history.py)
    upgrade_share: float = 0.0  # share of the segment's Premium cardholders who upgraded from Standard
    limit_increase_share: float = 0.0  # share of the segment that got a credit-limit increase
    limit_decrease_share: float = 0.0  # share of the segment whose limit was cut


def _weights(**w: float) -> MappingProxyType[str, float]:
    named = {k.replace("_", " "): v for k, v in w.items()}
    renamed = {("Streaming Services" if k == "Streaming" else k): v for k, v in named.items()}
    unknown = set(renamed) - set(CATEGORY_BY_NAME)
    if unknown:
        raise ValueError(f"unknown categories in spec: {sorted(unknown)}")
    total = sum(renamed.values())
    return MappingProxyType({k: v / total for k, v in renamed.items()})


_EVERYDAY = dict(
    Dining=0.15,
    Entertainment=0.06,
    Streaming=0.04,
    Travel=0.03,
    Hotels=0.01,
    Airlines=0.01,
    Car_Rental=0.005,
    Grocery=0.20,
    Gas=0.10,
    Utilities=0.05,
    Healthcare=0.04,
    Pharmacy=0.04,
    Telecom=0.03,
    Insurance=0.02,
    Public_Transit=0.03,
    Retail=0.10,
    Online_Marketplace=0.06,
    Electronics=0.01,
    Home_Improvement=0.01,
    Education=0.005,
)

SEGMENT_PROFILES: Final[MappingProxyType[str, SegmentProfile]] = MappingProxyType(
    {
        HVT: SegmentProfile(
            share=0.15,
            premium_share=0.45,
            credit_limit_k=(25, 50),
            age_range=(30, 68),
            attrition_share=0.14,
            monthly_txns=26.0,
            base_amount=175.0,
            decline_rate=0.01,
            channel_weights=(0.40, 0.35, 0.25),
            category_weights=_weights(
                Airlines=0.12,
                Hotels=0.12,
                Travel=0.10,
                Car_Rental=0.06,
                Dining=0.20,
                Entertainment=0.08,
                Streaming=0.02,
                Grocery=0.10,
                Gas=0.05,
                Utilities=0.02,
                Healthcare=0.02,
                Retail=0.06,
                Online_Marketplace=0.05,
            ),
            upgrade_share=0.45,
            limit_increase_share=0.15,
            limit_decrease_share=0.01,
        ),
        STABLE: SegmentProfile(
            share=0.40,
            premium_share=0.08,
            credit_limit_k=(8, 25),
            age_range=(25, 72),
            attrition_share=0.21,
            monthly_txns=16.5,
            base_amount=95.0,
            decline_rate=0.02,
            channel_weights=(0.35, 0.45, 0.20),
            category_weights=_weights(**_EVERYDAY),
            upgrade_share=0.25,
            limit_increase_share=0.1,
            limit_decrease_share=0.01,
        ),
        BUDGET: SegmentProfile(
            share=0.25,
            premium_share=0.02,
            credit_limit_k=(5, 12),
            age_range=(22, 75),
            attrition_share=0.24,
            monthly_txns=14.0,
            base_amount=48.0,
            decline_rate=0.035,
            channel_weights=(0.20, 0.65, 0.15),
            category_weights=_weights(
                Grocery=0.35,
                Gas=0.15,
                Utilities=0.10,
                Healthcare=0.05,
                Pharmacy=0.06,
                Telecom=0.05,
                Public_Transit=0.06,
                Insurance=0.02,
                Dining=0.06,
                Retail=0.05,
                Online_Marketplace=0.03,
                Streaming=0.02,
            ),
            upgrade_share=0.2,
            limit_increase_share=0.05,
            limit_decrease_share=0.02,
        ),
        DECLINING: SegmentProfile(
            share=0.10,
            premium_share=0.08,
            credit_limit_k=(8, 25),
            age_range=(25, 72),
            attrition_share=0.52,
            monthly_txns=17.0,
            base_amount=100.0,
            decline_rate=0.025,
            channel_weights=(0.35, 0.45, 0.20),
            category_weights=_weights(**_EVERYDAY),
            upgrade_share=0.1,
            limit_increase_share=0.03,
            limit_decrease_share=0.12,
        ),
        NEW_GROWING: SegmentProfile(
            share=0.10,
            premium_share=0.12,
            credit_limit_k=(5, 15),
            age_range=(22, 40),
            attrition_share=0.12,
            monthly_txns=13.0,
            base_amount=80.0,
            decline_rate=0.02,
            channel_weights=(0.40, 0.20, 0.40),
            category_weights=_weights(
                Dining=0.18,
                Entertainment=0.08,
                Streaming=0.05,
                Travel=0.04,
                Hotels=0.01,
                Airlines=0.02,
                Grocery=0.15,
                Gas=0.06,
                Utilities=0.03,
                Telecom=0.04,
                Public_Transit=0.04,
                Retail=0.10,
                Online_Marketplace=0.12,
                Electronics=0.05,
                Home_Improvement=0.01,
                Education=0.02,
            ),
            upgrade_share=0.9,
            limit_increase_share=0.3,
            limit_decrease_share=0.0,
        ),
    }
)


@dataclass(frozen=True)
class PortfolioSpec:
    version: int = 2  # 2: hour-of-day and weekday shape, amounts capped below $10,000
    segments: MappingProxyType[str, SegmentProfile] = field(default_factory=lambda: SEGMENT_PROFILES)

    # customers ----------------------------------------------------------------------------
    employment_weights: tuple[tuple[str, float], ...] = (
        ("Employed", 0.66),
        ("Self-Employed", 0.14),
        ("Retired", 0.14),
        ("Unemployed", 0.06),
    )
    premium_min_limit_k: int = 15
    tenure_years: tuple[float, float] = (1.7, 12.0)  # account age for established customers
    new_customer_open_days: tuple[int, int] = (90, 300)  # New & Growing open within this many days
    decline_gradual_share: float = 0.5
    email_domains: tuple[tuple[str, float], ...] = (
        ("gmail.com", 0.45),
        ("yahoo.com", 0.15),
        ("outlook.com", 0.12),
        ("icloud.com", 0.10),
        ("hotmail.com", 0.08),
        ("aol.com", 0.04),
        ("comcast.net", 0.03),
        ("proton.me", 0.03),
    )

    # attrition (the forward-looking churn the model has to predict) --------------------------
    attrition_window_days: tuple[int, int] = (-300, 30)  # attrition dates relative to the as-of date
    attrition_min_days_after_open: int = 60
    dormant_share: float = 0.6  # the rest fade to a trickle instead of stopping
    warning_share: float = 0.7  # attriters whose activity visibly ramps down first
    warning_days: tuple[int, int] = (30, 120)
    warning_floor: float = 0.4  # keep-probability reached at the attrition date
    warning_decline_boost: float = 2.5  # declined transactions are this much likelier while ramping down
    fade_keep: float = 0.12  # share of transactions a faded customer still makes
    ramp_down_amount_factor: float = 0.85  # ticket sizes shrink while an attriter ramps down

    # segment dynamics (months counted back from the last month of the window) ----------------
    gradual_decline_start_before_end: int = 8  # Declining/gradual starts falling in month (months - 8)
    gradual_decline_slope: float = 0.08  # per month
    gradual_decline_floor: float = 0.35
    sudden_drop_before_end: tuple[int, int] = (3, 6)  # Declining/sudden drops in one of these months
    sudden_drop_level: float = 0.4
    growth_ramp: tuple[float, float, float] = (0.55, 0.12, 1.6)  # start, per month since opening, cap
    campaign_offer_before_end: int = 2  # the retention offer goes out in month (months - 2) = month 16
    campaign_lift: tuple[float, float] = (0.10, 0.20)  # treatment spend lift in the months after the offer

    # card history: dated card upgrades and credit-limit changes inside the history window ---------
    # (generators/customer_history.py; delivered as monthly change files through the customer stage)
    upgrade_limit_bump_k: tuple[int, int] = (3, 12)  # an upgrade raises the limit by this much ($1,000s)
    limit_increase_pct: tuple[float, float] = (0.10, 0.35)
    limit_decrease_pct: tuple[float, float] = (0.15, 0.40)
    change_min_days_after_open: int = 45  # no card change in an account's first weeks
    limit_decrease_recent_days: int = 240  # limit cuts fall in the last months (declining, lapsing accounts)
    change_hours: tuple[int, int] = (8, 20)  # back-office hours of the change timestamps

    # when people pay: relative volume by hour of day (0..23) and by ISO weekday (Monday..Sunday) ---
    hour_weights: tuple[float, ...] = (
        0.35, 0.22, 0.15, 0.12, 0.13, 0.22, 0.45, 0.75, 1.00, 1.15, 1.30, 1.50,
        1.65, 1.55, 1.40, 1.40, 1.50, 1.65, 1.70, 1.55, 1.30, 1.05, 0.80, 0.55,
    )  # fmt: skip
    weekday_weights: tuple[float, ...] = (0.93, 0.95, 0.97, 1.00, 1.10, 1.12, 0.93)

    # amounts: the seed's bounds (more than $0, less than $10,000) -------------------------------
    min_amount: float = 1.0
    max_amount: float = 9_999.99

    # transaction noise ------------------------------------------------------------------------
    customer_frequency_factor: tuple[float, float] = (0.6, 1.4)
    customer_amount_sigma: float = 0.35
    month_volume_noise: tuple[float, float] = (0.75, 1.25)
    amount_sigma: float = 0.55
    seasonality: tuple[float, ...] = (0.90, 0.92, 0.98, 1.00, 1.00, 1.04, 1.06, 1.05, 0.98, 1.00, 1.08, 1.20)
    duplicate_rate: float = 0.001  # rows delivered twice (same transaction_id) for silver to de-duplicate
    null_category_rate: float = 0.0005
    max_transactions_per_month: int = 200

    # channel overrides for categories that are (almost) never paid in person / mostly in person --
    online_only_online_share: float = 0.7  # ONLINE_CATEGORIES: Online, else Mobile
    in_store_only_in_store_share: float = 0.75  # IN_STORE_CATEGORIES: In-Store, else Mobile

    def __post_init__(self) -> None:
        total = sum(p.share for p in self.segments.values())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"segment shares must sum to 1, got {total}")
        if len(self.seasonality) != 12:
            raise ValueError("seasonality needs 12 monthly factors")
        if len(self.hour_weights) != 24 or min(self.hour_weights) <= 0:
            raise ValueError("hour_weights needs 24 positive factors (hours 0..23)")
        if len(self.weekday_weights) != 7 or min(self.weekday_weights) <= 0:
            raise ValueError("weekday_weights needs 7 positive factors (Monday..Sunday)")
        if not 0 < self.min_amount < self.max_amount < 10_000:
            raise ValueError("amounts must lie in (0, 10,000): the seed's bounds")

    def hour_cdf(self) -> tuple[float, ...]:
        """Cumulative share of a day's transactions by the end of each hour (24 values, the last is 1)."""
        total = sum(self.hour_weights)
        out, acc = [], 0.0
        for w in self.hour_weights:
            acc += w
            out.append(acc / total)
        out[-1] = 1.0
        return tuple(out)

    def weekday_factor(self, iso_weekday: int) -> float:
        """Volume of an ISO weekday (1 = Monday) relative to the average day of the week."""
        return self.weekday_weights[iso_weekday - 1] * 7 / sum(self.weekday_weights)

    def hour_factor(self, hour: int) -> float:
        """Volume of an hour of the day (0..23) relative to the average hour."""
        return self.hour_weights[hour] * 24 / sum(self.hour_weights)


DEFAULT_SPEC: Final = PortfolioSpec()
