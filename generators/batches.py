"""Hourly transaction batches for the streaming path, drawn from the same portfolio spec as the history.

A batch is one CSV file for one window of time (normally one hour) under
`transactions/streaming/YYYY/MM/DD/HH/transactions_<window start>.csv`. Who transacts, how much, where and
through which channel follow `generators/spec.py` (segment volumes, amounts, category and channel weights,
decline rates, the Declining / New & Growing stories, attrition ramp-downs, the campaign lift) and
`c360/reference.py` (categories, ticket-size factors, merchant names); nothing is copied here.

The stream clock (see `next_window`): the first batch covers the hour that starts where the history ends
(the as-of date, 00:00); every later batch covers the hour after the previous one, so the data keeps going
hour by hour after the last landed batch whatever the wall clock says. The clock never runs ahead of the
wall clock: once the next hour has not finished yet, the window ends at `now` and the following window
starts where that one ended.

Transaction ids are `TXS` + the window start (YYYYMMDDhhmmss) + a 5-digit sequence: they never collide with
the history's `TXN` + 13 digits, two windows never share a start, and a re-generated window reproduces the
same ids (so landing it again is a duplicate delivery, not new data). Every batch is seeded by
(seed, window start): the same inputs give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from c360.names import CHANNELS, STREAMING_PREFIX, TRANSACTION_FILE_COLUMNS
from c360.reference import CATEGORIES
from generators.spec import (
    DECLINING,
    DEFAULT_SPEC,
    IN_STORE_CATEGORIES,
    NEW_GROWING,
    ONLINE_CATEGORIES,
    PortfolioSpec,
)

DEFAULT_BATCH_SIZE: Final = 750
STREAM_ID_PREFIX: Final = "TXS"
MAX_ROWS_PER_BATCH: Final = 89_999  # ids use a 5-digit sequence; 9xxxx is reserved for injected anomalies
MAX_ANOMALIES: Final = 9_999
HOUR: Final = timedelta(hours=1)
UNKNOWN_MERCHANT: Final = "Unknown Merchant"
AVG_MONTH_SECONDS: Final = 2_629_800.0
_BATCH_NAME = re.compile(r"transactions_(\d{8}T\d{6})\.csv(\.gz)?$")

# Anomalies a demo (or a test) can inject; each is quarantined by the pipe with its own reason.
ANOMALY_KINDS: Final = (
    "duplicate_row",
    "bad_amount",
    "negative_amount",
    "unknown_customer",
    "future_timestamp",
    "empty_transaction_id",
    "bad_timestamp",
    "unbalanced_quotes",
)


@dataclass(frozen=True)
class BatchWindow:
    """The half-open interval [start, end) a batch covers."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"a batch window must end after it starts ({self.start} .. {self.end})")
        if self.start.microsecond or self.end.microsecond:
            raise ValueError("batch windows are whole seconds")

    @property
    def key(self) -> str:
        return f"{STREAMING_PREFIX}{self.start:%Y/%m/%d/%H}/transactions_{self.start:%Y%m%dT%H%M%S}.csv"

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True)
class LandedBatch:
    """A batch file already in the object store: its window start and when it landed."""

    key: str
    start: datetime
    landed_at: datetime


@dataclass(frozen=True)
class Batch:
    window: BatchWindow
    body: bytes
    rows: int  # data lines in the file (clean rows + injected anomalies)
    clean_rows: int
    anomalies: Mapping[str, int] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.window.key


def batch_start_from_key(key: str) -> datetime | None:
    """The window start encoded in a generator file name, or None for any other file."""
    match = _BATCH_NAME.search(key)
    return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S") if match else None


def next_window(last: LandedBatch | None, history_end: datetime, now: datetime) -> BatchWindow:
    """The window of the next batch on the stream clock (module docstring)."""
    now = now.replace(microsecond=0)
    if last is None:
        start = history_end
    else:
        landed = last.landed_at.replace(microsecond=0) + timedelta(seconds=1)  # ceil to whole seconds
        start = min(last.start + HOUR, max(landed, last.start + timedelta(seconds=1)))
    end = min(start + HOUR, now)
    if end <= start:
        end = start + timedelta(seconds=1)
    return BatchWindow(start, end)


