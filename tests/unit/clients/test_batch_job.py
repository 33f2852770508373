"""The batch command's request, price and helpers (no AWS)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from clients.batch_job import (
    CSV,
    JSONLINES,
    JobOptions,
    cost_estimate,
    count_lines,
    job_name,
    transform_request,
)
from clients.batch_transform import main

BASE = {
    "job_name": "j",
    "model_name": "m",
    "input_uri": "s3://b/batch-input/j/",
    "output_uri": "s3://b/batch-output/j",
    "content_type": CSV,
    "accept": CSV,
    "instance_type": "ml.m5.large",
    "instance_count": 2,
    "concurrent_per_instance": 2,
    "max_payload_mb": 6,
}


def test_request_splits_lines_batches_records_and_joins_the_id_column() -> None:
    request = transform_request(JobOptions(**BASE, id_column=True))
    assert request["TransformInput"]["SplitType"] == "Line"
    assert request["BatchStrategy"] == "MultiRecord"
    assert (request["MaxPayloadInMB"], request["MaxConcurrentTransforms"]) == (6, 2)
    assert request["TransformOutput"]["Accept"] == "text/csv; header=absent"
    assert request["TransformOutput"]["AssembleWith"] == "Line"
    assert request["TransformResources"] == {"InstanceType": "ml.m5.large", "InstanceCount": 2}
    assert request["DataProcessing"] == {
        "InputFilter": "$[1:]",
        "JoinSource": "Input",
        "OutputFilter": "$[0,-1]",
    }


def test_json_lines_id_key_keeps_the_id_and_the_answer() -> None:
    options = JobOptions(**{**BASE, "content_type": JSONLINES, "accept": JSONLINES}, id_key="k")
    request = transform_request(options)
    assert request["DataProcessing"]["OutputFilter"] == "$['k','SageMakerOutput']"
    assert request["TransformOutput"]["Accept"] == JSONLINES
    assert "DataProcessing" not in transform_request(JobOptions(**BASE))


def test_payload_budget_is_sagemakers() -> None:
    with pytest.raises(ValueError, match="at most 100, got 6 x 20"):
        transform_request(JobOptions(**{**BASE, "concurrent_per_instance": 20}))


def test_job_name_and_cost() -> None:
    name = job_name("my rows.v2", datetime(2026, 11, 30, 9, 5, 1, tzinfo=UTC))
    assert name == "my-rows-v2-20261130-090501"
    cost, how = cost_estimate("ml.m5.large", 2, 1800)
    assert cost == pytest.approx(0.115)
    assert "2 x ml.m5.large" in how
    assert cost_estimate("ml.x9.huge", 1, 60)[0] is None


def test_count_lines_counts_non_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"1,2\n\n3,4\n5,6")
    assert count_lines(path) == 3


def test_without_outputs_or_flags_it_says_what_to_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["--input", "x.csv", "--region", "eu-west-2", "--outputs-file", str(tmp_path / "n.json")]
    )
    assert code == 2
    assert "no ModelName: pass it as a flag" in capsys.readouterr().err
