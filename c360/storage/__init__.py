"""Object stores: a local folder with the S3 key layout, or S3 itself."""

from __future__ import annotations

from c360.config import Settings, Target
from c360.errors import SettingsError
from c360.storage.base import ObjectEvent, ObjectStore, StoredObject


def open_store(settings: Settings) -> ObjectStore:
    if settings.target is Target.snowflake:
        from c360.storage.s3 import S3ObjectStore

        if not settings.bucket:
            raise SettingsError(
                "target 'snowflake' needs the landing bucket: set C360_BUCKET or write the stack outputs "
                "(`pulumi stack output --json > $C360_HOME/outputs.json`)"
            )
        return S3ObjectStore(settings.bucket, region=settings.aws_region)
    from c360.storage.local import LocalObjectStore

    return LocalObjectStore(settings.lake_dir)


__all__ = ["ObjectEvent", "ObjectStore", "StoredObject", "open_store"]
