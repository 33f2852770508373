"""python -m local_cloud.batch_demo: a batch transform job end to end with no AWS account.

Starts the patched control plane, deploys a copy of the app with examples/batch.json (the
batch bucket under the stack's key), scores a 10,000-row CSV with an ID column through
`python -m clients.batch_transform`, destroys the stack and checks its bucket went with it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import boto3
from sklearn.datasets import load_breast_cancer

from clients import batch_transform
from clients.outputs_file import read_outputs
from constants import BATCH_BUCKET_OUTPUT, MODEL_NAME_OUTPUT
from local_cloud.app_copy import copy_app
from local_cloud.cdk import CdkCli
from local_cloud.control_plane import ControlPlane

ROWS = 10_000
CONFIG = "examples/batch.json"


def write_rows(path: Path, rows: int) -> None:
    data = load_breast_cancer().data
    with path.open("w") as handle:
        for i in range(rows):
            handle.write(f"row-{i}," + ",".join(f"{v:.4g}" for v in data[i % len(data)]) + "\n")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="batch-demo-") as tmp:
        root = Path(tmp)
        app_dir = copy_app(root / "app")
        logs = root / "logs"
        logs.mkdir()
        with ControlPlane(log_path=logs / "moto.log") as plane:
            env = {**os.environ, **plane.env()}
            cdk = CdkCli(app_dir=app_dir, work_dir=root / "cdk", env=env, log_dir=logs)
            print(f"1/4 bootstrap and deploy {CONFIG} on the local cloud ({plane.url})")
            cdk.bootstrap(region=plane.region)
            cdk.deploy(context={"config": str(app_dir / CONFIG)})
            stack, outputs = next(iter(read_outputs(cdk.outputs_file).items()))
            print(f"    bucket {outputs[BATCH_BUCKET_OUTPUT]}, model {outputs[MODEL_NAME_OUTPUT]}")
            source = root / "scores.csv"
            write_rows(source, ROWS)
            print(f"2/4 score {ROWS:,} rows with an ID column as a transform job")
            os.environ.update(plane.env())
            code = batch_transform.main(
                [
                    "--input",
                    str(source),
                    "--id-column",
                    "--output",
                    str(root / "results"),
                    "--outputs-file",
                    str(cdk.outputs_file),
                    "--poll-seconds",
                    "0.5",
                ]
            )
            if code != 0:
                return code
            first = (root / "results" / "scores.csv.out").read_text().splitlines()[:3]
            print("    first results: " + "; ".join(first))
            print(f"3/4 destroy {stack}")
            cdk.destroy()
            s3 = boto3.client("s3", endpoint_url=plane.url, region_name=plane.region)
            left = outputs[BATCH_BUCKET_OUTPUT] in {b["Name"] for b in s3.list_buckets()["Buckets"]}
            print(
                "4/4 teardown: " + ("the batch bucket is still there" if left else "no bucket left")
            )
            return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
