"""Change sets as CloudFormation runs them: the CDK CLI's default deploy (create, describe,
execute a change set) must end with the stack's outputs, or with a rolled-back stack and the
failing resource's reason, never with an HTML 500 or a stack stuck in REVIEW_IN_PROGRESS."""

from __future__ import annotations

from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation.exceptions import (
    AlreadyExistsException,
    CloudFormationError,
    ValidationError,
)
from moto.cloudformation.parsing import ResourceMap
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, EmptyResult

Backend = cfn_models.CloudFormationBackend
# A stack that only awaits its first change set: AWS lets a new CREATE change set reuse it.
_REVIEW = "REVIEW_IN_PROGRESS"


class ChangeSetNotFound(CloudFormationError):
    code = "ChangeSetNotFound"

    def __init__(self, name: str) -> None:
        super().__init__(f"ChangeSet [{name}] does not exist")


def _find(backend: Any, change_set_name: str, stack_name: str | None) -> Any:
    """The change set named (by ARN, or by name within `stack_name`'s stack), or None."""
    if change_set_name in backend.change_sets:
        return backend.change_sets[change_set_name]
    matches = [
        cs
        for cs in backend.change_sets.values()
        if cs.change_set_name == change_set_name
        and (stack_name is None or stack_name in (cs.stack_name, cs.stack_id))
    ]
    return matches[-1] if matches else None


def change_set_lookups_are_per_stack() -> None:
    """AWS names a change set within its stack: DescribeChangeSet/ExecuteChangeSet with
    `StackName` find that stack's `cdk-deploy-change-set`, not another stack's of the same name,
    and an unknown one is `ChangeSetNotFound` (moto: first match in any stack, or a 500)."""

    def describe_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> Any:
        found = _find(self, change_set_name, stack_name)
        if found is None:
            raise ChangeSetNotFound(change_set_name)
        return found

    Backend.describe_change_set = describe_change_set  # type: ignore[method-assign]
    _pass_stack_name("describe_change_set")


def delete_missing_change_set_succeeds() -> None:
    """AWS: DeleteChangeSet succeeds while the stack exists, even if the change set does not
    (the CDK CLI deletes `cdk-deploy-change-set` before every deploy). moto raised
    UnboundLocalError, an HTML 500 the CLI reports as "XML parse error"."""

    def delete_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        found = _find(self, change_set_name, stack_name)
        if found is not None:
            del self.change_sets[found.change_set_id]
        elif stack_name is not None:
            self.get_stack(stack_name)  # ValidationError when the stack does not exist
        else:
            raise ChangeSetNotFound(change_set_name)

    Backend.delete_change_set = delete_change_set  # type: ignore[method-assign]
    _pass_stack_name("delete_change_set")


def create_change_set_reuses_review_stack() -> None:
    """AWS: a CREATE change set for a stack that exists only as REVIEW_IN_PROGRESS (a change set
    never executed, or one that failed) reuses that stack; a live stack of that name is
    `AlreadyExistsException`. moto made a second stack of the same name each time."""
    original = Backend.create_change_set

    def create_change_set(
        self: Any, stack_name: str, change_set_name: str, *args: Any, **kw: Any
    ) -> tuple[str, str]:
        if kw.get("change_set_type") == "CREATE":
            existing = [s for s in self.stacks.values() if s.name == stack_name]
            for stack in existing:
                if stack.status != _REVIEW:
                    raise AlreadyExistsException(f"Stack [{stack_name}] already exists")
                del self.stacks[stack.stack_id]  # AWS keeps the id; nothing refers to it here
                for cs_id, cs in list(self.change_sets.items()):
                    if cs.stack_id == stack.stack_id:
                        del self.change_sets[cs_id]
        return original(self, stack_name, change_set_name, *args, **kw)

    Backend.create_change_set = create_change_set  # type: ignore[method-assign]


def change_set_creates_in_dependency_order() -> None:
    """AWS creates a change set's new resources after everything they `DependsOn` (an API
    Gateway Deployment after its Methods). moto's change-set path created them in template
    order, so a Deployment failed with "The REST API doesn't contain any methods"."""
    original = ResourceMap.update

    def update(self: Any, template: dict[str, Any], parameters: Any = None) -> None:
        resources = template.get("Resources", {})
        ordered = _dependency_order(resources)
        template = {**template, "Resources": {name: resources[name] for name in ordered}}
        original(self, template, parameters)

    ResourceMap.update = update  # type: ignore[method-assign]


def _dependency_order(resources: dict[str, Any]) -> list[str]:
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name in visiting or name not in resources:
            return
        visiting.add(name)
        depends = resources[name].get("DependsOn", [])
        for dependency in [depends] if isinstance(depends, str) else depends:
            visit(dependency)
        visiting.discard(name)
        ordered.append(name)

    for name in resources:
        visit(name)
    return ordered


