"""The clients: how they resolve what to call (unit), and real round trips through moto_server,
the local runtime (real SigV4 check) and the real XGBoost handler."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from benchmarks.local_endpoint import LocalResources
from clients import call_raw, predict, verify_teardown
from clients.errors import InvocationError
from clients.payload import encode_request, predictions_of, response_text
from clients.target import Target, UsageError, resolve_endpoint_name, resolve_region, resolve_rows
from local_cloud.control_plane import ControlPlane
from local_cloud.runtime_process import RuntimeProcess
from model_build import BuildResult

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
        ('[[1, "2"]]', "row 0 is not"),
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


# --- payloads and URLs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {
                "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": "http://rt:1/",
                "AWS_ENDPOINT_URL": "http://all:2",
            },
            "http://rt:1/endpoints/ep/invocations",
        ),
        ({"AWS_ENDPOINT_URL": "http://all:2"}, "http://all:2/endpoints/ep/invocations"),
        ({}, "https://runtime.sagemaker.eu-west-2.amazonaws.com/endpoints/ep/invocations"),
    ],
)
def test_raw_invoke_url_honours_the_endpoint_url_variables(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name in ("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert call_raw.invoke_url("ep", "eu-west-2") == expected


def test_json_request_wraps_rows_in_instances() -> None:
    request = encode_request([ROW], payload_format="json")
    assert (request.content_type, request.accept) == ("application/json", "application/json")
    assert json.loads(request.body) == {"instances": [ROW]}


def test_npy_request_and_response_round_trip_as_json_predictions() -> None:
    request = encode_request([[1.0, 2.0], [3.0, 4.0]], payload_format="npy")
    assert request.content_type == request.accept == "application/x-npy"
    text = response_text(request.body, "application/x-npy")
    assert predictions_of(text) == [[1.0, 2.0], [3.0, 4.0]]


def test_model_error_from_http_keeps_the_containers_status_and_message() -> None:
    body = json.dumps(
        {"OriginalStatusCode": 400, "OriginalMessage": '{"error": "bad"}', "Message": "Received"}
    )
    error = InvocationError.from_http(
        status=424, headers={"x-amzn-ErrorType": "ModelError"}, body=body
    )
    assert (error.code, error.original_status, error.original_message) == (
        "ModelError",
        400,
        '{"error": "bad"}',
    )
    assert "OriginalStatusCode=400" in error.summary()


# --- real round trips --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served_model(
    built_model: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The real built model, stored in moto's S3 and served by the local runtime."""
    root = tmp_path_factory.mktemp("served")
    card = json.loads(built_model.card_path.read_text())
    with ControlPlane(log_path=root / "moto.log") as control_plane:
        env = control_plane.env()
        runtime = RuntimeProcess(
            control_plane_url=control_plane.url,
            region=control_plane.region,
            work_dir=root / "runtime",
            log_path=root / "runtime.log",
            env=env,
        )
        with runtime:
            session = boto3.session.Session(
                aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                aws_session_token=env["AWS_SESSION_TOKEN"],
                region_name=control_plane.region,
            )
            name = "clients-test"
            LocalResources(control_plane.url).deploy_tarball(name, built_model.tarball)
            yield {
                "env": {**env, "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": runtime.url},
                "endpoint": name,
                "card": card,
                "session": session,
                "moto_url": control_plane.url,
            }


