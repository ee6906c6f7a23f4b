"""Structural parsing of a landed transactions file: bytes -> records of text fields + rejected records.

This is the part of COPY that reads the file (the file format): decompression, encoding, the header,
the delimiter, quoting and field counts, with the options of c360/landing/fileformat.py (the same
definition the Pulumi stack declares on Snowflake). Values are typed and checked afterwards in SQL
(sql/pipe/check_transactions.sql).

Records (RFC 4180, Snowflake's CSV parsing): a record ends at a line break (LF or CRLF) outside quotes.
A field that starts with the enclosing quote runs to the matching quote, so it may hold the delimiter,
a doubled quote ("" = one quote) and line breaks (MULTI_LINE); a quote inside an unquoted field is an
ordinary character. The first line is the header (SKIP_HEADER = 1): it must name the eight columns (any
order, any case); values are mapped by name.

Row numbers: row n is the n-th record after the header; a skipped blank line counts as a record number
too, so for files without line breaks inside quotes row n is line n + 1 of the (decompressed) file. Row 0
stands for the file itself (header or file-level issues). For every file, loaded + quarantined = records.

Malformed quoting (a quote opened and never closed, text after a closing quote) makes the record an error;
reading resumes at the next line, so one bad quote costs one record, never the rest of the file.

Speed: the line index, field counts and encoding checks are numpy passes over the whole buffer; the
common lines (no quote character, no stray CR) are split by pyarrow's C++ CSV reader. Only records
containing a quote character or failing a check go through Python, one record at a time.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from c360.landing.fileformat import LANDING_CSV, CsvFileFormat
from c360.names import TRANSACTION_FILE_COLUMNS

MAX_RECORD_BYTES: Final = 16_384
UTF8_BOM: Final = b"\xef\xbb\xbf"
_NL, _CR = 10, 13


@dataclass(frozen=True)
class Rejection:
    row_number: int  # 0 = the file / its header
    raw_line: str  # the record's text (all its lines when a quoted field spans lines)
    code: str
    reason: str


@dataclass
class ParsedFile:
    """Records that passed the structural checks (as text, canonical column order) and every rejection."""

    rows_in_file: int  # records after the header, skipped blank lines not counted
    table: pa.Table  # row_number int64 + TRANSACTION_FILE_COLUMNS as strings
    rejections: list[Rejection] = field(default_factory=list)  # data records (row_number >= 1)
    file_issue: Rejection | None = None  # a file-level finding (row 0): empty, header-only, bad header...
    _buffer: bytes = b""
    _starts: np.ndarray | None = None  # byte offset where each record starts (index = row number)
    _ends: np.ndarray | None = None  # and where it ends (without its line break)

    def raw_line(self, row_number: int) -> str:
        """The original text of data record `row_number` (invalid UTF-8 shown as \\xNN escapes)."""
        if self._starts is None or self._ends is None:
            self._starts, self._ends, _ = _line_index(np.frombuffer(self._buffer, dtype=np.uint8))
        start, end = int(self._starts[row_number]), int(self._ends[row_number])
        return self._buffer[start:end].decode("utf-8", errors="backslashreplace")


def empty_table(columns: Sequence[str] = TRANSACTION_FILE_COLUMNS) -> pa.Table:
    return pa.table(
        {"row_number": pa.array([], pa.int64()), **{c: pa.array([], pa.string()) for c in columns}}
    )


def parse_transactions_file(
    data: bytes,
    *,
    columns: Sequence[str] = TRANSACTION_FILE_COLUMNS,
    file_format: CsvFileFormat = LANDING_CSV,
) -> ParsedFile:
    """Split a landed file into structurally valid records and rejections (never raises for bad content)."""
    _require_supported(file_format)
    raw, issue = _decode_container(data)
    if issue is not None:
        return ParsedFile(0, empty_table(columns), [], issue)
    if file_format.skip_byte_order_mark and raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM) :]
    return _parse_clean(raw, columns, file_format) or _parse_lines(raw, columns, file_format)


def _require_supported(fmt: CsvFileFormat) -> None:
    """The options the local reader implements; anything else would silently differ from Snowflake."""
    unsupported = []
    if fmt.skip_header != 1:
        unsupported.append("SKIP_HEADER other than 1 (the header names the columns)")
    if fmt.encoding.upper().replace("-", "") != "UTF8":
        unsupported.append("ENCODING other than UTF8")
    if fmt.escape_unenclosed_field is not None:
        unsupported.append("ESCAPE_UNENCLOSED_FIELD")
    if fmt.replace_invalid_characters:
        unsupported.append("REPLACE_INVALID_CHARACTERS = TRUE")
    if fmt.compression.upper() not in {"AUTO", "GZIP", "NONE"}:
        unsupported.append(f"COMPRESSION = {fmt.compression}")
    if unsupported:
        raise ValueError(f"the local CSV reader does not implement {', '.join(unsupported)}")


# ---- the general path: records, quoting, per-record checks -----------------------------------------


def _parse_lines(raw: bytes, columns: Sequence[str], fmt: CsvFileFormat = LANDING_CSV) -> ParsedFile:
    """A line index, then per-line checks; lines with a quote character (and the lines their quoted
    fields span) or failing a check are read as records in Python, the rest by pyarrow."""
    buf = np.frombuffer(raw, dtype=np.uint8)
    starts, ends, spans_end = _line_index(buf)
    n_lines = len(starts)
    header_text = raw[starts[0] : ends[0]] if n_lines else b""
    header_issue, names = _check_header(header_text, columns, fmt)
    lengths = ends - starts
    blank = lengths == 0
    delimiter, quote = ord(fmt.field_delimiter), fmt.field_optionally_enclosed_by
    quotes = _count_per_line(buf, ord(quote), starts, ends) if quote else np.zeros(n_lines, dtype=np.int64)

    # which lines start a record, and where each record ends (a quoted field may span lines)
    record_end = np.arange(n_lines, dtype=np.int64)
    continuation = np.zeros(n_lines, dtype=bool)
    parsed_records: dict[int, tuple[Rejection | None, list[str]]] = {}
    expected = len(names) if header_issue is None else 0
    # records are found with or without a valid header: every record is counted once
    candidates = np.flatnonzero(quotes > 0)
    candidates = candidates[candidates > 0]
    next_free, k = 1, 0
    while k < candidates.size:
        if candidates[k] < next_free:
            k += 1
            continue
        k = _single_line_records(raw, starts, spans_end, candidates, k, expected, fmt, parsed_records)
        if k == candidates.size:
            break
        line = int(candidates[k])  # a record that spans lines or is malformed: read it line by line
        last, outcome = _read_record(raw, starts, ends, spans_end, line, expected, fmt)
        parsed_records[line] = outcome
        if last > line:
            record_end[line] = last
            continuation[line + 1 : last + 1] = True
        next_free = last + 1
        k += 1

    is_record = ~continuation
    is_record[0] = False  # the header
    ordinal = np.cumsum(is_record)  # row number of each record-start line
    record_lines = np.flatnonzero(is_record)
    data_lines = record_lines[~blank[record_lines]] if fmt.skip_blank_lines else record_lines
    rows_in_file = int(data_lines.size)
    record_starts = np.concatenate(([starts[0] if n_lines else 0], starts[record_lines])).astype(np.int64)
    record_ends = np.concatenate(([ends[0] if n_lines else 0], ends[record_end[record_lines]])).astype(
        np.int64
    )
    parsed = ParsedFile(rows_in_file, empty_table(columns), [], None, raw, record_starts, record_ends)

    if header_issue is not None:
        parsed.file_issue = header_issue
        parsed.rejections = [
            Rejection(
                int(ordinal[i]),
                parsed.raw_line(int(ordinal[i]))[:MAX_RECORD_BYTES],
                header_issue.code,
                header_issue.reason,
            )
            for i in data_lines
        ]
        return parsed
    if rows_in_file == 0:
        parsed.file_issue = Rejection(
            0, header_text.decode("utf-8", "backslashreplace"), "NO_DATA", "header-only file: no data rows"
        )
        return parsed

    commas = _count_per_line(buf, delimiter, starts, ends)
    inner_cr = _count_per_line(buf, _CR, starts, ends)
    high = _count_per_line_mask(buf >= 0x80, starts, ends)
    fast = np.zeros(n_lines, dtype=bool)
    fast[data_lines] = True
    fast &= (quotes == 0) & (inner_cr == 0) & (commas == expected - 1) & (lengths <= MAX_RECORD_BYTES)
    for i in np.flatnonzero(fast & (high > 0)):  # non-ASCII lines must be valid UTF-8 (few in practice)
        try:
            raw[starts[i] : ends[i]].decode("utf-8")
        except UnicodeDecodeError:
            fast[i] = False
    slow = np.setdiff1d(data_lines, np.flatnonzero(fast), assume_unique=True)

    pieces: list[pa.Table] = []
    fast_rows = np.flatnonzero(fast)
    if fast_rows.size:
        table = _arrow_rows(buf, raw, starts, spans_end, fast, fast_rows, names, columns, fmt)
        pieces.append(table.set_column(0, "row_number", pa.array(ordinal[fast_rows], pa.int64())))
    rejections: list[Rejection] = []
    slow_rows: list[int] = []
    slow_values: list[list[str]] = []
    for i in slow:
        line = int(i)
        row = int(ordinal[line])
        if blank[line]:  # SKIP_BLANK_LINES = FALSE
            rejections.append(
                Rejection(row, "", "FIELD_COUNT", f"blank line: 0 fields, the header has {expected}")
            )
            continue
        rejection, values = (
            parsed_records.get(line) or _read_record(raw, starts, ends, spans_end, line, expected, fmt)[1]
        )
        if rejection is not None:
            shown = parsed.raw_line(row)[:MAX_RECORD_BYTES]
            rejections.append(Rejection(row, shown, rejection.code, rejection.reason))
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
        parsed.table = normalize_values(
            table.sort_by("row_number") if len(pieces) > 1 else table, columns, fmt
        )
    parsed.rejections = rejections
    return parsed


def _csv_reader(source: Iterator[str] | Sequence[str], fmt: CsvFileFormat) -> Iterator[list[str]]:
    quote = fmt.field_optionally_enclosed_by
    return csv.reader(
        source,
        delimiter=fmt.field_delimiter,
        quotechar=quote or '"',
        quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE,
        doublequote=True,
        skipinitialspace=fmt.trim_space,
        strict=True,
    )


def _single_line_records(
    raw: bytes,
    starts: np.ndarray,
    spans_end: np.ndarray,
    candidates: np.ndarray,
    k: int,
    expected: int,
    fmt: CsvFileFormat,
    out: dict[int, tuple[Rejection | None, list[str]]],
) -> int:
    """Read the records of lines candidates[k:] with one csv reader while each is exactly its own line
    (the common case: quoted fields without line breaks), at C speed. Returns the index of the first
    candidate that is not (a quoted field spans lines, bad quoting, bad UTF-8, too long), or the end."""
    position = k
    pulled = 0

    def texts() -> Iterator[str]:
        nonlocal pulled
        for j in range(k, candidates.size):
            line = int(candidates[j])
            chunk = raw[starts[line] : spans_end[line]]
            if len(chunk) > MAX_RECORD_BYTES:
                return
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError:
                return
            pulled += 1
            yield text

    reader = _csv_reader(texts(), fmt)
    while position < candidates.size:
        try:
            fields = next(reader)
        except (csv.Error, StopIteration):
            return position
        if pulled != position - k + 1:  # the record took more than its own line
            return position
        out[int(candidates[position])] = _counted(fields, expected, fmt)
        position += 1
    return position


def _counted(fields: list[str], expected: int, fmt: CsvFileFormat) -> tuple[Rejection | None, list[str]]:
    """ERROR_ON_COLUMN_COUNT_MISMATCH: a rejection, or (FALSE) the fields padded with empties / cut."""
    if len(fields) == expected:
        return None, fields
    if fmt.error_on_column_count_mismatch:
        kind = "extra" if len(fields) > expected else "missing"
        reason = f"row has {len(fields)} fields, the header has {expected} ({kind} fields)"
        return _rejected("FIELD_COUNT", reason), []
    return None, (fields + [""] * expected)[:expected]


def _read_record(
    raw: bytes,
    starts: np.ndarray,
    ends: np.ndarray,
    spans_end: np.ndarray,
    first: int,
    expected: int,
    fmt: CsvFileFormat,
) -> tuple[int, tuple[Rejection | None, list[str]]]:
    """Read the record that starts on line `first`: (its last line, (rejection or None, fields)).

    Python's csv reader pulls further lines only while a quoted field is open, so it finds where the
    record ends. On any error the record is line `first` alone (reading resumes at the next line)."""
    n_lines = len(starts)
    state = {"lines": 0, "bytes": 0, "limited": False}
    bad_line: list[int] = []

    def lines() -> Iterator[str]:
        for line in range(first, n_lines if fmt.multi_line else first + 1):
            chunk = raw[starts[line] : spans_end[line]]
            state["bytes"] += len(chunk)
            if state["bytes"] > MAX_RECORD_BYTES:
                state["limited"] = True
                return
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad_line.append(line)
                text = chunk[: exc.start].decode("utf-8")  # stop here: reported below
                state["lines"] += 1
                yield text
                return
            state["lines"] += 1
            yield text

    reader = _csv_reader(lines(), fmt)
    try:
        fields = next(reader, None)
    except csv.Error as exc:
        fields = None
        error: str | None = str(exc)
    else:
        error = None
    if bad_line:
        chunk = raw[starts[bad_line[0]] : ends[bad_line[0]]]
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            offset = int(starts[bad_line[0]] - starts[first]) + exc.start
            byte = chunk[exc.start : exc.start + 1].hex()
            return first, (
                _rejected("BAD_ENCODING", f"invalid UTF-8 byte 0x{byte} at byte {offset + 1} of the line"),
                [],
            )
    if state["limited"]:
        return first, (
            _rejected(
                "MALFORMED_CSV",
                f"record is longer than {MAX_RECORD_BYTES:,} bytes (a quoted field is not closed, or a line "
                "is too long)",
            ),
            [],
        )
    if error is not None or fields is None:
        return first, (_rejected("MALFORMED_CSV", _quoting_reason(error or "", fmt)), [])
    return first + max(state["lines"], 1) - 1, _counted(fields, expected, fmt)


def _rejected(code: str, reason: str) -> Rejection:
    return Rejection(0, "", code, reason)  # row number and raw text are filled in by the caller


def _quoting_reason(message: str, fmt: CsvFileFormat) -> str:
    if "unexpected end of data" in message or "EOF" in message:
        if fmt.multi_line:
            return "unbalanced quotes: a quoted field opened on this line is never closed"
        return "a quoted field spans lines (MULTI_LINE = FALSE)"
    if "new-line character seen in unquoted field" in message:
        return "carriage return inside the line"
    if "expected after" in message:
        return f"malformed quoting: text after a closing quote ({message})"
    return f"malformed quoting ({message})"


def normalize_values(table: pa.Table, columns: Sequence[str], fmt: CsvFileFormat = LANDING_CSV) -> pa.Table:
    """TRIM_SPACE, NULL_IF and EMPTY_FIELD_AS_NULL of the file format, vectorised (pyarrow compute)."""
    null_strings = set(fmt.null_if) | ({""} if fmt.empty_field_as_null else set())
    nulls = pa.array(sorted(null_strings), pa.string())
    out = table
    for name in columns:
        values = table.column(name)
        if fmt.trim_space:
            values = pc.utf8_trim_whitespace(values)
        if null_strings:
            is_null = pc.is_in(values, value_set=nulls)
            if pc.any(is_null).as_py():
                values = pc.if_else(is_null, None, values)
        out = out.set_column(out.schema.get_field_index(name), name, values)
    return out


# ---- the clean-file fast path ---------------------------------------------------------------------


def _parse_clean(raw: bytes, columns: Sequence[str], fmt: CsvFileFormat = LANDING_CSV) -> ParsedFile | None:
    """The common case, with whole-buffer C passes only: a valid header, no quote character, no blank
    line, no stray CR, valid UTF-8 and exactly one field per column on every line (pyarrow raises on any
    other line). None when the file needs the general path."""
    header_end = raw.find(b"\n")
    quote = fmt.field_optionally_enclosed_by
    if header_end <= 0 or (quote and quote.encode() in raw) or b"\n\n" in raw:
        return None
    if b"\r" in raw and (raw.count(b"\r") != raw.count(b"\r\n") or b"\n\r\n" in raw):
        return None
    header_issue, names = _check_header(raw[:header_end].rstrip(b"\r"), columns, fmt)
    if header_issue is not None or not raw[header_end + 1 :].strip():
        return None  # the general path words header problems and header-only files
    lines = raw.count(b"\n", header_end + 1) + (0 if raw.endswith(b"\n") else 1)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(raw),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=8 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter=fmt.field_delimiter, quote_char=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if table.num_rows != lines or _longest_record(table) > MAX_RECORD_BYTES:
        return None
    rows = pa.table(
        {
            "row_number": pa.array(np.arange(1, lines + 1, dtype=np.int64)),
            **{c: table.column(c) for c in columns},
        }
    )
    return ParsedFile(lines, normalize_values(rows, columns, fmt), [], None, raw)


def _longest_record(table: pa.Table) -> int:
    """Bytes of the longest record (fields plus delimiters), from the parsed columns."""
    if table.num_rows == 0:
        return 0
    total = None
    for column in table.columns:
        length = pc.binary_length(column)
        total = length if total is None else pc.add(total, length)
    return int(pc.max(total).as_py() or 0) + int(table.num_columns) - 1


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
    """Start, end (without CR/LF) and end including the line break of every line."""
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

_OTHER_DELIMITERS: Final = ((",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe"))


def _check_header(
    header: bytes, columns: Sequence[str], fmt: CsvFileFormat = LANDING_CSV
) -> tuple[Rejection | None, list[str]]:
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = header.decode("utf-8", errors="backslashreplace")
        return Rejection(
            0, shown, "BAD_ENCODING", f"header is not valid UTF-8 ({exc.reason} at byte {exc.start})"
        ), []
    try:
        fields = next(
            csv.reader(
                [text],
                delimiter=fmt.field_delimiter,
                quotechar=fmt.field_optionally_enclosed_by or '"',
                quoting=csv.QUOTE_MINIMAL if fmt.field_optionally_enclosed_by else csv.QUOTE_NONE,
                strict=True,
            ),
            [],
        )
    except csv.Error as exc:
        return Rejection(0, text, "BAD_HEADER", f"header is not valid CSV ({exc})"), []
    names = [f.strip().lower() for f in fields]
    expected = list(columns)
    if sorted(names) == sorted(expected):
        return None, names
    if len(names) <= 1:
        for delimiter, label in _OTHER_DELIMITERS:
            if delimiter == fmt.field_delimiter:
                continue
            split = [f.strip().lower() for f in text.split(delimiter)]
            if len(split) > 1 and set(split) & set(expected):
                wanted = dict(_OTHER_DELIMITERS).get(fmt.field_delimiter, repr(fmt.field_delimiter))
                return (
                    Rejection(
                        0,
                        text,
                        "WRONG_DELIMITER",
                        f"wrong delimiter: the header is {label}-separated, expected {wanted}s",
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


# ---- fast records ----------------------------------------------------------------------------------


def _arrow_rows(
    buf: np.ndarray,
    raw: bytes,
    starts: np.ndarray,
    spans_end: np.ndarray,
    fast: np.ndarray,
    rows: np.ndarray,
    names: list[str],
    columns: Sequence[str],
    fmt: CsvFileFormat,
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
        parse_options=pacsv.ParseOptions(
            delimiter=fmt.field_delimiter, quote_char=False, ignore_empty_lines=False
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if table.num_rows != rows.size:
        raise AssertionError(f"pyarrow split {table.num_rows} rows from {rows.size} lines")
    return pa.table({"row_number": pa.array(rows, pa.int64()), **{c: table.column(c) for c in columns}})
