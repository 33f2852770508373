"""What the clients call: the endpoint name, the rows and the region, or a one-line usage error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clients import call_raw, predict
from clients.cli import UsageError
from clients.rows import resolve_rows
from clients.target import resolve_endpoint_name, resolve_region

ROW = [0.5] * 30


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value))
    return path


# --- endpoint name -------------------------------------------------------------------------


def test_explicit_endpoint_name_wins_over_outputs_file(tmp_path: Path) -> None:
    outputs = write_json(tmp_path / "o.json", {"S": {"EndpointName": "from-file"}})
    name = resolve_endpoint_name(endpoint_name="given", outputs_file=outputs, stack_name=None)
    assert name == "given"


def test_endpoint_name_comes_from_the_only_stack_with_the_output(tmp_path: Path) -> None:
    outputs = write_json(
        tmp_path / "o.json",
        {"Other": {"Bucket": "b"}, "S": {"EndpointName": "ep-1", "InvokeUrl": "u"}},
    )
    assert (
        resolve_endpoint_name(endpoint_name=None, outputs_file=outputs, stack_name=None) == "ep-1"
    )


def test_stack_name_picks_among_several_stacks(tmp_path: Path) -> None:
    outputs = write_json(
        tmp_path / "o.json", {"A": {"EndpointName": "ep-a"}, "B": {"EndpointName": "ep-b"}}
    )
    assert resolve_endpoint_name(endpoint_name=None, outputs_file=outputs, stack_name="B") == "ep-b"


@pytest.mark.parametrize(
    ("outputs", "stack_name", "message"),
    [
        (None, None, "pass --endpoint-name or deploy with --outputs-file"),
        ("{not json", None, "cannot read outputs file"),
        ([1, 2], None, "is not a CDK outputs file"),
        ({"A": {"EndpointName": "a"}, "B": {"EndpointName": "b"}}, None, "pass --stack-name"),
        ({"A": {"EndpointName": "a"}}, "Nope", "stack Nope not in"),
        ({"A": {"InvokeUrl": "u"}}, "A", "stack A in"),
        ({"A": {"InvokeUrl": "u"}}, None, "no stack in"),
    ],
)
def test_unresolvable_endpoint_name_is_a_usage_error(
    tmp_path: Path, outputs: Any, stack_name: str | None, message: str
) -> None:
    path = tmp_path / "cdk-outputs.json"
    if isinstance(outputs, str):
        path.write_text(outputs)
    elif outputs is not None:
        write_json(path, outputs)
    with pytest.raises(UsageError, match=message):
        resolve_endpoint_name(endpoint_name=None, outputs_file=path, stack_name=stack_name)


# --- rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows_json", "expected"),
    [
        ("[1, 2.5, 3]", [[1.0, 2.5, 3.0]]),
        ("[[1, 2], [3, 4]]", [[1.0, 2.0], [3.0, 4.0]]),
        ("[[0]]", [[0.0]]),
    ],
)
def test_rows_flag_takes_one_row_or_a_list_of_rows(rows_json: str, expected: list[Any]) -> None:
    assert resolve_rows(rows_json=rows_json, model_card=Path("/nonexistent")) == expected


@pytest.mark.parametrize(
    ("rows_json", "message"),
    [
        ("[1, 2", "not valid JSON"),
        ("[]", "non-empty list of rows"),
        ('{"instances": [[1]]}', "non-empty list of rows"),
        ("[[1, 2], [3]]", "rows differ in length"),
        ('[[1, {"a": 2}]]', "row 0 is not"),
        ("[[1], []]", "row 1 is not"),
        ("[[true, 1]]", "row 0 is not"),
        ("[1, [2]]", "row 0 is not"),
    ],
)
def test_malformed_rows_are_a_usage_error(rows_json: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        resolve_rows(rows_json=rows_json, model_card=Path("/nonexistent"))


def test_rows_default_to_the_model_cards_sample(tmp_path: Path) -> None:
    card = write_json(tmp_path / "card.json", {"sample": {"instances": [ROW, ROW]}})
    assert resolve_rows(rows_json=None, model_card=card) == [ROW, ROW]


@pytest.mark.parametrize(
    ("card", "message"),
    [
        (None, "build the model first"),
        ({"feature_count": 30}, "has no sample.instances"),
        ({"sample": {"instances": []}}, "non-empty list of rows"),
    ],
)
def test_missing_rows_are_a_usage_error(tmp_path: Path, card: Any, message: str) -> None:
    path = tmp_path / "model-card.json"
    if card is not None:
        write_json(path, card)
    with pytest.raises(UsageError, match=message):
        resolve_rows(rows_json=None, model_card=path)


# --- region --------------------------------------------------------------------------------


@pytest.fixture
def no_aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "aws-config"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        ("eu-west-1", {"AWS_REGION": "us-east-1"}, "eu-west-1"),
        (None, {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-west-2"}, "us-east-1"),
        (None, {"AWS_DEFAULT_REGION": "us-west-2"}, "us-west-2"),
    ],
)
def test_region_comes_from_flag_then_environment(
    no_aws_config: None,
    monkeypatch: pytest.MonkeyPatch,
    flag: str | None,
    env: dict[str, str],
    expected: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert resolve_region(flag) == expected


def test_region_from_the_profile_config(
    no_aws_config: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-southeast-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert resolve_region(None) == "ap-southeast-2"


def test_no_region_anywhere_is_a_usage_error(no_aws_config: None) -> None:
    with pytest.raises(UsageError, match="pass --region"):
        resolve_region(None)


@pytest.mark.parametrize("client", [predict, call_raw])
def test_tools_exit_2_with_one_line_when_nothing_names_the_endpoint(
    client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--outputs-file", str(tmp_path / "none.json"), "--rows", "[1]", "--region", "eu-west-2"]
    assert client.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: no endpoint name")
