"""CSV exports: raw (unformatted) values, UTF-8, a header row, timestamped file names."""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8")


def export_name(prefix: str, when: datetime | None = None, *, with_time: bool = True) -> str:
    when = when or datetime.now()
    stamp = when.strftime("%Y%m%d_%H%M%S" if with_time else "%Y%m%d")
    return f"{SAFE_NAME.sub('_', prefix).strip('_')}_{stamp}.csv"
