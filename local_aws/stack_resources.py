"""ListStackResources names every resource of the template, with its logical id and type.

moto stores a resource of a type it does not emulate (an alarm, a scalable target, API Gateway's
account settings, ...) as nothing and listed it as an entry with an empty LogicalResourceId and
ResourceType, which boto3 users and the AWS CLI's readers trip over. AWS lists each resource
it created; here a type moto skips is listed too, by name and type, with its logical id as
physical id (docs/local-cloud-divergences.md says which types are not emulated).
"""

from __future__ import annotations

from typing import Any


def summaries(stack: Any) -> list[dict[str, Any]]:
    """One summary per template resource, in template order, as AWS shapes them."""
    declared: dict[str, Any] = stack.template_dict.get("Resources", {})
    parsed: dict[str, Any] = stack.resource_map._parsed_resources
    listed = []
    for logical_id, body in declared.items():
        resource = parsed.get(logical_id)
        listed.append(
            {
                "LogicalResourceId": logical_id,
                "PhysicalResourceId": getattr(resource, "physical_resource_id", None) or logical_id,
                "ResourceType": body.get("Type", ""),
                "ResourceStatus": "CREATE_COMPLETE",
                "LastUpdatedTimestamp": stack.creation_time,
            }
        )
    return listed


def skipped_resources_are_listed_by_name_and_type() -> None:
    """AWS lists every resource of a stack with its logical id and type; moto listed a type it
    does not emulate as an entry with empty ids."""
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    def list_stack_resources(self: CloudFormationResponse) -> ActionResult:
        stack, _ = self.cloudformation_backend.list_stack_resources(self._get_param("StackName"))
        return ActionResult({"StackResourceSummaries": summaries(stack)})

    CloudFormationResponse.list_stack_resources = list_stack_resources  # type: ignore[method-assign]
