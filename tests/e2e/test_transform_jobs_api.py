"""Transform jobs through the standard API, run for real by the local_aws patch (issue 12).

moto runs in this process (ThreadedMotoServer) with the transform-job patch; the job's model
container is the real script-mode emulation serving the built tarball."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
from moto.server import ThreadedMotoServer
from sklearn.datasets import load_breast_cancer

from constants import LOCAL_CREDENTIALS, LOCAL_REGION
from local_aws.transform_jobs import transform_jobs_run
from local_runtime.process_group import free_port
from model_build import BuildResult

BUCKET = "batch"
MODEL = "xgb-model"


@pytest.fixture(scope="module")
def sagemaker_api(built_model: BuildResult) -> Iterator[tuple[Any, Any]]:
    transform_jobs_run()
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    kwargs = {
        "endpoint_url": f"http://localhost:{port}",
        "region_name": LOCAL_REGION,
        "aws_access_key_id": LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }
    s3, sagemaker = boto3.client("s3", **kwargs), boto3.client("sagemaker", **kwargs)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": LOCAL_REGION})
    s3.upload_file(str(built_model.tarball), BUCKET, "model/model.tar.gz")
    sagemaker.create_model(
        ModelName=MODEL,
        ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
        PrimaryContainer={
            "Image": "xgb",
            "ModelDataUrl": f"s3://{BUCKET}/model/model.tar.gz",
            "Environment": {
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
            },
        },
    )
    yield s3, sagemaker
    server.stop()


def _job(sagemaker: Any, name: str, prefix: str, **extra: Any) -> dict[str, Any]:
    sagemaker.create_transform_job(
        TransformJobName=name,
        ModelName=MODEL,
        BatchStrategy="MultiRecord",
        MaxPayloadInMB=1,
        MaxConcurrentTransforms=2,
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": prefix}},
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        TransformOutput={
            "S3OutputPath": f"s3://{BUCKET}/out/{name}",
            "Accept": "text/csv",
            "AssembleWith": "Line",
        },
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        **extra,
    )
    assert sagemaker.describe_transform_job(TransformJobName=name)["TransformJobStatus"] in {
        "InProgress",
        "Completed",
        "Failed",
    }
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        described = sagemaker.describe_transform_job(TransformJobName=name)
        if described["TransformJobStatus"] not in ("InProgress", "Stopping"):
            return described
        time.sleep(0.2)
    raise AssertionError(f"{name} did not finish")


def test_csv_with_id_column_joins_each_id_to_the_boosters_prediction(
    sagemaker_api: tuple[Any, Any], built_model: BuildResult
) -> None:
    import xgboost as xgb

    s3, sagemaker = sagemaker_api
    rows = np.tile(load_breast_cancer().data.astype(np.float32), (20, 1))  # 11,380 rows
    body = "".join(f"id{i}," + ",".join(map(repr, r.tolist())) + "\n" for i, r in enumerate(rows))
    s3.put_object(Bucket=BUCKET, Key="in/ids/part-1.csv", Body=body.encode())
    described = _job(
        sagemaker,
        "ids",
        f"s3://{BUCKET}/in/ids/",
        DataProcessing={"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"},
    )
    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    out = s3.get_object(Bucket=BUCKET, Key="out/ids/part-1.csv.out")["Body"].read().decode()
    booster = xgb.Booster()
    booster.load_model(bytearray(built_model.model_path.read_bytes()))
    expected = booster.inplace_predict(rows).tolist()
    lines = out.splitlines()
    assert [line.split(",")[0] for line in lines] == [f"id{i}" for i in range(len(rows))]
    assert [float(line.split(",")[1]) for line in lines] == expected


def test_a_bad_row_fails_the_job_with_the_handlers_message_and_writes_no_out(
    sagemaker_api: tuple[Any, Any],
) -> None:
    s3, sagemaker = sagemaker_api
    good = ",".join(["1.0"] * 30)
    s3.put_object(Bucket=BUCKET, Key="in/bad/x.csv", Body=f"{good}\n1.0,2.0\n{good}\n".encode())
    described = _job(sagemaker, "bad", f"s3://{BUCKET}/in/bad/")
    assert described["TransformJobStatus"] == "Failed"
    assert "columns changed from 30 to 2 at row 2" in described["FailureReason"]
    assert "in/bad/x.csv" in described["FailureReason"]
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="out/bad/")
    assert listed.get("KeyCount", 0) == 0


def test_stop_mid_job_ends_stopped(sagemaker_api: tuple[Any, Any]) -> None:
    s3, sagemaker = sagemaker_api
    row = ",".join(["1.0"] * 30) + "\n"
    s3.put_object(Bucket=BUCKET, Key="in/stop/big.csv", Body=(row * 400_000).encode())
    name = "stop"
    sagemaker.create_transform_job(
        TransformJobName=name,
        ModelName=MODEL,
        TransformInput={
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/in/stop/"}
            },
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        BatchStrategy="SingleRecord",
        TransformOutput={"S3OutputPath": f"s3://{BUCKET}/out/stop"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
    )
    time.sleep(1)
    sagemaker.stop_transform_job(TransformJobName=name)
    deadline = time.monotonic() + 60
    while sagemaker.describe_transform_job(TransformJobName=name)["TransformJobStatus"] in (
        "InProgress",
        "Stopping",
    ):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    described = sagemaker.describe_transform_job(TransformJobName=name)
    assert described["TransformJobStatus"] == "Stopped", described.get("FailureReason")
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="out/stop/").get("KeyCount", 0) == 0
    jobs = sagemaker.list_transform_jobs()["TransformJobSummaries"]
    assert {j["TransformJobName"]: j["TransformJobStatus"] for j in jobs}[name] == "Stopped"


def test_creation_checks_what_sagemaker_checks(sagemaker_api: tuple[Any, Any]) -> None:
    _, sagemaker = sagemaker_api
    with pytest.raises(sagemaker.exceptions.ClientError, match="at most 100"):
        sagemaker.create_transform_job(
            TransformJobName="too-much",
            ModelName=MODEL,
            MaxPayloadInMB=50,
            MaxConcurrentTransforms=4,
            TransformInput={
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/in/"}
                }
            },
            TransformOutput={"S3OutputPath": f"s3://{BUCKET}/out/x"},
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        )


def test_the_aws_cli_runs_a_job_and_describes_it(
    sagemaker_api: tuple[Any, Any], tmp_path: Path
) -> None:
    """awscli v1 (pinned in requirements-dev) against the control plane, as after `make up`."""
    s3, sagemaker = sagemaker_api
    s3.put_object(Bucket=BUCKET, Key="in/cli/rows.csv", Body=(",".join(["1.0"] * 30) + "\n") * 50)
    endpoint = sagemaker.meta.endpoint_url
    request = {
        "TransformJobName": "cli",
        "ModelName": MODEL,
        "TransformInput": {
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/in/cli/"}
            },
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        "BatchStrategy": "MultiRecord",
        "TransformOutput": {"S3OutputPath": f"s3://{BUCKET}/out/cli", "Accept": "text/csv"},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
    }
    spec = tmp_path / "job.json"
    spec.write_text(json.dumps(request))
    env = {**os.environ, **LOCAL_CREDENTIALS, "AWS_DEFAULT_REGION": LOCAL_REGION}

    def aws(*args: str) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "sagemaker", *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout) if done.stdout.strip() else {}

    created = aws("create-transform-job", "--cli-input-json", f"file://{spec}")
    assert created["TransformJobArn"].endswith("transform-job/cli")
    deadline = time.monotonic() + 60
    while (status := aws("describe-transform-job", "--transform-job-name", "cli"))[
        "TransformJobStatus"
    ] == "InProgress":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert status["TransformJobStatus"] == "Completed", status
    out = s3.get_object(Bucket=BUCKET, Key="out/cli/rows.csv.out")["Body"].read().splitlines()
    assert len(out) == 50
