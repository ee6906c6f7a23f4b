"""Small shims over Streamlit API differences between the local version and Streamlit in Snowflake's.

environment.yml pins the version Snowflake runs; newer local versions replaced `use_container_width`
with `width="stretch"` and gave form submit buttons a `key`. Everything else the app uses exists in both.
"""

from __future__ import annotations

import inspect
import re

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