def latest_batch(landed: Iterable[tuple[str, datetime]]) -> LandedBatch | None:
    """The generator file with the latest window among (key, landed_at) pairs from a store listing."""
    best: LandedBatch | None = None
    for key, landed_at in landed:
        start = batch_start_from_key(key)
        if start is not None and (best is None or start > best.start):
            best = LandedBatch(key, start, landed_at)
    return best


def generate_batch(
    customers: pd.DataFrame,
    window: BatchWindow,
    *,
    seed: int,
    as_of: date,
    months: int,
    size: int = DEFAULT_BATCH_SIZE,
    anomalies: int = 0,
    now: datetime | None = None,
    spec: PortfolioSpec = DEFAULT_SPEC,
) -> Batch:
    """One seeded batch for the window: Poisson noise around `size` x the window's hour-of-day and
    weekday factor (`volume_factor`), so `size` is the average hourly volume (750 by default).

    `customers` needs customer_id, customer_segment, decline_type, campaign_group, account_open_date,
    attrition_date and attrition_type (BRONZE_CUSTOMERS). `as_of`/`months` place the window on the
    history's month axis (the segment stories continue from month `months`). `anomalies` bad rows are
    added on top (cycling through ANOMALY_KINDS); `now` anchors the injected future timestamp.
    """
    if size < 0 or size > MAX_ROWS_PER_BATCH:
        raise ValueError(f"batch size must be between 0 and {MAX_ROWS_PER_BATCH:,}, got {size:,}")
    if anomalies < 0 or anomalies > MAX_ANOMALIES:
        raise ValueError(f"anomalies must be between 0 and {MAX_ANOMALIES:,}, got {anomalies:,}")
    if customers.empty:
        raise ValueError("no customers to generate transactions for")
    rng = np.random.default_rng([seed, int(window.start.timestamp())])
    traits = customer_traits(customers, seed, spec)
    weights = activity_weights(traits, window.start, as_of, months, spec)
    active = np.flatnonzero(weights > 0)
    n = min(int(rng.poisson(size * volume_factor(window.start, spec))) if size else 0, MAX_ROWS_PER_BATCH)
    if active.size == 0:
        n = 0
    chosen = (
        active[rng.choice(active.size, size=n, p=weights[active] / weights[active].sum())]
        if n
        else np.array([], dtype=int)
    )
    frame = _transactions(traits.iloc[chosen].reset_index(drop=True), window, rng, as_of, months, spec)
    lines = _csv_lines(frame)
    injected: dict[str, int] = {}
    if anomalies:
        lines, injected = _inject(lines, frame, window, rng, anomalies, now or window.end)
    body = ("\n".join([",".join(TRANSACTION_FILE_COLUMNS), *lines]) + "\n").encode("utf-8")
    return Batch(window, body, len(lines), len(frame), injected)


def volume_factor(at: datetime, spec: PortfolioSpec = DEFAULT_SPEC) -> float:
    """How busy the hour starting at `at` is relative to the average hour of the week (hour-of-day and
    weekday profiles of the spec, the same ones the history follows): `size` is the average hourly volume."""
    return spec.hour_factor(at.hour) * spec.weekday_factor(at.isoweekday())


# ---- customers -------------------------------------------------------------------------------


