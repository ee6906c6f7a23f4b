"""Every bad input the pipe must survive: a precise quarantine reason, nothing lost, the next file loads."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from tests.unit.pipe_harness import HEADER, PipeHarness, csv_body, row


@pytest.fixture
def pipe(tmp_path: Path) -> PipeHarness:
    harness = PipeHarness(tmp_path)
    yield harness
    harness.close()


@dataclass(frozen=True)
class Case:
    body: bytes
    rows: int
    loaded: int
    status: str
    # row number -> (reason_code, a phrase the reason must contain); row 0 is the file-level entry
    expect: dict[int, tuple[str, str]] = field(default_factory=dict)
    gzip: bool = False


GOOD = row("TXS0001")
CASES: dict[str, Case] = {
    "unbalanced quotes": Case(
        csv_body(
            GOOD,
            'TXS0002,CUST00000002,2026-10-15 09:31:00,10.00,"Kroger,Grocery,In-Store,approved',
            row("TXS0003"),
        ),
        3,
        2,
        "PARTIALLY_LOADED",
        {2: ("MALFORMED_CSV", "unbalanced quotes")},
    ),
    "quoted field with a comma loads": Case(
        csv_body('TXS0002,CUST00000002,2026-10-15 09:31:00,10.00,"Dave, Inc.",Grocery,In-Store,approved'),
        1,
        1,
        "LOADED",
    ),
    "wrong delimiter": Case(
        csv_body(
            "TXS0001;CUST00000001;2026-10-15 09:30:00;42.50;Kroger;Grocery;In-Store;approved",
            header=HEADER.replace(",", ";"),
        ),
        1,
        0,
        "LOAD_FAILED",
        {0: ("WRONG_DELIMITER", "semicolon-separated"), 1: ("WRONG_DELIMITER", "expected commas")},
    ),
    "header missing a column": Case(
        csv_body(
            "TXS0001,CUST00000001,2026-10-15 09:30:00,42.50,Kroger,Grocery,approved",
            header=HEADER.replace(",channel", ""),
        ),
        1,
        0,
        "LOAD_FAILED",
        {
            0: ("MISSING_COLUMNS", "missing column(s) channel"),
            1: ("MISSING_COLUMNS", "missing column(s) channel"),
        },
    ),
    "header with an extra column": Case(
        csv_body(GOOD + ",USD", header=HEADER + ",currency"),
        1,
        0,
        "LOAD_FAILED",
        {1: ("EXTRA_COLUMNS", "unexpected column(s) 'currency'")},
    ),
    "no header row": Case(
        (GOOD + "\n" + row("TXS0002") + "\n").encode(),
        1,
        0,
        "LOAD_FAILED",
        {0: ("BAD_HEADER", "no header row"), 1: ("BAD_HEADER", "no header row")},
    ),
    "rows with missing and extra fields": Case(
        csv_body(
            GOOD,
            "TXS0002,CUST00000002,2026-10-15 09:31:00,10.00,Kroger,Grocery,approved",
            GOOD.replace("0001", "0003") + ",x",
        ),
        3,
        1,
        "PARTIALLY_LOADED",
        {
            2: ("FIELD_COUNT", "row has 7 fields, the header has 8 (missing fields)"),
            3: ("FIELD_COUNT", "row has 9 fields, the header has 8 (extra fields)"),
        },
    ),
    "reordered header loads by name": Case(
        csv_body(
            "approved,In-Store,Grocery,Kroger,42.50,2026-10-15 09:30:00,CUST00000001,TXS0001",
            header=",".join(reversed(HEADER.split(","))).upper(),
        ),
        1,
        1,
        "LOADED",
    ),
    "wrong types": Case(
        csv_body(
            row("TXS0002", amount="abc"),
            row("TXS0003", at="2026-13-45 25:61:00"),
            row("TXS0004", at="10/15/2026 09:00"),
            row("TXS0005", amount="12.345"),
            row("TXS0006", amount="$12.00"),
            GOOD,
        ),
        6,
        1,
        "PARTIALLY_LOADED",
        {
            1: ("BAD_AMOUNT", "transaction_amount 'abc' is not a number"),
            2: ("BAD_TIMESTAMP", "transaction_date '2026-13-45 25:61:00' is not a valid timestamp"),
            3: ("BAD_TIMESTAMP", "'10/15/2026 09:00' is not a valid timestamp"),
            4: ("BAD_AMOUNT", "'12.345' is not a number with at most 2 decimals"),
            5: ("BAD_AMOUNT", "'$12.00'"),
        },
    ),
    "null and empty ids": Case(
        csv_body(row(""), row("NULL"), row("TXS0003", customer=""), row("TXS0004", customer="\\N"), GOOD),
        5,
        1,
        "PARTIALLY_LOADED",
        {
            1: ("MISSING_TRANSACTION_ID", "transaction_id is empty"),
            2: ("MISSING_TRANSACTION_ID", "transaction_id is empty"),
            3: ("MISSING_CUSTOMER_ID", "customer_id is empty"),
            4: ("MISSING_CUSTOMER_ID", "customer_id is empty"),
        },
    ),
    "amount not positive or absurdly large": Case(
        csv_body(
            row("TXS0002", amount="0.00"),
            row("TXS0003", amount="-25.00"),
            row("TXS0004", amount="250000.00"),
            row("TXS0005", amount="1e12"),
            row("TXS0006", amount="100000.00"),
        ),
        5,
        1,
        "PARTIALLY_LOADED",
        {
            1: ("NON_POSITIVE_AMOUNT", "transaction_amount 0.00 is not positive"),
            2: ("NON_POSITIVE_AMOUNT", "-25.00 is not positive"),
            3: ("AMOUNT_TOO_LARGE", "250000.00 exceeds the per-transaction limit of 100000.00"),
            4: ("AMOUNT_TOO_LARGE", "1e12 exceeds"),
        },
    ),
    "unknown customer": Case(
        csv_body(row("TXS0002", customer="CUST99999999"), row("TXS0003", customer="bob"), GOOD),
        3,
        1,
        "PARTIALLY_LOADED",
        {
            1: ("UNKNOWN_CUSTOMER", "customer_id 'CUST99999999' is not a known customer"),
            2: ("UNKNOWN_CUSTOMER", "'bob' is not a known customer"),
        },
    ),
    "future timestamp beyond tolerance": Case(
        # the pipe clock is 2026-10-15 12:00:00 with 15 minutes' tolerance
        csv_body(
            row("TXS0002", at="2026-10-15 12:20:00"),
            row("TXS0003", at="2026-10-15 12:10:00"),
            row("TXS0004", at="1999-12-31 23:59:59"),
        ),
        3,
        1,
        "PARTIALLY_LOADED",
        {
            1: ("FUTURE_TIMESTAMP", "2026-10-15 12:20:00 is in the future (after 2026-10-15 12:15:00"),
            3: ("TIMESTAMP_TOO_OLD", "is before 2000-01-01"),
        },
    ),
    "bad enumerations": Case(
        csv_body(
            row("TXS0002", channel="Phone"),
            row("TXS0003", status="pending"),
            row("TXS0004", category="Crypto"),
            row("TXS0005", category=""),
        ),
        4,
        1,
        "PARTIALLY_LOADED",
        {
            1: ("BAD_CHANNEL", "channel 'Phone' is not one of Online, In-Store, Mobile"),
            2: ("BAD_STATUS", "status 'pending' is not one of approved, declined"),
            3: ("UNKNOWN_CATEGORY", "merchant_category 'Crypto' is not a known category"),
        },
    ),
    "empty file": Case(b"", 0, 0, "NO_DATA", {0: ("EMPTY_FILE", "empty file (0 bytes)")}),
    "header-only file": Case(csv_body(), 0, 0, "NO_DATA", {0: ("NO_DATA", "header-only file: no data rows")}),
    "gzip-compressed file": Case(csv_body(GOOD, row("TXS0002")), 2, 2, "LOADED", gzip=True),
    "corrupt gzip": Case(
        gzip.compress(csv_body(GOOD))[:-12], 0, 0, "LOAD_FAILED", {0: ("BAD_COMPRESSION", "corrupt gzip")}
    ),
    "zip is not supported": Case(
        b"PK\x03\x04rest-of-a-zip", 0, 0, "LOAD_FAILED", {0: ("UNSUPPORTED_COMPRESSION", "zip-compressed")}
    ),
    "UTF-8 BOM and CRLF": Case(
        b"\xef\xbb\xbf" + csv_body(GOOD, row("TXS0002"), newline="\r\n"), 2, 2, "LOADED"
    ),
    "non-UTF-8 bytes": Case(
        csv_body(GOOD).replace(b"Kroger", b"Caf\xe9 Kroger")
        + row("TXS0002", merchant="Café").encode()
        + b"\n",
        2,
        1,
        "PARTIALLY_LOADED",
        {1: ("BAD_ENCODING", "invalid UTF-8 byte 0xe9")},
    ),
    "blank lines are skipped": Case(csv_body(GOOD, "", row("TXS0002"), ""), 2, 2, "LOADED"),
    "duplicate ids inside a file": Case(
        csv_body(GOOD, row("TXS0002"), row("TXS0001", amount="99.00")),
        3,
        2,
        "PARTIALLY_LOADED",
        {3: ("DUPLICATE_IN_FILE", "duplicate transaction_id 'TXS0001' (first at row 1 of this file)")},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_quarantined_with_a_reason_and_the_next_file_loads(pipe: PipeHarness, name: str) -> None:
    case = CASES[name]
    key = pipe.land_gzip("bad.csv.gz", case.body) if case.gzip else pipe.land("bad.csv", case.body)
    next_key = pipe.land("next.csv", csv_body(row("TXS9001"), row("TXS9002")))

    run = pipe.run()

    load = next(load for load in run.loads if load.file_name == key)
    assert (load.status, load.rows_in_file, load.rows_loaded) == (case.status, case.rows, case.loaded)
    assert load.rows_loaded + load.rows_quarantined == load.rows_in_file
    bronze, quarantine = pipe.bronze(key), pipe.quarantine(key)
    assert len(bronze) == load.rows_loaded
    assert len(quarantine[quarantine["row_number"] > 0]) == load.rows_quarantined
    for row_number, (code, phrase) in case.expect.items():
        found = quarantine[quarantine["row_number"] == row_number]
        assert len(found) == 1, f"row {row_number} not quarantined: {quarantine.to_dict('records')}"
        assert found.iloc[0]["reason_code"] == code
        assert phrase in found.iloc[0]["reason"]
    quarantined_rows = set(quarantine["row_number"]) - {0}
    assert not quarantined_rows & set(bronze["source_row_number"]), "a row is both loaded and quarantined"
    history = pipe.history(key)
    assert list(history["status"]) == [case.status]
    assert len(history.iloc[0]["file_checksum"]) == 64
    nxt = next(load for load in run.loads if load.file_name == next_key)
    assert (nxt.status, nxt.rows_loaded) == ("LOADED", 2)
    assert pipe.queue.depth().visible == pipe.queue.depth().in_flight == 0


def test_quarantine_keeps_the_raw_line_exactly(pipe: PipeHarness) -> None:
    bad = 'TXS0002,CUST00000002,2026-10-15 09:31:00,"12,00",Kroger,Grocery,In-Store,approved'
    key = pipe.land("raw.csv", csv_body(GOOD, bad))
    pipe.run()
    quarantine = pipe.quarantine(key)
    assert list(quarantine["raw_line"]) == [bad]
    assert "'12,00' is not a number" in quarantine.iloc[0]["reason"]


def test_reordered_header_maps_values_by_name(pipe: PipeHarness) -> None:
    key = pipe.land("reordered.csv", CASES["reordered header loads by name"].body)
    pipe.run()
    loaded = pipe.bronze(key).iloc[0]
    assert (loaded["transaction_id"], loaded["customer_id"], loaded["channel"], loaded["status"]) == (
        "TXS0001",
        "CUST00000001",
        "In-Store",
        "approved",
    )
    assert (
        float(loaded["transaction_amount"]) == 42.5
        and str(loaded["transaction_date"]) == "2026-10-15 09:30:00"
    )


def test_loaded_values_are_typed_and_carry_load_metadata(pipe: PipeHarness) -> None:
    key = pipe.land(
        "typed.csv", csv_body(row("TXS0001", at="2026-10-15T09:30:15", amount=" 7.5 ", category=""))
    )
    pipe.run()
    loaded = pipe.bronze(key).iloc[0]
    assert str(loaded["transaction_date"]) == "2026-10-15 09:30:15"
    assert float(loaded["transaction_amount"]) == 7.5
    assert pd.isna(loaded["merchant_category"])
    assert loaded["source_file"] == key and loaded["source_row_number"] == 1
    assert loaded["ingestion_timestamp"] is not None


def test_duplicate_ids_across_files_are_quarantined_with_the_first_load(pipe: PipeHarness) -> None:
    first = pipe.land("first.csv", csv_body(GOOD, row("TXS0002")))
    pipe.run()
    second = pipe.land("second.csv", csv_body(row("TXS0002", amount="1.00"), row("TXS0003")))
    run = pipe.run()
    (load,) = run.loads
    assert (load.status, load.rows_loaded, load.rows_quarantined) == ("PARTIALLY_LOADED", 1, 1)
    quarantine = pipe.quarantine(second)
    assert quarantine.iloc[0]["reason_code"] == "DUPLICATE_ALREADY_LOADED"
    assert f"already loaded from {first} (row 2)" in quarantine.iloc[0]["reason"]


def test_same_file_delivered_twice_is_skipped(pipe: PipeHarness) -> None:
    body = csv_body(GOOD, row("TXS0002"))
    key = pipe.land("twice.csv", body)
    pipe.land("twice.csv", body)  # landed again: a second event for identical content
    run = pipe.run()
    assert [load.status for load in run.loads] == ["LOADED", "SKIPPED_DUPLICATE"]
    assert run.loads[1].skipped_duplicate_file and "same name and checksum" in (
        run.loads[1].first_error or ""
    )
    assert len(pipe.bronze(key)) == 2 and pipe.quarantine(key).empty
    assert list(pipe.history(key)["status"]) == ["LOADED", "SKIPPED_DUPLICATE"]


def test_changed_content_under_the_same_name_is_a_new_load(pipe: PipeHarness) -> None:
    key = pipe.land("changed.csv", csv_body(GOOD))
    pipe.run()
    pipe.land("changed.csv", csv_body(GOOD, row("TXS0002")))
    (load,) = pipe.run().loads
    assert (load.status, load.rows_loaded, load.rows_quarantined) == ("PARTIALLY_LOADED", 1, 1)
    assert pipe.quarantine(key).iloc[0]["reason_code"] == "DUPLICATE_ALREADY_LOADED"


def test_file_that_disappears_before_the_load_is_recorded_and_acknowledged(pipe: PipeHarness) -> None:
    key = pipe.land("gone.csv", csv_body(GOOD))
    pipe.store.delete(key)
    after = pipe.land("after.csv", csv_body(row("TXS0002")))
    run = pipe.run()
    statuses = {load.file_name: load.status for load in run.loads}
    assert statuses == {key: "FILE_MISSING", after: "LOADED"}
    assert "disappeared between its event and the load" in (pipe.history(key).iloc[0]["first_error"])
    assert pipe.queue.depth().visible + pipe.queue.depth().in_flight == 0
    assert run.failures == []


def test_objects_outside_the_streaming_prefix_are_not_loaded(pipe: PipeHarness) -> None:
    pipe.store.put_bytes("transactions/historical/part-0.csv", csv_body(GOOD))  # no event: wrong prefix
    assert pipe.queue.depth().visible == 0
    assert pipe.run().loads == []


def test_clean_file_fast_path_equals_the_line_by_line_path() -> None:
    from c360.landing.csvfile import _parse_clean, _parse_lines
    from c360.names import TRANSACTION_FILE_COLUMNS

    body = csv_body(
        *(
            row(f"TXS{i:05d}", amount=f"{i}.25", category="" if i % 7 == 0 else "Grocery")
            for i in range(1, 2001)
        )
    )
    for data in (body, body.replace(b"\n", b"\r\n"), body.rstrip(b"\n")):
        fast = _parse_clean(data, TRANSACTION_FILE_COLUMNS)
        assert fast is not None
        slow = _parse_lines(data, TRANSACTION_FILE_COLUMNS)
        assert fast.rows_in_file == slow.rows_in_file == 2000 and not slow.rejections
        assert fast.table.equals(slow.table)
        assert fast.raw_line(1999) == slow.raw_line(1999) == row("TXS01999", amount="1999.25")
    # anything unusual leaves the fast path (the line-by-line path decides)
    for unusual in (
        body + b"\n",
        body.replace(b"Kroger", b'"Kroger"', 1),
        body + b"x,y\n",
        body.replace(b"Kroger", b"Caf\xe9", 1),
    ):
        assert _parse_clean(unusual, TRANSACTION_FILE_COLUMNS) is None
