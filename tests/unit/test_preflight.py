"""clients.preflight: an autoscaled variant's instance type change is refused before deploying.

The decision is pure; the lookups run in-process against moto (SageMaker and Application Auto
Scaling), on a template synthesized from the production example.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from clients.preflight import (
    PlannedVariant,
    instance_type_change_problem,
    main,
    planned_variants,
    problems,
)
from tests.support.assemblies import Assemblies

REGION = "eu-west-2"
PLANNED = PlannedVariant("SagemakerXgbProduction", "AllTraffic", "ml.c5.large")


@pytest.fixture(scope="module")
def production_template(assemblies: Assemblies) -> Any:
    return assemblies.get("production").json


@pytest.fixture()
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield {
            "sagemaker": boto3.client("sagemaker", region_name=REGION),
            "autoscaling": boto3.client("application-autoscaling", region_name=REGION),
        }


def _deploy(aws: dict[str, Any], *, instance_type: str, autoscaled: bool) -> None:
    sm = aws["sagemaker"]
    sm.create_model(
        ModelName="m",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
        PrimaryContainer={"Image": "img", "ModelDataUrl": "s3://b/model.tar.gz"},
    )
    variant = {"VariantName": "AllTraffic", "ModelName": "m", "InitialInstanceCount": 2,
               "InstanceType": instance_type}  # fmt: skip
    sm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[variant])
    sm.create_endpoint(EndpointName="SagemakerXgbProduction", EndpointConfigName="c")
    if autoscaled:
        aws["autoscaling"].register_scalable_target(
            ServiceNamespace="sagemaker",
            ResourceId="endpoint/SagemakerXgbProduction/variant/AllTraffic",
            ScalableDimension="sagemaker:variant:DesiredInstanceCount",
            MinCapacity=2,
            MaxCapacity=6,
        )


def test_the_template_plans_the_production_variant(production_template: Any) -> None:
    assert planned_variants(production_template) == [
        PlannedVariant("SagemakerXgbProduction", "AllTraffic", "ml.m5.large")
    ]


@pytest.mark.parametrize(
    ("deployed", "autoscaled", "refused"),
    [
        (None, True, False),  # first deploy
        ("ml.c5.large", True, False),  # same type
        ("ml.m5.large", False, False),  # not autoscaled: AWS accepts
        ("ml.m5.large", True, True),
    ],
)
def test_only_an_autoscaled_type_change_is_refused(
    deployed: str | None, autoscaled: bool, refused: bool
) -> None:
    problem = instance_type_change_problem(PLANNED, deployed_type=deployed, autoscaled=autoscaled)
    assert (problem is not None) == refused
    if problem:
        assert "'ml.m5.large'" in problem and "'ml.c5.large'" in problem
        assert "two deploys" in problem and "autoscaling off" in problem


def test_refused_against_the_live_autoscaled_variant(
    aws: dict[str, Any], production_template: Any
) -> None:
    _deploy(aws, instance_type="ml.c5.xlarge", autoscaled=True)
    (problem,) = problems(production_template, **aws)
    assert problem.startswith("instance_type: endpoint 'SagemakerXgbProduction' variant")


@pytest.mark.parametrize(
    ("instance_type", "autoscaled"), [("ml.m5.large", True), ("ml.c5.xlarge", False)]
)
def test_passes_when_aws_would_accept_the_update(
    aws: dict[str, Any], production_template: Any, instance_type: str, autoscaled: bool
) -> None:
    _deploy(aws, instance_type=instance_type, autoscaled=autoscaled)
    assert problems(production_template, **aws) == []


def test_a_stack_not_yet_deployed_passes(aws: dict[str, Any], production_template: Any) -> None:
    assert problems(production_template, **aws) == []


def test_cli_exits_1_naming_the_change(
    aws: dict[str, Any],
    production_template: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _deploy(aws, instance_type="ml.c5.xlarge", autoscaled=True)
    (tmp_path / "SagemakerXgbProduction.template.json").write_text(json.dumps(production_template))
    (tmp_path / "Stale.template.json").write_text("{}")  # not in the manifest: ignored
    stack = {"type": "aws:cloudformation:stack",
             "properties": {"templateFile": "SagemakerXgbProduction.template.json"}}  # fmt: skip
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": {"S": stack}}))
    assert main(["--template-dir", str(tmp_path)]) == 1
    assert "'ml.c5.xlarge'" in capsys.readouterr().err
    assert main(["--template-dir", str(tmp_path / "missing")]) == 2
