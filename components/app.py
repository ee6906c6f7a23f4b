"""App: the Streamlit-in-Snowflake app and the assistant's semantic-model stage.

The streamlit/ folder is uploaded as-is to GOLD.APP_STAGE/c360_app (StageFiles, content-addressed), with the
few stdlib-only c360 modules the app imports beside it under c360_app/c360/ (APP_SHARED_MODULES), the
`snowflake.Streamlit` object runs streamlit_app.py from there on the c360 warehouse, and the app roles other
than its owner (DATA_ANALYST) get USAGE on it. A Streamlit app runs with its owner's rights, so the
stack hands ownership to MARKETING_MANAGER (gold only, the app's default persona): every query the app
and Cortex Analyst's SQL run is bounded by that role's grants, not by the deploying SYSADMIN's. The
objects role inherits every c360 role, so it still manages the app. GOLD.SEMANTIC_STAGE holds semantic_model.yaml
(deployed by the semantic_model lifecycle step); every role that reads GOLD may read it, as Cortex
Analyst requires. The upload runs as the lifecycle role (DATA_ENGINEER) and waits for its grants on the
stage; no grant waits for the upload (tests/unit/pulumi_stack/test_deploy_rehearsal.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pulumi
import pulumi_snowflake as snowflake

from c360 import names
from c360.grants import APP_ROLES, GRANT_MATRIX, Role, SchemaGrant
from c360.paths import REPO_ROOT
from components.content_hash import file_manifest, file_sha256, stored_path
from components.grant_plan import Audience, SchemaObject
from components.providers.stage_files import StageFiles, StageFilesArgs
from components.snowflake_context import SnowflakeDeployRoles, SnowflakeProviders, child, fqn
from components.warehouse import object_grants

REQUIRED_APP_FILES: Final = (names.STREAMLIT_MAIN_FILE, "environment.yml")
APP_OWNER: Final = Role.MARKETING_MANAGER
# The c360 modules the app imports in Streamlit in Snowflake, where the c360 package is not installed (paths
# under c360/). Each imports only the standard library, pandas and these modules (tests/app/
# test_app_modules.py), and is uploaded beside the app as c360/<path> without __init__.py files (namespace
# packages), so the app's `import c360.assistant.messages` finds the one copy the runtime uses too.
APP_SHARED_MODULES: Final = (
    "errors.py",
    "names.py",
    "assistant/messages.py",
    "assistant/cortex.py",
    "assistant/chart_choice.py",
)


def app_url(organization: str, account: str) -> str:
    """Snowsight URL of the app."""
    app = fqn(names.DATABASE, names.GOLD, names.STREAMLIT_APP)
    return f"https://app.snowflake.com/{organization.lower()}/{account.lower()}/#/streamlit-apps/{app}"


def semantic_model_location() -> str:
    return f"@{fqn(names.DATABASE, names.GOLD, names.SEMANTIC_STAGE)}/{names.SEMANTIC_MODEL_FILE}"


@dataclass(frozen=True)
class AppArgs:
    database: pulumi.Input[str]
    schemas: Mapping[str, pulumi.Input[str]]
    warehouse: pulumi.Input[str]
    app_dir: Path
    snowflake_organization: str
    snowflake_account: str
    shared_dir: Path = REPO_ROOT / "c360"  # where APP_SHARED_MODULES are read from
    title: str = "c360 — Customer 360"
    grant_matrix: tuple[SchemaGrant, ...] = GRANT_MATRIX
    app_roles: tuple[Role, ...] = APP_ROLES
    deploy_roles: SnowflakeDeployRoles = field(default_factory=SnowflakeDeployRoles)
    providers: SnowflakeProviders = field(default_factory=SnowflakeProviders)
    # the role resources' names (Warehouse.role_names): every grant waits for its role
    role_names: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # the lifecycle role's access (Warehouse.access_grants): the app upload runs as that role
    uploader_ready: tuple[pulumi.Resource, ...] = ()

    def __post_init__(self) -> None:
        if (self.app_dir / "__init__.py").exists():
            raise ValueError(
                f"{self.app_dir} must not contain __init__.py (it would shadow the streamlit library)"
            )
        missing = [f for f in REQUIRED_APP_FILES if not (self.app_dir / f).is_file()]
        if missing:
            raise ValueError(f"app folder {self.app_dir} lacks {', '.join(missing)}")
        absent = [m for m in APP_SHARED_MODULES if not (self.shared_dir / m).is_file()]
        if absent:
            raise ValueError(f"{self.shared_dir} lacks the modules the app imports: {', '.join(absent)}")


class App(pulumi.ComponentResource):
    app_name: pulumi.Output[str]
    app_url: str
    semantic_model_location: str

    def __init__(self, name: str, args: AppArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("c360:app:App", name, {}, opts)
        objects, security = args.providers.objects, args.providers.security
        gold = args.schemas[names.GOLD]

        self.app_stage = snowflake.StageInternal(
            f"{name}-stage",
            name=names.APP_STAGE,
            database=args.database,
            schema=gold,
            directory={"enable": True},
            comment="Streamlit app files (the streamlit/ folder, uploaded by the stack)",
            opts=child(self, objects),
        )
        self.semantic_stage = snowflake.StageInternal(
            f"{name}-semantic-stage",
            name=names.SEMANTIC_STAGE,
            database=args.database,
            schema=gold,
            directory={"enable": True},
            comment="Cortex Analyst semantic model (semantic_model.yaml)",
            opts=child(self, objects),
        )
        # grants on the stages, each waiting for its stage only (never for the upload that needs them)
        app_stage = SchemaObject(names.GOLD, "STAGE", names.APP_STAGE, Audience.WRITERS, internal_stage=True)
        stage_grants = object_grants(
            name,
            self,
            security,
            [
                (app_stage, self.app_stage),
                (
                    SchemaObject(
                        names.GOLD, "STAGE", names.SEMANTIC_STAGE, Audience.READERS, internal_stage=True
                    ),
                    self.semantic_stage,
                ),
            ],
            args.role_names,
            args.grant_matrix,
        )
        # the uploads run as the lifecycle role (StageFiles): after its grants on APP_STAGE
        uploads_wait_for = [
            self.app_stage,
            *stage_grants[app_stage.fully_qualified_name],
            *args.uploader_ready,
        ]
        self.files = StageFiles(
            f"{name}-files",
            StageFilesArgs(
                stage=fqn(names.DATABASE, names.GOLD, names.APP_STAGE),
                directory=names.APP_STAGE_DIRECTORY,
                source_dir=stored_path(args.app_dir),
                files=file_manifest(args.app_dir),
            ),
            opts=child(self, depends_on=uploads_wait_for),
        )
        self.shared_files = StageFiles(
            f"{name}-shared-files",
            StageFilesArgs(
                stage=fqn(names.DATABASE, names.GOLD, names.APP_STAGE),
                directory=f"{names.APP_STAGE_DIRECTORY}/c360",
                source_dir=stored_path(args.shared_dir),
                files={m: file_sha256(args.shared_dir / m) for m in APP_SHARED_MODULES},
            ),
            opts=child(self, depends_on=uploads_wait_for),
        )
        self.streamlit = snowflake.Streamlit(
            f"{name}-streamlit",
            name=names.STREAMLIT_APP,
            database=args.database,
            schema=gold,
            stage=fqn(names.DATABASE, names.GOLD, names.APP_STAGE),
            directory_location=names.APP_STAGE_DIRECTORY,
            main_file=names.STREAMLIT_MAIN_FILE,
            query_warehouse=args.warehouse,
            title=args.title,
            comment="c360 app: segments, customer 360, assistant, campaign, pipeline health",
            opts=child(self, objects, depends_on=[self.files, self.shared_files]),
        )
        owner: pulumi.Input[str] = args.role_names.get(APP_OWNER.value, APP_OWNER.value)
        # the owner reads the app's files; then ownership moves to it (existing grants are kept: COPY)
        self.owner_stage_read = snowflake.GrantPrivilegesToAccountRole(
            f"{name}-owner-stage-read",
            account_role_name=owner,
            privileges=["READ"],
            on_schema_object={
                "object_type": "STAGE",
                "object_name": fqn(names.DATABASE, names.GOLD, names.APP_STAGE),
            },
            opts=child(self, security, depends_on=[self.app_stage]),
        )
        self.ownership = snowflake.GrantOwnership(
            f"{name}-owner",
            account_role_name=owner,
            on={
                "object_type": "STREAMLIT",
                "object_name": fqn(names.DATABASE, names.GOLD, names.STREAMLIT_APP),
            },
            outbound_privileges="COPY",
            opts=child(self, objects, depends_on=[self.streamlit, self.owner_stage_read]),
        )
        # USAGE for the app roles other than the owner: the owner holds OWNERSHIP, and a USAGE grant to it
        # is not listed back by SHOW GRANTS separately, so the provider would diff it forever
        viewers = tuple(r for r in args.app_roles if r is not APP_OWNER)
        app_grants = object_grants(
            name,
            self,
            security,
            [(SchemaObject(names.GOLD, "STREAMLIT", names.STREAMLIT_APP, Audience.APP), self.ownership)],
            args.role_names,
            args.grant_matrix,
            app_roles=viewers,
        )
        self.grants = [grant for grants in (*stage_grants.values(), *app_grants.values()) for grant in grants]

        self.app_name = self.streamlit.name
        self.app_url = app_url(args.snowflake_organization, args.snowflake_account)
        self.semantic_model_location = semantic_model_location()
        self.register_outputs(
            {
                "app_name": self.app_name,
                "app_url": self.app_url,
                "semantic_model_location": self.semantic_model_location,
            }
        )
