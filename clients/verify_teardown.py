"""Check that `cdk destroy` left nothing of this app behind; exit 1 if anything is left.

    python -m clients.verify_teardown [--stack-name S] [--endpoint-name N ...] [--outputs-file F]

A resource counts as this app's when it carries the tag app=sagemaker-xgb-cdk (the stack tags
everything) or its name starts with the stack name (what CloudFormation generates, and what moto
names SageMaker resources after). Log groups count under /aws/sagemaker/Endpoints/ when tagged,
named after the stack or after an endpoint this app had (--endpoint-name, the outputs file).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from clients.cli import AWS_ERRORS, Expected, run_command
from clients.deployed_stack import describe_stack
from clients.outputs_file import DEFAULT_OUTPUTS_FILE, recorded_output
from clients.target import resolve_region
from constants import APP_TAG, ENDPOINT_NAME_OUTPUT, LOG_GROUP_OUTPUT, STACK_NAME

OWNER_TAG = ("app", APP_TAG)  # the tag app.py puts on every resource
ENDPOINT_LOG_PREFIX = "/aws/sagemaker/Endpoints/"
GONE_STACK_STATUSES = {"DELETE_COMPLETE"}
SAGEMAKER_PRINCIPAL = "sagemaker.amazonaws.com"
# API Gateway's account-wide logging role, which the public API creates and `cdk destroy` keeps
# on purpose (docs/public-api.md): other APIs in the account may log through it.
KEPT_LOGGING_ROLE = "-PublicApiRestApiCloudWatchRole"
APIGATEWAY_PRINCIPAL = "apigateway.amazonaws.com"


@dataclass(frozen=True)
class Ownership:
    """How to tell this app's resources from others in the same account."""

    stack_name: str
    tag: tuple[str, str] = OWNER_TAG
    endpoint_names: frozenset[str] = frozenset()
    log_group_names: frozenset[str] = frozenset()

    def owns_name(self, name: str) -> bool:
        return name == self.stack_name or name.startswith(f"{self.stack_name}-")

    def owns_tags(self, tags: Iterable[dict[str, str]]) -> bool:
        key, value = self.tag
        return any(t.get("Key") == key and t.get("Value") == value for t in tags)


@dataclass
class Finding:
    kind: str
    leftovers: list[str] = field(default_factory=list)


def find_sagemaker(sagemaker: Any, owner: Ownership) -> list[Finding]:
    kinds = [  # (what, list operation, the resource's field prefix)
        ("endpoints", "list_endpoints", "Endpoint"),
        ("endpoint configs", "list_endpoint_configs", "EndpointConfig"),
        ("models", "list_models", "Model"),
    ]
    findings = []
    for kind, operation, prefix in kinds:
        left = []
        for item in _paginate(sagemaker, operation, f"{prefix}s"):
            name, arn = item[f"{prefix}Name"], item[f"{prefix}Arn"]
            if (
                owner.owns_name(name)
                or name in owner.endpoint_names
                or _tagged(functools.partial(_sagemaker_tags, sagemaker, arn), owner)
            ):
                left.append(name)
        findings.append(Finding(kind, sorted(left)))
    return findings


def find_stack(cloudformation: Any, owner: Ownership) -> Finding:
    stack = describe_stack(cloudformation, owner.stack_name)
    if stack is None or stack["StackStatus"] in GONE_STACK_STATUSES:
        return Finding("stack")
    return Finding("stack", [f"{stack['StackName']} ({stack['StackStatus']})"])


def find_roles(iam: Any, owner: Ownership) -> Finding:
    """Roles named after the stack, and roles SageMaker may assume that carry the app tag.

    ListRoles returns no tags: reading them costs a call per role, so only roles that trust
    sagemaker.amazonaws.com (every execution role does) are asked.
    """
    left = []
    for role in _paginate(iam, "list_roles", "Roles"):
        name = role["RoleName"]
        if _kept_on_purpose(role):
            continue
        if owner.owns_name(name) or (
            SAGEMAKER_PRINCIPAL in json.dumps(role.get("AssumeRolePolicyDocument", ""))
            and _tagged(functools.partial(_role_tags, iam, name), owner)
        ):
            left.append(name)
    return Finding("execution roles", sorted(left))


def find_log_groups(logs: Any, owner: Ownership) -> Finding:
    """Endpoint log groups, and groups CloudFormation named after the stack (API access logs)."""
    left = set()
    prefix = ENDPOINT_LOG_PREFIX
    for group in _paginate(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=prefix):
        name = group["logGroupName"]
        endpoint = name.removeprefix(ENDPOINT_LOG_PREFIX)
        arn = group.get("logGroupArn") or group.get("arn", "")
        if (
            owner.owns_name(endpoint)
            or endpoint in owner.endpoint_names
            or name in owner.log_group_names
            or _tagged(functools.partial(_log_group_tags, logs, arn, name), owner)
        ):
            left.add(name)
    stack_prefix = f"{owner.stack_name}-"
    for group in _paginate(
        logs, "describe_log_groups", "logGroups", logGroupNamePrefix=stack_prefix
    ):
        left.add(group["logGroupName"])
    return Finding("log groups", sorted(left))


