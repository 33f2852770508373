"""Checkov suppressions in a resource's template metadata, each with the reason it is true.

Checkov reads `Metadata: {checkov: {skip: [{id, comment}]}}` on a CloudFormation resource. The
scan test (tests/unit/stacks/test_checkov.py) fails when a suppression answers no finding.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import IConstruct

METADATA_KEY = "checkov"
# CKV_AWS_158 on a log group when the `kms` setting is off.
UNENCRYPTED_LOGS_REASON = (
    "kms is off in this deployment: CloudWatch Logs encrypts the log data at rest with its own "
    "keys; set kms to encrypt it with the stack's customer-managed key."
)


def skip_checks(target: IConstruct, reasons: dict[str, str]) -> None:
    """Suppress checkov checks (`{check id: reason}`) on `target`'s CloudFormation resource."""
    resource = target if isinstance(target, cdk.CfnResource) else target.node.default_child
    if not isinstance(resource, cdk.CfnResource):
        raise TypeError(f"{target.node.path} has no CloudFormation resource to annotate")
    existing: dict[str, Any] = resource.get_metadata(METADATA_KEY) or {"skip": []}
    skips = [*existing["skip"], *({"id": i, "comment": c} for i, c in reasons.items())]
    resource.add_metadata(METADATA_KEY, {"skip": skips})
