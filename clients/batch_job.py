"""A transform job's request, its price and its progress: the parts of `clients.batch_transform`
that talk to no terminal.

The request follows docs/batch-transform.md: SplitType Line, BatchStrategy MultiRecord, a
MaxPayloadInMB within the container's 6 MiB request limit, MaxConcurrentTransforms per
instance, and DataProcessing that drops an ID before the model and joins it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

CSV, JSONLINES = "text/csv", "application/jsonlines"
FORMATS = {"csv": CSV, "jsonl": JSONLINES}
# The serving container refuses bodies over 6 MiB (MAX_CONTENT_LENGTH): 6 MB of records, plus
# newlines, stays under it.
MAX_PAYLOAD_MB = 6
PAYLOAD_BUDGET_MB = 100  # SageMaker: MaxConcurrentTransforms x MaxPayloadInMB <= 100
TRANSFORM_LOG_GROUP = "/aws/sagemaker/TransformJobs"
PROGRESS_STREAM_SUFFIX = "/local-progress"  # written by the local cloud's job runner only
FINISHED = ("Completed", "Failed", "Stopped")
# On-demand Batch Transform list prices, USD per instance-hour, us-east-1 (November 2026).
PRICE_PER_HOUR = {
    "ml.m5.large": 0.115,
    "ml.m5.xlarge": 0.23,
    "ml.m5.2xlarge": 0.461,
    "ml.m5.4xlarge": 0.922,
    "ml.c5.xlarge": 0.204,
    "ml.c5.2xlarge": 0.408,
    "ml.c5.4xlarge": 0.816,
}


@dataclass(frozen=True, kw_only=True)
class JobOptions:
    job_name: str
    model_name: str
    input_uri: str
    output_uri: str
    content_type: str
    accept: str
    instance_type: str
    instance_count: int
    concurrent_per_instance: int
    max_payload_mb: int
    id_column: bool = False  # CSV: the first column is an ID, kept out of the model
    id_key: str | None = None  # JSON Lines: {id_key: ..., "features": row}


def data_processing(options: JobOptions) -> dict[str, str] | None:
    """Drop the ID before the model, join the answer to the input, keep ID and answer."""
    if options.id_column:
        return {"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"}
    if options.id_key:
        return {
            "InputFilter": "$.features",
            "JoinSource": "Input",
            "OutputFilter": f"$['{options.id_key}','SageMakerOutput']",
        }
    return None


def transform_request(options: JobOptions) -> dict[str, Any]:
    """CreateTransformJob's arguments."""
    if options.max_payload_mb * options.concurrent_per_instance > PAYLOAD_BUDGET_MB:
        raise ValueError(
            f"--max-payload-mb x --concurrent must be at most {PAYLOAD_BUDGET_MB}, got "
            f"{options.max_payload_mb} x {options.concurrent_per_instance}"
        )
    # A multiclass CSV answer has a header line unless asked not to: one line per record.
    accept = options.accept + ("; header=absent" if options.accept == CSV else "")
    request: dict[str, Any] = {
        "TransformJobName": options.job_name,
        "ModelName": options.model_name,
        "BatchStrategy": "MultiRecord",
        "MaxPayloadInMB": options.max_payload_mb,
        "MaxConcurrentTransforms": options.concurrent_per_instance,
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": options.input_uri}},
            "ContentType": options.content_type,
            "SplitType": "Line",
        },
        "TransformOutput": {
            "S3OutputPath": options.output_uri,
            "Accept": accept,
            "AssembleWith": "Line",
        },
        "TransformResources": {
            "InstanceType": options.instance_type,
            "InstanceCount": options.instance_count,
        },
    }
    processing = data_processing(options)
    if processing:
        request["DataProcessing"] = processing
    return request


def job_name(stem: str, now: datetime) -> str:
    """`<file stem>-<UTC time>`: at most 63 characters of [a-zA-Z0-9-], as SageMaker requires."""
    clean = re.sub(r"[^A-Za-z0-9-]+", "-", stem).strip("-")[:40] or "batch"
    return f"{clean}-{now:%Y%m%d-%H%M%S}"


def cost_estimate(
    instance_type: str, instance_count: int, seconds: float
) -> tuple[float | None, str]:
    """(USD, how it was reckoned) for the instances a job used for `seconds`."""
    price = PRICE_PER_HOUR.get(instance_type)
    if price is None:
        return None, f"no list price known here for {instance_type}"
    cost = price * instance_count * seconds / 3600
    return cost, (
        f"{instance_count} x {instance_type} x {seconds:.0f} s at ${price}/h "
        "(us-east-1 on-demand list price; SageMaker bills per second while the job runs)"
    )


def records_scored(logs: Any, job: str) -> int | None:
    """Records scored so far, where the job's log says (the local cloud's runner writes it);
    None on AWS, whose container logs do not count records."""
    try:
        events = logs.get_log_events(
            logGroupName=TRANSFORM_LOG_GROUP,
            logStreamName=job + PROGRESS_STREAM_SUFFIX,
            limit=1,
            startFromHead=False,
        )["events"]
    except Exception:  # no such stream (AWS, or not yet written): no bar
        return None
    match = re.search(r"records scored: (\d+)", events[-1]["message"]) if events else None
    return int(match.group(1)) if match else None


def count_lines(path: Any) -> int:
    """Non-blank lines of a local file, read in chunks (the records a Line split makes)."""
    count = 0
    with open(path, "rb") as handle:
        tail = b""
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            count += sum(1 for line in lines if line.strip())
        count += 1 if tail.strip() else 0
    return count
