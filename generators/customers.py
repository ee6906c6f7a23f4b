"""Synthetic cardholders: Faker names, seeded numpy draws, exact segment quotas, an injectable as-of date."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd
from faker import Faker

from c360.names import customer_id
from c360.reference import STATES
from generators.spec import DECLINING, DEFAULT_SPEC, NEW_GROWING, PortfolioSpec

CUSTOMER_COLUMNS: Final = (
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "age",
    "state",
    "city",
    "employment_status",
    "card_type",
    "credit_limit",
    "account_open_date",
    "customer_segment",
    "decline_type",
    "campaign_group",
    "attrition_date",
    "attrition_type",
)
# The customer files (customers.csv and the change files) add when the source system recorded the state.
CUSTOMER_FILE_COLUMNS: Final = (*CUSTOMER_COLUMNS, "updated_at")


def quota_counts(n: int, shares: list[float]) -> list[int]:
    """Largest-remainder apportionment: counts sum to n and each is within 1 of n * share."""
    raw = [n * s for s in shares]
    counts = [int(r) for r in raw]
    order = sorted(range(len(shares)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def _exact_assignment(rng: np.random.Generator, n: int, labels: list[str], shares: list[float]) -> np.ndarray:
    values = np.repeat(np.array(labels, dtype=object), quota_counts(n, shares))
    rng.shuffle(values)
    return values


def generate_customers(n: int, seed: int, as_of: date, spec: PortfolioSpec = DEFAULT_SPEC) -> pd.DataFrame:
    """Generate `n` customers deterministically from (`seed`, `as_of`, `spec`)."""
    if n < 1:
        raise ValueError(f"number of customers must be positive, got {n}")
    rng = np.random.default_rng(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)

    segment_names = list(spec.segments)
    profiles = [spec.segments[s] for s in segment_names]
    segment = _exact_assignment(rng, n, segment_names, [p.share for p in profiles])

    first = _faker_names(rng, fake, "first_names", n)
    last = _faker_names(rng, fake, "last_names", n)
    emails = _emails(rng, first, last, spec)

    weights = np.array([s.population_m for s in STATES])
    state_idx = rng.choice(len(STATES), size=n, p=weights / weights.sum())
    state = np.array([STATES[i].code for i in state_idx], dtype=object)
    city = np.array(
        [
            STATES[i].cities[int(u * len(STATES[i].cities))]
            for i, u in zip(state_idx, rng.random(n), strict=True)
        ],
        dtype=object,
    )

    age = np.empty(n, dtype=np.int64)
    premium = np.zeros(n, dtype=bool)
    limit_k = np.empty(n, dtype=np.int64)
    for name, profile in zip(segment_names, profiles, strict=True):
        mask = segment == name
        k = int(mask.sum())
        lo, hi = profile.age_range
        age[mask] = rng.integers(lo, hi + 1, size=k)
        premium[mask] = rng.random(k) < profile.premium_share
        llo, lhi = profile.credit_limit_k
        limit_k[mask] = rng.integers(llo, lhi + 1, size=k)
    limit_k = np.where(premium, np.maximum(limit_k, spec.premium_min_limit_k), limit_k)
    card_type = np.where(premium, "Premium", "Standard").astype(object)

    employment = _employment(rng, age, spec)

    open_days = rng.uniform(spec.tenure_years[0] * 365.25, spec.tenure_years[1] * 365.25, size=n).astype(
        np.int64
    )
    is_new = segment == NEW_GROWING
    nlo, nhi = spec.new_customer_open_days
    open_days[is_new] = rng.integers(nlo, nhi + 1, size=int(is_new.sum()))
    account_open = np.array([as_of - timedelta(days=int(d)) for d in open_days], dtype=object)

    declining_idx = np.flatnonzero(segment == DECLINING)
    decline_type = np.full(n, None, dtype=object)
    decline_type[declining_idx] = _exact_assignment(
        rng,
        len(declining_idx),
        ["gradual", "sudden"],
        [spec.decline_gradual_share, 1 - spec.decline_gradual_share],
    )
    campaign = np.full(n, None, dtype=object)
    campaign[declining_idx] = _exact_assignment(rng, len(declining_idx), ["treatment", "control"], [0.5, 0.5])

    attrition_date, attrition_type = _attrition(rng, segment, open_days, as_of, spec)

    frame = pd.DataFrame(
        {
            "customer_id": [customer_id(i + 1) for i in range(n)],
            "first_name": first,
            "last_name": last,
            "email": emails,
            "age": age,
            "state": state,
            "city": city,
            "employment_status": employment,
            "card_type": card_type,
            "credit_limit": (limit_k * 1000).astype(np.int64),
            "account_open_date": account_open,
            "customer_segment": segment,
            "decline_type": decline_type,
            "campaign_group": campaign,
            "attrition_date": attrition_date,
            "attrition_type": attrition_type,
        }
    )
    return frame[list(CUSTOMER_COLUMNS)]


def _faker_names(rng: np.random.Generator, fake: Faker, attribute: str, n: int) -> np.ndarray:
    """Draw from Faker's frequency-weighted en_US name lists with numpy (100x faster than per-row calls)."""
    table = getattr(fake.factories[0].provider("faker.providers.person"), attribute)
    names = np.array(list(table.keys()), dtype=object)
    weights = np.fromiter(table.values(), dtype=float)
    return names[rng.choice(len(names), size=n, p=weights / weights.sum())]


