"""The pure helpers behind local_aws's patches and the public API client's local URL."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from clients.call_api import local_invoke_url
from local_aws.cloudformation_changesets import _dependency_order
from local_aws.patches import PATCHES, apply_all
from local_aws.sagemaker_shapes import without_empty_objects
from local_aws.template_types import TEMPLATE_TYPES


def test_empty_objects_are_dropped_at_any_depth_and_lists_kept() -> None:
    given = {"A": {}, "B": {"C": {}, "D": 1}, "E": [{"F": None, "G": "x"}], "H": [], "I": 0}
    assert without_empty_objects(given) == {"B": {"D": 1}, "E": [{"G": "x"}], "H": [], "I": 0}


def test_dependency_order_puts_depends_on_first_and_keeps_the_rest_in_template_order() -> None:
    resources = {
        "Api": {},
        "Deployment": {"DependsOn": ["Method", "Missing"]},
        "Method": {"DependsOn": "Api"},
        "Other": {},
    }
    assert _dependency_order(resources) == ["Api", "Method", "Deployment", "Other"]


@pytest.mark.parametrize(
    ("url", "endpoint", "expected"),
    [
        (
            "https://abc123.execute-api.eu-west-2.amazonaws.com/v1/predict",
            "http://localhost:5000",
            "http://localhost:5000/restapis/abc123/v1/_user_request_/predict",
        ),
        (
            "https://abc123.execute-api.eu-west-2.amazonaws.com/v1/predict",
            None,
            "https://abc123.execute-api.eu-west-2.amazonaws.com/v1/predict",
        ),
        ("http://127.0.0.1:9/restapis/a/v1/_user_request_/predict", "http://x", None),
    ],
)
def test_execute_api_urls_map_to_the_local_form_only_under_an_endpoint_override(
    url: str, endpoint: str | None, expected: str | None
) -> None:
    assert local_invoke_url(url, endpoint) == (expected or url)


def test_every_patch_is_named_and_says_what_it_restores() -> None:
    assert apply_all() == [patch.__name__ for patch in PATCHES]
    assert apply_all() == [patch.__name__ for patch in PATCHES]  # once only
    for patch in PATCHES:
        assert patch.__doc__ and "AWS" in patch.__doc__, patch.__name__


def test_every_table_type_is_a_moto_model_with_its_getatt_attributes() -> None:
    from moto.cloudformation import parsing

    apply_all()
    models = parsing.get_model_map()
    for row in TEMPLATE_TYPES:
        model = models[row.name]
        assert all(model.has_cfn_attr(attribute) for attribute in row.attributes), row.name
        assert not model.has_cfn_attr("NotAnAttribute"), row.name


def test_a_table_type_is_made_listed_answered_by_getatt_and_deleted_with_its_stack() -> None:
    apply_all()
    template = {
        "Resources": {
            "Meta": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2"}},
            "Key": {"Type": "AWS::ApiGateway::ApiKey", "Properties": {"Enabled": True}},
        },
        "Outputs": {
            "KeyRef": {"Value": {"Ref": "Key"}},
            "KeyAtt": {"Value": {"Fn::GetAtt": ["Key", "APIKeyId"]}},
        },
    }
    with mock_aws():
        cfn = boto3.client("cloudformation", region_name="us-east-1")
        apigateway = boto3.client("apigateway", region_name="us-east-1")
        cfn.create_stack(StackName="s", TemplateBody=json.dumps(template))
        outputs = cfn.describe_stacks(StackName="s")["Stacks"][0]["Outputs"]
        (key,) = [k["id"] for k in apigateway.get_api_keys()["items"]]
        assert {o["OutputKey"]: o["OutputValue"] for o in outputs} == {"KeyRef": key, "KeyAtt": key}
        listed = cfn.list_stack_resources(StackName="s")["StackResourceSummaries"]
        assert [(r["LogicalResourceId"], r["ResourceType"]) for r in listed] == [
            ("Meta", "AWS::CDK::Metadata"),
            ("Key", "AWS::ApiGateway::ApiKey"),
        ]
        cfn.delete_stack(StackName="s")
        assert apigateway.get_api_keys()["items"] == []
