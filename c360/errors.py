"""Domain exceptions. Only the edges (CLI, app) turn them into exit codes or messages."""

from __future__ import annotations


class C360Error(Exception):
    """Base class: the message is a complete, user-facing reason."""


class SettingsError(C360Error):
    """An invalid setting (environment variable, CLI option or stack config)."""


class WarehouseError(C360Error):
    """The warehouse is unavailable or a statement failed."""


class ObjectStoreError(C360Error):
    """The object store is unavailable or an object is missing."""


class LoadError(C360Error):
    """A bulk load was rejected (ON_ERROR=ABORT_STATEMENT semantics)."""


class StepError(C360Error):
    """A lifecycle step failed; carries the step name."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"step '{step}' failed: {reason}")
        self.step = step
        self.reason = reason
