"""PublicApi: `POST /predict` on API Gateway, straight into the SageMaker runtime (no Lambda).

API Gateway calls InvokeEndpoint itself (an AWS integration) with a role that may invoke this one
endpoint. Callers bring an API key bound to a usage plan (rate, burst, quota), or SigV4 with IAM
auth. Bodies are checked against `REQUEST_SCHEMA` before they reach the endpoint, a model's 4xx
comes back as a 400 with the handler's own message, and access logs go to a log group the stack
owns and deletes.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.checkov_skips import UNENCRYPTED_LOGS_REASON, skip_checks
from stacks.encryption_key import allow_log_group
from stacks.public_api.contract import (
    JSON_TYPE,
    REQUEST_SCHEMA,
    RESPONSE_RULES,
    RESPONSE_STATUSES,
    ROUTE,
)
from stacks.public_api.templates import BAD_BODY_TEMPLATE, response_template
from stacks.settings import PublicApiSettings
from stacks.xgboost_endpoint import XgboostEndpoint

QUOTA_PERIODS = {
    "DAY": apigateway.Period.DAY,
    "WEEK": apigateway.Period.WEEK,
    "MONTH": apigateway.Period.MONTH,
}


class PublicApi(Construct):
    """A REST API whose only route, `POST /<stage>/predict`, invokes one SageMaker endpoint."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        endpoint: XgboostEndpoint,
        settings: PublicApiSettings,
        log_retention: logs.RetentionDays,
        key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, id_)
        stack = cdk.Stack.of(self)

        # Encrypted with the stack's key, the group needs a fixed name for the key policy to
        # name it (a generated one would make the two refer to each other).
        access_logs_name = (
            f"/aws/apigateway/{stack.stack_name}-public-api/access" if key is not None else None
        )
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=access_logs_name,
            retention=log_retention,
            removal_policy=cdk.RemovalPolicy.DESTROY,
            encryption_key=key,
        )
        if key is not None and access_logs_name is not None:
            allow_log_group(key, sid="AllowPublicApiAccessLogs", log_group_name=access_logs_name)
        else:
            skip_checks(self.access_logs, {"CKV_AWS_158": UNENCRYPTED_LOGS_REASON})
        self.role = iam.Role(
            self,
            "InvokeRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway calls this one SageMaker endpoint with this role",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="InvokeThisEndpoint",
                actions=["sagemaker:InvokeEndpoint"],
                resources=[endpoint.endpoint.ref],  # an Endpoint's Ref is its ARN
            )
        )

        create_logging_role = settings.account_logging_role == "create"
        self.api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=f"{stack.stack_name}-public-api",
            description=f"POST /{ROUTE} for the SageMaker endpoint of {stack.stack_name}",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            # The account-wide logging role (docs/public-api.md): kept on destroy, since other
            # APIs in the account and region may log through it.
            cloud_watch_role=create_logging_role,
            cloud_watch_role_removal_policy=(
                cdk.RemovalPolicy.RETAIN if create_logging_role else None
            ),
            api_key_source_type=apigateway.ApiKeySourceType.HEADER,
            deploy_options=apigateway.StageOptions(
                stage_name=settings.stage_name,
                access_log_destination=apigateway.LogGroupLogDestination(self.access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                throttling_rate_limit=settings.rate_limit,
                throttling_burst_limit=settings.burst_limit,
                metrics_enabled=True,
                # X-Ray traces a sample of requests through API Gateway into the runtime call.
                tracing_enabled=True,
            ),
        )
        # RestApi adds its own stage-URL output; the stack outputs the route's URL (`url`) instead.
        self.api.node.try_remove_child("Endpoint")
        self.api.add_gateway_response(
            "BadRequestBody",
            type=apigateway.ResponseType.BAD_REQUEST_BODY,
            status_code="400",
            templates={JSON_TYPE: BAD_BODY_TEMPLATE},
        )

        request_model = apigateway.CfnModel(
            self,
            "PredictRequestModel",
            rest_api_id=self.api.rest_api_id,
            content_type=JSON_TYPE,
            name="PredictRequest",
            description="The JSON shapes the model's handler accepts",
            schema=REQUEST_SCHEMA,
        )
        validator = self.api.add_request_validator(
            "RequestValidator", validate_request_body=True, validate_request_parameters=True
        )

        integration = apigateway.AwsIntegration(
            service="runtime.sagemaker",
            path=f"/endpoints/{endpoint.endpoint_name}/invocations",
            integration_http_method="POST",
            options=apigateway.IntegrationOptions(
                credentials_role=self.role,
                # Only JSON has a template: any other content type is refused with 415 rather
                # than passed through unchecked.
                passthrough_behavior=apigateway.PassthroughBehavior.NEVER,
                request_templates={JSON_TYPE: "$input.body"},
                request_parameters={
                    "integration.request.header.Content-Type": f"'{JSON_TYPE}'",
                    "integration.request.header.Accept": f"'{JSON_TYPE}'",
                },
                integration_responses=[
                    apigateway.IntegrationResponse(status_code="200"),
                    *(
                        apigateway.IntegrationResponse(
                            status_code=str(rule.status),
                            selection_pattern=rule.selection_pattern,
                            response_templates={JSON_TYPE: response_template(rule)},
                        )
                        for rule in RESPONSE_RULES
                    ),
                ],
            ),
        )
        iam_auth = settings.auth == "iam"
        self.predict = self.api.root.add_resource(ROUTE)
        self.method = self.predict.add_method(
            "POST",
            integration,
            authorization_type=(
                apigateway.AuthorizationType.IAM if iam_auth else apigateway.AuthorizationType.NONE
            ),
            api_key_required=not iam_auth,
            request_validator=validator,
            request_models={
                JSON_TYPE: apigateway.Model.from_model_name(
                    self, "PredictRequestModelRef", request_model.ref
                )
            },
            method_responses=[
                apigateway.MethodResponse(status_code=str(status)) for status in RESPONSE_STATUSES
            ],
        )

        self.api_key: apigateway.IApiKey | None = None
        if not iam_auth:
            plan = self.api.add_usage_plan(
                "UsagePlan",
                description=f"Rate, burst and quota for callers of {stack.stack_name}",
                throttle=apigateway.ThrottleSettings(
                    rate_limit=settings.rate_limit, burst_limit=settings.burst_limit
                ),
                quota=apigateway.QuotaSettings(
                    limit=settings.quota_limit, period=QUOTA_PERIODS[settings.quota_period]
                ),
                api_stages=[
                    apigateway.UsagePlanPerApiStage(api=self.api, stage=self.api.deployment_stage)
                ],
            )
            self.api_key = apigateway.ApiKey(
                self,
                "ApiKey",
                description=f"Key for POST /{ROUTE} of {stack.stack_name}",
                enabled=True,
            )
            plan.add_api_key(self.api_key)

        self.url = self.api.url_for_path(f"/{ROUTE}")
        self._acknowledge_findings(iam_auth=iam_auth)
        if create_logging_role:
            self._acknowledge_logging_role()

    def _acknowledge_logging_role(self) -> None:
        role = self.api.node.find_child("CloudWatchRole")
        cdk.Validations.of(role).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
                "service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
                reason=(
                    "API Gateway's account-level logging role takes AWS's managed policy, as "
                    "its logging guide says: it writes any API's logs in this account and "
                    "region, so no resource of this stack could narrow it."
                ),
            )
        )

    def _acknowledge_findings(self, *, iam_auth: bool) -> None:
        """cdk-nag and checkov findings we accept by design, each with the reason it is true."""
        stage = self.api.deployment_stage
        skip_checks(
            stage,
            {
                "CKV_AWS_120": (
                    "A prediction API: API Gateway keys its cache on path, query and headers, "
                    "not the POST body, so a cache would serve one caller's prediction to "
                    "another; a cache cluster also bills by the hour."
                )
            },
        )
        cdk.Validations.of(stage).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-APIG3",
                reason=(
                    "No WAFv2 web ACL: abuse is bounded by the stage throttle and, with API "
                    "keys, the usage plan's rate, burst and quota; a web ACL is a paid, "
                    "per-account choice left to the deployer."
                ),
            ),
            cdk.Acknowledgment(
                id="AwsSolutions-APIG6",
                reason=(
                    "Execution logs go to a log group API Gateway creates outside the stack "
                    "(API-Gateway-Execution-Logs_<api>/<stage>), never expiring and not under "
                    "the stack's key; every request is logged by the stage's access log instead."
                ),
            ),
        )
        if iam_auth:
            # SigV4 (IAM) is an authorization; cdk-nag still asks for Cognito.
            cdk.Validations.of(self.method).acknowledge(
                cdk.Acknowledgment(
                    id="AwsSolutions-COG4",
                    reason=(
                        "Callers sign with SigV4 and IAM authorizes them; there are no end "
                        "users, so no Cognito user pool."
                    ),
                ),
            )
            return
        cdk.Validations.of(self.method).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-APIG4",
                reason=(
                    "Callers authenticate with an API key bound to a usage plan (rate, burst, "
                    "quota); set public_api.auth to iam for SigV4 authorization instead."
                ),
            ),
            cdk.Acknowledgment(
                id="AwsSolutions-COG4",
                reason=(
                    "Machine callers with API keys, not end users: there is no Cognito user "
                    "pool to authorize against."
                ),
            ),
        )