def executed_change_set_sets_outputs_and_rolls_back() -> None:
    """AWS: executing a change set gives the stack its new template, description and Outputs
    (moto kept the empty ones of REVIEW_IN_PROGRESS, so `cdk deploy --outputs-file` wrote `{}`);
    once executed, the stack's other change sets are gone. A resource that fails rolls the stack
    back (CREATE: its resources deleted, ROLLBACK_COMPLETE; UPDATE: the previous template
    re-applied, UPDATE_ROLLBACK_COMPLETE) with the resource's reason in the events. moto
    answered the resource's own JSON error on the XML API (the CLI's "XML parse error:
    unexpected content") and left the stack in REVIEW_IN_PROGRESS."""

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = _find(self, change_set_name, stack_name)
        if change_set is None:
            raise ChangeSetNotFound(change_set_name)
        if change_set.execution_status != "AVAILABLE":
            raise ValidationError(
                message=f"ChangeSet [{change_set.change_set_id}] cannot be executed in its "
                f"current execution status of [{change_set.execution_status}]"
            )
        stack = self.stacks[change_set.stack_id]
        verb = change_set.change_set_type
        previous = (stack.template, stack.template_dict)
        stack.status = f"{verb}_IN_PROGRESS"
        stack._add_stack_event(stack.status, resource_status_reason="User Initiated")
        try:
            change_set.apply()
            stack.template = change_set.template
            stack._parse_template()
            stack.description = stack.template_dict.get("Description")
            stack.output_map = stack._create_output_map()
            _ = stack.outputs  # resolve now: a bad output fails the deploy, not DescribeStacks
        except Exception as exc:  # any resource failure is a rollback on AWS
            change_set.execution_status = "EXECUTE_FAILED"
            _roll_back(stack, verb, previous, exc)
            return
        change_set.execution_status = "EXECUTE_COMPLETE"
        stack.status = f"{verb}_COMPLETE"
        stack._add_stack_event(stack.status)
        for cs_id, other in list(self.change_sets.items()):
            if other.stack_id == stack.stack_id and other is not change_set:
                del self.change_sets[cs_id]

    Backend.execute_change_set = execute_change_set  # type: ignore[method-assign]


def _roll_back(stack: Any, verb: str, previous: tuple[Any, dict[str, Any]], exc: Exception) -> None:
    reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    failed = _first_not_created(stack)
    if failed is not None:
        logical_id, resource_type = failed
        stack.events.append(
            cfn_models.Event(
                stack_id=stack.stack_id,
                stack_name=stack.name,
                logical_resource_id=logical_id,
                physical_resource_id="",
                resource_type=resource_type,
                # a resource the previous template lacked was being created, even in an UPDATE
                resource_status=(
                    "UPDATE_FAILED"
                    if logical_id in previous[1].get("Resources", {})
                    else "CREATE_FAILED"
                ),
                resource_status_reason=reason,
                resource_properties=None,
            )
        )
    prefix = "ROLLBACK" if verb == "CREATE" else "UPDATE_ROLLBACK"
    stack._add_stack_event(
        f"{prefix}_IN_PROGRESS",
        resource_status_reason=f"The following resource(s) failed to {verb.lower()}: "
        f"[{failed[0] if failed else '?'}]. Rollback requested by user.",
    )
    try:
        if verb == "CREATE":
            stack.resource_map.delete()
        else:
            stack.template, stack.template_dict = previous
            stack.resource_map.update(stack.template_dict)
            stack.output_map = stack._create_output_map()
        stack.status = f"{prefix}_COMPLETE"
    except Exception as cleanup:  # reported as AWS does: in the stack status and its event
        stack.status = f"{prefix}_FAILED"
        reason = str(cleanup)
    stack._add_stack_event(
        stack.status, resource_status_reason=reason if "FAILED" in stack.status else None
    )


def _first_not_created(stack: Any) -> tuple[str, str] | None:
    resources = stack.resource_map._resource_json_map
    created = stack.resource_map._parsed_resources
    for name in _dependency_order(resources):
        resource_type = resources[name].get("Type", "")
        if name not in created and not resource_type.startswith("AWS::CDK::"):
            return name, resource_type
    return None


def _pass_stack_name(action: str) -> None:
    """moto's response handler drops `StackName`; hand it to the backend method."""

    def handler(self: Any) -> Any:
        method = getattr(self.cloudformation_backend, action)
        result = method(
            change_set_name=self._get_param("ChangeSetName"),
            stack_name=self._get_param("StackName"),
        )
        return EmptyResult() if result is None else ActionResult(result)

    setattr(CloudFormationResponse, action, handler)
