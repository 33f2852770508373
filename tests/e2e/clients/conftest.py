"""The real built model in moto's S3, served by the local runtime, for the clients' round trips."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from local_cloud.control_plane import ControlPlane
from local_cloud.local_endpoint import LocalResources
from local_cloud.runtime_process import RuntimeProcess
from model_build import BuildResult


@pytest.fixture(scope="package")
def served_model(
    built_model: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The real built model, stored in moto's S3 and served by the local runtime."""
    root = tmp_path_factory.mktemp("served")
    card = json.loads(built_model.card_path.read_text())
    with ControlPlane(log_path=root / "moto.log") as control_plane:
        env = control_plane.env()
        runtime = RuntimeProcess(
            control_plane_url=control_plane.url,
            region=control_plane.region,
            work_dir=root / "runtime",
            log_path=root / "runtime.log",
            env=env,
        )
        with runtime:
            session = boto3.session.Session(
                aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                aws_session_token=env["AWS_SESSION_TOKEN"],
                region_name=control_plane.region,
            )
            name = "clients-test"
            LocalResources(control_plane.url).deploy_tarball(name, built_model.tarball)
            yield {
                "env": {**env, "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": runtime.url},
                "endpoint": name,
                "card": card,
                "session": session,
                "moto_url": control_plane.url,
            }


@pytest.fixture
def local_env(served_model: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for key, value in served_model["env"].items():
        monkeypatch.setenv(key, value)
    return served_model
