"""Fixtures for the assistant tests: the shipped semantic model, a compiler, and a tiny in-memory gold layer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from c360.assistant.local import LocalAnalyst
from c360.assistant.model import SemanticModel, load_model
from c360.assistant.values import ValueIndex
from c360.engines.duckdb import DuckDBSession
from tests.conftest import AS_OF

QUESTIONS = Path(__file__).with_name("questions.yaml")


@pytest.fixture(scope="session")
def model() -> SemanticModel:
    return load_model()


@pytest.fixture(scope="session")
def analyst(model: SemanticModel) -> LocalAnalyst:
    return LocalAnalyst(model, AS_OF)


@pytest.fixture(scope="session")
def compiler_only(model: SemanticModel) -> LocalAnalyst:
    """The analyst with verified queries switched off: every answer comes from the compiler."""
    return LocalAnalyst(model, AS_OF, use_verified=False)


@pytest.fixture(scope="session")
def as_of_date() -> date:
    return AS_OF


@pytest.fixture
def tiny_gold() -> DuckDBSession:
    """A few customers in GOLD.CUSTOMER_360_PROFILE (enough for service-level tests without a platform)."""
    session = DuckDBSession.in_memory()
    session.run_script(
        """
        create schema gold;
        create schema observability;
        create table gold.customer_360_profile as
        select * from (values
            ('CUST00000001', 'Ann Lee', 'CA', 'West', 'Premium', 'High-Value Travelers', 120000.0, 100, 9000.0,
             'High Risk', 81.5, date '2026-10-15'),
            ('CUST00000002', 'Bo O''Brien', 'TX', 'South', 'Standard', 'Declining', 20000.0, 40, 300.0,
             'Low Risk', 12.0, date '2026-10-15'),
            ('CUST00000003', 'Cy Diaz', 'CA', 'West', 'Standard', 'Budget-Conscious', 8000.0, 80, 500.0,
             'Medium Risk', 45.0, date '2026-10-15')
        ) as t(customer_id, full_name, state, region, card_type, customer_segment, lifetime_value,
               total_transactions, avg_monthly_spend, churn_risk_category, churn_risk_score, as_of_date);
        """
    )
    return session


def analyst_seeing_names(
    model: SemanticModel, as_of_date: date, shown: list[tuple[str, str]]
) -> LocalAnalyst:
    """The compiler-only analyst with these (full name, customer id) rows as its name index, each name shown the
    way a masked role sees it ('Rosa Park' -> 'Rosa P.')."""
    index = ValueIndex.of(
        "customer_360_profile.full_name",
        "customer_360_profile.customer_id",
        shown,
        masker=lambda ref, text: f"{text.split()[0]} {text.split()[-1][0]}.",
    )
    return LocalAnalyst(model, as_of_date, use_verified=False, values=index)
