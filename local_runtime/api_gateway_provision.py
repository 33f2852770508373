"""Create in moto the API Gateway resources its CloudFormation skips, from the deployed template.

moto 5.2.5's CloudFormation creates `AWS::ApiGateway::RestApi`, `Resource`, `Method` (type,
URI, auth type, API key flag; not credentials, templates or integration responses) and
`Deployment`, but skips `Stage`, `ApiKey`, `UsagePlan`, `UsagePlanKey`, `Model`,
`RequestValidator` and `GatewayResponse` (the stack still reports CREATE_COMPLETE, the
`PublicApiKeyId` output is dropped, the URL output reads stage "None"), and `cdk destroy` leaves
the RestApi behind. `provision()` reads the stack's own template and makes those resources
through moto's API Gateway API with the template's properties, so the local API Gateway
(`local_runtime/api_gateway.py`) checks keys and stages against what the stack declared.
`remove()` deletes them, and the RestApi, after `cdk destroy`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

STACK_API_TYPE = "AWS::ApiGateway::RestApi"
# Skipped types, in dependency order.
SKIPPED_TYPES = (
    "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::Model",
    "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::GatewayResponse",
    "AWS::ApiGateway::ApiKey",
    "AWS::ApiGateway::UsagePlan",
    "AWS::ApiGateway::UsagePlanKey",
)


@dataclass
class ProvisionedApi:
    api_id: str
    stage: str | None = None
    api_key_id: str | None = None
    usage_plan_ids: list[str] = field(default_factory=list)


def provision(*, cloudformation: Any, apigateway: Any, stack_name: str) -> ProvisionedApi:
    """Create the stack's skipped API Gateway resources; return the API, stage and key."""
    template = _template(cloudformation, stack_name)
    resources: dict[str, dict[str, Any]] = template.get("Resources", {})
    physical = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
        for r in cloudformation.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    }
    apis = [name for name, r in resources.items() if r["Type"] == STACK_API_TYPE]
    if len(apis) != 1:
        raise ValueError(f"stack {stack_name} has {len(apis)} REST APIs; expected one")
    api_id = physical[apis[0]]
    result = ProvisionedApi(api_id=api_id)
    deployments = apigateway.get_deployments(restApiId=api_id)["items"]
    for name, resource in resources.items():
        if resource["Type"] == "AWS::ApiGateway::Deployment" and deployments:
            latest = max(deployments, key=lambda d: d["createdDate"])
            physical[name] = latest["id"]  # moto records no physical id for it

    def ref(value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"Ref"}:
            return physical[value["Ref"]]
        return value

    for resource_type in SKIPPED_TYPES:
        for name, resource in resources.items():
            if resource["Type"] != resource_type:
                continue
            props = {k: ref(v) for k, v in resource.get("Properties", {}).items()}
            physical[name] = _create(apigateway, resource_type, name, props, ref, result)
    return result


def remove(*, apigateway: Any, provisioned: ProvisionedApi) -> None:
    """Delete what `provision` made and the RestApi that moto's destroy leaves behind."""
    for plan_id in provisioned.usage_plan_ids:
        for key in apigateway.get_usage_plan_keys(usagePlanId=plan_id)["items"]:
            apigateway.delete_usage_plan_key(usagePlanId=plan_id, keyId=key["id"])
        apigateway.delete_usage_plan(usagePlanId=plan_id)
    if provisioned.api_key_id:
        apigateway.delete_api_key(apiKey=provisioned.api_key_id)
    existing = {api["id"] for api in apigateway.get_rest_apis()["items"]}
    if provisioned.api_id in existing:
        apigateway.delete_rest_api(restApiId=provisioned.api_id)


def _create(
    apigateway: Any,
    resource_type: str,
    name: str,
    props: dict[str, Any],
    ref: Any,
    result: ProvisionedApi,
) -> str:
    if resource_type == "AWS::ApiGateway::Stage":
        apigateway.create_stage(
            restApiId=props["RestApiId"],
            stageName=props["StageName"],
            deploymentId=props["DeploymentId"],
        )
        result.stage = props["StageName"]
        return str(props["StageName"])
    if resource_type == "AWS::ApiGateway::Model":
        created = apigateway.create_model(
            restApiId=props["RestApiId"],
            name=props.get("Name", name),
            description=props.get("Description", ""),
            contentType=props["ContentType"],
            schema=json.dumps(props["Schema"]),
        )
        return str(created.get("name", props.get("Name", name)))
    if resource_type == "AWS::ApiGateway::RequestValidator":
        created = apigateway.create_request_validator(
            restApiId=props["RestApiId"],
            name=props.get("Name", name),
            validateRequestBody=bool(props.get("ValidateRequestBody")),
            validateRequestParameters=bool(props.get("ValidateRequestParameters")),
        )
        return str(created["id"])
    if resource_type == "AWS::ApiGateway::GatewayResponse":
        apigateway.put_gateway_response(
            restApiId=props["RestApiId"],
            responseType=props["ResponseType"],
            statusCode=str(props.get("StatusCode", "")),
            responseTemplates=props.get("ResponseTemplates", {}),
        )
        return str(props["ResponseType"])
    if resource_type == "AWS::ApiGateway::ApiKey":
        created = apigateway.create_api_key(
            name=props.get("Name", name),
            description=props.get("Description", ""),
            enabled=bool(props.get("Enabled", False)),
        )
        result.api_key_id = str(created["id"])
        return result.api_key_id
    if resource_type == "AWS::ApiGateway::UsagePlan":
        limits: dict[str, Any] = {}
        if throttle := props.get("Throttle"):
            limits["throttle"] = {
                "rateLimit": throttle.get("RateLimit", 0),
                "burstLimit": throttle.get("BurstLimit", 0),
            }
        if quota := props.get("Quota"):
            limits["quota"] = {"limit": quota["Limit"], "period": quota["Period"]}
        created = apigateway.create_usage_plan(
            name=props.get("UsagePlanName", name),
            description=props.get("Description", ""),
            apiStages=[
                {"apiId": ref(s["ApiId"]), "stage": ref(s["Stage"])}
                for s in props.get("ApiStages", [])
            ],
            **limits,
        )
        result.usage_plan_ids.append(str(created["id"]))
        return str(created["id"])
    if resource_type == "AWS::ApiGateway::UsagePlanKey":
        apigateway.create_usage_plan_key(
            usagePlanId=props["UsagePlanId"], keyId=props["KeyId"], keyType=props["KeyType"]
        )
        return f"{props['UsagePlanId']}:{props['KeyId']}"
    raise ValueError(f"cannot provision {resource_type}")


def _template(cloudformation: Any, stack_name: str) -> dict[str, Any]:
    body = cloudformation.get_template(StackName=stack_name)["TemplateBody"]
    return body if isinstance(body, dict) else dict(json.loads(body))
