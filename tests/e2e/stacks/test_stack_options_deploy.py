"""Each example config deploys and destroys on the local control plane (moto) with the real CLI.

A tmp copy of the app is bootstrapped once; each config then gets its own work dir (cloud
assembly and outputs), so nothing touches the repo's cdk.out/. moto skips resource types it does
not implement with a warning and still reports CREATE_COMPLETE: the test reads those warnings from
moto's log and pins the list (docs/local-cloud.md), because a green local deploy
proves nothing about those resources.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from local_cloud.app_copy import copy_app
from local_cloud.cdk import CdkCli
from local_cloud.control_plane import ControlPlane
from tests.support.assemblies import Assemblies
from tests.support.cdk import REPO
from tests.support.local_aws import session_for

# What moto 5.2.5 skips in each example (its log: "No Moto CloudFormation support for ...").
# AWS::CDK::Metadata is no longer skipped: local_aws creates it (docs/local-cloud-divergences.md).
MOTO_SKIPS = {
    "production": {
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "AWS::CloudWatch::Alarm",
        "AWS::S3::BucketPolicy",
        "AWS::SNS::TopicPolicy",
    },
    "serverless": {"AWS::CloudWatch::Alarm"},
}
_SKIPPED = re.compile(r"No Moto CloudFormation support for (\S+)")


@dataclass
class LocalCloud:
    app_dir: Path
    control_plane: ControlPlane
    log_path: Path
    session: boto3.session.Session

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.control_plane.url)

    def cli(self, name: str) -> CdkCli:
        work_dir = self.app_dir / f".local-{name}"
        return CdkCli(
            app_dir=self.app_dir,
            work_dir=work_dir,
            env=self.control_plane.env(),
            log_dir=work_dir / "logs",
        )


def _copy_app(target: Path) -> Path:
    """The app as the local runs copy it, plus the example configs these tests deploy."""
    copy_app(target)
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "examples", target / "examples", ignore=ignore, dirs_exist_ok=True)
    return target


@pytest.fixture(scope="module")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    root = tmp_path_factory.mktemp("options-local")
    app_dir = _copy_app(root / "app")
    log_path = root / "moto.log"
    with ControlPlane(log_path=log_path) as control_plane:
        session = session_for(control_plane.env(), region=control_plane.region)
        cloud = LocalCloud(app_dir, control_plane, log_path, session)
        cloud.cli("bootstrap").bootstrap(region=control_plane.region)
        yield cloud


def _skipped_types(log_text: str) -> set[str]:
    return set(_SKIPPED.findall(log_text))


def _deploy(
    cloud: LocalCloud, assemblies: Assemblies, name: str
) -> tuple[CdkCli, dict[str, str], set[str], str]:
    """The example as shipped (its shared synth), auto-deleted capture bucket included: the local
    cloud runs CDK's auto-delete custom resource without Docker (local_aws/s3_auto_delete.py)."""
    config = json.loads((REPO / "examples" / f"{name}.json").read_text())
    cli = cloud.cli(name)
    log_start = cloud.log_path.stat().st_size
    cli.deploy(assembly=assemblies.get(name).outdir)
    with cloud.log_path.open() as log:
        log.seek(log_start)
        skipped = _skipped_types(log.read())
    stack = config["stack_name"]
    outputs = json.loads(cli.outputs_file.read_text())[stack]
    return cli, outputs, skipped, stack


@dataclass(frozen=True)
class Deployed:
    cli: CdkCli
    outputs: dict[str, str]
    stack: str
    endpoint_config: dict[str, Any]


def _deploy_in_service(cloud: LocalCloud, assemblies: Assemblies, name: str) -> Deployed:
    """Deploy an example, check it is up with exactly moto's known skips; its endpoint config."""
    cli, outputs, skipped, stack = _deploy(cloud, assemblies, name)
    assert _stack_status(cloud, stack) == "CREATE_COMPLETE"
    assert skipped == MOTO_SKIPS[name]
    sagemaker = cloud.client("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName=outputs["EndpointName"])
    assert endpoint["EndpointStatus"] == "InService"
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    return Deployed(cli, outputs, stack, config)


def _destroy_and_check_gone(cloud: LocalCloud, deployed: Deployed) -> None:
    deployed.cli.destroy()
    assert _stack_status(cloud, deployed.stack) is None
    assert deployed.outputs["EndpointName"] not in _endpoint_names(cloud)


def _stack_status(cloud: LocalCloud, stack: str) -> str | None:
    cloudformation = cloud.client("cloudformation")
    for summary in cloudformation.list_stacks()["StackSummaries"]:
        if summary["StackName"] == stack and summary["StackStatus"] != "DELETE_COMPLETE":
            return str(summary["StackStatus"])
    return None


def _endpoint_names(cloud: LocalCloud) -> set[str]:
    endpoints = cloud.client("sagemaker").list_endpoints()["Endpoints"]
    return {e["EndpointName"] for e in endpoints}


def test_production_example_deploys_and_destroys_locally(
    local_cloud: LocalCloud, assemblies: Assemblies
) -> None:
    deployed = _deploy_in_service(local_cloud, assemblies, "production")
    outputs, config = deployed.outputs, deployed.endpoint_config
    assert config["ProductionVariants"][0]["InstanceType"] == "ml.m5.large"
    assert config["ProductionVariants"][0]["InitialInstanceCount"] == 2
    capture_uri = outputs["DataCaptureUri"]
    assert config["DataCaptureConfig"]["DestinationS3Uri"] == capture_uri
    key_arn = config["KmsKeyId"]
    assert config["DataCaptureConfig"]["KmsKeyId"] == key_arn

    # moto keeps a template's key policy as a dict and then fails every call that checks it
    # (DescribeKey: HTTP 500): listing is what works locally.
    key_ids = {k["KeyArn"] for k in local_cloud.client("kms").list_keys()["Keys"]}
    assert key_arn in key_ids

    bucket = capture_uri.removeprefix("s3://").split("/")[0]
    s3 = local_cloud.client("s3")
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"

    topics = local_cloud.client("sns").list_topics()["Topics"]
    assert len(topics) == 1
    dashboards = local_cloud.client("cloudwatch").list_dashboards()["DashboardEntries"]
    assert len(dashboards) == 1

    s3.put_object(Bucket=bucket, Key="data-capture/AllTraffic/capture.jsonl", Body=b"{}\n")
    _destroy_and_check_gone(local_cloud, deployed)
    assert local_cloud.client("cloudwatch").list_dashboards()["DashboardEntries"] == []
    # retain: false, as shipped: destroy emptied the capture bucket and removed it.
    assert bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_serverless_example_deploys_and_destroys_locally(
    local_cloud: LocalCloud, assemblies: Assemblies
) -> None:
    deployed = _deploy_in_service(local_cloud, assemblies, "serverless")
    (variant,) = deployed.endpoint_config["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 10}
    assert "InstanceType" not in variant

    _destroy_and_check_gone(local_cloud, deployed)
