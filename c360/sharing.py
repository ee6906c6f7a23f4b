"""The secure data share: partners and other teams see analytics, never personal data (seed 003).

One secure view over the customer profile, GOLD.CUSTOMER_PROFILE_SHARED, with every profile column except
the ones c360/masking.py says never leave the bank (names, e-mail, the customer number, age, city). The
Pulumi stack declares the view and the share (components/sharing.py; consumer accounts from stack config,
none by default), and the policy pack refuses any share that would expose such a column
(policy/c360_rules.py, rule snowflake-share-no-personal-data). A share can only hold secure views
(https://docs.snowflake.com/en/user-guide/data-sharing-secure-views).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import yaml

from c360 import names
from c360.masking import NEVER_SHARED
from c360.paths import DBT_DIR

SHARE: Final = "C360_CUSTOMER_INSIGHTS"
SHARED_VIEW: Final = "CUSTOMER_PROFILE_SHARED"
SOURCE_MODEL: Final = "customer_360_profile"
PROFILE_YAML: Final = DBT_DIR / "models" / "marts" / "customer_analytics" / f"{SOURCE_MODEL}.yml"


@lru_cache(maxsize=1)
def profile_columns() -> tuple[str, ...]:
    """The profile's columns as its model YAML documents them (every column is documented)."""
    for model in (yaml.safe_load(PROFILE_YAML.read_text()) or {}).get("models") or []:
        if model["name"] == SOURCE_MODEL:
            return tuple(str(c["name"]) for c in model.get("columns") or [])
    raise ValueError(f"{PROFILE_YAML} does not document {SOURCE_MODEL}")


def shared_columns() -> tuple[str, ...]:
    return tuple(c for c in profile_columns() if c not in NEVER_SHARED)


def view_statement() -> str:
    """The secure view's SELECT (explicit columns: a share never exposes a column added to the profile later
    without this list — and the policy pack — seeing it)."""
    columns = ",\n    ".join(shared_columns())
    return f"select\n    {columns}\nfrom {names.DATABASE}.{names.GOLD}.{SOURCE_MODEL.upper()}"
