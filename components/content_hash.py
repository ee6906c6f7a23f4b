"""Content hashes of project folders: upload manifests (app, dbt project) and lifecycle fingerprints.

Hashes cover file *content* and relative path only (not mtimes or the checkout location), so the
same commit gives the same hash on every machine and a `pulumi up` with no change is a no-op.
Hidden files and folders (.env, .streamlit/secrets.toml, .git ...) and build artefacts are never part
of a manifest, so they are never uploaded.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final


def stored_path(path: Path) -> str:
    """A project folder as a StageFiles input: relative to the repository root when it lies inside it, so
    no machine's checkout path lands in the Pulumi state (the provider resolves it against the root of
    the checkout it runs from: components/providers/stage_files.py)."""
    from c360.paths import REPO_ROOT

    resolved = path.resolve()
    try:
        return resolved.relative_to(REPO_ROOT.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


SKIPPED_DIRS: Final = frozenset(
    {"__pycache__", ".git", ".pytest_cache", ".ruff_cache", "target", "logs", "dbt_packages", "node_modules"}
)
SKIPPED_FILES: Final = ("*.pyc", "*.pyo", ".DS_Store", ".user.yml", "*.duckdb", "*.duckdb.wal", ".env")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_manifest(root: Path) -> dict[str, str]:
    """{relative posix path: sha256} of every regular file under `root` (build artefacts skipped)."""
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    manifest: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if is_skipped(rel) or not path.is_file() or path.is_symlink():
            continue
        manifest[rel.as_posix()] = file_sha256(path)
    return manifest


def manifest_digest(manifest: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(manifest):
        digest.update(f"{rel}\0{manifest[rel]}\n".encode())
    return digest.hexdigest()


def sources_digest(root: Path, patterns: Iterable[str]) -> str:
    """Digest of the files under `root` matching the glob patterns; a missing match hashes as absent."""
    digest = hashlib.sha256()
    for pattern in patterns:
        matches = sorted(p for p in root.glob(pattern) if p.is_file() and not is_skipped(p.relative_to(root)))
        digest.update(f"pattern {pattern} {len(matches)}\n".encode())
        for path in matches:
            digest.update(f"{path.relative_to(root).as_posix()}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()


def is_skipped(rel: Path) -> bool:
    return any(part in SKIPPED_DIRS or part.startswith(".") for part in rel.parts) or any(
        fnmatch.fnmatch(rel.name, pattern) for pattern in SKIPPED_FILES
    )
