"""Shared fixtures: a fixed as-of date, settings rooted in a temporary C360_HOME, and the one small platform
(built once per session, shared by tests/integration and tests/app)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from c360.config import Settings

AS_OF = date(2026, 10, 15)
PLATFORM_CUSTOMERS = 1_000


@pytest.fixture
def as_of() -> date:
    return AS_OF


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "c360home"


@pytest.fixture
def small_settings(home: Path) -> Settings:
    return Settings.load(target="local", customers=300, months=18, seed=7, as_of=AS_OF, home=home, env={})


@pytest.fixture(scope="session")
def platform_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home: Path = tmp_path_factory.mktemp("platform") / "home"
    return Settings.load(
        target="local", customers=PLATFORM_CUSTOMERS, seed=42, as_of=AS_OF, home=home, env={}
    )


@pytest.fixture(scope="session")
def platform(platform_settings: Settings) -> object:
    """One small local platform (1,000 customers) built by the real `c360 up` lifecycle, once per session.

    Tests must not modify it (use their own home for change scenarios). Returns the UpReport.
    """
    from c360.steps.pipeline import run_all  # imported lazily: unit tests never pay for the lifecycle

    return run_all(platform_settings)


# The test running now, kept in a file while it runs: when a test kills the interpreter (a signal in native
# code), `make test` names it; the crash report alone ends with thousands of characters of module names.
RUNNING_TEST = Path(__file__).resolve().parents[1] / ".pytest_cache" / "running-test"


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    RUNNING_TEST.parent.mkdir(exist_ok=True)
    RUNNING_TEST.write_text(nodeid + "\n")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    RUNNING_TEST.unlink(missing_ok=True)
