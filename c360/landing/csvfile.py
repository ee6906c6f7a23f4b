"""Structural parsing of a landed transactions file: bytes -> rows of text fields + rejected lines.

This is the part of COPY that reads the file (the file format): decompression, encoding, the header,
the delimiter, quoting and field counts. Values are typed and checked afterwards in SQL
(sql/pipe/check_transactions.sql). The format matches the Snowflake file format the pipe uses:

    TYPE = CSV, FIELD_DELIMITER = ',', RECORD_DELIMITER = '\\n' (CRLF accepted),
    FIELD_OPTIONALLY_ENCLOSED_BY = '"' (a quoted value may not span lines), a header row naming the
    columns (any order, case-insensitive), SKIP_BLANK_LINES = TRUE, ENCODING = UTF8 (BOM allowed),
    COMPRESSION = AUTO (gzip), TRIM_SPACE = TRUE, NULL_IF = ('', '\\N', 'NULL', 'null').

Row numbers: row n is the n-th line after the header (a skipped blank line still counts, so "row 57" is
always line 58 of the (decompressed) file); row 0 stands for the file itself (header or file-level issues).

Speed: the line index, field counts and encoding checks are numpy passes over the whole buffer; the
common lines (no quotes, no stray CR) are split by pyarrow's C++ CSV reader. Only lines containing a quote
character or failing a check go through Python, one line at a time.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

TRANSACTION_COLUMNS: Final = (
    "transaction_id",
    "customer_id",
    "transaction_date",
    "transaction_amount",
    "merchant_name",
    "merchant_category",
    "channel",
    "status",
)
MAX_LINE_BYTES: Final = 16_384
UTF8_BOM: Final = b"\xef\xbb\xbf"
_COMMA, _QUOTE, _NL, _CR = 44, 34, 10, 13


@dataclass(frozen=True)
class Rejection:
    row_number: int  # 0 = the file / its header
    raw_line: str
    code: str
    reason: str


@dataclass
class ParsedFile:
    """Rows that passed the structural checks (as text, canonical column order) and every rejection."""

    rows_in_file: int
    table: pa.Table  # row_number int64 + TRANSACTION_COLUMNS as strings
    rejections: list[Rejection] = field(default_factory=list)  # data rows (row_number >= 1)
    file_issue: Rejection | None = None  # a file-level finding (row 0): empty, header-only, bad header...
    _buffer: bytes = b""
    _starts: np.ndarray | None = None  # line index, built on first use by raw_line
    _ends: np.ndarray | None = None

    def raw_line(self, row_number: int) -> str:
        """The original text of data row `row_number` (invalid UTF-8 shown as \\xNN escapes)."""
        if self._starts is None or self._ends is None:
            self._starts, self._ends, _ = _line_index(np.frombuffer(self._buffer, dtype=np.uint8))
        start, end = int(self._starts[row_number]), int(self._ends[row_number])
        return self._buffer[start:end].decode("utf-8", errors="backslashreplace")


def empty_table() -> pa.Table:
    return pa.table(
        {
            "row_number": pa.array([], pa.int64()),
            **{c: pa.array([], pa.string()) for c in TRANSACTION_COLUMNS},
        }
    )


def parse_transactions_file(data: bytes, *, columns: Sequence[str] = TRANSACTION_COLUMNS) -> ParsedFile:
    """Split a landed file into structurally valid rows and rejections (never raises for bad content)."""
    raw, issue = _decode_container(data)
    if issue is not None:
        return ParsedFile(0, empty_table(), [], issue)
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM) :]
    return _parse_clean(raw, columns) or _parse_lines(raw, columns)


def _parse_lines(raw: bytes, columns: Sequence[str]) -> ParsedFile:
    """The general path: a line index, then per-line checks; only suspicious lines go through Python."""
    buf = np.frombuffer(raw, dtype=np.uint8)
    starts, ends, spans_end = _line_index(buf)
    lengths = ends - starts
    blank = lengths == 0
    n_lines = len(starts)
    data_lines = np.flatnonzero(~blank[1:]) + 1 if n_lines > 1 else np.zeros(0, dtype=np.int64)
    rows_in_file = int(data_lines.size)
    parsed = ParsedFile(rows_in_file, empty_table(), [], None, raw, starts, ends)

    header_text = raw[starts[0] : ends[0]] if n_lines else b""
    header_issue, names = _check_header(header_text, columns)
    if header_issue is not None:
        parsed.file_issue = header_issue
        parsed.rejections = [
            Rejection(int(i), parsed.raw_line(int(i)), header_issue.code, header_issue.reason)
            for i in data_lines
        ]
        return parsed
    if rows_in_file == 0:
        parsed.file_issue = Rejection(
            0, header_text.decode("utf-8", "backslashreplace"), "NO_DATA", "header-only file: no data rows"
        )
        return parsed

    expected_commas = len(names) - 1
    commas = _count_per_line(buf, _COMMA, starts, ends)
    quotes = _count_per_line(buf, _QUOTE, starts, ends)
    inner_cr = _count_per_line(buf, _CR, starts, ends)
    high = _count_per_line_mask(buf >= 0x80, starts, ends)

    fast = np.zeros(n_lines, dtype=bool)
    fast[data_lines] = True
    fast &= (quotes == 0) & (inner_cr == 0) & (commas == expected_commas) & (lengths <= MAX_LINE_BYTES)
    slow = np.setdiff1d(data_lines, np.flatnonzero(fast), assume_unique=True)
    # non-ASCII lines must be valid UTF-8: checked per line (few in practice), failures become rejections
    for i in np.flatnonzero(fast & (high > 0)):
        try:
            raw[starts[i] : ends[i]].decode("utf-8")
        except UnicodeDecodeError:
            fast[i] = False
            slow = np.append(slow, i)
    slow.sort()

    pieces: list[pa.Table] = []
    fast_rows = np.flatnonzero(fast)
    if fast_rows.size:
        pieces.append(_arrow_rows(buf, raw, starts, spans_end, fast, fast_rows, names, columns))
    rejections: list[Rejection] = []
    slow_rows: list[int] = []
    slow_values: list[list[str]] = []
    for i in slow:
        row = int(i)
        rejection, values = _slow_line(raw[starts[row] : ends[row]], row, len(names))
        if rejection is not None:
            rejections.append(rejection)
        else:
            slow_rows.append(row)
            slow_values.append(values)
    if slow_rows:
        position = {name: k for k, name in enumerate(names)}
        pieces.append(
            pa.table(
                {
                    "row_number": pa.array(slow_rows, pa.int64()),
                    **{c: pa.array([v[position[c]] for v in slow_values], pa.string()) for c in columns},
                }
            )
        )
    if pieces:
        table = pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]
        parsed.table = normalize_values(table.sort_by("row_number") if len(pieces) > 1 else table, columns)
    parsed.rejections = rejections
    return parsed


NULL_IF: Final = ("", "\\N", "NULL", "null")


def normalize_values(table: pa.Table, columns: Sequence[str]) -> pa.Table:
    """TRIM_SPACE = TRUE and NULL_IF = ('', '\\N', 'NULL', 'null'), vectorised (pyarrow compute)."""
    nulls = pa.array(NULL_IF, pa.string())
    out = table
    for name in columns:
        values = pc.utf8_trim_whitespace(table.column(name))
        is_null = pc.is_in(values, value_set=nulls)
        if pc.any(is_null).as_py():
            values = pc.if_else(is_null, None, values)
        out = out.set_column(out.schema.get_field_index(name), name, values)
    return out


# ---- the clean-file fast path ---------------------------------------------------------------------


def _parse_clean(raw: bytes, columns: Sequence[str]) -> ParsedFile | None:
    """The common case, with whole-buffer C passes only: a valid header, no quote character, no blank
    line, no stray CR, valid UTF-8 and exactly one field per column on every line (pyarrow raises on any
    other line). None when the file needs the line-by-line path."""
    header_end = raw.find(b"\n")
    if header_end <= 0 or b'"' in raw or b"\n\n" in raw:
        return None
    if b"\r" in raw and (raw.count(b"\r") != raw.count(b"\r\n") or b"\n\r\n" in raw):
        return None
    header_issue, names = _check_header(raw[:header_end].rstrip(b"\r"), columns)
    if header_issue is not None or not raw[header_end + 1 :].strip():
        return None  # the general path words header problems and header-only files
    lines = raw.count(b"\n", header_end + 1) + (0 if raw.endswith(b"\n") else 1)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(raw),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=8 << 20),
            parse_options=pacsv.ParseOptions(delimiter=",", quote_char=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if table.num_rows != lines:
        return None
    rows = pa.table(
        {
            "row_number": pa.array(np.arange(1, lines + 1, dtype=np.int64)),
            **{c: table.column(c) for c in columns},
        }
    )
    return ParsedFile(lines, normalize_values(rows, columns), [], None, raw)


# ---- container: compression and encoding ----------------------------------------------------------

_MAGIC: Final = (
    (b"PK\x03\x04", "zip"),
    (b"BZh", "bzip2"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xfd7zXZ\x00", "xz"),
)


def _decode_container(data: bytes) -> tuple[bytes, Rejection | None]:
    if not data:
        return b"", Rejection(0, "", "EMPTY_FILE", "empty file (0 bytes): no header and no rows")
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            return b"", Rejection(0, _preview(data), "BAD_COMPRESSION", f"corrupt gzip stream: {exc}")
        if not data:
            return b"", Rejection(
                0, "", "EMPTY_FILE", "empty file (gzip with no content): no header and no rows"
            )
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return b"", Rejection(
                0,
                _preview(data),
                "UNSUPPORTED_COMPRESSION",
                f"{name}-compressed file: only gzip is supported",
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return b"", Rejection(0, _preview(data), "BAD_ENCODING", "UTF-16 encoded file: expected UTF-8")
    return data, None


def _preview(data: bytes, limit: int = 120) -> str:
    return data[:limit].decode("utf-8", errors="backslashreplace")


# ---- line index ---------------------------------------------------------------------------------


def _line_index(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end (without CR/LF) and end including the newline of every line."""
    newlines = np.flatnonzero(buf == _NL)
    size = buf.size
    starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
    spans_end = np.concatenate((newlines + 1, [size])).astype(np.int64)
    ends = np.concatenate((newlines, [size])).astype(np.int64)
    if starts[-1] == size and len(starts) > 1:  # the file ends with a newline: no last empty line
        starts, ends, spans_end = starts[:-1], ends[:-1], spans_end[:-1]
    has_cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == _CR) if size else np.zeros(len(ends), bool)
    ends = ends - has_cr.astype(np.int64)
    return starts, ends, spans_end


