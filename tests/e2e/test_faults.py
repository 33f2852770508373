"""Faults: a deploy the control plane rejects, destroying nothing, broken artefacts behind the
runtime, and the demo interrupted mid-deploy. Real moto_server, real CDK CLI, real processes."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from local_cloud.app_copy import copy_app
from local_cloud.cdk import QUIET_ENV, QUIET_FLAGS, CdkCli
from local_cloud.commands import Completed, run_command, tool_path
from local_cloud.control_plane import ControlPlane
from local_cloud.local_endpoint import BUCKET, ServingEndpoint, SignedClient, health, serving
from local_cloud.runtime_process import REPO_ROOT
from model_build import BuildResult
from tests.support.signals import sigint_default

STACK = "SagemakerXgbEndpoint"
JSON = "application/json"


# --- deploy and destroy ----------------------------------------------------------------------


def _inventory(control_plane: ControlPlane) -> dict[str, list[str]]:
    """What the app could have left in the account (the bootstrap stack and roles excepted)."""
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-2"
    )

    def client(name: str) -> Any:
        return session.client(name, endpoint_url=control_plane.url)

    sagemaker = client("sagemaker")
    stacks = client("cloudformation").list_stacks()["StackSummaries"]
    return {
        "stacks": [
            s["StackName"]
            for s in stacks
            if s["StackName"] != "CDKToolkit" and s["StackStatus"] != "DELETE_COMPLETE"
        ],
        "models": [m["ModelName"] for m in sagemaker.list_models()["Models"]],
        "configs": [c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()[
            "EndpointConfigs"
        ]],
        "endpoints": [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]],
        "roles": [
            r["RoleName"]
            for r in client("iam").list_roles()["Roles"]
            if not r["RoleName"].startswith("cdk-")
        ],
        "log groups": [
            g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]
        ],
    }  # fmt: skip


NOTHING: dict[str, list[str]] = {
    "stacks": [],
    "models": [],
    "configs": [],
    "endpoints": [],
    "roles": [],
    "log groups": [],
}


def _cdk(args: list[str], *, cwd: Path, env: dict[str, str], log: Path) -> Completed:
    return run_command(
        ["npx", "--prefix", str(REPO_ROOT), "--no", "--", "cdk", *args, *QUIET_FLAGS],
        cwd=cwd,
        env={**env, **QUIET_ENV},
        log_path=log,
    )


def test_a_deploy_missing_its_artefact_fails_before_touching_the_account_and_destroy_still_passes(
    tmp_path: Path,
) -> None:
    app = copy_app(tmp_path / "app")
    outside = tmp_path / "outside"  # no cdk.json here: the CLI neither builds nor synthesizes
    outside.mkdir()
    with ControlPlane(log_path=tmp_path / "moto.log") as control_plane:
        env = tool_path({**os.environ, **control_plane.env()})
        cli = CdkCli(app_dir=app, work_dir=tmp_path / "cdk", env=env, log_dir=tmp_path / "logs")
        cli.bootstrap(region=control_plane.region)
        assembly = tmp_path / "assembly"
        synth = _cdk(
            ["synth", "--quiet", "--output", str(assembly)],
            cwd=app,
            env=env,
            log=tmp_path / "logs" / "synth.log",
        )
        assert synth.returncode == 0, synth.tail()
        artefacts = [p for p in assembly.iterdir() if p.name.startswith("asset.")]
        assert artefacts, sorted(p.name for p in assembly.iterdir())
        for artefact in artefacts:
            artefact.unlink()

        deploy = [
            "deploy",
            "--app",
            str(assembly),
            "--require-approval",
            "never",
        ]
        failed = _cdk(deploy, cwd=outside, env=env, log=tmp_path / "logs" / "deploy.log")
        assert failed.returncode != 0
        assert "no such file or directory" in failed.output.lower(), failed.tail()
        assert _inventory(control_plane) == NOTHING
        # No model reached S3; only the template may sit in CDK's staging bucket, as on AWS.
        assert all(key.endswith(".json") for key in _asset_objects(control_plane))

        # Nothing to destroy, and destroy still passes. Destroying a real deploy, twice, is the
        # lifecycle test's (e2e/stacks/test_lifecycle.py): it deploys the default stack anyway.
        destroy = ["destroy", "--force", "--app", str(assembly)]
        destroyed = _cdk(destroy, cwd=outside, env=env, log=tmp_path / "logs" / "destroy.log")
        assert destroyed.returncode == 0, destroyed.tail()
        assert _inventory(control_plane) == NOTHING


def _asset_objects(control_plane: ControlPlane) -> list[str]:
    s3 = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-2"
    ).client("s3", endpoint_url=control_plane.url)
    objects = []
    for bucket in s3.list_buckets()["Buckets"]:
        listing = s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])
        objects += [f"{bucket['Name']}/{o['Key']}" for o in listing]
    return objects


# --- broken artefacts behind the runtime -----------------------------------------------------


def _tarball(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def endpoint(
    built_model: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServingEndpoint]:
    work_dir = tmp_path_factory.mktemp("faults")
    with serving(built_model.tarball, work_dir=work_dir, name="healthy", workers=1) as ep:
        yield ep


@pytest.fixture(scope="module")
def handler_files(built_model: BuildResult) -> dict[str, bytes]:
    """The handler's modules as the build ships them (every file under code/)."""
    files = {}
    with tarfile.open(built_model.tarball) as tar:
        for member in tar.getmembers():
            extracted = tar.extractfile(member) if member.name.startswith("code/") else None
            if extracted is not None:
                files[member.name] = extracted.read()
    assert "code/inference.py" in files
    return files


