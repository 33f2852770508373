"""verify_deploy: each kind of mismatch, read through stub CloudFormation and SageMaker clients."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from clients import verify_deploy
from clients.cli import UsageError
from clients.errors import InvocationError
from clients.predict import Invocation
from clients.target import Target, resolve_stack_name

SHA = "a" * 64
URL = "s3://cdk-assets/abc.gz"
STACK = "SagemakerXgbEndpoint"
CARD = {
    "tarball": {"sha256": SHA},
    "sample": {"instances": [[1.0, 2.0]], "predictions": [0.25]},
    "expected_response": {"body": {"predictions": [0.25]}, "abs_tolerance": 1e-6},
}


def _not_found(operation: str) -> ClientError:
    error = {
        "Error": {"Code": "ValidationError", "Message": f"Stack with id {STACK} does not exist"}
    }
    return ClientError(error, operation)  # type: ignore[arg-type]


class Stubs:
    """What the two services answer; each test changes one thing."""

    def __init__(self) -> None:
        self.stack_status = "UPDATE_COMPLETE"
        self.outputs = {"EndpointName": "ep", "ModelDataUrl": URL, "ModelSha256": SHA}
        self.resources = {
            "AWS::SageMaker::EndpointConfig": "arn:aws:sagemaker:r:1:endpoint-config/cfg-new",
            "AWS::SageMaker::Model": "arn:aws:sagemaker:r:1:model/model-new",
        }
        self.stack_exists = True
        self.endpoint: dict[str, Any] = {
            "EndpointName": "ep",
            "EndpointStatus": "InService",
            "EndpointConfigName": "Cfg-New",  # SageMaker ARNs lower-case names
        }
        self.config_models = ["Model-New"]
        self.model_url = URL
        self.model_tag = SHA

    # CloudFormation
    def describe_stacks(self, StackName: str) -> dict[str, Any]:
        if not self.stack_exists:
            raise _not_found("DescribeStacks")
        outputs = [{"OutputKey": k, "OutputValue": v} for k, v in self.outputs.items()]
        return {
            "Stacks": [
                {"StackName": StackName, "StackStatus": self.stack_status, "Outputs": outputs}
            ]
        }

    def get_paginator(self, _operation: str) -> Stubs:
        return self

    def paginate(self, StackName: str) -> list[dict[str, Any]]:
        summaries = [
            {"ResourceType": kind, "PhysicalResourceId": physical}
            for kind, physical in self.resources.items()
        ]
        return [{"StackResourceSummaries": summaries}]

    # SageMaker
    def describe_endpoint(self, EndpointName: str) -> dict[str, Any]:
        return self.endpoint

    def describe_endpoint_config(self, EndpointConfigName: str) -> dict[str, Any]:
        return {"ProductionVariants": [{"ModelName": name} for name in self.config_models]}

    def describe_model(self, ModelName: str) -> dict[str, Any]:
        return {
            "ModelName": ModelName,
            "ModelArn": f"arn:{ModelName}",
            "PrimaryContainer": {"ModelDataUrl": self.model_url},
        }

    def list_tags(self, ResourceArn: str) -> dict[str, Any]:
        return {"Tags": [{"Key": "model-sha256", "Value": self.model_tag}]}


class Session:
    region_name = "eu-west-2"

    def __init__(self, stubs: Stubs) -> None:
        self.stubs = stubs

    def client(self, _service: str) -> Stubs:
        return self.stubs


def _answer(predictions: list[float]) -> Any:
    def invoke(target: Target) -> Invocation:
        assert (target.endpoint_name, target.rows) == ("ep", CARD["sample"]["instances"])
        return Invocation(200, json.dumps({"predictions": predictions}))

    return invoke


def _mismatches(stubs: Stubs, answer: list[float] | None = None) -> list[str]:
    checks = verify_deploy.verify(
        stack_name=STACK,
        card=CARD,
        session=Session(stubs),  # type: ignore[arg-type]
        invoke=_answer(answer if answer is not None else [0.25 + 5e-7]),
    )
    return [check.line() for check in checks if not check.ok]


def test_a_deploy_that_matches_passes_every_check() -> None:
    assert _mismatches(Stubs()) == []


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            lambda s: setattr(s, "stack_status", "UPDATE_ROLLBACK_COMPLETE"),
            "MISMATCH  stack status: live UPDATE_ROLLBACK_COMPLETE; expected CREATE_COMPLETE "
            "or UPDATE_COMPLETE (else the last deploy failed or rolled back)",
        ),
        (
            lambda s: s.outputs.update(ModelSha256="b" * 64),
            f"MISMATCH  stack's model sha256: live {'b' * 64}; expected {SHA} (this build's card)",
        ),
        (
            lambda s: s.endpoint.update(EndpointStatus="Failed", FailureReason="health check"),
            "MISMATCH  endpoint status: live Failed (health check); expected InService",
        ),
        (
            lambda s: s.endpoint.update(EndpointConfigName="cfg-old"),
            f"MISMATCH  endpoint config: live cfg-old; expected cfg-new (stack {STACK}'s "
            "EndpointConfig)",
        ),
        (
            lambda s: setattr(s, "config_models", ["model-old"]),
            f"MISMATCH  variant model: live model-old; expected model-new (stack {STACK}'s Model)",
        ),
        (
            lambda s: setattr(s, "model_url", "s3://elsewhere/m.tar.gz"),
            f"MISMATCH  model data URL: live s3://elsewhere/m.tar.gz; expected {URL} (the "
            "stack's ModelDataUrl output)",
        ),
        (
            lambda s: setattr(s, "model_tag", "c" * 64),
            f"MISMATCH  model sha256: live {'c' * 64}; expected {SHA} (this build's card)",
        ),
    ],
    ids=["rolled-back", "stack-other-build", "not-in-service", "config", "model", "url", "sha"],
)
def test_each_mismatch_is_one_line_naming_live_and_expected(change: Any, line: str) -> None:
    stubs = Stubs()
    change(stubs)
    assert _mismatches(stubs) == [line]


def test_wrong_predictions_are_a_mismatch() -> None:
    assert _mismatches(Stubs(), answer=[0.75]) == [
        "MISMATCH  sample predictions: live [0.75]; expected [0.25] (the card)"
    ]


def test_a_failed_invocation_is_a_mismatch_naming_the_error() -> None:
    def refuse(_target: Target) -> Invocation:
        raise InvocationError(status=424, body="{}", code="ModelError", message="boom")

    checks = verify_deploy.verify(
        stack_name=STACK,
        card=CARD,
        session=Session(Stubs()),
        invoke=refuse,  # type: ignore[arg-type]
    )
    assert [c.line() for c in checks if not c.ok] == [
        "MISMATCH  sample predictions: live HTTP 424 ModelError: boom; expected [0.25] (the card)"
    ]


def test_a_missing_stack_is_one_mismatch() -> None:
    stubs = Stubs()
    stubs.stack_exists = False
    assert _mismatches(stubs) == [
        f"MISMATCH  deployment: live no stack named {STACK}; expected stack {STACK} and its "
        "endpoint"
    ]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ([0.1, {"p": 0.2, "label": "x"}], [0.1 + 1e-7, {"p": 0.2, "label": "x"}], True),
        ([0.1], [0.1, 0.2], False),
        ({"label": "x"}, {"label": "y"}, False),
        ([True], [1], False),
    ],
)
def test_close_compares_structure_and_numbers_within_tolerance(
    a: object, b: object, same: bool
) -> None:
    assert verify_deploy.close(a, b, 1e-6) is same


def test_a_card_without_expected_response_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = tmp_path / "model-card.json"
    card.write_text(json.dumps({k: v for k, v in CARD.items() if k != "expected_response"}))
    argv = ["--model-card", str(card), "--region", "eu-west-2", "--stack-name", STACK]
    assert verify_deploy.main(argv) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {card} has no expected_response.body (a card from an older build): "
        "rebuild with python -m model_build"
    )


def test_the_card_records_the_response_its_sample_must_get(built_model: Any) -> None:
    card = json.loads(built_model.card_path.read_text())
    assert card["expected_response"] == {
        "content_type": "application/json",
        "body": {"predictions": card["sample"]["predictions"]},
        "abs_tolerance": 1e-6,
    }


def test_stack_name_comes_from_the_flag_then_the_outputs_file_then_the_default(
    tmp_path: Path,
) -> None:
    outputs = tmp_path / "cdk-outputs.json"

    def resolve(flag: str | None) -> str:
        return resolve_stack_name(stack_name=flag, outputs_file=outputs, default=STACK)

    assert resolve(None) == STACK  # no outputs file
    outputs.write_text(json.dumps({"Prod": {"EndpointName": "ep"}, "Other": {"Bucket": "b"}}))
    assert resolve(None) == "Prod"
    assert resolve("Mine") == "Mine"
    outputs.write_text(json.dumps({"A": {"EndpointName": "a"}, "B": {"EndpointName": "b"}}))
    with pytest.raises(UsageError, match=r"several stacks \(A, B\): pass --stack-name"):
        resolve(None)
