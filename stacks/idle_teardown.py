"""Idle teardown: an hourly schedule runs a small Lambda that deletes this stack, endpoint first,
once the endpoint has served no invocation for `after_hours` (docs/idle-teardown.md).

The Lambda's role may read the Invocations statistic, describe and delete this stack (by its
ARN, `AWS::StackId`) and this endpoint (by its ARN), and publish to the notification topic:
nothing else. It passes no role to DeleteStack, so CloudFormation deletes the resources with
the role the stack was deployed with (the bootstrap's cfn-exec role) and the Lambda needs no
iam:PassRole. Its code lives beside this file, in idle_teardown_lambda/.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from stacks.settings import IdleTeardownSettings
from stacks.settings.teardown import is_email
from stacks.xgboost_endpoint import XgboostEndpoint

CODE_DIR = Path(__file__).resolve().parent / "idle_teardown_lambda"
CHECK_EVERY = cdk.Duration.hours(1)
# The Lambda reads one statistic and makes at most four calls: a minute is ample.
TIMEOUT = cdk.Duration.minutes(1)
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


class IdleTeardown(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        settings: IdleTeardownSettings,
        endpoint: XgboostEndpoint,
        key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, id_)
        stack = cdk.Stack.of(self)
        self.topic = self._topic(settings.notify, key)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=LOG_RETENTION,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Idle teardown of stack {stack.stack_name}: this stack and endpoint only",
        )
        endpoint_arn = endpoint.endpoint.ref  # Ref of AWS::SageMaker::Endpoint is its ARN
        self.policy = iam.Policy(
            self,
            "Policy",
            statements=[
                iam.PolicyStatement(
                    sid="ReadInvocations",  # CloudWatch metric reads take no resource ARN
                    actions=["cloudwatch:GetMetricStatistics"],
                    resources=["*"],
                ),
                iam.PolicyStatement(
                    sid="ThisStackOnly",
                    actions=["cloudformation:DescribeStacks", "cloudformation:DeleteStack"],
                    resources=[stack.stack_id],
                ),
                iam.PolicyStatement(
                    sid="ThisEndpointOnly",
                    actions=["sagemaker:DescribeEndpoint", "sagemaker:DeleteEndpoint"],
                    resources=[endpoint_arn],
                ),
                iam.PolicyStatement(
                    sid="OwnLogs",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[f"{self.log_group.log_group_arn}"],
                ),
            ],
        )
        self.policy.attach_to_role(self.role)
        self._allow_publish(key)
        self._acknowledge_findings()
        self.function = lambda_.Function(
            self,
            "Function",
            description=(
                f"Deletes stack {stack.stack_name}, endpoint first, after "
                f"{settings.after_hours} h without an invocation"
            ),
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler="handler.handler",
            code=lambda_.Code.from_asset(str(CODE_DIR), exclude=["__pycache__", "*.pyc"]),
            role=self.role,
            timeout=TIMEOUT,
            memory_size=128,
            retry_attempts=0,  # the next hourly run is the retry
            log_group=self.log_group,
            environment={
                "STACK_ID": stack.stack_id,
                "ENDPOINT_NAME": endpoint.endpoint_name,
                "VARIANT_NAME": endpoint.variant_name,
                "IDLE_HOURS": str(settings.after_hours),
                "TOPIC_ARN": self.topic.topic_arn,
            },
        )
        # The function must not run before its permissions exist. Only the policy: CDK would
        # also list the role, which the Role GetAtt already orders (cfn-lint W3005).
        policy_id = stack.get_logical_id(self.policy.node.default_child)
        function = self.function.node.default_child
        assert isinstance(function, cdk.CfnResource)
        function.add_override("DependsOn", [policy_id])
        self.schedule = events.Rule(
            self,
            "Schedule",
            description=f"Hourly idle check of stack {stack.stack_name}'s endpoint",
            schedule=events.Schedule.rate(CHECK_EVERY),
            targets=[targets.LambdaFunction(self.function, retry_attempts=0)],
        )

    def _allow_publish(self, key: kms.IKey | None) -> None:
        """sns:Publish on the topic; on a topic under the stack's key, that key's two calls."""
        statements = [
            iam.PolicyStatement(
                sid="Notify", actions=["sns:Publish"], resources=[self.topic.topic_arn]
            )
        ]
        if isinstance(self.topic, sns.Topic) and isinstance(key, kms.Key):
            # What SNS asks of a publisher to an SSE-KMS topic. The AWS-managed aws/sns key's
            # own policy already lets the account's principals use it through SNS.
            statements.append(
                iam.PolicyStatement(
                    sid="NotifyEncrypted",
                    actions=["kms:GenerateDataKey", "kms:Decrypt"],
                    resources=[key.key_arn],
                )
            )
        for statement in statements:
            self.policy.add_statements(statement)

    def _acknowledge_findings(self) -> None:
        """The cdk-nag finding accepted by design, with the reason it is true."""
        cdk.Validations.of(self.policy).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason=(
                    "cloudwatch:GetMetricStatistics supports no resource-level permissions; "
                    "it reads metrics only, and every write is confined to this stack's and "
                    "this endpoint's ARNs."
                ),
            )
        )

    def _topic(self, notify: str, key: kms.IKey | None) -> sns.ITopic:
        """The user's topic (an ARN), or one of the stack's ("create", an email address)."""
        if notify.startswith("arn:"):
            return sns.Topic.from_topic_arn(self, "Topic", notify)
        # The stack's own key when it made one; else SNS's AWS-managed key, which any
        # principal of the account may use through SNS (only a Lambda publishes here).
        own_key = key if isinstance(key, kms.Key) else None
        topic = sns.Topic(
            self,
            "Topic",
            display_name=f"{cdk.Stack.of(self).stack_name} idle teardown",
            enforce_ssl=True,
            master_key=own_key or kms.Alias.from_alias_name(self, "SnsKey", AWS_MANAGED_SNS_KEY),
        )
        if is_email(notify):
            topic.add_subscription(subscriptions.EmailSubscription(notify))
        return topic
