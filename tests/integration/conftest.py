"""One small local platform per test session (1,000 customers), built by the real `c360 up` lifecycle."""

from __future__ import annotations

from pathlib import Path

import pytest

from c360.config import Settings
from c360.steps.pipeline import UpReport, run_all
from tests.conftest import AS_OF

PLATFORM_CUSTOMERS = 1_000


@pytest.fixture(scope="session")
def platform_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home: Path = tmp_path_factory.mktemp("platform") / "home"
    return Settings.load(
        target="local", customers=PLATFORM_CUSTOMERS, seed=42, as_of=AS_OF, home=home, env={}
    )


@pytest.fixture(scope="session")
def platform(platform_settings: Settings) -> UpReport:
    """The built platform; tests must not modify it (use their own home for change scenarios)."""
    return run_all(platform_settings)