def find_buckets(s3: Any, owner: Ownership) -> Finding:
    """The data-capture bucket: CloudFormation names it `<stack in lower case>-...`.

    A bucket kept on purpose (`data_capture.retain`) is reported too: it is still billed.
    """
    prefix = f"{owner.stack_name.lower()}-"
    left = [b["Name"] for b in s3.list_buckets().get("Buckets", []) if b["Name"].startswith(prefix)]
    return Finding("buckets", sorted(left))


def find_rest_apis(apigateway: Any, owner: Ownership) -> Finding:
    """The optional public API, named `<stack>-public-api`."""
    left = [
        f"{api['name']} ({api['id']})"
        for api in _paginate(apigateway, "get_rest_apis", "items")
        if owner.owns_name(api.get("name", ""))
    ]
    return Finding("public APIs", sorted(left))


def verify(owner: Ownership, *, session: boto3.session.Session) -> list[Finding]:
    return [
        *find_sagemaker(session.client("sagemaker"), owner),
        find_stack(session.client("cloudformation"), owner),
        find_roles(session.client("iam"), owner),
        find_log_groups(session.client("logs"), owner),
        find_rest_apis(session.client("apigateway"), owner),
        find_buckets(session.client("s3"), owner),
    ]


def _tagged(list_tags: Callable[[], list[dict[str, str]]], owner: Ownership) -> bool:
    try:
        return owner.owns_tags(list_tags())
    except ClientError:
        return False  # deleted between list and tag read, or not taggable: not ours to report


def _sagemaker_tags(sagemaker: Any, arn: str) -> list[dict[str, str]]:
    return list(sagemaker.list_tags(ResourceArn=arn).get("Tags", []))


def _kept_on_purpose(role: dict[str, Any]) -> bool:
    """The account's API Gateway logging role: its name, and trusted by API Gateway alone."""
    trust = json.dumps(role.get("AssumeRolePolicyDocument", ""))
    return (
        KEPT_LOGGING_ROLE in role["RoleName"]
        and APIGATEWAY_PRINCIPAL in trust
        and SAGEMAKER_PRINCIPAL not in trust
    )


def _role_tags(iam: Any, name: str) -> list[dict[str, str]]:
    return list(iam.list_role_tags(RoleName=name)["Tags"])


def _log_group_tags(logs: Any, arn: str, name: str) -> list[dict[str, str]]:
    if arn:
        tags = logs.list_tags_for_resource(resourceArn=arn.removesuffix(":*")).get("tags", {})
    else:
        tags = logs.list_tags_log_group(logGroupName=name).get("tags", {})
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clients.verify_teardown", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--stack-name", default=STACK_NAME)
    parser.add_argument(
        "--endpoint-name",
        action="append",
        default=[],
        help="an endpoint name this app used (repeatable; default: from --outputs-file)",
    )
    parser.add_argument("--outputs-file", type=Path, default=DEFAULT_OUTPUTS_FILE)
    parser.add_argument("--region")
    args = parser.parse_args(argv)
    unlisted = Expected(errors=AWS_ERRORS, prefix="cannot list resources: ")
    return run_command(lambda: _verify(args), unlisted)


def _verify(args: argparse.Namespace) -> int:
    region = resolve_region(args.region)
    owner = Ownership(
        stack_name=args.stack_name,
        endpoint_names=frozenset({*args.endpoint_name, *_recorded(args, ENDPOINT_NAME_OUTPUT)}),
        log_group_names=frozenset(_recorded(args, LOG_GROUP_OUTPUT)),
    )
    findings = verify(owner, session=boto3.session.Session(region_name=region))
    for finding in findings:
        detail = f" ({', '.join(finding.leftovers)})" if finding.leftovers else ""
        print(f"{finding.kind}: {len(finding.leftovers)} left{detail}")
    left = sum(len(f.leftovers) for f in findings)
    if left:
        print(f"teardown incomplete: {left} resource(s) of stack {args.stack_name} remain")
        return 1
    print(f"teardown verified: nothing of stack {args.stack_name} remains in {region}")
    return 0


def _recorded(args: argparse.Namespace, key: str) -> set[str]:
    """A name a past deploy recorded in its outputs file, if that file is still around."""
    value = recorded_output(args.outputs_file, stack_name=args.stack_name, key=key)
    return {value} if value else set()


if __name__ == "__main__":
    sys.exit(main())
