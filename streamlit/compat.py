"""Small shims over Streamlit API differences between the local version and Streamlit in Snowflake's.

environment.yml pins the version Snowflake runs; newer local versions replaced `use_container_width`
with `width="stretch"`, gave form submit buttons a `key` and made tabs lazy (only the open tab runs).
Everything else the app uses exists in both.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence

import streamlit as st


def _version() -> tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", st.__version__)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


WIDTH_PARAM = _version() >= (1, 50)


def stretch() -> dict[str, object]:
    """Keyword arguments that make a chart, table or button fill its container."""
    return {"width": "stretch"} if WIDTH_PARAM else {"use_container_width": True}


SUBMIT_TAKES_KEY = "key" in inspect.signature(st.form_submit_button).parameters


def form_submit(label: str, *, key: str, **kwargs: object) -> bool:
    """st.form_submit_button with a key where the version supports one (tests find the button by it)."""
    if SUBMIT_TAKES_KEY:
        kwargs["key"] = key
    return st.form_submit_button(label, **kwargs)  # type: ignore[arg-type]


TABS_ARE_LAZY = "bind" in inspect.signature(st.tabs).parameters


def tabs(labels: Sequence[str], *, key: str) -> list[tuple[object, bool]]:
    """The tab containers, each with whether its content should run now.

    Where Streamlit supports it the open tab is bound to the `?<key>=<label>` query parameter (deep links) and
    only that tab runs, so a tab's first render costs its own queries, not all five tabs'. Older versions run
    every tab on each rerun, as Streamlit always did.
    """
    if not TABS_ARE_LAZY:
        return [(container, True) for container in st.tabs(list(labels))]
    containers = st.tabs(list(labels), key=key, bind="query-params")
    return [(container, bool(container.open)) for container in containers]  # type: ignore[attr-defined]
