"""Tags every taggable AWS resource carries; the policy pack (policy/) requires the same keys."""

from __future__ import annotations

from typing import Final

REQUIRED_TAGS: Final = ("project", "environment", "owner", "managed-by")


def standard_tags(project: str, environment: str, owner: str) -> dict[str, str]:
    return dict(zip(REQUIRED_TAGS, (project, environment, owner, "pulumi"), strict=True))
