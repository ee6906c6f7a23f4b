"""The five tabs, in display order. Each module exposes TITLE and render(ctx)."""

from __future__ import annotations

import logging
import time
from typing import Protocol

import streamlit as st

from app_context import AppContext
from app_types import AppDataError
from tabs import ai_assistant, campaign_performance, customer_360, pipeline_health, segment_explorer
from ui_messages import show_data_error

log = logging.getLogger(__name__)


class Tab(Protocol):
    """What a tab module exposes (each module in this package is one)."""

    TITLE: str

    def render(self, ctx: AppContext) -> None: ...


TABS: tuple[Tab, ...] = (
    segment_explorer,
    customer_360,
    ai_assistant,
    campaign_performance,
    pipeline_health,
)


def title_of(name: str) -> str:
    """The full label (icon included) of the tab whose title ends with `name`: what the tabs widget, its
    state and its `?tab=` link use."""
    return next(tab.TITLE for tab in TABS if tab.TITLE.endswith(name))


def _render_guarded(tab: Tab, ctx: AppContext) -> None:
    """Render one tab; a failure shows a message in that tab and leaves the other tabs working."""
    began = time.perf_counter()
    try:
        tab.render(ctx)
    except AppDataError as exc:
        show_data_error(exc)
    except Exception as exc:  # the edge: log the trace, show a one-line reason
        log.exception("tab %s failed", tab.TITLE)
        st.error(
            f"Something went wrong in this tab ({type(exc).__name__}: {exc}). The other tabs still work."
        )
    finally:
        log.info("tab %s rendered in %.0f ms", tab.TITLE, (time.perf_counter() - began) * 1000)


# Each tab is a fragment: a widget inside a tab reruns only that tab (a search does not redraw the Segment
# Explorer). Anything that must refresh other tabs (a persona switch, a row picked for Customer 360) triggers
# a full rerun. Streamlit versions without fragments simply rerun the whole app.
_render_fragment = st.fragment(_render_guarded) if hasattr(st, "fragment") else _render_guarded


def render_tab(tab: Tab, ctx: AppContext) -> None:
    _render_fragment(tab, ctx)
