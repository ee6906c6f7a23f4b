"""Filters that apply on a button press, with a visible "changed" state in between.

A tab keeps the filters its results were computed with ("applied") apart from the widgets' current values.
While they differ the tab says so next to its Apply button, and its results stay those of the applied filters,
so a number on screen is never silently out of date. The applied filters also restore the widgets when the
tab is opened again (Streamlit forgets a widget's value while its tab is closed).
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

import streamlit as st

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

F = TypeVar("F")


def applied(key: str, current: F, *, apply_now: bool) -> F:
    """The filters the results use: `current` when applying now or on the first render, else the last applied."""
    stored = st.session_state.get(key)
    if apply_now or not isinstance(stored, type(current)):  # first render (or another type under the key)
        st.session_state[key] = current
        return current
    return stored


def last_applied(key: str) -> Any | None:
    """The applied filters, if any (to restore widgets before they are drawn)."""
    return st.session_state.get(key)


def changed_fields(
    current: DataclassInstance, applied_filters: DataclassInstance, labels: dict[str, str]
) -> list[str]:
    """Labels of the filter fields whose current value differs from the applied one, in field order."""
    return [
        labels.get(f.name, f.name)
        for f in fields(current)
        if getattr(current, f.name) != getattr(applied_filters, f.name)
    ]


def show_pending(changed: list[str], button: str) -> None:
    """The visible "filters changed — apply" state."""
    st.warning(
        f"**Filters changed** ({', '.join(changed)}): the results below are still for the previous filters. "
        f"Press **{button}** to update them.",
        icon="⏳",
    )
