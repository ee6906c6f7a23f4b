"""RFC 4180 records with the landing file format's options (c360/landing/fileformat.py), as Snowflake's
CSV parsing reads them: quoted fields with delimiters, doubled quotes and line breaks; loaded + quarantined
= records in the file, always."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import replace
from pathlib import Path

import pytest

from c360.landing.csvfile import MAX_RECORD_BYTES, parse_transactions_file
from c360.landing.fileformat import LANDING_CSV, CsvFileFormat
from c360.names import TRANSACTION_FILE_COLUMNS
from tests.unit.pipe_harness import HEADER, PipeHarness, csv_body, row


@pytest.fixture
def pipe(tmp_path: Path) -> PipeHarness:
    harness = PipeHarness(tmp_path)
    yield harness
    harness.close()


def record(txn: str, merchant: str, **changes: str) -> str:
    """One CSV record with `merchant` written as RFC 4180 requires (quoted when it needs to be)."""
    buffer = io.StringIO()
    values = row(txn, **changes).split(",")
    values[4] = merchant
    csv.writer(buffer, lineterminator="\r\n").writerow(values)  # quotes fields with CR or LF
    return buffer.getvalue().removesuffix("\r\n")


def values(data: bytes, fmt: CsvFileFormat = LANDING_CSV) -> list[dict[str, object]]:
    return parse_transactions_file(data, file_format=fmt).table.to_pylist()


def test_quoted_line_breaks_are_one_record_each_and_the_counts_add_up(pipe: PipeHarness) -> None:
    """The issue's file: 23 records, 3 with a line break inside a quoted merchant name, 4 bad amounts."""
    rows = []
    for i in range(1, 24):
        merchant = f"Shop\n#{i}" if i in (3, 11, 19) else f"Shop {i}"
        rows.append(record(f"TXS{i:04d}", merchant, amount="abc" if i % 6 == 0 else "12.50"))
    key = pipe.land("multiline.csv", csv_body(*rows, newline="\r\n"))

    (load,) = pipe.run().loads

    assert (load.rows_in_file, load.rows_loaded, load.rows_quarantined) == (23, 20, 3)
    bronze = pipe.bronze(key)
    assert list(bronze["source_row_number"]) == [i for i in range(1, 24) if i % 6 != 0]
    merchants = dict(zip(bronze["transaction_id"], bronze["merchant_name"], strict=True))
    assert merchants["TXS0003"] == "Shop\n#3" and merchants["TXS0019"] == "Shop\n#19"  # kept exactly
    quarantine = pipe.quarantine(key)
    assert list(quarantine["row_number"]) == [6, 12, 18]
    assert set(quarantine["reason_code"]) == {"BAD_AMOUNT"}


def test_delimiters_doubled_quotes_and_blank_lines_inside_quotes() -> None:
    rows = [
        record("TXS1", 'Dave, "the" Shop'),
        record("TXS2", "three\nline\nname"),
        record("TXS3", "blank\n\nline inside"),
        record("TXS4", "plain"),
    ]
    parsed = parse_transactions_file(csv_body(*rows))
    assert parsed.rows_in_file == 4 and not parsed.rejections
    got = {r["transaction_id"]: (r["row_number"], r["merchant_name"]) for r in parsed.table.to_pylist()}
    assert got == {
        "TXS1": (1, 'Dave, "the" Shop'),
        "TXS2": (2, "three\nline\nname"),
        "TXS3": (3, "blank\n\nline inside"),
        "TXS4": (4, "plain"),
    }
    assert parsed.raw_line(2) == '"three\nline\nname"'.join(rows[1].split('"three\nline\nname"'))


def test_a_quote_inside_an_unquoted_field_is_an_ordinary_character() -> None:
    data = csv_body(row("TXS1").replace("Kroger", '27" TV Store'), row("TXS2"))
    parsed = parse_transactions_file(data)
    assert not parsed.rejections
    assert [r["merchant_name"] for r in parsed.table.to_pylist()] == ['27" TV Store', "Kroger"]


def test_a_quote_that_never_closes_costs_one_record_not_the_rest_of_the_file() -> None:
    bad = row("TXS2").replace("Kroger", '"Kroger')
    later = record("TXS4", "Quoted, Later")
    data = csv_body(row("TXS1"), bad, row("TXS3"), later, row("TXS5"))
    parsed = parse_transactions_file(data)
    assert parsed.rows_in_file == 5
    assert [(r.row_number, r.code) for r in parsed.rejections] == [(2, "MALFORMED_CSV")]
    assert parsed.rejections[0].raw_line == bad
    assert [r["transaction_id"] for r in parsed.table.to_pylist()] == ["TXS1", "TXS3", "TXS4", "TXS5"]


def test_text_after_a_closing_quote_is_malformed() -> None:
    parsed = parse_transactions_file(csv_body(row("TXS1").replace("Kroger", '"Kro"ger'), row("TXS2")))
    assert [(r.row_number, r.code) for r in parsed.rejections] == [(1, "MALFORMED_CSV")]
    assert "text after a closing quote" in parsed.rejections[0].reason


def test_a_quoted_field_longer_than_the_record_limit_is_rejected_and_reading_resumes() -> None:
    huge = record("TXS1", "x" * (MAX_RECORD_BYTES + 10))
    parsed = parse_transactions_file(csv_body(huge, row("TXS2")))
    assert parsed.rows_in_file == 2
    assert [(r.row_number, r.code) for r in parsed.rejections] == [(1, "MALFORMED_CSV")]
    assert len(parsed.rejections[0].raw_line) <= MAX_RECORD_BYTES
    assert [r["transaction_id"] for r in parsed.table.to_pylist()] == ["TXS2"]


