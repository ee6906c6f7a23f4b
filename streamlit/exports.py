"""CSV exports: raw (unformatted) values, UTF-8, a header row, timestamped file names.

Timestamps keep their time of day (`2026-10-14 23:58:39`); dates stay dates. Large exports are written batch
by batch as the query's rows arrive, so no export is capped and no step holds the whole result twice (a
deferred st.download_button then serves the bytes; Streamlit keeps a download in memory, whatever its source).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import datetime
from typing import IO

import pandas as pd

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return _csv_text(frame, header=True).encode("utf-8")


def write_csv(batches: Iterable[pd.DataFrame], sink: IO[bytes]) -> int:
    """Write the batches as one CSV (header from the first batch); returns the number of data rows."""
    rows = 0
    header = True
    for batch in batches:
        sink.write(_csv_text(batch, header=header).encode("utf-8"))
        header = False
        rows += len(batch)
    return rows


def csv_file(batches: Iterable[pd.DataFrame]) -> io.BytesIO:
    """The batches as a CSV file object positioned at its start (what a deferred download returns)."""
    buffer = io.BytesIO()
    write_csv(batches, buffer)
    buffer.seek(0)
    return buffer


def _csv_text(frame: pd.DataFrame, *, header: bool) -> str:
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_localize(None)  # wall-clock time as the tables show it
    return frame.to_csv(index=False, header=header, date_format=TIMESTAMP_FORMAT)


def export_name(prefix: str, when: datetime | None = None, *, with_time: bool = True) -> str:
    when = when or datetime.now()
    stamp = when.strftime("%Y%m%d_%H%M%S" if with_time else "%Y%m%d")
    return f"{SAFE_NAME.sub('_', prefix).strip('_')}_{stamp}.csv"
