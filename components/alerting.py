"""Alerting on Snowflake: one ALERT object per rule of c360/alerts/rules.py, an e-mail notification
integration, and an SNS topic for pages (critical rules) with the outbound notification integration that
publishes to it.

- The ALERTs live in OBSERVABILITY and are owned by the objects role, which inherits DATA_ENGINEER's access to
  the observability tables; the owner needs EXECUTE ALERT on the account for them to run
  (https://docs.snowflake.com/en/user-guide/alerts#granting-the-privileges-to-create-alerts) and USAGE on the
  integrations their actions notify through
  (https://docs.snowflake.com/en/user-guide/notifications/email-notifications). Condition and action are
  rendered by c360/alerts/snowflake.py from the same SQL files the local evaluator runs.
- E-mail (TYPE = EMAIL): only verified e-mail addresses of users in the account can receive
  (https://docs.snowflake.com/en/sql-reference/sql/create-notification-integration-email); recipients per
  severity come from stack config (alertEmailCritical/Warning/Info) and may be empty (no e-mail then).
- Pages: an SNS topic (subscribe the on-call tool to it) and an outbound AWS_SNS notification integration
  (https://docs.snowflake.com/en/user-guide/notifications/creating-notification-integration-amazon-sns).
  The trust cycle is broken like the storage integration's (components/snowflake_access.py): the role ARN is
  computed, so the integration is created first; the role then trusts the integration's IAM user and
  external id (its describe outputs) and may only publish to this topic.
- The warehouse_credits rule reads the warehouse's metering history: MONITOR USAGE on the account for the
  alerts' owner (https://docs.snowflake.com/en/sql-reference/functions/warehouse_metering_history).
Integrations and account privileges are the admin role's (CREATE INTEGRATION, granting EXECUTE ALERT).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_snowflake as snowflake

from c360 import names
from c360.alerts.rules import RULES, AlertRule, Severity
from c360.alerts.snowflake import EMAIL_INTEGRATION, PAGE_INTEGRATION, AlertRouting, action, condition
from components.snowflake_access import role_arn
from components.snowflake_context import SnowflakeDeployRoles, SnowflakeProviders, child

ACCOUNT_PRIVILEGES = ("EXECUTE ALERT", "MONITOR USAGE")


@dataclass(frozen=True)
class AlertingArgs:
    database: pulumi.Input[str]
    schemas: Mapping[str, pulumi.Input[str]]
    warehouse: pulumi.Input[str]
    resource_prefix: str
    aws_account_id: pulumi.Input[str]
    partition: pulumi.Input[str] = "aws"
    recipients: Mapping[Severity, tuple[str, ...]] = field(default_factory=dict)
    enabled: bool = True  # resume the alerts (they run on their schedules)
    rules: tuple[AlertRule, ...] = RULES
    tags: Mapping[str, str] = field(default_factory=dict)
    after: Sequence[pulumi.Resource] = ()  # the observability tables exist (the lifecycle's provision step)
    deploy_roles: SnowflakeDeployRoles = field(default_factory=SnowflakeDeployRoles)
    providers: SnowflakeProviders = field(default_factory=SnowflakeProviders)

    @property
    def page_role_name(self) -> str:
        return f"{self.resource_prefix}-snowflake-alert-pages"


def publish_policy(topic_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "PublishPages", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn}
            ],
        }
    )


def page_trust_policy(user_arn: str, external_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "SnowflakeAlertPages",
                    "Effect": "Allow",
                    "Principal": {"AWS": user_arn},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
                }
            ],
        }
    )


class Alerting(pulumi.ComponentResource):
    alerts: dict[str, snowflake.Alert]
    page_topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AlertingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("c360:alerting:Alerting", name, {}, opts)
        admin, objects = args.providers.admin, args.providers.objects
        routing = AlertRouting(dict(args.recipients))

        # ---- pages: SNS topic <- outbound notification integration (Snowflake assumes the role) ---------
        self.page_topic = aws.sns.Topic(
            f"{name}-page-topic",
            name=f"{args.resource_prefix}-alert-pages",
            tags=dict(args.tags),
            opts=child(self),
        )
        expected_role = pulumi.Output.all(args.partition, args.aws_account_id).apply(
            lambda a: role_arn(a[0], a[1], args.page_role_name)
        )
        self.page_integration = snowflake.NotificationIntegration(
            f"{name}-page-integration",
            name=PAGE_INTEGRATION,
            enabled=True,
            notification_provider="AWS_SNS",
            direction="OUTBOUND",
            aws_sns_topic_arn=self.page_topic.arn,
            aws_sns_role_arn=expected_role,
            comment="c360 critical alerts -> SNS topic for the on-call page",
            opts=child(self, admin),
        )
        self.page_role = aws.iam.Role(
            f"{name}-page-role",
            name=args.page_role_name,
            description="Assumed by Snowflake to publish c360 critical alerts to the page topic",
            assume_role_policy=pulumi.Output.all(
                self.page_integration.aws_sns_iam_user_arn, self.page_integration.aws_sns_external_id
            ).apply(lambda a: page_trust_policy(a[0], a[1])),
            tags=dict(args.tags),
            opts=child(self),
        )
        self.page_publish = aws.iam.RolePolicy(
            f"{name}-page-publish",
            role=self.page_role.id,
            policy=self.page_topic.arn.apply(publish_policy),
            opts=child(self),
        )

        # ---- e-mail ------------------------------------------------------------------------------------
        self.email_integration = snowflake.EmailNotificationIntegration(
            f"{name}-email-integration",
            name=EMAIL_INTEGRATION,
            enabled=True,
            allowed_recipients=list(routing.all_recipients) or None,
            comment="c360 alert e-mails (recipients per severity: stack config alertEmail*)",
            opts=child(self, admin),
        )

        # ---- what the alerts' owner needs ----------------------------------------------------------
        owner = args.deploy_roles.objects
        self.owner_grants: list[snowflake.GrantPrivilegesToAccountRole] = []
        if owner != args.deploy_roles.admin:
            self.owner_grants.append(
                snowflake.GrantPrivilegesToAccountRole(
                    f"{name}-owner-account",
                    account_role_name=owner,
                    privileges=list(ACCOUNT_PRIVILEGES),
                    on_account=True,
                    opts=child(self, admin),
                )
            )
            for key, integration, resource in (
                ("email", EMAIL_INTEGRATION, self.email_integration),
                ("page", PAGE_INTEGRATION, self.page_integration),
            ):
                self.owner_grants.append(
                    snowflake.GrantPrivilegesToAccountRole(
                        f"{name}-owner-{key}-usage",
                        account_role_name=owner,
                        privileges=["USAGE"],
                        on_account_object={"object_type": "INTEGRATION", "object_name": integration},
                        opts=child(self, admin, depends_on=[resource]),
                    )
                )

        # ---- one ALERT per rule ------------------------------------------------------------------------
        after = [*args.after, *self.owner_grants, self.email_integration, self.page_integration]
        self.alerts = {
            rule.name: snowflake.Alert(
                f"{name}-{rule.name.replace('_', '-')}",
                name=rule.object_name,
                database=args.database,
                schema=args.schemas[names.OBSERVABILITY],
                warehouse=args.warehouse,
                alert_schedule={"interval": rule.schedule_minutes},
                condition=condition(rule),
                action=action(rule, routing),
                enabled=args.enabled,
                comment=f"c360 {rule.severity.value} alert: {rule.title} (> {rule.threshold:g} {rule.unit}); "
                f"{rule.runbook}",
                opts=child(self, objects, depends_on=after),
            )
            for rule in args.rules
        }
        self.page_topic_arn = self.page_topic.arn
        self.register_outputs(
            {"alerts": [rule.object_name for rule in args.rules], "page_topic_arn": self.page_topic_arn}
        )