def _count_per_line(buf: np.ndarray, byte: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    positions = np.flatnonzero(buf == byte)
    return np.searchsorted(positions, ends) - np.searchsorted(positions, starts)


def _count_per_line_mask(mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    positions = np.flatnonzero(mask)
    return np.searchsorted(positions, ends) - np.searchsorted(positions, starts)


# ---- header ---------------------------------------------------------------------------------------

_OTHER_DELIMITERS: Final = ((";", "semicolon"), ("\t", "tab"), ("|", "pipe"))


def _check_header(header: bytes, columns: Sequence[str]) -> tuple[Rejection | None, list[str]]:
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = header.decode("utf-8", errors="backslashreplace")
        return Rejection(
            0, shown, "BAD_ENCODING", f"header is not valid UTF-8 ({exc.reason} at byte {exc.start})"
        ), []
    try:
        fields = next(csv.reader([text], strict=True), [])
    except csv.Error as exc:
        return Rejection(0, text, "BAD_HEADER", f"header is not valid CSV ({exc})"), []
    names = [f.strip().lower() for f in fields]
    expected = list(columns)
    if sorted(names) == sorted(expected):
        return None, names
    if len(names) <= 1:
        for delimiter, label in _OTHER_DELIMITERS:
            split = [f.strip().lower() for f in text.split(delimiter)]
            if len(split) > 1 and set(split) & set(expected):
                return (
                    Rejection(
                        0,
                        text,
                        "WRONG_DELIMITER",
                        f"wrong delimiter: the header is {label}-separated, expected commas",
                    ),
                    [],
                )
    duplicated = sorted({n for n in names if names.count(n) > 1})
    missing = [c for c in expected if c not in names]
    extra = [n for n in dict.fromkeys(names) if n not in expected]
    parts = []
    if not set(names) & set(expected):
        parts.append("no header row (the first line names none of the expected columns)")
    else:
        if missing:
            parts.append(f"header is missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"header has unexpected column(s) {', '.join(repr(e) for e in extra)}")
        if duplicated:
            parts.append(f"header repeats column(s) {', '.join(duplicated)}")
    code = (
        "MISSING_COLUMNS"
        if missing and not extra
        else "EXTRA_COLUMNS"
        if extra and not missing
        else "BAD_HEADER"
    )
    return Rejection(0, text, code, "; ".join(parts) + f" (expected {', '.join(expected)})"), []


# ---- rows -------------------------------------------------------------------------------------------


def _arrow_rows(
    buf: np.ndarray,
    raw: bytes,
    starts: np.ndarray,
    spans_end: np.ndarray,
    fast: np.ndarray,
    rows: np.ndarray,
    names: list[str],
    columns: Sequence[str],
) -> pa.Table:
    """Split the fast lines with pyarrow (quoting off: these lines contain no quote character)."""
    if rows.size == len(starts) - 1 and spans_end[-1] == buf.size:
        body = raw[starts[1] :]  # every data line is fast: no copy needed
    else:
        keep = np.repeat(fast, spans_end - starts)
        body = buf[keep].tobytes()
    if not body.endswith(b"\n"):
        body += b"\n"
    table = pacsv.read_csv(
        io.BytesIO(body),
        read_options=pacsv.ReadOptions(column_names=names, block_size=8 << 20),
        parse_options=pacsv.ParseOptions(delimiter=",", quote_char=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if table.num_rows != rows.size:
        raise AssertionError(f"pyarrow split {table.num_rows} rows from {rows.size} lines")
    return pa.table({"row_number": pa.array(rows, pa.int64()), **{c: table.column(c) for c in columns}})


def _slow_line(line: bytes, row: int, expected_fields: int) -> tuple[Rejection | None, list[str]]:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = line.decode("utf-8", errors="backslashreplace")
        bad = line[exc.start : exc.start + 1].hex()
        return Rejection(
            row, shown, "BAD_ENCODING", f"invalid UTF-8 byte 0x{bad} at byte {exc.start + 1} of the line"
        ), []
    if len(line) > MAX_LINE_BYTES:
        return Rejection(
            row, text[:2000], "MALFORMED_CSV", f"line is {len(line):,} bytes (limit {MAX_LINE_BYTES:,})"
        ), []
    if "\r" in text:
        return Rejection(row, text, "MALFORMED_CSV", "carriage return inside the line"), []
    try:
        fields = next(csv.reader([text], strict=True))
    except csv.Error as exc:
        message = str(exc)
        if "unexpected end of data" in message or "EOF" in message:
            reason = "unbalanced quotes: a quoted field is not closed on this line"
        else:
            reason = f"malformed quoting ({message})"
        return Rejection(row, text, "MALFORMED_CSV", reason), []
    if len(fields) != expected_fields:
        kind = "extra" if len(fields) > expected_fields else "missing"
        return (
            Rejection(
                row,
                text,
                "FIELD_COUNT",
                f"row has {len(fields)} fields, the header has {expected_fields} ({kind} fields)",
            ),
            [],
        )
    return None, fields
