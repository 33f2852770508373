"""A local AWS control plane: moto_server (CloudFormation, S3, IAM, SageMaker, ...) on loopback,
run through `python -m local_aws`, which first applies the patches that make moto answer as AWS
(docs/local-cloud-divergences.md).

The CDK CLI and boto3 reach it through the environment that `env()` returns (the facts sheet's
recipe). Started on a free port so several runs can share a machine; stopped on every exit path
by the caller's `with` block or `stop()`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from constants import LOCAL_ACCOUNT, LOCAL_CREDENTIALS, LOCAL_REGION
from local_runtime.process_group import ServerProcess

EMULATOR_ROOT = Path(__file__).resolve().parents[1]  # where `local_aws` is importable


class ControlPlane(ServerProcess):
    """Patched moto_server (`python -m local_aws`) in a subprocess of its own process group."""

    name = "control plane"

    def __init__(
        self,
        *,
        port: int = 0,
        region: str = LOCAL_REGION,
        log_path: Path | None = None,
    ) -> None:
        super().__init__(port=port, log_path=log_path, cwd=EMULATOR_ROOT)
        self.region = region

    def invoke_runtime_at(self, runtime_url: str) -> None:
        """Where deployed REST APIs send their SageMaker integration (set before `start`)."""
        self.extra_env.update({**self.env(), "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": runtime_url})

    @property
    def url(self) -> str:
        # `localhost`, not 127.0.0.1: with the IP the CDK CLI's asset upload fails (facts sheet).
        return f"http://localhost:{self.port}"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "local_aws", "-H", "127.0.0.1", "-p", str(self.port)]

    def ready_url(self) -> str:
        return f"{self.url}/moto-api/"

    def env(self) -> dict[str, str]:
        """Variables that point the CDK CLI, boto3 and the AWS CLI at this control plane."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "CDK_DEFAULT_ACCOUNT": LOCAL_ACCOUNT,
            "CDK_DEFAULT_REGION": self.region,
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true",
            **LOCAL_CREDENTIALS,
        }
