"""Refuse a deploy that AWS would fail halfway: an autoscaled variant's instance type changing.

    python -m clients.preflight [--template-dir cdk.out]

SageMaker's endpoint-scaling guide: an update that changes the instance type of a variant that is
a scalable target fails; the variant must be deregistered first. CloudFormation would find out
mid-update and roll the stack back, so `make deploy` runs this first, on the template it is about
to deploy: when the live variant is registered with Application Auto Scaling and the template
moves it to another instance type, it exits 1 with the two-step path. A stack not yet deployed,
or a variant not autoscaled, passes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

DEFAULT_TEMPLATE_DIR = Path("cdk.out")
TWO_STEP_PATH = (
    "Change it in two deploys: (1) deploy with autoscaling off (null) and instance_type "
    "unchanged, which deregisters the variant from Application Auto Scaling; (2) deploy with "
    "the new instance_type and autoscaling back on. Raise instance_count beforehand if the "
    "endpoint must keep its scaled capacity while autoscaling is off (docs/security.md)."
)


@dataclass(frozen=True)
class PlannedVariant:
    """What the template about to be deployed asks for (a real-time variant)."""

    endpoint_name: str
    variant_name: str
    instance_type: str


def planned_variants(template: dict[str, Any]) -> list[PlannedVariant]:
    """The endpoint's instance-backed variants in a synthesized template (none if serverless)."""
    resources = template.get("Resources", {})
    configs = {
        logical_id: r["Properties"]
        for logical_id, r in resources.items()
        if r["Type"] == "AWS::SageMaker::EndpointConfig"
    }
    planned = []
    for resource in resources.values():
        if resource["Type"] != "AWS::SageMaker::Endpoint":
            continue
        name = resource["Properties"].get("EndpointName")
        config_ref = resource["Properties"]["EndpointConfigName"]["Fn::GetAtt"][0]
        if not isinstance(name, str):  # a generated name: nothing deployed can carry it yet
            continue
        for variant in configs[config_ref]["ProductionVariants"]:
            if "InstanceType" in variant:
                planned.append(
                    PlannedVariant(name, variant["VariantName"], variant["InstanceType"])
                )
    return planned


def instance_type_change_problem(
    planned: PlannedVariant, *, deployed_type: str | None, autoscaled: bool
) -> str | None:
    """The refusal, or None when AWS would accept the update."""
    if deployed_type is None or not autoscaled or deployed_type == planned.instance_type:
        return None
    return (
        f"instance_type: endpoint {planned.endpoint_name!r} variant {planned.variant_name!r} is "
        f"autoscaled on {deployed_type!r}; this deploy would move it to "
        f"{planned.instance_type!r}, which SageMaker refuses for a scalable target (the stack "
        f"would roll back mid-update). {TWO_STEP_PATH}"
    )


def deployed_instance_type(sagemaker: Any, planned: PlannedVariant) -> str | None:
    try:
        endpoint = sagemaker.describe_endpoint(EndpointName=planned.endpoint_name)
    except ClientError as err:
        if err.response["Error"]["Code"] == "ValidationException":  # no such endpoint yet
            return None
        raise
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    for variant in config["ProductionVariants"]:
        if variant["VariantName"] == planned.variant_name:
            return variant.get("InstanceType")
    return None


def is_autoscaled(autoscaling: Any, planned: PlannedVariant) -> bool:
    resource_id = f"endpoint/{planned.endpoint_name}/variant/{planned.variant_name}"
    targets = autoscaling.describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[resource_id]
    )["ScalableTargets"]
    return bool(targets)


def problems(template: dict[str, Any], *, sagemaker: Any, autoscaling: Any) -> list[str]:
    found = []
    for planned in planned_variants(template):
        deployed = deployed_instance_type(sagemaker, planned)
        if deployed is None or deployed == planned.instance_type:
            continue  # nothing to compare: no scaling lookup needed
        problem = instance_type_change_problem(
            planned, deployed_type=deployed, autoscaled=is_autoscaled(autoscaling, planned)
        )
        if problem:
            found.append(problem)
    return found


def assembly_templates(directory: Path) -> list[Path]:
    """The stack templates of the cloud assembly `cdk synth` last wrote (its manifest), not stale
    files another config's synth left beside them."""
    manifest = directory / "manifest.json"
    if not manifest.is_file():
        return []
    artifacts = json.loads(manifest.read_text()).get("artifacts", {})
    return [
        directory / artifact["properties"]["templateFile"]
        for artifact in artifacts.values()
        if artifact.get("type") == "aws:cloudformation:stack"
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clients.preflight", description=__doc__)
    parser.add_argument("--template-dir", type=Path, default=DEFAULT_TEMPLATE_DIR)
    args = parser.parse_args(argv)
    templates = assembly_templates(args.template_dir)
    if not templates:
        print(
            f"preflight: no stack in {args.template_dir}/manifest.json: synth first",
            file=sys.stderr,
        )
        return 2
    session = boto3.session.Session()
    sagemaker, autoscaling = session.client("sagemaker"), session.client("application-autoscaling")
    found = [
        problem
        for path in templates
        for problem in problems(
            json.loads(path.read_text()), sagemaker=sagemaker, autoscaling=autoscaling
        )
    ]
    for problem in found:
        print(f"preflight: {problem}", file=sys.stderr)
    if not found:
        print("preflight: no autoscaled variant changes instance type")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
