"""The outputs file: one reader, one way to take a stack from it, in the words the tools print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clients.cli import UsageError
from clients.outputs_file import outputs_with, read_outputs, recorded_output, select_stack


def write(tmp_path: Path, value: Any) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return path


def batch_outputs(path: Path, *, stack_name: str | None = None) -> dict[str, Any]:
    return outputs_with(
        path, stack_name=stack_name, needs="BatchBucketName", missing="none", hint=" (hint)"
    )


def test_stack_outputs_come_from_the_one_stack_that_has_the_needed_output(tmp_path: Path) -> None:
    path = write(tmp_path, {"A": {"EndpointName": "a"}, "B": {"BatchBucketName": "b"}})
    assert batch_outputs(path) == {"BatchBucketName": "b"}
    with pytest.raises(UsageError, match=r"stack A in .* has no BatchBucketName output \(hint\)"):
        batch_outputs(path, stack_name="A")
    path = write(tmp_path, {"A": {"BatchBucketName": "a"}, "B": {"BatchBucketName": "b"}})
    with pytest.raises(UsageError, match=r"several stacks \(A, B\): pass --stack-name"):
        batch_outputs(path)
    assert batch_outputs(path, stack_name="B") == {"BatchBucketName": "b"}


def test_no_stack_with_the_output_names_the_output_and_the_hint(tmp_path: Path) -> None:
    path = write(tmp_path, {"A": {"EndpointName": "a"}})
    with pytest.raises(UsageError) as raised:
        batch_outputs(path)
    assert str(raised.value) == f"no stack in {path} has a BatchBucketName output (hint)"


def test_a_missing_file_says_what_the_caller_passed_as_missing(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^pass --this instead$"):
        read_outputs(tmp_path / "absent.json", missing="pass --this instead")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read outputs file"),
        ("[1, 2]", r"is not a CDK outputs file \(\{stack: \{key: value\}\}\)"),
        ('{"A": "not a dict"}', "is not a CDK outputs file"),
    ],
)
def test_a_file_of_another_shape_is_a_usage_error(
    tmp_path: Path, content: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        read_outputs(write(tmp_path, content))


def test_an_unknown_stack_name_lists_the_stacks_there_are(tmp_path: Path) -> None:
    path = write(tmp_path, {"B": {}, "A": {}})
    with pytest.raises(UsageError) as raised:
        select_stack(path, stack_name="Nope", needs="EndpointName")
    assert str(raised.value) == f"stack Nope not in {path} (stacks: A, B)"


def test_a_recorded_output_is_none_when_the_file_cannot_tell(tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    assert recorded_output(path, stack_name="S", key="EndpointName") is None  # no file
    write(tmp_path, "{not json")
    assert recorded_output(path, stack_name="S", key="EndpointName") is None
    write(tmp_path, {"S": {"EndpointName": "ep", "Empty": ""}})
    assert recorded_output(path, stack_name="S", key="EndpointName") == "ep"
    assert recorded_output(path, stack_name="S", key="Empty") is None
    assert recorded_output(path, stack_name="Other", key="EndpointName") is None
