"""A deployed stack as CloudFormation describes it, and its outputs: the one DescribeStacks read.

The outputs file is what a deploy left on this machine; this is what the account holds now.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


def describe_stack(cloudformation: Any, stack_name: str) -> dict[str, Any] | None:
    """The stack, or None when CloudFormation has no stack of that name."""
    try:
        return dict(cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0])
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise


def outputs_of(stack: dict[str, Any]) -> dict[str, str]:
    """A described stack's outputs, output key to value."""
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
