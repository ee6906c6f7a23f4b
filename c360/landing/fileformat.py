"""The landing CSV file format, defined once: the Pulumi stack declares it on Snowflake
(`BRONZE.CSV_FORMAT`, components/ingestion.py renders `snowflake_args()`), and the local pipe's reader
(c360/landing/csvfile.py) implements the same options.

Option semantics follow Snowflake's CREATE FILE FORMAT (TYPE = CSV) reference,
https://docs.snowflake.com/en/sql-reference/sql/create-file-format ; options left out keep Snowflake's
default (RECORD_DELIMITER: a newline, where CRLF counts as a newline; ESCAPE = NONE; DATE/TIMESTAMP
formats AUTO). docs/runbooks/streaming.md has the table of each option, what the local reader does and
what Snowflake does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class CsvFileFormat:
    field_delimiter: str = ","
    skip_header: int = 1  # the first line is the header (locally it must name the columns)
    field_optionally_enclosed_by: str | None = '"'  # None = NONE
    multi_line: bool = True  # a quoted field may contain line breaks
    skip_blank_lines: bool = True
    trim_space: bool = True
    null_if: tuple[str, ...] = ("", "\\N", "NULL", "null")
    empty_field_as_null: bool = True
    error_on_column_count_mismatch: bool = True
    escape_unenclosed_field: str | None = None  # None = NONE: a backslash is an ordinary character
    replace_invalid_characters: bool = False  # invalid UTF-8 is an error for the record
    skip_byte_order_mark: bool = True
    encoding: str = "UTF8"
    compression: str = "AUTO"  # gzip detected by its magic bytes locally

    def __post_init__(self) -> None:
        if len(self.field_delimiter) != 1:
            raise ValueError("FIELD_DELIMITER must be one character")
        quote = self.field_optionally_enclosed_by
        if quote is not None and (len(quote) != 1 or quote == self.field_delimiter):
            raise ValueError("FIELD_OPTIONALLY_ENCLOSED_BY must be one character other than the delimiter")
        if self.skip_header < 0:
            raise ValueError("SKIP_HEADER must not be negative")

    def snowflake_args(self) -> dict[str, Any]:  # values of the provider's declared types, spread into it
        """Keyword arguments of pulumi_snowflake.FileFormatCsv for this format (the provider takes its
        boolean options as the strings "true" / "false")."""
        return {
            "field_delimiter": self.field_delimiter,
            "skip_header": self.skip_header,
            "field_optionally_enclosed_by": self.field_optionally_enclosed_by or "NONE",
            "multi_line": _flag(self.multi_line),
            "skip_blank_lines": _flag(self.skip_blank_lines),
            "trim_space": _flag(self.trim_space),
            "null_ifs": list(self.null_if),
            "empty_field_as_null": _flag(self.empty_field_as_null),
            "error_on_column_count_mismatch": _flag(self.error_on_column_count_mismatch),
            "escape_unenclosed_field": self.escape_unenclosed_field or "NONE",
            "replace_invalid_characters": _flag(self.replace_invalid_characters),
            "skip_byte_order_mark": _flag(self.skip_byte_order_mark),
            "encoding": self.encoding,
            "compression": self.compression,
        }


def _flag(value: bool) -> str:
    return "true" if value else "false"


LANDING_CSV: Final = CsvFileFormat()
