"""Card history: dated card upgrades and credit-limit changes inside the history window.

`generate_customers` gives each customer's state at the as-of date (card type, credit limit). This module
decides which customers reached that state through changes during the history window, and when:

- **upgrades** Standard -> Premium (per segment, a share of the Premium cardholders: mostly High-Value
  Travelers and New & Growing), with a limit bump;
- **credit-limit increases** (a share of every segment, most in New & Growing and High-Value Travelers);
- **limit decreases** (few; mostly Declining customers and accounts that went quiet, in the last months).

It works backwards from the final state, so the portfolio at the as-of date is exactly what
`generate_customers` made, and every version stays valid (limits in $1,000 steps between $5,000 and
$50,000, Premium cards at least `premium_min_limit_k`). Changes fall after the account's first weeks and
inside the window; upgrades and increases never after an attrition date (a bank cuts a quiet account's
limit, it does not raise it).

Deliveries: the customers file carries every customer's state at the start (the earliest version), with
`updated_at` = the account-opening date; each calendar month with changes gets a change file under
`customers/changes/` holding the full record of each changed customer with `updated_at` = the time of the
change. Loaded like any other customer file, they let the dbt snapshot build real SCD2 history.
Seeded by (seed, as_of, months): the same inputs give byte-identical files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

import numpy as np
import pandas as pd

from c360.names import CUSTOMER_CHANGES_PREFIX
from generators.customers import CUSTOMER_COLUMNS, CUSTOMER_FILE_COLUMNS
from generators.spec import DEFAULT_SPEC, PortfolioSpec
from generators.transaction_sql import HistoryWindow

UPGRADE: Final = "upgrade"
LIMIT_INCREASE: Final = "limit_increase"
LIMIT_DECREASE: Final = "limit_decrease"
CHANGE_KINDS: Final = (UPGRADE, LIMIT_INCREASE, LIMIT_DECREASE)
MIN_LIMIT_K, MAX_LIMIT_K = 5, 50
_CHANGE_FILE = re.compile(r"^customers/changes/customer_changes_(\d{6})\.csv$")


@dataclass(frozen=True)
class CustomerDeliveries:
    """The customers file (state at the start) and the monthly change files (key -> rows)."""

    initial: pd.DataFrame  # CUSTOMER_FILE_COLUMNS, one row per customer
    changes: pd.DataFrame  # CUSTOMER_FILE_COLUMNS + change_kind, one row per change, oldest first

    def change_files(self) -> dict[str, pd.DataFrame]:
        """`customers/changes/customer_changes_YYYYMM.csv` -> that month's change rows (file columns)."""
        if self.changes.empty:
            return {}
        month = pd.to_datetime(self.changes["updated_at"]).dt.strftime("%Y%m")
        return {
            change_file_key(m): rows[list(CUSTOMER_FILE_COLUMNS)].reset_index(drop=True)
            for m, rows in self.changes.groupby(month, sort=True)
        }


def change_file_key(yyyymm: str) -> str:
    return f"{CUSTOMER_CHANGES_PREFIX}customer_changes_{yyyymm}.csv"


def is_change_file(key: str) -> bool:
    """True for the generator's own change files (the customers step replaces exactly these)."""
    return _CHANGE_FILE.match(key) is not None


