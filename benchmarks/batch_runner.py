"""python -m benchmarks.batch_runner ENDPOINT_URL REQUEST_JSON: one transform job run by the local
job runner in a process of its own, so its peak memory is the runner's alone (in the local cloud
it runs inside the control plane, whose S3 holds the data). Prints `peak_rss_mb records`."""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import threading
from pathlib import Path

import boto3

from constants import LOCAL_CREDENTIALS, LOCAL_REGION
from local_runtime.container_pool import ContainerManager
from local_runtime.resolver import ModelSpec
from local_runtime.transform_jobs import run_job
from local_runtime.transform_request import TransformJob


def _peak_rss_mb() -> float:
    """VmHWM: this process's peak RSS since exec. (ru_maxrss also counts the parent's memory
    copied by fork before exec, so a child of a big process reports the parent's size.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    endpoint_url, request_path = argv
    request = json.loads(Path(request_path).read_text())
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=LOCAL_REGION,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    model = ModelSpec(
        model_name="bench",
        model_data_url=request.pop("ModelDataUrl"),
        environment=tuple(sorted(request.pop("ModelEnvironment").items())),
    )
    job = TransformJob.from_request(request, model)
    with tempfile.TemporaryDirectory() as work:
        containers = ContainerManager(s3_client=s3, work_dir=Path(work))
        try:
            progress = run_job(job, s3=s3, containers=containers, stop=threading.Event())
        finally:
            containers.stop_all()
    peak_mb = _peak_rss_mb()
    print(f"{peak_mb:.1f} {progress.records}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
