"""A local endpoint for benchmarks and tests: moto control plane, resources created with boto3
directly (as CloudFormation would), the local runtime, and a keep-alive SigV4 client."""

from __future__ import annotations

import contextlib
import http.client
import socket
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from constants import (
    IMAGE_REPOSITORY,
    IMAGE_TAG,
    LOCAL_ACCOUNT,
    LOCAL_CREDENTIALS,
    LOCAL_REGION,
    RUNTIME_HEALTH_PATH,
)
from local_cloud.control_plane import ControlPlane
from local_runtime.process_group import ServerProcess
from stacks.image_registry import REGISTRY_ACCOUNTS

REGION = LOCAL_REGION
KEY = LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"]
SECRET = LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
BUCKET = "local-models"
VARIANT = "AllTraffic"
IMAGE = f"{REGISTRY_ACCOUNTS[REGION]}.dkr.ecr.{REGION}.amazonaws.com/{IMAGE_REPOSITORY}:{IMAGE_TAG}"
REPO_ROOT = Path(__file__).resolve().parents[1]


def script_mode_environment(region: str = REGION) -> dict[str, str]:
    return {
        "SAGEMAKER_PROGRAM": "inference.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
        "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
        "SAGEMAKER_REGION": region,
    }


class LocalResources:
    """S3 bucket, Model, EndpointConfig and Endpoint on the local control plane, via boto3:
    what the stack creates, made with plain API calls (the CDK path is the e2e tests')."""

    def __init__(self, control_plane_url: str, *, region: str = REGION) -> None:
        session = boto3.session.Session(
            aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name=region
        )
        self.region = region
        self.sagemaker = session.client("sagemaker", endpoint_url=control_plane_url)
        self.s3 = session.client(
            "s3", endpoint_url=control_plane_url, config=Config(s3={"addressing_style": "path"})
        )
        self.s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": region}
        )

    def upload(self, data: bytes) -> str:
        key = f"{uuid.uuid4().hex[:8]}/model.tar.gz"
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=data)
        return f"s3://{BUCKET}/{key}"

    def deploy_tarball(self, endpoint: str, tarball: Path) -> str:
        return self.deploy(endpoint, self.upload(tarball.read_bytes()))

    def deploy(self, endpoint: str, model_data_url: str) -> str:
        """A new Model and EndpointConfig, and `endpoint` on them; returns the model's name."""
        tag = uuid.uuid4().hex[:8]
        model = f"model-{tag}"
        self.sagemaker.create_model(
            ModelName=model,
            ExecutionRoleArn=f"arn:aws:iam::{LOCAL_ACCOUNT}:role/sagemaker",
            PrimaryContainer={
                "Image": IMAGE,
                "ModelDataUrl": model_data_url,
                "Environment": script_mode_environment(self.region),
            },
        )
        self.sagemaker.create_endpoint_config(
            EndpointConfigName=f"config-{tag}",
            ProductionVariants=[
                {
                    "VariantName": VARIANT,
                    "ModelName": model,
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
        )
        # moto has no UpdateEndpoint: replacing the endpoint moves it as an update does.
        with contextlib.suppress(ClientError):
            self.sagemaker.delete_endpoint(EndpointName=endpoint)
        self.sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=f"config-{tag}")
        return model


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]


