"""The five tabs, in display order. Each module exposes TITLE and render(ctx)."""

from __future__ import annotations

import logging
from types import ModuleType

import streamlit as st

from app_context import AppContext, AppDataError
from tabs import ai_assistant, campaign_performance, customer_360, pipeline_health, segment_explorer
from ui_messages import show_data_error

log = logging.getLogger(__name__)

TABS: tuple[ModuleType, ...] = (
    segment_explorer,
    customer_360,
    ai_assistant,
    campaign_performance,
    pipeline_health,
)


def render_tab(tab: ModuleType, ctx: AppContext) -> None:
    """Render one tab; a failure shows a message in that tab and leaves the other tabs working."""
    try:
        tab.render(ctx)
    except AppDataError as exc:
        show_data_error(exc)
    except Exception as exc:
        log.exception("tab %s failed", getattr(tab, "TITLE", tab.__name__))
        st.error(
            f"Something went wrong in this tab ({type(exc).__name__}: {exc}). The other tabs still work."
        )
