"""XgboostEndpoint's arguments and collaborators, checked when the construct is made (no synth)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs

from stacks.settings import DeploymentSettings
from stacks.xgboost_endpoint import XgboostEndpoint


def _arguments(artifact: Path, **changes: Any) -> dict[str, Any]:
    return {
        "model_artifact": artifact,
        "endpoint_name": "ep",
        "variant_name": "AllTraffic",
        "instance_type": "ml.m5.large",
        "instance_count": 1,
        "log_retention": logs.RetentionDays.ONE_MONTH,
        **changes,
    }


@pytest.fixture()
def tarball(tmp_path: Path) -> Path:
    path = tmp_path / "model.tar.gz"
    path.write_bytes(b"not really a tarball, but a file")
    return path


def test_arguments_are_keyword_only(tarball: Path) -> None:
    with pytest.raises(TypeError):
        XgboostEndpoint(cdk.Stack(), "Endpoint", tarball, "ep")  # type: ignore[misc]


def test_execution_role_and_policy_keep_their_logical_ids(tarball: Path) -> None:
    stack = cdk.Stack()
    endpoint = XgboostEndpoint(stack, "XgboostEndpoint", **_arguments(tarball))
    logical_ids = {
        stack.get_logical_id(endpoint.role.node.default_child),  # type: ignore[arg-type]
        stack.get_logical_id(endpoint.role.policy.node.default_child),  # type: ignore[arg-type]
    }
    # The IDs the template snapshot pins.
    assert logical_ids == {
        "XgboostEndpointExecutionRole447A6860",
        "XgboostEndpointExecutionPolicy95529FDE",
    }


def test_guarded_deployment_without_alarms_is_refused(tarball: Path) -> None:
    with pytest.raises(ValueError, match="needs rollback alarms"):
        XgboostEndpoint(
            cdk.Stack(), "Endpoint", **_arguments(tarball, deployment=DeploymentSettings())
        )


def test_artifact_that_is_not_a_tarball_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    model.write_text("{}")
    with pytest.raises(ValueError, match=r"\.tar\.gz file; given '.*model\.json'"):
        XgboostEndpoint(cdk.Stack(), "Endpoint", **_arguments(model))


def test_missing_artifact_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"does not exist: run `python -m model_build`"):
        XgboostEndpoint(cdk.Stack(), "Endpoint", **_arguments(tmp_path / "model.tar.gz"))