def customer_deliveries(
    final: pd.DataFrame,
    seed: int,
    as_of: date,
    months: int,
    spec: PortfolioSpec = DEFAULT_SPEC,
) -> CustomerDeliveries:
    """Split the final portfolio (`generate_customers`) into the initial file and dated change rows."""
    rng = np.random.default_rng([seed, 0xCA4D])
    window = HistoryWindow.for_as_of(as_of, months)
    n = len(final)
    segment = final["customer_segment"].to_numpy()
    opened = pd.to_datetime(final["account_open_date"]).dt.date.to_numpy()
    attrition = final["attrition_date"].to_numpy()
    premium = (final["card_type"] == "Premium").to_numpy()

    first_day = np.array(
        [max(window.first_month_start, o + timedelta(days=spec.change_min_days_after_open)) for o in opened]
    )
    last_day = as_of - timedelta(days=1)
    active_until = np.array(
        [
            last_day if pd.isna(a) else min(last_day, pd.Timestamp(a).date() - timedelta(days=1))
            for a in attrition
        ]
    )
    recent_from = as_of - timedelta(days=spec.limit_decrease_recent_days)

    u = rng.random((n, 6))  # who, when and how much, per kind
    events: list[list[tuple[date, str, float]]] = [[] for _ in range(n)]
    for i in range(n):
        profile = spec.segments[segment[i]]
        if premium[i] and u[i, 0] < profile.upgrade_share:
            day = _day_between(first_day[i], active_until[i], u[i, 1])
            if day is not None:
                events[i].append((day, UPGRADE, u[i, 2]))
        if u[i, 3] < profile.limit_increase_share:
            day = _day_between(first_day[i], active_until[i], u[i, 4])
            if day is not None:
                events[i].append((day, LIMIT_INCREASE, u[i, 5]))
        elif u[i, 3] > 1 - profile.limit_decrease_share:
            day = _day_between(max(first_day[i], recent_from), last_day, u[i, 4])
            if day is not None:
                events[i].append((day, LIMIT_DECREASE, u[i, 5]))

    card = final["card_type"].to_numpy().astype(object).copy()
    limit_k = (final["credit_limit"].to_numpy() // 1000).astype(np.int64)
    change_rows: list[tuple[int, datetime, str, str, int]] = []
    minutes = rng.integers(spec.change_hours[0] * 60, spec.change_hours[1] * 60, size=n)
    for i in range(n):
        # a distinct time per change (two changes on one day are ten minutes apart), then newest first:
        # undo each change to find the state before it
        timed = [
            (datetime.combine(day, time()) + timedelta(minutes=int(minutes[i]) + 10 * j), kind, draw)
            for j, (day, kind, draw) in enumerate(
                sorted(events[i], key=lambda e: (e[0], CHANGE_KINDS.index(e[1])))
            )
        ]
        for at, kind, draw in sorted(timed, key=lambda e: e[0], reverse=True):
            before_card, before_k = _undo(kind, card[i], int(limit_k[i]), draw, spec)
            if before_card == card[i] and before_k == limit_k[i]:
                continue
            change_rows.append((i, at, kind, card[i], int(limit_k[i])))
            card[i], limit_k[i] = before_card, before_k

    initial = final.copy()
    initial["card_type"] = card
    initial["credit_limit"] = (limit_k * 1000).astype(np.int64)
    initial["updated_at"] = pd.to_datetime(initial["account_open_date"])
    changes = _change_frame(final, change_rows)
    return CustomerDeliveries(initial[list(CUSTOMER_FILE_COLUMNS)], changes)


def _day_between(first: date, last: date, draw: float) -> date | None:
    span = (last - first).days
    if span < 0:
        return None
    return first + timedelta(days=int(draw * (span + 1)))


def _undo(kind: str, card: str, limit_k: int, draw: float, spec: PortfolioSpec) -> tuple[str, int]:
    """The (card, limit in $1,000s) before a change that left the customer at (card, limit_k)."""
    floor_k = spec.premium_min_limit_k if card == "Premium" else MIN_LIMIT_K
    if kind == UPGRADE:
        lo, hi = spec.upgrade_limit_bump_k
        bump = lo + int(draw * (hi - lo + 1))
        return "Standard", max(MIN_LIMIT_K, min(limit_k - bump, limit_k - 1))
    if kind == LIMIT_INCREASE:
        low, high = spec.limit_increase_pct
        before = round(limit_k / (1 + low + draw * (high - low)))
        before = max(floor_k, min(before, limit_k - 1))
        return card, before if before < limit_k else limit_k
    low, high = spec.limit_decrease_pct
    before = round(limit_k * (1 + low + draw * (high - low)))
    return card, min(MAX_LIMIT_K, max(before, limit_k + 1))


def _change_frame(final: pd.DataFrame, rows: list[tuple[int, datetime, str, str, int]]) -> pd.DataFrame:
    columns = [*CUSTOMER_FILE_COLUMNS, "change_kind"]
    if not rows:
        return pd.DataFrame(columns=columns)
    index = [r[0] for r in rows]
    frame = final.iloc[index][list(CUSTOMER_COLUMNS)].reset_index(drop=True)
    frame["card_type"] = [r[3] for r in rows]
    frame["credit_limit"] = np.array([r[4] * 1000 for r in rows], dtype=np.int64)
    frame["updated_at"] = pd.to_datetime([r[1] for r in rows])
    frame["change_kind"] = [r[2] for r in rows]
    return frame.sort_values(["updated_at", "customer_id"], kind="stable").reset_index(drop=True)[columns]


def validate_deliveries(deliveries: CustomerDeliveries, spec: PortfolioSpec = DEFAULT_SPEC) -> list[str]:
    """Every problem found in the versions the files describe, as sentences (empty when valid)."""
    problems: list[str] = []
    versions = pd.concat([deliveries.initial, deliveries.changes[list(CUSTOMER_FILE_COLUMNS)]])
    limits = pd.to_numeric(versions["credit_limit"], errors="coerce")
    bad = int(((limits < 5_000) | (limits > 50_000) | (limits % 1_000 != 0) | limits.isna()).sum())
    if bad:
        problems.append(f"{bad} card version(s) with a credit limit outside 5,000-50,000 in 1,000 steps")
    low_premium = int(
        ((versions["card_type"] == "Premium") & (limits < spec.premium_min_limit_k * 1000)).sum()
    )
    if low_premium:
        problems.append(f"{low_premium} Premium version(s) below the Premium minimum limit")
    if versions["updated_at"].isna().any():
        problems.append("card versions without updated_at")
    opened = pd.to_datetime(deliveries.changes["account_open_date"])
    early = int((pd.to_datetime(deliveries.changes["updated_at"]) <= opened).sum())
    if early:
        problems.append(f"{early} change(s) dated before the account opened")
    return problems
