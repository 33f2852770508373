"""The control plane, runtime and models the local runtime's test files share (package scope: a
worker that runs both test_server files starts moto and the runtime once for them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local_cloud.control_plane import ControlPlane
from local_cloud.local_endpoint import LocalResources
from local_runtime.runtime_server import RuntimeServer
from model_build import BuildResult, TrainParams, build
from tests.support.runtime_server import ENDPOINT, card_of, runtime_client, runtime_server


@pytest.fixture(scope="package")
def second_model(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """Another artefact with other predictions, for the redeploy test."""
    out_dir = tmp_path_factory.mktemp("second-model")
    return build(
        out_dir=out_dir, params=TrainParams(n_estimators=7, max_depth=2), log=lambda _: None
    )


@pytest.fixture(scope="package")
def control_plane() -> Iterator[ControlPlane]:
    with ControlPlane() as plane:
        yield plane


@pytest.fixture(scope="package")
def aws(control_plane: ControlPlane) -> LocalResources:
    return LocalResources(control_plane.url)


@pytest.fixture(scope="package")
def runtime(
    control_plane: ControlPlane, aws: LocalResources, built_model: Any
) -> Iterator[RuntimeServer]:
    aws.deploy_tarball(ENDPOINT, built_model.tarball)
    # TTL 0: every request sees the control plane's current state (deletes, moves) at once.
    with runtime_server(control_plane, cache_ttl=0) as server:
        yield server


@pytest.fixture(scope="package")
def client(runtime: RuntimeServer) -> Any:
    return runtime_client(runtime.url)


@pytest.fixture(scope="package")
def sample(built_model: Any) -> dict[str, Any]:
    return card_of(built_model)["sample"]
