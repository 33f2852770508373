"""Batch transform end to end on the local cloud: the stack with batch_transform on, deployed by
the CDK CLI into patched moto, and `python -m clients.batch_transform` scoring files through a
real transform job (issue 12)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xgboost as xgb
from sklearn.datasets import load_breast_cancer

from clients import batch_transform
from local_cloud.cdk import CdkCli
from tests.support.assemblies import Assemblies
from tests.support.local_aws import LocalAccount, aws_environ, deploy_shared, local_account

ROWS = 100_000
STACK = "XgbBatchLocal"


@dataclass(frozen=True)
class Deployed:
    account: LocalAccount
    cli: CdkCli
    outputs: dict[str, str]

    def client(self, service: str) -> Any:
        return self.account.session.client(service, endpoint_url=self.account.control_plane.url)


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, assemblies: Assemblies
) -> Iterator[Deployed]:
    with local_account(tmp_path_factory.mktemp("batch")) as account:
        account.cdk.bootstrap(region=account.control_plane.region)
        deploy_shared(account, assemblies, "batch_local")  # stack STACK, batch_transform on
        outputs = json.loads(account.cdk.outputs_file.read_text())[STACK]
        with aws_environ(account.env):
            yield Deployed(account, account.cdk, outputs)


@pytest.fixture(scope="module")
def rows() -> np.ndarray:
    data = load_breast_cancer().data.astype(np.float32)
    return np.tile(data, (ROWS // len(data) + 1, 1))[:ROWS]


@pytest.fixture(scope="module")
def expected(rows: np.ndarray, deployed: Deployed) -> list[float]:
    tarball = deployed.account.app_dir / "build" / "model.tar.gz"
    import tarfile

    with tarfile.open(tarball) as tar:
        member = tar.extractfile("xgboost-model")
        assert member is not None
        booster = xgb.Booster()
        booster.load_model(bytearray(member.read()))
    return [float(v) for v in booster.inplace_predict(rows).tolist()]


def _run(deployed: Deployed, *args: str) -> int:
    return batch_transform.main(
        [*args, "--outputs-file", str(deployed.cli.outputs_file), "--poll-seconds", "0.3"]
    )


def test_csv_with_an_id_column_joins_each_id_to_its_prediction(
    deployed: Deployed,
    rows: np.ndarray,
    expected: list[float],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "scores.csv"
    with source.open("w") as handle:
        for i, row in enumerate(rows.tolist()):
            handle.write(f"row-{i}," + ",".join(map(repr, row)) + "\n")
    out_dir = tmp_path / "results"
    assert _run(deployed, "--input", str(source), "--output", str(out_dir), "--id-column") == 0
    printed = capsys.readouterr().out
    assert f"rows:    {ROWS:,} scored of {ROWS:,}" in printed
    assert "cost:    $" in printed and "results: " in printed
    lines = (out_dir / "scores.csv.out").read_text().splitlines()
    assert [line.split(",")[0] for line in lines] == [f"row-{i}" for i in range(ROWS)]
    assert [float(line.split(",")[1]) for line in lines] == expected


def test_json_lines_with_an_id_key_the_same(
    deployed: Deployed,
    rows: np.ndarray,
    expected: list[float],
    tmp_path: Path,
) -> None:
    source = tmp_path / "scores.jsonl"
    with source.open("w") as handle:
        for i, row in enumerate(rows.tolist()):
            handle.write(json.dumps({"id": i, "features": row}) + "\n")
    out_dir = tmp_path / "results"
    assert _run(deployed, "--input", str(source), "--output", str(out_dir), "--id-key", "id") == 0
    answers = [json.loads(line) for line in (out_dir / "scores.jsonl.out").open()]
    assert [a["id"] for a in answers] == list(range(ROWS))
    assert [a["SageMakerOutput"] for a in answers] == expected


def test_one_bad_row_fails_the_job_naming_the_problem_and_writes_no_out(
    deployed: Deployed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    good = ",".join(["1.0"] * 30)
    source.write_text(f"a,{good}\nb,{good.replace('1.0', 'oops', 1)}\nc,{good}\n")
    assert _run(deployed, "--input", str(source), "--id-column", "--job-name", "bad-row") == 1
    err = capsys.readouterr().err
    assert "failed:" in err and "oops" in err
    described = deployed.client("sagemaker").describe_transform_job(TransformJobName="bad-row")
    assert described["TransformJobStatus"] == "Failed"
    assert "400" in described["FailureReason"] and "oops" in described["FailureReason"]
    listed = deployed.client("s3").list_objects_v2(
        Bucket=deployed.outputs["BatchBucketName"], Prefix="batch-output/bad-row/"
    )
    assert listed.get("KeyCount", 0) == 0


def test_an_empty_input_completes_with_no_rows(
    deployed: Deployed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "empty.csv"
    source.write_text("")
    out = str(tmp_path / "results")
    assert _run(deployed, "--input", str(source), "--job-name", "empty-input", "--output", out) == 0
    assert "rows:    0 scored of 0" in capsys.readouterr().out


def test_stop_mid_job_reports_stopped(
    deployed: Deployed, rows: np.ndarray, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "long.csv"
    with source.open("w") as handle:
        text = "\n".join(",".join(map(repr, row)) for row in rows[:20_000].tolist()) + "\n"
        for _ in range(10):
            handle.write(text)
    sagemaker = deployed.client("sagemaker")

    def stop_when_running() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status = sagemaker.describe_transform_job(TransformJobName="stopped")
            except sagemaker.exceptions.ClientError:
                time.sleep(0.1)
                continue
            if status["TransformJobStatus"] == "InProgress":
                sagemaker.stop_transform_job(TransformJobName="stopped")
                return
            time.sleep(0.1)

    stopper = threading.Thread(target=stop_when_running)
    stopper.start()
    code = _run(deployed, "--input", str(source), "--job-name", "stopped", "--max-payload-mb", "1")
    stopper.join()
    assert code == 130
    assert "was stopped" in capsys.readouterr().out
    assert (
        sagemaker.describe_transform_job(TransformJobName="stopped")["TransformJobStatus"]
        == "Stopped"
    )


def test_teardown_empties_and_removes_the_bucket(deployed: Deployed) -> None:
    bucket = deployed.outputs["BatchBucketName"]
    s3 = deployed.client("s3")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] > 0  # inputs and results are there
    deployed.cli.destroy()
    assert bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_a_retained_bucket_outlives_the_stack(deployed: Deployed, assemblies: Assemblies) -> None:
    account = deployed.account
    stack = "XgbBatchRetained"
    cli = CdkCli(
        app_dir=account.app_dir,
        work_dir=account.app_dir / ".local-retained",
        env=account.env,
        log_dir=account.app_dir / ".local-retained" / "logs",
    )
    cli.deploy(assembly=assemblies.get("batch_retained").outdir)
    bucket = json.loads(cli.outputs_file.read_text())[stack]["BatchBucketName"]
    s3 = deployed.client("s3")
    s3.put_object(Bucket=bucket, Key="batch-input/kept/rows.csv", Body=b"1,2\n")
    cli.destroy()
    assert bucket in {b["Name"] for b in s3.list_buckets()["Buckets"]}