def customer_traits(customers: pd.DataFrame, seed: int, spec: PortfolioSpec = DEFAULT_SPEC) -> pd.DataFrame:
    """Per-customer frequency and ticket-size factors, warning window and campaign lift (seeded by id order)."""
    frame = customers.sort_values("customer_id").reset_index(drop=True).copy()
    unknown = set(frame["customer_segment"].dropna()) - set(spec.segments)
    if unknown:
        raise ValueError(f"customers with segments the spec does not know: {sorted(unknown)}")
    n = len(frame)
    rng = np.random.default_rng([seed, 0x5747])
    lo, hi = spec.customer_frequency_factor
    frame["frequency_factor"] = lo + (hi - lo) * rng.random(n)
    frame["amount_factor"] = np.exp(spec.customer_amount_sigma * rng.standard_normal(n))
    warns = rng.random(n) < spec.warning_share
    frame["warning_days"] = np.where(
        warns & frame["attrition_date"].notna().to_numpy(),
        rng.integers(spec.warning_days[0], spec.warning_days[1] + 1, size=n),
        0,
    )
    lift_lo, lift_hi = spec.campaign_lift
    frame["campaign_lift"] = lift_lo + (lift_hi - lift_lo) * rng.random(n)
    for column in ("account_open_date", "attrition_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def activity_weights(
    traits: pd.DataFrame, at: datetime, as_of: date, months: int, spec: PortfolioSpec = DEFAULT_SPEC
) -> np.ndarray:
    """Relative chance that each customer makes the next transaction at time `at`."""
    segment = traits["customer_segment"].to_numpy()
    monthly = np.array([spec.segments[s].monthly_txns for s in segment])
    story = story_multiplier(traits, at, as_of, months, spec)
    keep = keep_probability(traits, at, spec)
    opened = traits["account_open_date"].to_numpy() <= np.datetime64(at)
    campaign = np.where(
        (traits["campaign_group"].to_numpy() == "treatment")
        & (_month_number(at, as_of, months) > months - spec.campaign_offer_before_end),
        1 + traits["campaign_lift"].to_numpy(),
        1.0,
    )
    weights = monthly * traits["frequency_factor"].to_numpy() * np.sqrt(story) * keep * campaign
    return np.where(opened, weights, 0.0)


def story_multiplier(
    traits: pd.DataFrame, at: datetime, as_of: date, months: int, spec: PortfolioSpec = DEFAULT_SPEC
) -> np.ndarray:
    """The segment story's spend multiplier at `at` (the history's month axis, continued past as-of)."""
    month = _month_number(at, as_of, months)
    segment = traits["customer_segment"].to_numpy()
    decline = traits["decline_type"].to_numpy()
    gradual_start = months - spec.gradual_decline_start_before_end
    gradual = max(spec.gradual_decline_floor, 1 - spec.gradual_decline_slope * (month - gradual_start + 1))
    opened: npt.NDArray[np.datetime64] = traits["account_open_date"].to_numpy()
    months_open = (np.datetime64(at) - opened) / np.timedelta64(int(AVG_MONTH_SECONDS), "s")
    ramp_start, ramp_per_month, ramp_cap = spec.growth_ramp
    growth = np.minimum(ramp_cap, ramp_start + ramp_per_month * months_open.astype(float))
    out = np.ones(len(traits))
    out = np.where((segment == DECLINING) & (decline == "gradual") & (month >= gradual_start), gradual, out)
    # the sudden drop happens by month (months - sudden_drop_before_end[0]) at the latest: in force by now
    late_sudden = month >= months - spec.sudden_drop_before_end[0]
    out = np.where((segment == DECLINING) & (decline == "sudden") & late_sudden, spec.sudden_drop_level, out)
    return np.where(segment == NEW_GROWING, growth, out)


def keep_probability(traits: pd.DataFrame, at: datetime, spec: PortfolioSpec = DEFAULT_SPEC) -> np.ndarray:
    """Attrition: dormant customers stop, faded ones keep a trickle, attriters ramp down first."""
    attrition = traits["attrition_date"].to_numpy()
    kind = traits["attrition_type"].to_numpy()
    warning = traits["warning_days"].to_numpy().astype("timedelta64[D]")
    t = np.datetime64(at)
    has = ~pd.isna(attrition)
    after = has & (attrition <= t)
    ramp_start = attrition - warning
    ramping = has & ~after & (ramp_start <= t)
    span = np.maximum(warning.astype("timedelta64[s]").astype(float), 1.0)
    progress = np.where(ramping, (t - ramp_start).astype("timedelta64[s]").astype(float) / span, 0.0)
    keep = np.where(ramping, 1 - (1 - spec.warning_floor) * progress, 1.0)
    keep = np.where(after, np.where(kind == "dormant", 0.0, spec.fade_keep), keep)
    return keep


