"""Dynamic provider: a folder of project files on a Snowflake internal stage (PUT / REMOVE).

pulumi-snowflake has no resource for staged files, so this uploads the streamlit/ folder (App) and
the dbt project (Ingestion). Inputs carry a manifest {relative path: sha256}; `diff` compares
manifests, `update` uploads only new or changed files and removes the ones that disappeared,
`delete` removes every file the resource put there. Before each upload the file on disk is hashed
again: a file edited between preview and up fails the deployment instead of uploading something
the plan did not show.

The Snowflake session comes from c360.config.Settings (credentials from the environment), opened
inside each method; nothing is kept on `self`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar, Final

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

log = logging.getLogger(__name__)

PROVIDER_VERSION: Final = 2  # 2: source_dir relative to the checkout root
STAGE: Final = re.compile(r"^[A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_]*$")
SAFE_PATH: Final = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*(/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*$")
SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
TRIGGER_KEYS: Final = ("stage", "directory", "files", "provider_version")
REPLACE_KEYS: Final = ("stage", "directory")


class StageFilesError(RuntimeError):
    """An upload could not be done as planned."""


def check_inputs(inputs: dict[str, Any]) -> list[CheckFailure]:
    failures: list[CheckFailure] = []
    if not isinstance(inputs.get("stage"), str) or not STAGE.match(inputs["stage"]):
        failures.append(
            CheckFailure("stage", f"stage must be DATABASE.SCHEMA.STAGE, got {inputs.get('stage')!r}")
        )
    if not isinstance(inputs.get("directory"), str) or not SAFE_PATH.match(inputs["directory"]):
        failures.append(
            CheckFailure(
                "directory", f"directory must be a plain relative path, got {inputs.get('directory')!r}"
            )
        )
    source = inputs.get("source_dir")
    if not isinstance(source, str) or "'" in source or not source:
        failures.append(CheckFailure("source_dir", "source_dir must be a folder path without quotes"))
    files = inputs.get("files")
    if not isinstance(files, dict) or not files:
        failures.append(CheckFailure("files", "files must be a non-empty {relative path: sha256} manifest"))
    else:
        for rel, digest in files.items():
            if not SAFE_PATH.match(rel) or ".." in PurePosixPath(rel).parts:
                failures.append(
                    CheckFailure("files", f"unsafe file path {rel!r} (letters, digits, _ . - and /)")
                )
            if not isinstance(digest, str) or not SHA256.match(digest):
                failures.append(CheckFailure("files", f"{rel}: not a sha256 digest"))
    return failures


class StageFilesProvider(ResourceProvider):
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(dict(news), check_inputs(news))

    def create(self, props: dict[str, Any]) -> CreateResult:
        _sync(props, previous={})
        return CreateResult(id_=f"@{props['stage']}/{props['directory']}", outs=_outs(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in TRIGGER_KEYS if olds.get(k) != news.get(k)]
        return DiffResult(
            changes=bool(changed), replaces=[k for k in changed if k in REPLACE_KEYS], stables=[]
        )

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _sync(news, previous=dict(olds.get("files") or {}))
        return UpdateResult(outs=_outs(news))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        with _session() as session:
            for rel in sorted(props.get("files") or {}):
                _remove(session, props["stage"], props["directory"], rel, missing_ok=True)


def plan_sync(previous: dict[str, str], wanted: dict[str, str]) -> tuple[list[str], list[str]]:
    """(files to upload, files to remove). REMOVE matches by prefix, so any wanted file that starts
    with a removed path is uploaded again after the removal."""
    removals = sorted(rel for rel in previous if rel not in wanted)
    uploads = {rel for rel, digest in wanted.items() if previous.get(rel) != digest}
    uploads |= {rel for rel in wanted for gone in removals if rel.startswith(gone)}
    return sorted(uploads), removals


def _sync(props: dict[str, Any], previous: dict[str, str]) -> None:
    stage, directory = props["stage"], props["directory"]
    wanted: dict[str, str] = dict(props["files"])
    root = source_root(props["source_dir"])
    uploads, removals = plan_sync(previous, wanted)
    from components.content_hash import file_sha256

    for rel in uploads:
        path = root / rel
        if not path.is_file():
            raise StageFilesError(f"{path} is missing: the plan listed it; re-run `pulumi up`")
        if file_sha256(path) != wanted[rel]:
            raise StageFilesError(f"{path} changed after the plan was made; re-run `pulumi up`")
    with _session() as session:
        for rel in removals:
            _remove(session, stage, directory, rel, missing_ok=True)
        for rel in uploads:
            _put(session, root / rel, stage, directory, rel)
        listed = _listed(session, stage, directory)
    missing = sorted(rel for rel in wanted if rel not in listed)
    if missing:
        raise StageFilesError(f"@{stage}/{directory}: not on the stage after upload: {', '.join(missing)}")
    log.info("@%s/%s: %d uploaded, %d removed", stage, directory, len(uploads), len(removals))


def source_root(source_dir: str) -> Path:
    """The folder to upload: `source_dir` is relative to the checkout's root (components/content_hash.py
    stored_path), or absolute for a folder outside it."""
    from c360.paths import REPO_ROOT

    path = Path(source_dir)
    return path if path.is_absolute() else REPO_ROOT / path


def put_statement(path: Path, stage: str, directory: str, rel: str) -> str:
    target = PurePosixPath(directory, rel).parent.as_posix()
    # the local path is quoted (checkouts may contain spaces); stage paths are validated plain paths
    return (
        f"put 'file://{path.resolve().as_posix()}' @{stage}/{target}/ auto_compress = false overwrite = true"
    )


def remove_statement(stage: str, directory: str, rel: str) -> str:
    return f"remove @{stage}/{PurePosixPath(directory, rel).as_posix()}"


def _put(session: Any, path: Path, stage: str, directory: str, rel: str) -> None:
    session.query(put_statement(path, stage, directory, rel))


def _remove(session: Any, stage: str, directory: str, rel: str, *, missing_ok: bool) -> None:
    from c360.errors import WarehouseError

    try:
        session.execute(remove_statement(stage, directory, rel))
    except WarehouseError as exc:
        if missing_ok and "does not exist" in str(exc):
            log.info("%s: stage already gone (%s)", stage, exc)
            return
        raise


def _listed(session: Any, stage: str, directory: str) -> set[str]:
    """Relative paths under @stage/directory/ according to LIST (names come back as <stage>/<path>)."""
    frame = session.query(f"list @{stage}")
    marker = f"/{directory}/"
    found: set[str] = set()
    for name in frame["name"].astype(str):
        index = name.find(marker)
        if index >= 0:
            found.add(name[index + len(marker) :])
    return found


@contextmanager
def _session() -> Iterator[Any]:
    """A Snowflake session from the environment (SNOWFLAKE_* via c360.config.Settings), per call."""
    from c360.config import Settings
    from c360.engines import open_session

    session = open_session(Settings.load(target="snowflake"))
    try:
        yield session
    finally:
        session.close()


def _outs(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "stage": props["stage"],
        "directory": props["directory"],
        "source_dir": props["source_dir"],
        "files": dict(props["files"]),
        "provider_version": props.get("provider_version"),
        "location": f"@{props['stage']}/{props['directory']}",
        "file_count": len(props["files"]),
    }


@dataclass(frozen=True)
class StageFilesArgs:
    stage: pulumi.Input[str]  # DATABASE.SCHEMA.STAGE
    directory: str
    source_dir: str
    files: dict[str, str] = field(default_factory=dict)


class StageFiles(Resource, module="c360", name="StageFiles"):
    """`pulumi-python:dynamic/c360:StageFiles` — a folder uploaded to an internal stage."""

    location: pulumi.Output[str]
    file_count: pulumi.Output[int]
    OUTPUTS: ClassVar[tuple[str, ...]] = ("location", "file_count")

    def __init__(self, name: str, args: StageFilesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        props: dict[str, Any] = {f.name: getattr(args, f.name) for f in fields(args)}
        props["provider_version"] = PROVIDER_VERSION
        props.update({key: None for key in self.OUTPUTS})
        super().__init__(StageFilesProvider(), name, props, opts)
