"""Small shims over Streamlit API differences between the local version and Streamlit in Snowflake's.

environment.yml pins the version Snowflake runs; newer local versions replaced `use_container_width`
with `width="stretch"`, gave form submit buttons a `key`, made tabs lazy (only the open tab runs), let a
download produce its data on click, and gave st.table `hide_index`. Everything else the app uses exists in both.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, BinaryIO, Literal, TypedDict

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

if TYPE_CHECKING:
    from typing import Unpack  # Python 3.11; Streamlit in Snowflake may run an older one


def _version() -> tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", st.__version__)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


WIDTH_PARAM = _version() >= (1, 50)


class Stretch(TypedDict, total=False):
    """The keyword that makes an element fill its container, typed so `**stretch()` checks against each call."""

    width: Literal["stretch"]
    use_container_width: bool


def stretch() -> Stretch:
    """Keyword arguments that make a chart, table or button fill its container."""
    return Stretch(width="stretch") if WIDTH_PARAM else Stretch(use_container_width=True)


SUBMIT_TAKES_KEY = "key" in inspect.signature(st.form_submit_button).parameters


ButtonType = Literal["primary", "secondary", "tertiary"]


def form_submit(
    label: str,
    *,
    key: str,
    type: ButtonType = "secondary",
    on_click: Callable[[], None] | None = None,
    **layout: Unpack[Stretch],
) -> bool:
    """st.form_submit_button with a key where the version supports one (tests find the button by it)."""
    if SUBMIT_TAKES_KEY:
        return st.form_submit_button(label, type=type, on_click=on_click, key=key, **layout)
    return st.form_submit_button(label, type=type, on_click=on_click, **layout)


TABS_ARE_LAZY = "bind" in inspect.signature(st.tabs).parameters


def tabs(labels: Sequence[str], *, key: str) -> list[tuple[DeltaGenerator, bool]]:
    """The tab containers, each with whether its content should run now.

    Where Streamlit supports it the open tab is bound to the `?<key>=<label>` query parameter (deep links) and
    only that tab runs, so a tab's first render costs its own queries, not all five tabs'. Older versions run
    every tab on each rerun, as Streamlit always did.
    """
    if not TABS_ARE_LAZY:
        return [(container, True) for container in st.tabs(list(labels))]
    containers = st.tabs(list(labels), key=key, bind="query-params")
    return [(container, bool(container.open)) for container in containers]


def _downloads_can_defer() -> bool:
    try:
        from streamlit.runtime.media_file_manager import MediaFileManager
    except ImportError:  # pragma: no cover - every supported version has it
        return False
    return hasattr(MediaFileManager, "add_deferred")


DOWNLOADS_CAN_DEFER = _downloads_can_defer()


def download_button(
    label: str,
    make_data: Callable[[], bytes | BinaryIO],
    *,
    key: str,
    file_name: str,
    version: str = "",
    type: ButtonType = "secondary",
) -> None:
    """A CSV download whose data is produced only when the button is clicked (Streamlit runs `make_data` in its
    own thread), so a large export costs nothing on the reruns that do not download it.

    Versions without deferred downloads (Streamlit in Snowflake's 1.45) first show a *Prepare* button: the
    data is produced on request, then offered for download until `version` (what the data depends on, e.g.
    the filters) changes.
    """
    if DOWNLOADS_CAN_DEFER:
        st.download_button(label, data=make_data, file_name=file_name, key=key, mime="text/csv", type=type)
        return
    if st.session_state.get(f"{key}.prepared") != version:
        if st.button(f"Prepare: {label}", key=f"{key}.prepare"):
            st.session_state[f"{key}.prepared"] = version
            st.rerun()
        return
    data = make_data()
    st.download_button(
        label,
        data=data if isinstance(data, bytes) else data.read(),
        file_name=file_name,
        key=key,
        mime="text/csv",
        type=type,
    )


TABLE_HIDES_INDEX = "hide_index" in inspect.signature(st.table).parameters


def static_table(frame: pd.DataFrame) -> None:
    """st.table without the row index: a plain HTML table whose cells wrap instead of being cut off."""
    if TABLE_HIDES_INDEX:
        st.table(frame, hide_index=True)
        return
    st.table(frame.set_index(frame.columns[0]) if len(frame.columns) else frame)
