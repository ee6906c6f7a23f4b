"""Locations of the project's own files (SQL, dbt project, app), independent of the working directory."""

from __future__ import annotations

from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
SQL_DIR: Final = REPO_ROOT / "sql"
DBT_DIR: Final = REPO_ROOT / "dbt"
STREAMLIT_DIR: Final = REPO_ROOT / "streamlit"
DOCS_DIR: Final = REPO_ROOT / "docs"