def _emails(rng: np.random.Generator, first: np.ndarray, last: np.ndarray, spec: PortfolioSpec) -> np.ndarray:
    domains = [d for d, _ in spec.email_domains]
    probs = np.array([w for _, w in spec.email_domains])
    chosen = rng.choice(len(domains), size=len(first), p=probs / probs.sum())
    styles = rng.integers(0, 3, size=len(first))
    suffix = rng.integers(1, 100, size=len(first))
    seen: set[str] = set()
    out = np.empty(len(first), dtype=object)
    for i, (f, la) in enumerate(zip(first, last, strict=True)):
        fs, ls = _slug(f), _slug(la)
        local = (f"{fs}.{ls}", f"{fs[0]}{ls}", f"{fs}{ls}{suffix[i]}")[styles[i]]
        email = f"{local}@{domains[chosen[i]]}"
        bump = 1
        while email in seen:
            bump += 1
            email = f"{local}{bump}@{domains[chosen[i]]}"
        seen.add(email)
        out[i] = email
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower()) or "x"


def _employment(rng: np.random.Generator, age: np.ndarray, spec: PortfolioSpec) -> np.ndarray:
    labels = [e for e, _ in spec.employment_weights]
    probs = np.array([w for _, w in spec.employment_weights])
    out = np.array(labels, dtype=object)[rng.choice(len(labels), size=len(age), p=probs / probs.sum())]
    retired = labels.index("Retired")
    young = age < 55
    # Nobody under 55 is retired; people over 67 mostly are.
    out[young & (out == labels[retired])] = labels[0]
    old = (age >= 67) & (rng.random(len(age)) < 0.7)
    out[old] = labels[retired]
    return out


def _attrition(
    rng: np.random.Generator, segment: np.ndarray, open_days: np.ndarray, as_of: date, spec: PortfolioSpec
) -> tuple[np.ndarray, np.ndarray]:
    n = len(segment)
    dates = np.full(n, None, dtype=object)
    kinds = np.full(n, None, dtype=object)
    lo, hi = spec.attrition_window_days
    for name, profile in spec.segments.items():
        idx = np.flatnonzero(segment == name)
        k = quota_counts(len(idx), [profile.attrition_share, 1 - profile.attrition_share])[0]
        chosen = rng.permutation(idx)[:k]
        offsets = rng.integers(lo, hi + 1, size=k)
        earliest = -open_days[chosen] + spec.attrition_min_days_after_open
        offsets = np.maximum(offsets, earliest)
        dates[chosen] = [as_of + timedelta(days=int(o)) for o in offsets]
        kinds[chosen] = np.where(rng.random(k) < spec.dormant_share, "dormant", "fade")
    return dates, kinds


def customers_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A landing file: UTF-8 CSV with a header, ISO dates and timestamps, empty fields for NULLs."""
    return frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d %H:%M:%S").encode("utf-8")


def validate_customers(frame: pd.DataFrame, spec: PortfolioSpec = DEFAULT_SPEC) -> list[str]:
    """Every problem found, as sentences; empty when the frame is a valid portfolio."""
    problems: list[str] = []
    missing = [c for c in CUSTOMER_COLUMNS if c not in frame.columns]
    if missing:
        return [f"missing columns: {', '.join(missing)}"]
    required = [
        "customer_id",
        "first_name",
        "last_name",
        "email",
        "age",
        "state",
        "city",
        "employment_status",
        "card_type",
        "credit_limit",
        "account_open_date",
        "customer_segment",
    ]
    for column in required:
        nulls = int(frame[column].isna().sum())
        if nulls:
            problems.append(f"{nulls} null value(s) in required column {column}")
    ids = frame["customer_id"].astype(str)
    bad_ids = int((~ids.str.fullmatch(r"CUST\d{8}")).sum())
    if bad_ids:
        problems.append(f"{bad_ids} customer_id(s) do not match CUST########")
    dupes = int(ids.duplicated().sum())
    if dupes:
        problems.append(f"{dupes} duplicate customer_id(s)")
    bad_email = int((~frame["email"].astype(str).str.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")).sum())
    if bad_email:
        problems.append(f"{bad_email} malformed email address(es)")
    limits = pd.to_numeric(frame["credit_limit"], errors="coerce")
    bad_limits = int(((limits < 5000) | (limits > 50000) | (limits % 1000 != 0) | limits.isna()).sum())
    if bad_limits:
        problems.append(f"{bad_limits} credit limit(s) outside 5,000-50,000 in 1,000 steps")
    expected = dict(
        zip(spec.segments, quota_counts(len(frame), [p.share for p in spec.segments.values()]), strict=True)
    )
    actual = frame["customer_segment"].value_counts().to_dict()
    off = {s: (actual.get(s, 0), n) for s, n in expected.items() if actual.get(s, 0) != n}
    if off:
        problems.append(
            "segment counts differ from the exact quota: "
            + ", ".join(f"{s} {got} (expected {want})" for s, (got, want) in off.items())
        )
    return problems
