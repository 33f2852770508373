"""Where the model containers run and what encrypts their storage."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from stacks.settings.values import SettingsModel, setting

SubnetId = Annotated[str, Field(pattern=r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")]
SecurityGroupId = Annotated[str, Field(pattern=r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")]

KMS_PATTERN = (
    r"^(create|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/"
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}))$"
)
KMS_ALLOWED = "'create', a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), or null"


class VpcSettings(SettingsModel):
    """Run the model containers in your VPC (subnets and security groups you own)."""

    subnet_ids: tuple[SubnetId, ...] = setting(
        (),
        "Subnets for the containers' network interfaces, in at least two Availability Zones "
        "(SageMaker's VPC guide); they need a route to S3 (a gateway VPC endpoint or NAT) for "
        "the model artefact, and to ECR and CloudWatch.",
        allowed="a list of 2 to 16 ids like subnet-0123456789abcdef0 (two or more AZs)",
        min_length=2,
        max_length=16,
    )
    security_group_ids: tuple[SecurityGroupId, ...] = setting(
        (),
        "Security groups for those interfaces.",
        allowed="a list of 1 to 5 ids like sg-0123456789abcdef0",
        min_length=1,
        max_length=5,
    )
