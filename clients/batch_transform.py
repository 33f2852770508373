"""Score a file with the stack's Model as a SageMaker batch transform job.

    python -m clients.batch_transform --input FILE_OR_S3_URI [--output DIR_OR_S3_URI]
        [--id-column | --id-key NAME] [--instance-type T] [--instance-count N] ...

Uploads a local file under the stack's batch bucket (batch-input/<job>/), starts the job, shows
its state and elapsed time (and a progress bar on the local cloud, which counts records), then
downloads the .out files and prints rows scored, time, a cost estimate and where results are.
Ctrl-C stops the job (StopTransformJob). The same command runs on AWS and on the local cloud:
boto3 honours AWS_ENDPOINT_URL. See docs/batch-transform.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from clients.batch_job import (
    FINISHED,
    FORMATS,
    MAX_PAYLOAD_MB,
    JobOptions,
    cost_estimate,
    count_lines,
    job_name,
    records_scored,
    transform_request,
)
from clients.cli import AWS_ERRORS, Expected, UsageError, run_command
from clients.outputs_file import DEFAULT_OUTPUTS_FILE, outputs_with
from clients.target import resolve_region
from constants import (
    BATCH_BUCKET_OUTPUT,
    BATCH_INPUT_PREFIX,
    BATCH_OUTPUT_PREFIX,
    MODEL_NAME_OUTPUT,
)

DEPLOY_HINT = " (deploy with batch_transform on: docs/batch-transform.md)"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m clients.batch_transform", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--input", required=True, help="a local file or an s3:// URI (prefix)")
    parser.add_argument(
        "--output",
        help="a local folder for the .out files (default: batch-results/<job>) or an s3:// URI "
        f"to leave them in (default: the batch bucket's {BATCH_OUTPUT_PREFIX}/<job>/)",
    )
    parser.add_argument("--outputs-file", type=Path, default=DEFAULT_OUTPUTS_FILE)
    parser.add_argument("--stack-name", help="stack to read when the outputs file has several")
    parser.add_argument("--region", help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION)")
    parser.add_argument(
        "--model-name", help=f"Model to run (default: the {MODEL_NAME_OUTPUT} output)"
    )
    parser.add_argument(
        "--bucket", help=f"bucket for inputs (default: {BATCH_BUCKET_OUTPUT} output)"
    )
    parser.add_argument("--job-name", help="default: <input stem>-<UTC time>")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="input records: csv or jsonl (default: from the file's suffix)",
    )
    parser.add_argument("--accept", choices=FORMATS, help="answers (default: as the input)")
    ids = parser.add_mutually_exclusive_group()
    ids.add_argument(
        "--id-column",
        action="store_true",
        help="CSV: the first column is an ID, dropped before the model, joined back",
    )
    ids.add_argument("--id-key", help='JSON Lines: records are {KEY: id, "features": row}')
    parser.add_argument("--instance-type", default="ml.m5.large")
    parser.add_argument("--instance-count", type=int, default=1)
    parser.add_argument(
        "--concurrent",
        type=int,
        default=2,
        help="MaxConcurrentTransforms per instance (default: %(default)s)",
    )
    parser.add_argument(
        "--max-payload-mb",
        type=int,
        default=MAX_PAYLOAD_MB,
        help="MaxPayloadInMB, 1..6 for this container (default: %(default)s)",
    )
    parser.add_argument("--poll-seconds", type=float, default=2.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_command(lambda: run(args), Expected(errors=AWS_ERRORS))


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.max_payload_mb <= MAX_PAYLOAD_MB:
        raise UsageError(f"--max-payload-mb must be 1..{MAX_PAYLOAD_MB}, got {args.max_payload_mb}")
    if args.instance_count < 1 or args.concurrent < 1:
        raise UsageError("--instance-count and --concurrent must be at least 1")
    region = resolve_region(args.region)
    session = boto3.session.Session(region_name=region)
    s3, sagemaker = session.client("s3"), session.client("sagemaker")
    outputs: dict[str, Any] = {}
    if not (args.model_name and (args.bucket or args.input.startswith("s3://"))):
        outputs = outputs_with(
            args.outputs_file,
            stack_name=args.stack_name,
            needs=MODEL_NAME_OUTPUT,
            missing=f"no {MODEL_NAME_OUTPUT}: pass it as a flag or deploy with "
            f"--outputs-file {args.outputs_file}",
            hint=DEPLOY_HINT,
        )
    bucket = args.bucket or outputs.get(BATCH_BUCKET_OUTPUT)
    local = not args.input.startswith("s3://")
    source = Path(args.input)
    if local and not source.is_file():
        raise UsageError(f"--input {args.input}: no such file (or pass an s3:// URI)")
    name = args.job_name or job_name(Path(args.input.rstrip("/")).stem, datetime.now(UTC))
    fmt = args.format or ("jsonl" if args.input.endswith((".jsonl", ".jsonlines")) else "csv")
    if local:
        if not bucket:
            raise UsageError("no bucket for the input: pass --bucket or deploy batch_transform")
        input_uri = f"s3://{bucket}/{BATCH_INPUT_PREFIX}/{name}/"
        print(f"uploading {source} to {input_uri}")
        s3.upload_file(str(source), bucket, f"{BATCH_INPUT_PREFIX}/{name}/{source.name}")
    else:
        input_uri = args.input
    to_s3 = bool(args.output and args.output.startswith("s3://"))
    if to_s3:
        output_uri = args.output.rstrip("/")
    elif bucket:
        output_uri = f"s3://{bucket}/{BATCH_OUTPUT_PREFIX}/{name}"
    else:
        raise UsageError("no bucket for the results: pass --output s3://... or --bucket")
    options = JobOptions(
        job_name=name,
        model_name=args.model_name or str(outputs[MODEL_NAME_OUTPUT]),
        input_uri=input_uri,
        output_uri=output_uri,
        content_type=FORMATS[fmt],
        accept=FORMATS[args.accept or fmt],
        instance_type=args.instance_type,
        instance_count=args.instance_count,
        concurrent_per_instance=args.concurrent,
        max_payload_mb=args.max_payload_mb,
        id_column=args.id_column,
        id_key=args.id_key,
    )
    try:
        request = transform_request(options)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    total = count_lines(source) if local else None
    sagemaker.create_transform_job(**request)
    print(f"started transform job {name} on model {options.model_name}")
    described = _wait(sagemaker, session.client("logs"), name, total, args.poll_seconds)
    return _report(described, options, s3, download=not to_s3, local_dir=args.output, total=total)


def _wait(sagemaker: Any, logs: Any, name: str, total: int | None, poll: float) -> dict[str, Any]:
    """Poll until the job ends; Ctrl-C stops it (and waits for Stopped)."""
    started = time.monotonic()
    stopping = False
    while True:
        try:
            described = sagemaker.describe_transform_job(TransformJobName=name)
            status = described["TransformJobStatus"]
            _show(status, time.monotonic() - started, records_scored(logs, name), total)
            if status in FINISHED:
                print()
                return described
            time.sleep(poll)
        except KeyboardInterrupt:
            if stopping:
                raise
            stopping = True
            print(f"\nCtrl-C: stopping transform job {name} (StopTransformJob)")
            sagemaker.stop_transform_job(TransformJobName=name)


def _show(status: str, elapsed: float, done: int | None, total: int | None) -> None:
    line = f"{status:<11} {elapsed:7.1f} s"
    if done is not None and total:
        width = 30
        filled = min(width, int(width * done / total))
        line += f"  [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} records"
    print("\r" + line, end="", flush=True)


def _report(
    described: dict[str, Any],
    options: JobOptions,
    s3: Any,
    *,
    download: bool,
    local_dir: str | None,
    total: int | None,
) -> int:
    status = described["TransformJobStatus"]
    start, end = described.get("TransformStartTime"), described.get("TransformEndTime")
    seconds = (end - start).total_seconds() if start and end else 0.0
    cost, how = cost_estimate(options.instance_type, options.instance_count, seconds)
    print(f"status:  {status}")
    print(f"time:    {seconds:.1f} s")
    shown = f"${cost:.4f}" if cost is not None else "unknown"
    print(f"cost:    {shown} ({how})")
    if status == "Stopped":
        print(f"stopped: transform job {options.job_name} was stopped; no results downloaded")
        return 130
    if status != "Completed":
        print(f"failed:  {described.get('FailureReason', 'no reason given')}", file=sys.stderr)
        return 1
    bucket, _, prefix = options.output_uri[len("s3://") :].partition("/")
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/")
        for item in page.get("Contents", [])
        if item["Key"].endswith(".out")
    ]
    rows = 0
    if download:
        folder = Path(local_dir or Path("batch-results") / options.job_name)
        folder.mkdir(parents=True, exist_ok=True)
        for key in keys:
            target = folder / Path(key).name
            s3.download_file(bucket, key, str(target))
            rows += count_lines(target)
        where = f"{folder} ({len(keys)} file(s)); also in {options.output_uri}/"
    else:
        for key in keys:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
            rows += sum(chunk.count(b"\n") for chunk in body.iter_chunks(1 << 20))
        where = f"{options.output_uri}/ ({len(keys)} file(s))"
    print(f"rows:    {rows:,} scored" + (f" of {total:,}" if total is not None else ""))
    print(f"results: {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