class SignedClient:
    """One keep-alive connection; every request SigV4-signed with botocore (service sagemaker)."""

    def __init__(
        self, base_url: str, *, region: str = REGION, key: str = KEY, secret: str = SECRET
    ) -> None:
        host_port = base_url.removeprefix("http://").rstrip("/")
        host, _, port = host_port.partition(":")
        self.base_url = f"http://{host_port}"
        self._address = (host, int(port))
        self._signer = SigV4Auth(Credentials(key, secret), "sagemaker", region)
        self._conn: http.client.HTTPConnection | None = None

    def signed_headers(self, path: str, body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
        request = AWSRequest(
            method="POST", url=self.base_url + path, data=body, headers=dict(headers)
        )
        self._signer.add_auth(request)
        return dict(request.headers.items())

    def post(
        self, path: str, body: bytes, headers: Mapping[str, str], *, sign: bool = True
    ) -> Answer:
        sent = self.signed_headers(path, body, headers) if sign else dict(headers)
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request("POST", path, body=body, headers=sent)
                response = conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.BadStatusLine):
                self.close()
                if attempt:
                    raise
                continue
            if response.will_close:
                self.close()
            return Answer(response.status, data, {k.lower(): v for k, v in response.getheaders()})
        raise AssertionError("unreachable")

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(*self._address, timeout=60)
            self._conn.connect()
            self._conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def invocations_path(endpoint: str) -> str:
    return f"/endpoints/{endpoint}/invocations"


class _PythonServer(ServerProcess):
    def __init__(
        self,
        args: list[str],
        *,
        url_path: str,
        env: Mapping[str, str] | None,
        log_path: Path | None,
    ) -> None:
        super().__init__(log_path=log_path, env=env, cwd=REPO_ROOT)
        self.args = args
        self.url = f"http://127.0.0.1:{self.port}"
        self.url_path = url_path

    def command(self) -> list[str]:
        return [sys.executable, *self.args, "--port", str(self.port)]

    def ready_url(self) -> str:
        return self.url + self.url_path


@contextmanager
def python_server(
    args: list[str],
    *,
    url_path: str,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> Iterator[tuple[int, str]]:
    """``python <args> --port P`` in its own process group; yields (pid, base URL)."""
    with _PythonServer(args, url_path=url_path, env=env, log_path=log_path) as server:
        assert server.pid is not None
        yield server.pid, server.url


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (gunicorn's workers of its master), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 is the parent pid; the command name (field 2) may hold spaces, so split after ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def status_kb(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` memory field (VmHWM, VmRSS...) in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def health(base_url: str) -> Any:
    import json
    import urllib.request

    with urllib.request.urlopen(base_url + RUNTIME_HEALTH_PATH, timeout=10) as response:
        return json.loads(response.read())


@dataclass(frozen=True)
class ServingEndpoint:
    """A deployed endpoint behind ``python -m local_runtime`` on a moto control plane."""

    name: str
    runtime_url: str
    runtime_pid: int
    resources: LocalResources

    @property
    def path(self) -> str:
        return invocations_path(self.name)

    def container(self) -> dict[str, Any]:
        """The running container of the endpoint's model: ``{"pid", "port", "model"}``."""
        containers = health(self.runtime_url)["containers"]
        if len(containers) != 1:
            raise RuntimeError(f"expected one container, found {containers}")
        return dict(containers[0])

    def worker_pids(self) -> list[int]:
        return children(self.container()["pid"])


@contextmanager
def serving(
    tarball: Path,
    *,
    work_dir: Path,
    name: str = "bench",
    workers: int | None = None,
    runtime: tuple[str, ...] = ("-m", "local_runtime"),
) -> Iterator[ServingEndpoint]:
    """Control plane + resources created with boto3 + the runtime process, all stopped after."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with ControlPlane(log_path=work_dir / "moto.log") as control_plane:
        resources = LocalResources(control_plane.url)
        resources.deploy_tarball(name, tarball)
        env = {**control_plane.env(), "PYTHONPATH": str(REPO_ROOT)}
        args = [*runtime, "--control-plane-url", control_plane.url]
        args += ["--region", REGION, "--log-level", "WARNING", "--cache-ttl", "5"]
        args += ["--work-dir", str(work_dir / "runtime")]
        if workers:
            args += ["--workers", str(workers)]
        with python_server(
            args, url_path=RUNTIME_HEALTH_PATH, env=env, log_path=work_dir / "runtime.log"
        ) as (pid, url):
            yield ServingEndpoint(name=name, runtime_url=url, runtime_pid=pid, resources=resources)
