"""verify_teardown against moto_server: what it counts as left behind, and what it leaves alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clients import verify_teardown


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
