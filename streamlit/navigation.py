"""Which tab is open: its session-state key (also the `?tab=<title>` URL parameter) and tab requests."""

from __future__ import annotations

import streamlit as st

OPEN_TAB_KEY = "tab"
REQUESTED_TAB_KEY = "app.requested_tab"


def request_tab(title: str) -> None:
    """Open the tab titled `title` on the next full rerun (a widget's state can only be set before it is drawn)."""
    st.session_state[REQUESTED_TAB_KEY] = title


def open_requested_tab() -> None:
    """Apply a tab requested during the previous run; call before the tabs are drawn."""
    requested = st.session_state.pop(REQUESTED_TAB_KEY, None)
    if requested:
        st.session_state[OPEN_TAB_KEY] = requested
