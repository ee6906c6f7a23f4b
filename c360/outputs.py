"""The outputs file `c360 up` writes; its keys are exactly the Pulumi stack's exported outputs.

The app and the CLI read connection details only from here (plus secrets from the environment).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Final

from c360 import names
from c360.errors import SettingsError
from c360.files import write_text_atomically


@dataclass(frozen=True)
class StackOutputs:
    target: str
    database: str
    schemas: dict[str, str]
    warehouse: str
    bucket: str
    storage_role_arn: str | None
    stages: dict[str, str]
    pipe_notification_channel: str
    app_name: str
    app_url: str
    semantic_model_location: str
    scale: dict[str, object] = field(default_factory=dict)


OUTPUT_KEYS: Final = tuple(f.name for f in fields(StackOutputs))


def default_schemas() -> dict[str, str]:
    return {s.lower(): s for s in names.SCHEMAS}


def write_outputs(path: Path, outputs: StackOutputs) -> None:
    write_text_atomically(path, json.dumps(asdict(outputs), indent=2, sort_keys=True, default=str) + "\n")


def read_outputs(path: Path) -> StackOutputs | None:
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"outputs file {path} is not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    missing = [k for k in OUTPUT_KEYS if k not in raw and k != "scale"]
    if missing:
        raise SettingsError(f"outputs file {path} lacks keys: {', '.join(missing)}")
    return StackOutputs(**{k: raw[k] for k in OUTPUT_KEYS if k in raw})
