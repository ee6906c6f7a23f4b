"""The stack declares the landing CSV file format from the one definition the local pipe reads with."""

from __future__ import annotations

from pathlib import Path

from c360 import names
from c360.landing.fileformat import LANDING_CSV
from components.ingestion import Ingestion, IngestionArgs
from tests.unit.pulumi_stack.conftest import make_dbt_dir, snapshot


def test_the_declared_csv_format_is_the_local_readers(tmp_path: Path) -> None:
    args = IngestionArgs(
        database=names.DATABASE,
        schemas={s: s for s in names.SCHEMAS},
        warehouse=names.WAREHOUSE,
        bucket_name="c360-test-landing",
        storage_integration=names.STORAGE_INTEGRATION,
        notification_topic_arn="arn:aws:sns:us-east-1:123456789012:c360-test",
        dbt_project_dir=make_dbt_dir(tmp_path),
        as_of="2026-10-15",
    )
    mocks = snapshot(lambda: Ingestion("ingestion", args).pipe_notification_channel)
    declared = mocks.one("snowflake:index/fileFormatCsv:FileFormatCsv").inputs
    # pulumi-snowflake's FileFormatCsv declares its boolean options as strings: "true" / "false" ("default")
    expected = {
        "fieldDelimiter": ",",
        "skipHeader": 1,
        "fieldOptionallyEnclosedBy": '"',
        "multiLine": "true",
        "skipBlankLines": "true",
        "trimSpace": "true",
        "nullIfs": ["", "\\N", "NULL", "null"],
        "emptyFieldAsNull": "true",
        "errorOnColumnCountMismatch": "true",
        "escapeUnenclosedField": "NONE",
        "replaceInvalidCharacters": "false",
        "skipByteOrderMark": "true",
        "encoding": "UTF8",
        "compression": "AUTO",
    }
    assert {key: declared.get(key) for key in expected} == expected
    assert len(LANDING_CSV.snowflake_args()) == len(expected)
