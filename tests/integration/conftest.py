"""Integration tests share the session platform fixtures `platform` / `platform_settings` defined in
tests/conftest.py (one 1,000-customer platform per session, also used by the app tests in tests/app)."""

from __future__ import annotations

from tests.conftest import PLATFORM_CUSTOMERS

__all__ = ["PLATFORM_CUSTOMERS"]