@pytest.mark.parametrize(
    "broken", ["missing-object", "not-a-tarball", "no-model-file", "corrupt-model-file"]
)
def test_a_missing_or_corrupt_artefact_gets_a_prompt_clear_error_twice_and_harms_nothing_else(
    endpoint: ServingEndpoint,
    handler_files: dict[str, bytes],
    built_model: BuildResult,
    broken: str,
) -> None:
    resources = endpoint.resources
    if broken == "missing-object":
        url = f"s3://{BUCKET}/nowhere/model.tar.gz"
    elif broken == "not-a-tarball":
        url = resources.upload(b"this is not gzip")
    elif broken == "no-model-file":
        url = resources.upload(_tarball(handler_files))
    else:
        url = resources.upload(_tarball({**handler_files, "xgboost-model": b"{not a model"}))
    name = f"broken-{broken}"
    resources.deploy(name, url)
    card = json.loads(built_model.card_path.read_text())["sample"]
    body = json.dumps({"instances": card["instances"]}).encode()

    client = SignedClient(endpoint.runtime_url)  # 60 s socket timeout: a hang fails the test
    for _ in range(2):  # the second request must not hang on a half-started container either
        answer = client.post(f"/endpoints/{name}/invocations", body, {"Content-Type": JSON})
        assert answer.status in (400, 424, 500), answer.body
        assert answer.headers["x-amzn-errortype"] in {
            "ValidationError",
            "ModelError",
            "InternalFailure",
        }
        message = json.loads(answer.body)
        text = message.get("message") or message.get("Message")
        assert text
        assert "Traceback" not in answer.body.decode()
    healthy = client.post(endpoint.path, body, {"Content-Type": JSON})
    assert healthy.status == 200, healthy.body
    assert [c["model"] for c in _containers(endpoint)] == [_model_of(endpoint)]


def _containers(endpoint: ServingEndpoint) -> list[dict[str, Any]]:
    return list(health(endpoint.runtime_url)["containers"])


def _model_of(endpoint: ServingEndpoint) -> str:
    sagemaker = endpoint.resources.sagemaker
    config = sagemaker.describe_endpoint(EndpointName=endpoint.name)["EndpointConfigName"]
    variants = sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]
    return str(variants[0]["ModelName"])


# --- the demo, interrupted -------------------------------------------------------------------


def _processes_mentioning(marker: str) -> list[str]:
    """Live processes whose command line or working directory contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if marker in cmdline or marker in cwd:
            found.append(f"{entry.name}: {cmdline.strip()[:200]} (in {cwd})")
    return found


def test_sigint_mid_deploy_stops_every_process_of_the_demo_and_exits_non_zero(
    tmp_path: Path,
) -> None:
    app = copy_app(tmp_path / "app")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    cmd = [sys.executable, "-m", "local_cloud", "--work-dir", str(tmp_path / "work"), "demo"]
    proc = subprocess.Popen(
        [*cmd, "--app-dir", str(app)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=sigint_default,
    )
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("==> deploy"):
                break
        # Interrupt while the CDK CLI (npx -> node -> python app.py) is really running.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            "node" in p for p in _processes_mentioning(str(tmp_path))
        ):
            time.sleep(0.1)
        running = _processes_mentioning(str(tmp_path))
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    output = "".join(seen) + rest
    ports = re.findall(r"moto_server at http://localhost:(\d+)", output)

    assert any("node" in p for p in running), running  # the interrupt really was mid-deploy
    assert proc.returncode == 130, output
    assert "interrupted (Ctrl-C) during 'deploy'" in output
    assert _processes_mentioning(str(tmp_path)) == []
    assert ports and _processes_mentioning(f"-p {ports[0]}") == []
