"""Shared fixtures: a fixed as-of date and settings rooted in a temporary C360_HOME."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from c360.config import Settings

AS_OF = date(2026, 10, 15)


@pytest.fixture
def as_of() -> date:
    return AS_OF


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "c360home"


@pytest.fixture
def small_settings(home: Path) -> Settings:
    return Settings.load(target="local", customers=300, months=18, seed=7, as_of=AS_OF, home=home, env={})
