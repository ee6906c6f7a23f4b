"""The churn model's feature contract: the one list both trainers read, in training and in scoring.

The columns are computed by the dbt models in dbt/models/ml/ (macro `ml_feature_columns()` lists the same
names in the same order; tests/integration/ml checks the tables against this module). Everything here is
known at the cutoff: no generator-truth column, no campaign assignment and nothing after the cutoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from c360.reference import GENERATOR_TRUTH_COLUMNS

FeatureKind = Literal["numeric", "categorical"]


@dataclass(frozen=True)
class Feature:
    name: str
    kind: FeatureKind
    group: str
    description: str


FEATURES: Final[tuple[Feature, ...]] = (
    Feature("days_since_last_transaction", "numeric", "recency", "days from the last approved transaction to the cutoff (366 = none in a year)"),
    Feature("transactions_30d", "numeric", "frequency", "approved transactions in the 30 days before the cutoff"),
    Feature("transactions_90d", "numeric", "frequency", "approved transactions in the 90 days before the cutoff"),
    Feature("transactions_180d", "numeric", "frequency", "approved transactions in the 180 days before the cutoff"),
    Feature("spend_30d", "numeric", "monetary", "approved spend in the 30 days before the cutoff"),
    Feature("spend_90d", "numeric", "monetary", "approved spend in the 90 days before the cutoff"),
    Feature("spend_180d", "numeric", "monetary", "approved spend in the 180 days before the cutoff"),
    Feature("avg_transaction_value_90d", "numeric", "monetary", "spend_90d / transactions_90d"),
    Feature("active_days_90d", "numeric", "frequency", "distinct days with an approved transaction in the last 90 days"),
    Feature("baseline_monthly_spend", "numeric", "monetary", "average monthly approved spend over the year before the cutoff (the label's baseline)"),
    Feature("spend_change_90d", "numeric", "trend", "(last 90 d - prior 90 d) / (last 90 d + prior 90 d) of spend, in [-1, 1]"),
    Feature("transaction_change_90d", "numeric", "trend", "the same symmetric change for transaction counts"),
    Feature("mom_spend_change", "numeric", "trend", "symmetric change of spend: last 30 days vs the 30 days before"),
    Feature("spend_30d_to_baseline", "numeric", "trend", "last-30-day spend / baseline spend for 30 days"),
    Feature("spend_90d_to_baseline", "numeric", "trend", "last-90-day spend / baseline spend for 90 days"),
    Feature("monthly_spend_cv_180d", "numeric", "volatility", "coefficient of variation of six 30-day spend buckets"),
    Feature("monthly_spend_slope_180d", "numeric", "trend", "least-squares slope of the six 30-day buckets / their mean"),
    Feature("longest_idle_days_180d", "numeric", "recency", "longest run of days without an approved transaction in the last 180 days"),
    Feature("travel_share_180d", "numeric", "category mix", "travel share of approved spend, last 180 days"),
    Feature("necessities_share_180d", "numeric", "category mix", "necessities share of approved spend, last 180 days"),
    Feature("discretionary_share_180d", "numeric", "category mix", "discretionary share of approved spend, last 180 days"),
    Feature("online_share_90d", "numeric", "channel mix", "online share of approved transactions, last 90 days"),
    Feature("mobile_share_90d", "numeric", "channel mix", "mobile share of approved transactions, last 90 days"),
    Feature("declined_rate_30d", "numeric", "declines", "declined / attempted transactions, last 30 days"),
    Feature("declined_rate_90d", "numeric", "declines", "declined / attempted transactions, last 90 days"),
    Feature("credit_utilization_30d", "numeric", "credit", "last-30-day approved spend / credit limit"),
    Feature("tenure_months", "numeric", "profile", "months from account opening to the cutoff"),
    Feature("credit_limit", "numeric", "profile", "credit limit of the card version recorded by the cutoff"),
    Feature("age", "numeric", "profile", "age at the cutoff"),
    Feature("card_type", "categorical", "profile", "Standard or Premium (card version recorded by the cutoff)"),
    Feature("employment_status", "categorical", "profile", "employment status"),
    Feature("region", "categorical", "profile", "US census region of the customer's state"),
)  # fmt: skip

FEATURE_NAMES: Final[tuple[str, ...]] = tuple(f.name for f in FEATURES)
CATEGORICAL_FEATURES: Final[tuple[str, ...]] = tuple(f.name for f in FEATURES if f.kind == "categorical")

TARGET: Final = "churned"
ID_COLUMN: Final = "customer_id"

# Never a feature: the generator's hidden truth, the campaign assignment (decided by the campaign, and a
# function of the synthetic segment), identifiers, the target and anything measured after the cutoff.
FORBIDDEN_COLUMNS: Final[frozenset[str]] = frozenset(
    {
        *GENERATOR_TRUTH_COLUMNS,
        "campaign_group",
        "synthetic_segment",
        "synthetic_decline_type",
        "synthetic_attrition_date",
        "synthetic_attrition_type",
        "customer_segment",  # the rule-based gold segment is itself computed at the as-of date
        ID_COLUMN,
        "training_row_key",
        "dataset",
        "cutoff_date",
        TARGET,
        "is_inactive_churn",
        "is_spend_drop_churn",
        "outcome_spend",
        "outcome_transactions",
        "outcome_monthly_spend",
        "longest_idle_days",
        "spend_ratio_to_baseline",
    }
)


class FeatureContractError(ValueError):
    """The feature list breaks the contract (a forbidden column, a duplicate, an unknown kind)."""


def check_feature_list(names: tuple[str, ...] = FEATURE_NAMES) -> None:
    """Raise FeatureContractError unless `names` is a clean, duplicate-free feature list."""
    forbidden = sorted(set(names) & FORBIDDEN_COLUMNS)
    if forbidden:
        raise FeatureContractError(f"forbidden column(s) in the feature list: {', '.join(forbidden)}")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FeatureContractError(f"duplicate feature(s): {', '.join(duplicates)}")
    if len(names) < 15:
        raise FeatureContractError(f"the model needs at least 15 features, the list has {len(names)}")


check_feature_list()
