"""DescribeStacks, read once: the stack or None when there is none, and its outputs by key."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from clients.deployed_stack import describe_stack, outputs_of


class Stacks:
    def __init__(self, *, error: str | None = None) -> None:
        self.error = error

    def describe_stacks(self, StackName: str) -> dict[str, Any]:
        if self.error is not None:
            raise ClientError(
                {"Error": {"Code": "ValidationError", "Message": self.error}}, "DescribeStacks"
            )
        outputs = [{"OutputKey": "EndpointName", "OutputValue": "ep"}]
        return {"Stacks": [{"StackName": StackName, "Outputs": outputs}]}


def test_a_stack_and_its_outputs() -> None:
    stack = describe_stack(Stacks(), "S")
    assert stack is not None and stack["StackName"] == "S"
    assert outputs_of(stack) == {"EndpointName": "ep"}
    assert outputs_of({"StackName": "S"}) == {}  # a stack without outputs


def test_no_such_stack_is_none() -> None:
    assert describe_stack(Stacks(error="Stack with id S does not exist"), "S") is None


def test_any_other_error_is_raised() -> None:
    with pytest.raises(ClientError, match="Rate exceeded"):
        describe_stack(Stacks(error="Rate exceeded"), "S")