def test_row_numbers_count_records_and_skipped_blank_lines() -> None:
    data = csv_body(record("TXS1", "a\nb"), "", row("TXS3"), record("TXS4", "c\nd"), row("TXS5"))
    parsed = parse_transactions_file(data)
    assert parsed.rows_in_file == 4
    assert [r["row_number"] for r in parsed.table.to_pylist()] == [1, 3, 4, 5]


def test_a_bad_header_rejects_every_record_once_even_across_lines() -> None:
    data = csv_body(record("TXS1", "a\nb"), row("TXS2"), header=HEADER.replace("status", "state"))
    parsed = parse_transactions_file(data)
    assert parsed.file_issue is not None and parsed.file_issue.code == "BAD_HEADER"
    assert parsed.rows_in_file == 2 and [r.row_number for r in parsed.rejections] == [1, 2]


def test_file_format_options() -> None:
    spanning = csv_body(record("TXS1", "a\nb"), row("TXS2"))
    single = replace(LANDING_CSV, multi_line=False)
    parsed = parse_transactions_file(spanning, file_format=single)
    assert parsed.rows_in_file == 3  # without MULTI_LINE the line break ends the record
    assert [(r.row_number, r.code) for r in parsed.rejections] == [(1, "MALFORMED_CSV"), (2, "FIELD_COUNT")]
    assert "MULTI_LINE = FALSE" in parsed.rejections[0].reason

    blank = csv_body(row("TXS1"), "", row("TXS2"))
    assert parse_transactions_file(blank).rows_in_file == 2
    strict = parse_transactions_file(blank, file_format=replace(LANDING_CSV, skip_blank_lines=False))
    assert strict.rows_in_file == 3 and [(r.row_number, r.code) for r in strict.rejections] == [
        (2, "FIELD_COUNT")
    ]

    short = csv_body(row("TXS1").rsplit(",", 1)[0])
    assert parse_transactions_file(short).rejections[0].code == "FIELD_COUNT"
    padded = values(short, replace(LANDING_CSV, error_on_column_count_mismatch=False))
    assert padded[0]["channel"] == "In-Store" and padded[0]["status"] is None

    spaced = csv_body(row("TXS1").replace("Kroger", '  "Kroger, Inc."  ').replace(",Grocery", ", NULL"))
    assert parse_transactions_file(spaced).rejections[0].code == "MALFORMED_CSV"  # spaces after the quote
    spaced = csv_body(row("TXS1").replace("Kroger", '  "Kroger, Inc."').replace(",Grocery", ", NULL"))
    (loaded,) = values(spaced)
    assert (loaded["merchant_name"], loaded["merchant_category"]) == ("Kroger, Inc.", None)
    untrimmed = replace(LANDING_CSV, null_if=(), trim_space=False)
    # without TRIM_SPACE a space before the quote makes the quote part of an unquoted field (Snowflake's
    # documented behaviour): the comma inside then splits the field
    assert parse_transactions_file(spaced, file_format=untrimmed).rejections[0].code == "FIELD_COUNT"
    (kept,) = values(csv_body(row("TXS1", category=" null")), untrimmed)
    assert kept["merchant_category"] == " null"

    empty = csv_body(row("TXS1", category=""))
    assert values(empty)[0]["merchant_category"] is None
    as_text = replace(LANDING_CSV, null_if=("NULL",), empty_field_as_null=False)
    assert values(empty, as_text)[0]["merchant_category"] == ""

    semicolons = csv_body(row("TXS1").replace(",", ";"), header=HEADER.replace(",", ";"))
    assert values(semicolons, replace(LANDING_CSV, field_delimiter=";"))[0]["channel"] == "In-Store"
    assert parse_transactions_file(semicolons).file_issue.code == "WRONG_DELIMITER"

    quoted = csv_body(record("TXS1", "a, b"))
    unquoting_off = parse_transactions_file(
        quoted, file_format=replace(LANDING_CSV, field_optionally_enclosed_by=None)
    )
    assert unquoting_off.rejections[0].code == "FIELD_COUNT"  # the comma splits: quotes are ordinary

    with pytest.raises(ValueError, match="SKIP_HEADER"):
        parse_transactions_file(quoted, file_format=replace(LANDING_CSV, skip_header=0))
    with pytest.raises(ValueError, match="ESCAPE_UNENCLOSED_FIELD"):
        parse_transactions_file(quoted, file_format=replace(LANDING_CSV, escape_unenclosed_field="\\"))


ALPHABET = ["a", "b", " ", ",", '"', "\n", "\r\n", "é", "'", ";", "z"]


@pytest.mark.parametrize("seed", range(5))
def test_any_file_pythons_csv_module_writes_reads_back_record_for_record(seed: int) -> None:
    """An independent oracle: records written by Python's RFC 4180 writer (random merchants full of
    delimiters, quotes and line breaks; CRLF or LF) come back one for one, values equal after TRIM_SPACE."""
    rng = random.Random(seed)
    newline = rng.choice(["\n", "\r\n"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(TRANSACTION_FILE_COLUMNS)
    expected = []
    for i in range(300):
        merchant = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12))).strip() or "x"
        values_ = row(f"TXS{i:04d}").split(",")
        values_[4] = merchant
        writer.writerow(values_)
        expected.append((i + 1, f"TXS{i:04d}", merchant))
    data = buffer.getvalue().encode("utf-8")

    parsed = parse_transactions_file(data)

    assert parsed.rows_in_file == 300 and not parsed.rejections
    got = [(r["row_number"], r["transaction_id"], r["merchant_name"]) for r in parsed.table.to_pylist()]
    assert got == expected
