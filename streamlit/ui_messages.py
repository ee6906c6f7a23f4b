"""User-facing messages for failed queries: one clear sentence, never a stack trace."""

from __future__ import annotations

import streamlit as st

from app_types import AppDataError

HEADLINES = {
    "not_built": "This view's data is not built yet.",
    "forbidden": "Your role cannot read the data this view needs.",
    "timeout": "The query took too long.",
    "unavailable": "The warehouse is unavailable right now.",
    "refused": "The query was refused.",
    "failed": "The data could not be loaded.",
}


def show_data_error(exc: AppDataError) -> None:
    headline = HEADLINES.get(exc.kind, HEADLINES["failed"])
    if exc.kind in ("forbidden", "not_built"):
        st.warning(f"{headline} {exc}")
    else:
        st.error(f"{headline} {exc}")