def _month_number(at: datetime, as_of: date, months: int) -> int:
    """Month 1..months is the history; the as-of date's month is month `months`."""
    return months + (at.year - as_of.year) * 12 + (at.month - as_of.month)


# ---- transactions ----------------------------------------------------------------------------


def _transactions(
    who: pd.DataFrame,
    window: BatchWindow,
    rng: np.random.Generator,
    as_of: date,
    months: int,
    spec: PortfolioSpec,
) -> pd.DataFrame:
    n = len(who)
    offsets = np.sort(rng.integers(0, window.seconds, size=n))
    times = pd.Timestamp(window.start) + pd.to_timedelta(offsets, unit="s")
    segment = who["customer_segment"].to_numpy()
    category_idx = np.empty(n, dtype=int)
    for name, profile in spec.segments.items():
        rows = np.flatnonzero(segment == name)
        if rows.size:
            names = list(profile.category_weights)
            probs = np.array(list(profile.category_weights.values()))
            picks = rng.choice(len(names), size=rows.size, p=probs / probs.sum())
            category_idx[rows] = [_CATEGORY_INDEX[names[p]] for p in picks]
    uncategorized = rng.random(n) < spec.null_category_rate
    merchant_idx = rng.integers(0, len(CATEGORIES[0].merchants), size=n)
    category = np.array([CATEGORIES[i].name for i in category_idx], dtype=object)
    merchant = np.array(
        [CATEGORIES[c].merchants[m] for c, m in zip(category_idx, merchant_idx, strict=True)], dtype=object
    )
    factor = np.array([CATEGORIES[i].amount_factor for i in category_idx])
    category[uncategorized] = None
    merchant[uncategorized] = UNKNOWN_MERCHANT
    factor[uncategorized] = 1.0

    at = window.start
    story = story_multiplier(who, at, as_of, months, spec)
    attrition = who["attrition_date"].to_numpy()
    warning = who["warning_days"].to_numpy().astype("timedelta64[D]")
    t = np.datetime64(at)
    ramping = ~pd.isna(attrition) & (attrition > t) & (attrition - warning <= t)
    campaign = np.where(
        (who["campaign_group"].to_numpy() == "treatment")
        & (_month_number(at, as_of, months) > months - spec.campaign_offer_before_end),
        1 + who["campaign_lift"].to_numpy(),
        1.0,
    )
    base = np.array([spec.segments[s].base_amount for s in segment])
    amount = (
        base
        * who["amount_factor"].to_numpy()
        * np.sqrt(story)
        * factor
        * campaign
        * np.exp(spec.amount_sigma * rng.standard_normal(n))
        * np.where(ramping, spec.ramp_down_amount_factor, 1.0)
    )
    amount = np.round(np.clip(amount, spec.min_amount, spec.max_amount), 2)

    channel = _channels(segment, category, rng, spec)
    decline = np.array([spec.segments[s].decline_rate for s in segment])
    decline = decline * np.where(ramping, spec.warning_decline_boost, 1.0)
    status = np.where(rng.random(n) < decline, "declined", "approved")
    stamp = window.start.strftime("%Y%m%d%H%M%S")
    return pd.DataFrame(
        {
            "transaction_id": [f"{STREAM_ID_PREFIX}{stamp}{i:05d}" for i in range(1, n + 1)],
            "customer_id": who["customer_id"].to_numpy(),
            "transaction_date": times.strftime("%Y-%m-%d %H:%M:%S"),
            "transaction_amount": [f"{a:.2f}" for a in amount],
            "merchant_name": merchant,
            "merchant_category": category,
            "channel": channel,
            "status": status,
        },
        columns=list(TRANSACTION_FILE_COLUMNS),
    )


