"""`pulumi preview` of the real program with the policy pack — when the Pulumi CLI is installed.

It cannot be installed offline (../shared/notes/pulumi-offline.md), so on such machines this test
skips and the mock tests in this folder carry the proof. With the CLI, it previews a throw-away stack
in a temporary local backend (the repository's stack files are copied, never modified); preview still
calls AWS and Snowflake (caller identity, provider configure), so it also needs their credentials.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from c360.paths import REPO_ROOT

NEEDED_ENV = ("AWS_REGION", "SNOWFLAKE_USER", "SNOWFLAKE_PRIVATE_KEY")


def test_pulumi_preview_passes_the_policy_pack(tmp_path: Path) -> None:
    cli = shutil.which("pulumi")
    if cli is None:
        pytest.skip(
            "Pulumi CLI not installed: it is not available from the reachable registries "
            "(see ../shared/notes/pulumi-offline.md); the whole program runs under mocks in test_program.py"
        )
    missing = [name for name in NEEDED_ENV if not os.environ.get(name)]
    if missing or not (os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")):
        pytest.skip(
            f"pulumi preview calls AWS and Snowflake; set AWS credentials and {', '.join(NEEDED_ENV)}"
        )

    project = tmp_path / "project"
    project.mkdir()
    pulumi_yaml = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())
    pulumi_yaml["main"] = str(REPO_ROOT / "stacks")
    pulumi_yaml["runtime"]["options"]["virtualenv"] = str(REPO_ROOT / ".venv")
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(pulumi_yaml))
    shutil.copy(REPO_ROOT / "Pulumi.dev.yaml", project / "Pulumi.ci.yaml")
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "c360-ci-preview",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    (tmp_path / "state").mkdir()

    def pulumi(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [cli, *args, "--non-interactive"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    init = pulumi("stack", "init", "ci", "--secrets-provider", "passphrase")
    assert init.returncode == 0, init.stderr
    preview = pulumi("preview", "--stack", "ci", "--policy-pack", str(REPO_ROOT / "policy"), "--diff")
    assert preview.returncode == 0, preview.stdout[-4000:] + preview.stderr[-4000:]
    assert "c360-guardrails" in preview.stdout
