"""Batch transform: rows/s through a local transform job against the in-process handler, and the
local job runner's peak memory as the input grows (docs/batch-transform.md).

- handler: `input_fn` + `predict_fn` + `output_fn` in this process on the same rows, in the same
  requests the job makes (MultiRecord bodies up to 6 MB), one after another;
- transform: CreateTransformJob through the patched control plane (`python -m local_aws`), from
  the call to `Completed`: S3 read in chunks, line split, batching, 2 concurrent requests to the
  Model's container (2 gunicorn workers, as the image runs one per CPU), answers joined in order
  and the `.out` written back to S3;
- memory: the same job run by `local_runtime.transform_jobs` in a process of its own (in the
  local cloud it shares the control plane's process with S3's stored objects), peak RSS.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
from sklearn.datasets import load_breast_cancer

from benchmarks.handler import load_handler
from benchmarks.report import Section, Target
from constants import LOCAL_CREDENTIALS
from local_cloud.control_plane import ControlPlane

ROWS = 1_000_000
SMALL_ROWS = 100_000
PAYLOAD_MB = 6
CONCURRENT = 2
BUCKET = "bench-batch"
ENVIRONMENT = {
    "SAGEMAKER_PROGRAM": "inference.py",
    "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
}


def write_csv(path: Path, rows: int) -> None:
    """`rows` lines of 30 features, 4 significant digits (about 180 bytes a line)."""
    data = load_breast_cancer().data
    lines = [",".join(f"{v:.4g}" for v in row) + "\n" for row in data]
    with path.open("w") as handle:
        for i in range(rows):
            handle.write(lines[i % len(lines)])


def handler_seconds(model_dir: Path, csv_path: Path) -> float:
    """The handler alone on the job's requests (≤ 6 MB of whole lines each), one by one."""
    module, model = load_handler(model_dir)
    limit = PAYLOAD_MB * 1024 * 1024
    started = time.perf_counter()
    with csv_path.open() as handle:
        batch: list[str] = []
        size = 0
        for line in handle:
            if size + len(line) > limit:
                _score(module, model, "".join(batch))
                batch, size = [], 0
            batch.append(line)
            size += len(line)
        if batch:
            _score(module, model, "".join(batch))
    return time.perf_counter() - started


def _score(module: Any, model: Any, body: str) -> None:
    answer = module.output_fn(
        module.predict_fn(module.input_fn(body, "text/csv"), model), "text/csv"
    )
    assert isinstance(answer, tuple), answer


def _request(name: str, model_data_url: str) -> dict[str, Any]:
    return {
        "TransformJobName": name,
        "ModelName": "bench-model",
        "BatchStrategy": "MultiRecord",
        "MaxPayloadInMB": PAYLOAD_MB,
        "MaxConcurrentTransforms": CONCURRENT,
        "TransformInput": {
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/in/{name}/"}
            },
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        "TransformOutput": {
            "S3OutputPath": f"s3://{BUCKET}/out/{name}",
            "Accept": "text/csv",
            "AssembleWith": "Line",
        },
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
        "ModelDataUrl": model_data_url,
        "ModelEnvironment": ENVIRONMENT,
    }


def run(tarball: Path, model_dir: Path, work: Path, *, quick: bool = False) -> Section:
    rows = SMALL_ROWS if quick else ROWS
    work.mkdir(parents=True, exist_ok=True)
    big, small = work / "rows.csv", work / "small.csv"
    write_csv(big, rows)
    write_csv(small, SMALL_ROWS // 10 if quick else SMALL_ROWS)
    handler_s = handler_seconds(model_dir, big)
    with ControlPlane(log_path=work / "moto.log") as plane:
        kwargs = {
            "endpoint_url": plane.url,
            "region_name": plane.region,
            "aws_access_key_id": LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        }
        s3, sagemaker = boto3.client("s3", **kwargs), boto3.client("sagemaker", **kwargs)
        s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": plane.region}
        )
        s3.upload_file(str(tarball), BUCKET, "model/model.tar.gz")
        model_url = f"s3://{BUCKET}/model/model.tar.gz"
        sagemaker.create_model(
            ModelName="bench-model",
            ExecutionRoleArn="arn:aws:iam::123456789012:role/bench",
            PrimaryContainer={
                "Image": "xgb",
                "ModelDataUrl": model_url,
                "Environment": ENVIRONMENT,
            },
        )
        s3.upload_file(str(big), BUCKET, "in/big/rows.csv")
        s3.upload_file(str(small), BUCKET, "in/small/rows.csv")
        transform_s = _api_job(sagemaker, _request("big", model_url))
        memory = {
            name: _runner_peak(plane.url, work, _request(name, model_url))
            for name in ("small", "big")
        }
    small_rows = SMALL_ROWS // 10 if quick else SMALL_ROWS
    ratio = transform_s / handler_s
    return Section(
        title="Batch transform (local job runner)",
        method=__doc__.split("\n\n", 1)[1].strip(),
        headers=("path", "rows", "time", "rows/s", "runner peak RSS"),
        rows=[
            (
                "in-process handler",
                f"{rows:,}",
                f"{handler_s:.1f} s",
                f"{rows / handler_s:,.0f}",
                "-",
            ),
            (
                "transform job",
                f"{rows:,}",
                f"{transform_s:.1f} s",
                f"{rows / transform_s:,.0f}",
                f"{memory['big'][0]:.0f} MB",
            ),
            (
                "transform job (memory run)",
                f"{small_rows:,}",
                "-",
                "-",
                f"{memory['small'][0]:.0f} MB",
            ),
        ],
        targets=[
            Target(
                name="transform time per row / handler's (at least 0.5x throughput)",
                measured=ratio,
                limit=2.0,
                why="HTTP, S3 and the join add to the handler's parse and predict",
            ),
            Target(
                name=f"runner peak RSS, {rows:,} rows",
                measured=memory["big"][0],
                limit=300,
                unit=" MB",
            ),
            Target(
                name=f"runner peak growth, {small_rows:,} -> {rows:,} rows",
                measured=memory["big"][0] - memory["small"][0],
                limit=30,
                unit=" MB",
            ),
        ],
        notes=[
            f"records scored by the memory runs: {memory['small'][1]:,} and {memory['big'][1]:,}"
        ],
    )


def _api_job(sagemaker: Any, request: dict[str, Any]) -> float:
    request = {k: v for k, v in request.items() if k not in ("ModelDataUrl", "ModelEnvironment")}
    started = time.perf_counter()
    sagemaker.create_transform_job(**request)
    while True:
        described = sagemaker.describe_transform_job(TransformJobName=request["TransformJobName"])
        if described["TransformJobStatus"] not in ("InProgress", "Stopping"):
            break
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    if described["TransformJobStatus"] != "Completed":
        raise RuntimeError(f"bench job ended {described['TransformJobStatus']}: {described}")
    return elapsed


def _runner_peak(endpoint_url: str, work: Path, request: dict[str, Any]) -> tuple[float, int]:
    request = {**request, "TransformJobName": request["TransformJobName"] + "-memory"}
    request["TransformOutput"] = {
        **request["TransformOutput"],
        "S3OutputPath": f"s3://{BUCKET}/mem/",
    }
    path = work / f"{request['TransformJobName']}.json"
    path.write_text(json.dumps(request))
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.batch_runner", endpoint_url, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), int(out[1])
