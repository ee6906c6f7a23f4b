"""Every dynamic provider survives Pulumi's own serialisation (dill, recurse=True) and is pickled by
reference, so it can be loaded by a fresh process that only has the project environment — which is
what the dynamic-provider host does at deploy time (the mock tests alone cannot show that)."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import dill
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.providers.lifecycle_step import LifecycleStepProvider
from components.providers.stage_files import StageFilesProvider

PROVIDERS = [LifecycleStepProvider, StageFilesProvider]


@pytest.mark.parametrize("provider_class", PROVIDERS)
def test_provider_pickles_by_reference_with_no_state(provider_class: type) -> None:
    provider = provider_class()
    assert vars(provider) == {}, "providers must keep nothing on self (clients are opened per call)"
    blob = base64.b64decode(serialize_provider(provider))
    assert len(blob) < 400, f"{len(blob)} bytes: pickled by value (module not importable?)"
    assert provider_class.__module__.encode() in blob
    restored = dill.loads(blob)
    assert type(restored) is provider_class


def test_providers_load_in_a_fresh_process(tmp_path: Path) -> None:
    blobs = [serialize_provider(p()) for p in PROVIDERS]
    script = (
        "import base64, sys, dill\n"
        "for b in sys.argv[1:]:\n"
        "    p = dill.loads(base64.b64decode(b))\n"
        "    print(type(p).__module__ + '.' + type(p).__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *blobs],
        cwd=tmp_path,  # not the repository: the import must come from the installed project
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"{p.__module__}.{p.__name__}" for p in PROVIDERS]