def _channels(
    segment: np.ndarray, category: np.ndarray, rng: np.random.Generator, spec: PortfolioSpec
) -> np.ndarray:
    online, in_store, mobile = CHANNELS
    u = rng.random(len(segment))
    out = np.empty(len(segment), dtype=object)
    for name, profile in spec.segments.items():
        w = np.array(profile.channel_weights) / sum(profile.channel_weights)
        rows = segment == name
        out[rows] = np.where(u[rows] < w[0], online, np.where(u[rows] < w[0] + w[1], in_store, mobile))
    online_only = np.isin(category, list(ONLINE_CATEGORIES))
    in_store_only = np.isin(category, list(IN_STORE_CATEGORIES))
    out[online_only] = np.where(u[online_only] < spec.online_only_online_share, online, mobile)
    out[in_store_only] = np.where(u[in_store_only] < spec.in_store_only_in_store_share, in_store, mobile)
    return out


_CATEGORY_INDEX: Final = {c.name: i for i, c in enumerate(CATEGORIES)}


def _csv_lines(frame: pd.DataFrame) -> list[str]:
    if frame.empty:
        return []
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue().splitlines()


def _inject(
    lines: list[str],
    frame: pd.DataFrame,
    window: BatchWindow,
    rng: np.random.Generator,
    count: int,
    now: datetime,
) -> tuple[list[str], dict[str, int]]:
    """Add `count` bad rows (cycling through ANOMALY_KINDS) at random positions."""
    out = list(lines)
    injected: dict[str, int] = {}
    template = (
        frame.iloc[0].to_dict()
        if not frame.empty
        else {
            "transaction_id": f"{STREAM_ID_PREFIX}{window.start:%Y%m%d%H%M%S}00000",
            "customer_id": "CUST00000001",
            "transaction_date": f"{window.start:%Y-%m-%d %H:%M:%S}",
            "transaction_amount": "10.00",
            "merchant_name": "Kroger",
            "merchant_category": "Grocery",
            "channel": CHANNELS[1],
            "status": "approved",
        }
    )
    stamp = window.start.strftime("%Y%m%d%H%M%S")
    first_kind = int(rng.integers(0, len(ANOMALY_KINDS)))  # vary which kinds a small count shows
    for k in range(count):
        kind = ANOMALY_KINDS[(first_kind + k) % len(ANOMALY_KINDS)]
        row = {key: ("" if value is None else str(value)) for key, value in template.items()}
        row["transaction_id"] = f"{STREAM_ID_PREFIX}{stamp}9{k:04d}"  # the 9xxxx block is never generated
        if kind == "duplicate_row":
            if not lines:  # nothing to duplicate yet: land the template row once, then its copy
                lines = [",".join(_quote(row[c]) for c in TRANSACTION_FILE_COLUMNS)]
                out.insert(int(rng.integers(0, len(out) + 1)), lines[0])
            line = lines[int(rng.integers(0, len(lines)))]
        else:
            if kind == "bad_amount":
                row["transaction_amount"] = "abc"
            elif kind == "negative_amount":
                row["transaction_amount"] = "-25.00"
            elif kind == "unknown_customer":
                row["customer_id"] = "CUST99999999"
            elif kind == "future_timestamp":
                row["transaction_date"] = f"{now + timedelta(days=2):%Y-%m-%d %H:%M:%S}"
            elif kind == "empty_transaction_id":
                row["transaction_id"] = ""
            elif kind == "bad_timestamp":
                row["transaction_date"] = f"{window.start:%Y}-13-45 25:61:00"
            line = ",".join(_quote(row[c]) for c in TRANSACTION_FILE_COLUMNS)
            if kind == "unbalanced_quotes":
                line = line.replace(row["merchant_name"], '"' + row["merchant_name"], 1)
        out.insert(int(rng.integers(0, len(out) + 1)), line)
        injected[kind] = injected.get(kind, 0) + 1
    return out, injected


def _quote(value: str) -> str:
    return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(ch in value for ch in ',"\n') else value
