"""Customer 360 Analytics: the app frame (page config, data context, sidebar, five tabs).

Runs unchanged in Streamlit in Snowflake (the Streamlit object's main file) and locally through
`c360 app`. Everything else lives in the tab modules and the plain modules beside this file.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(
    page_title="Customer 360 Analytics",
    page_icon="📊",
    layout="wide",
    initial_sidebar_state="expanded",
)

from app_context import get_app_context  # noqa: E402  (after set_page_config)
from app_types import AppDataError  # noqa: E402
from compat import tabs  # noqa: E402
from navigation import OPEN_TAB_KEY, open_requested_tab  # noqa: E402
from sidebar import render_header, render_sidebar  # noqa: E402
from tabs import TABS, render_tab  # noqa: E402

try:
    ctx = get_app_context()
except AppDataError as exc:
    st.title("📊 Customer 360 Analytics")
    st.error(f"The app cannot reach its data: {exc}")
    st.stop()

render_header()
render_sidebar(ctx)
open_requested_tab()
for (container, is_open), tab in zip(tabs([tab.TITLE for tab in TABS], key=OPEN_TAB_KEY), TABS, strict=True):
    if is_open:
        with container:
            render_tab(tab, ctx)