@pytest.fixture
def local_env(served_model: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for key, value in served_model["env"].items():
        monkeypatch.setenv(key, value)
    return served_model


@pytest.mark.parametrize("client", [predict, call_raw])
@pytest.mark.parametrize("payload_format", ["json", "npy"])
def test_client_prints_the_models_predictions_for_the_card_sample(
    local_env: dict[str, Any],
    client: Any,
    payload_format: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    card_path = write_json(tmp_path / "card.json", local_env["card"])
    argv = ["--endpoint-name", local_env["endpoint"], "--model-card", str(card_path)]
    assert client.main([*argv, "--format", payload_format]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("200 ")
    assert predictions_of(lines[0][4:]) == pytest.approx(local_env["card"]["sample"]["predictions"])
    if client is call_raw:
        assert (
            lines[1] == f"Invoke URL: {local_env['env']['AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME']}"
            f"/endpoints/{local_env['endpoint']}/invocations"
        )


def _invoke_both(local_env: dict[str, Any], rows: list[list[float]]) -> list[InvocationError]:
    target = Target(
        endpoint_name=local_env["endpoint"], rows=rows, region="eu-west-2", payload_format="json"
    )
    errors = []
    for client in (predict, call_raw):
        with pytest.raises(InvocationError) as caught:
            client.invoke(target)
        errors.append(caught.value)
    return errors


def test_bad_request_is_the_same_model_error_from_both_clients(local_env: dict[str, Any]) -> None:
    boto_error, raw_error = _invoke_both(local_env, [[1.0, 2.0, 3.0]])
    for error in (boto_error, raw_error):
        assert error.status == 424
        assert error.code == "ModelError"
        assert error.original_status == 400
        assert "expected 30 features per row, got 3" in (error.original_message or "")
    assert boto_error.original_message == raw_error.original_message
    assert json.loads(boto_error.body) == json.loads(raw_error.body)


def test_unknown_endpoint_is_a_validation_error_from_both_clients(
    local_env: dict[str, Any],
) -> None:
    target = {**local_env, "endpoint": "no-such-endpoint"}
    for error in _invoke_both(target, [ROW]):
        assert (error.status, error.code) == (400, "ValidationError")
        assert "no-such-endpoint" in (error.message or "")


def test_raw_call_with_a_wrong_secret_is_refused_and_exits_1(
    local_env: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    argv = ["--endpoint-name", local_env["endpoint"], "--rows", json.dumps(ROW)]
    assert call_raw.main(argv) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("403 ")
    assert out[1].startswith("Invoke URL: ")


def test_teardown_check_counts_what_is_left_and_passes_once_it_is_gone(
    local_env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    session, endpoint = local_env["session"], local_env["endpoint"]
    sagemaker = session.client("sagemaker", endpoint_url=local_env["moto_url"])
    arn = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointArn"]
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "app", "Value": "sagemaker-xgb-cdk"}])
    argv = ["--stack-name", "NoSuchStack", "--outputs-file", "/nonexistent"]
    assert verify_teardown.main(argv) == 1
    assert "endpoints: 1 left (clients-test)" in capsys.readouterr().out

    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["app"])
    assert verify_teardown.main(argv) == 0  # untagged, unnamed: another app's endpoint
    assert verify_teardown.main([*argv, "--endpoint-name", endpoint]) == 1


@pytest.mark.parametrize(
    ("principal", "tags", "counted"),
    [
        ("sagemaker.amazonaws.com", [{"Key": "app", "Value": "sagemaker-xgb-cdk"}], True),
        ("sagemaker.amazonaws.com", [{"Key": "app", "Value": "another-app"}], False),
        ("lambda.amazonaws.com", [{"Key": "app", "Value": "sagemaker-xgb-cdk"}], False),
    ],
)
def test_teardown_check_finds_an_execution_role_by_its_tag(
    local_env: dict[str, Any], principal: str, tags: list[dict[str, str]], counted: bool
) -> None:
    iam = local_env["session"].client("iam", endpoint_url=local_env["moto_url"])
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
        ],
    }
    name = f"role-{principal.split('.')[0]}-{tags[0]['Value']}"
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), Tags=tags)
    try:
        finding = verify_teardown.find_roles(iam, verify_teardown.Ownership(stack_name="NoSuch"))
        assert (name in finding.leftovers) is counted
    finally:
        iam.delete_role(RoleName=name)


@pytest.mark.parametrize(
    ("principal", "counted"),
    [("apigateway.amazonaws.com", False), ("sagemaker.amazonaws.com", True)],
)
def test_teardown_check_leaves_the_kept_api_gateway_logging_role_alone(
    local_env: dict[str, Any], principal: str, counted: bool
) -> None:
    # The public API's account logging role is retained on destroy by design.
    iam = local_env["session"].client("iam", endpoint_url=local_env["moto_url"])
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
        ],
    }
    name = f"KeptStack-PublicApiRestApiCloudWatchRole9E13EBE3-{principal.split('.')[0]}"
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    try:
        owner = verify_teardown.Ownership(stack_name="KeptStack")
        assert (name in verify_teardown.find_roles(iam, owner).leftovers) is counted
    finally:
        iam.delete_role(RoleName=name)


def test_teardown_check_finds_a_public_api_and_its_access_logs_named_after_the_stack(
    local_env: dict[str, Any],
) -> None:
    session, moto_url = local_env["session"], local_env["moto_url"]
    apigateway = session.client("apigateway", endpoint_url=moto_url)
    logs = session.client("logs", endpoint_url=moto_url)
    owner = verify_teardown.Ownership(stack_name="TeardownStack")
    api_id = apigateway.create_rest_api(name="TeardownStack-public-api")["id"]
    other_id = apigateway.create_rest_api(name="SomeoneElse-public-api")["id"]
    logs.create_log_group(logGroupName="TeardownStack-PublicApiAccessLogs-ABC123")
    try:
        apis = verify_teardown.find_rest_apis(apigateway, owner)
        assert apis.leftovers == [f"TeardownStack-public-api ({api_id})"]
        groups = verify_teardown.find_log_groups(logs, owner)
        assert groups.leftovers == ["TeardownStack-PublicApiAccessLogs-ABC123"]
    finally:
        apigateway.delete_rest_api(restApiId=api_id)
        apigateway.delete_rest_api(restApiId=other_id)
        logs.delete_log_group(logGroupName="TeardownStack-PublicApiAccessLogs-ABC123")
    assert verify_teardown.find_rest_apis(apigateway, owner).leftovers == []
    assert verify_teardown.find_log_groups(logs, owner).leftovers == []


def test_teardown_check_reports_a_bucket_cloudformation_named_after_the_stack(
    local_env: dict[str, Any],
) -> None:
    s3 = local_env["session"].client("s3", endpoint_url=local_env["moto_url"])
    owner = verify_teardown.Ownership(stack_name="TeardownStack")
    location = {"LocationConstraint": local_env["session"].region_name}
    s3.create_bucket(
        Bucket="teardownstack-capturebucket-abc123", CreateBucketConfiguration=location
    )
    s3.create_bucket(Bucket="someone-elses-bucket", CreateBucketConfiguration=location)
    try:
        found = verify_teardown.find_buckets(s3, owner).leftovers
        assert found == ["teardownstack-capturebucket-abc123"]
    finally:
        s3.delete_bucket(Bucket="teardownstack-capturebucket-abc123")
        s3.delete_bucket(Bucket="someone-elses-bucket")
    assert verify_teardown.find_buckets(s3, owner).leftovers == []
