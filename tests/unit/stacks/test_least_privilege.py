"""Least privilege, proven on the synthesized template by evaluating the execution role's policy
(IAM's Allow matching, no simulator): the role reads exactly the object the Model serves and can
write nothing but its own logs and metrics. Also checks the client policy in docs/security.md.

test_stack.py pins the statements' shape; these tests ask what the policy allows.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

import pytest

from tests.support.cdk import Synthesized
from tests.support.paths import REPO

ACCOUNT = "123456789012"
REGION = "eu-west-2"
PSEUDO = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
SECURITY_DOC = REPO / "docs" / "security.md"


def _resolve(value: Any, template: dict[str, Any]) -> Any:
    """The value with Ref/Fn::Sub/Fn::Join/Fn::FindInMap of pseudo parameters worked out."""
    if isinstance(value, list):
        return [_resolve(v, template) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"} and value["Ref"] in PSEUDO:
        return PSEUDO[value["Ref"]]
    if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return re.sub(r"\$\{([^}]+)\}", lambda m: PSEUDO[m.group(1)], value["Fn::Sub"])
    if set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return separator.join(str(_resolve(p, template)) for p in parts)
    if set(value) == {"Fn::FindInMap"}:
        name, key, attribute = (_resolve(v, template) for v in value["Fn::FindInMap"])
        return template["Mappings"][name][key][attribute]
    return {k: _resolve(v, template) for k, v in value.items()}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class Policy:
    """Allow-only evaluation: an action on a resource is allowed if some statement matches it."""

    def __init__(self, statements: list[dict[str, Any]]) -> None:
        self.statements = statements

    def allows(self, action: str, resource: str) -> bool:
        for statement in self.statements:
            actions = _as_list(statement["Action"])
            if not any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions):
                continue
            if any(fnmatch.fnmatchcase(resource, r) for r in _as_list(statement["Resource"])):
                return True
        return False


def _resources(synth: Synthesized, kind: str) -> dict[str, Any]:
    return {k: v for k, v in synth.json.get("Resources", {}).items() if v["Type"] == kind}


@pytest.fixture(scope="module")
def resolved(default_synth: Synthesized) -> dict[str, Any]:
    template = default_synth.json
    return dict(_resolve(template, template))


@pytest.fixture(scope="module")
def policy(default_synth: Synthesized, resolved: dict[str, Any]) -> Policy:
    (policy_id,) = _resources(default_synth, "AWS::IAM::Policy")
    return Policy(resolved["Resources"][policy_id]["Properties"]["PolicyDocument"]["Statement"])


@pytest.fixture(scope="module")
def artefact_arn(default_synth: Synthesized, resolved: dict[str, Any]) -> str:
    (model_id,) = _resources(default_synth, "AWS::SageMaker::Model")
    url = resolved["Resources"][model_id]["Properties"]["PrimaryContainer"]["ModelDataUrl"]
    assert url.startswith("s3://") and "*" not in url
    return "arn:aws:s3:::" + url.removeprefix("s3://")


def test_every_statement_is_a_plain_allow_no_not_action_no_not_resource(policy: Policy) -> None:
    for statement in policy.statements:
        assert statement["Effect"] == "Allow"
        assert not {"NotAction", "NotResource", "NotPrincipal"} & set(statement)


def test_the_role_reads_the_object_the_model_serves(policy: Policy, artefact_arn: str) -> None:
    assert policy.allows("s3:GetObject", artefact_arn)


@pytest.mark.parametrize(
    "other",
    [
        "{bucket}/other.tar.gz",
        "{bucket}/{key}.bak",
        "{bucket}/*",
        "{bucket}",
        "arn:aws:s3:::another-bucket/{key}",
    ],
)
def test_the_role_reads_no_other_s3_object_or_bucket(
    policy: Policy, artefact_arn: str, other: str
) -> None:
    bucket, _, key = artefact_arn.partition("/")
    resource = other.format(bucket=bucket, key=key)
    for action in ("s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:GetBucketPolicy"):
        assert not policy.allows(action, resource), (action, resource)


WRITES = [
    "s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl", "s3:PutBucketPolicy", "s3:DeleteBucket",
    "s3:PutLifecycleConfiguration", "s3:RestoreObject", "s3:ListBucket", "s3:GetObjectVersion",
    "sagemaker:CreateEndpoint", "sagemaker:DeleteEndpoint", "sagemaker:InvokeEndpoint",
    "iam:PassRole", "iam:CreateRole", "iam:AttachRolePolicy", "sts:AssumeRole",
    "ecr:PutImage", "ecr:DeleteRepository", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
    "kms:Decrypt", "secretsmanager:GetSecretValue", "ssm:GetParameter",
]  # fmt: skip


@pytest.mark.parametrize("action", WRITES)
def test_the_role_cannot_do_anything_else_on_the_artefact_or_anywhere(
    policy: Policy, artefact_arn: str, action: str
) -> None:
    for resource in (artefact_arn, "*"):
        assert not policy.allows(action, resource), (action, resource)


def test_logs_are_written_only_to_the_endpoints_own_group(policy: Policy) -> None:
    group = "/aws/sagemaker/Endpoints/SagemakerXgbEndpoint"
    own = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:log-stream:AllTraffic/i-1"
    other = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/anything:log-stream:x"
    assert policy.allows("logs:PutLogEvents", own)
    assert not policy.allows("logs:PutLogEvents", other)
    assert not policy.allows("logs:CreateLogGroup", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:x")


def test_the_role_gets_permissions_from_this_one_policy_only(default_synth: Synthesized) -> None:
    (role_id, role) = next(iter(_resources(default_synth, "AWS::IAM::Role").items()))
    assert "Policies" not in role["Properties"]
    assert "ManagedPolicyArns" not in role["Properties"]
    attached = [
        p["Properties"].get("Roles", [])
        for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        for p in _resources(default_synth, kind).values()
    ]
    assert attached == [[{"Ref": role_id}]]


# --- the client side: the invoke policy in docs/security.md ----------------------------------


def _documented_client_policy() -> dict[str, Any]:
    text = SECURITY_DOC.read_text()
    section = re.search(r"^## What a client needs\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert section is not None, "docs/security.md has no '## What a client needs' section"
    block = re.search(r"```json\n(.*?)```", section.group(1), re.S)
    assert block is not None, "docs/security.md shows no ```json client policy"
    return dict(json.loads(block.group(1)))


def test_the_documented_client_policy_allows_invoking_this_endpoint_and_nothing_else() -> None:
    document = _documented_client_policy()
    endpoint = "arn:aws:sagemaker:eu-west-2:123456789012:endpoint/sagemakerxgbendpoint"
    statements = [
        {**s, "Resource": [r.replace("<region>", REGION).replace("<account-id>", ACCOUNT)
                           .replace("<endpoint-name>", "sagemakerxgbendpoint")
                           for r in _as_list(s["Resource"])]}
        for s in _as_list(document["Statement"])
    ]  # fmt: skip
    client = Policy(statements)
    assert client.allows("sagemaker:InvokeEndpoint", endpoint)
    assert not client.allows("sagemaker:InvokeEndpoint", endpoint.replace("/sagemaker", "/other"))
    for action in ("sagemaker:DescribeEndpoint", "sagemaker:UpdateEndpoint", "s3:GetObject"):
        assert not client.allows(action, endpoint)
        assert not client.allows(action, "*")
