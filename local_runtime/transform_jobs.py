"""Runs a SageMaker transform job for real on the local cloud (the control plane only records it).

For each input object under the job's S3 prefix: stream it from local S3 in chunks, split it
into line records, pack whole records into requests up to MaxPayloadInMB, send them to the
Model's container (the same script-mode emulation an endpoint uses, started from the Model's
artefact and environment plus the batch variables SageMaker sets), up to
MaxConcurrentTransforms x InstanceCount requests in flight, and write the answers, in record
order, to a temp file that becomes ``<object>.out`` under S3OutputPath only when the whole
object succeeded (AssembleWith Line). Memory stays flat: a chunk, the requests in flight and
their answers. A 4xx from the model fails the job at once with the handler's message; a 5xx is
retried as ModelClientConfig says (default 3 retries), then fails it.
"""

from __future__ import annotations

import collections
import posixpath
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from boto3.s3.transfer import TransferConfig

from local_runtime.container_pool import (
    ContainerManager,
    ContainerStartError,
    ContainerTimeout,
    ContainerUnavailable,
)
from local_runtime.transform_records import (
    MB,
    RecordError,
    batches,
    byte_batches,
    iter_records,
)
from local_runtime.transform_request import JobFailed, TransformJob, split_uri

CHUNK = 1 * MB
MESSAGE_LIMIT = 1024  # FailureReason is at most 1024 characters
# Multipart upload of a .out with 2 parts of 8 MB in flight: memory stays flat for any size.
UPLOAD = TransferConfig(max_concurrency=2, multipart_chunksize=8 * MB)


class JobStopped(Exception):
    """StopTransformJob was called while the job ran."""


@dataclass
class JobProgress:
    """Counters the control plane and the logs read while the job runs."""

    records: int = 0
    objects: int = 0
    outputs: list[str] = field(default_factory=list)


def input_objects(s3: Any, uri: str) -> Iterator[tuple[str, str, str]]:
    """(bucket, key, name relative to the prefix) for every object under an S3 prefix."""
    bucket, prefix = split_uri(uri)
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"]
            if key.endswith("/"):
                continue
            relative = key[len(prefix) :].lstrip("/") if key != prefix else posixpath.basename(key)
            yield bucket, key, relative or posixpath.basename(key)


def run_job(
    job: TransformJob,
    *,
    s3: Any,
    containers: ContainerManager,
    stop: threading.Event,
    progress: JobProgress | None = None,
) -> JobProgress:
    """Run `job` to the end; JobFailed or JobStopped say why not."""
    progress = progress or JobProgress()
    objects = list(input_objects(s3, job.input_uri))
    progress.objects = len(objects)
    if not objects:
        raise JobFailed(f"no input objects under {job.input_uri}")
    try:
        container = _Replaceable(containers, job.model)
    except ContainerStartError as error:
        raise JobFailed(f"ClientError: the model's container did not start: {error}") from None
    out_bucket, out_prefix = split_uri(job.output_path)
    try:
        for bucket, key, relative in objects:
            if stop.is_set():
                raise JobStopped
            with tempfile.TemporaryFile() as out:
                _transform_object(job, s3, container, bucket, key, out, stop, progress)
                out.seek(0)
                out_key = (
                    posixpath.join(out_prefix, relative + ".out")
                    if out_prefix
                    else (relative + ".out")
                )
                s3.upload_fileobj(out, out_bucket, out_key, Config=UPLOAD)
            progress.outputs.append(f"s3://{out_bucket}/{out_key}")
    finally:
        container.discard()
    return progress


def _transform_object(
    job: TransformJob,
    s3: Any,
    container: Any,
    bucket: str,
    key: str,
    out: Any,
    stop: threading.Event,
    progress: JobProgress,
) -> None:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    chunks = body.iter_chunks(CHUNK)
    groups: Iterator[list[bytes] | bytes]
    if job.split_type != "Line":
        whole = b"".join(chunks)
        groups = iter([whole] if whole.strip() else [])
    elif job.processing.identity and job.batch_strategy == "MultiRecord":
        groups = byte_batches(chunks, max_payload_mb=job.max_payload_mb)
    else:
        groups = batches(
            iter_records(chunks), max_payload_mb=job.max_payload_mb, strategy=job.batch_strategy
        )
    invoke = _invoker(job, container, key)
    in_flight: collections.deque[Future[tuple[bytes, int]]] = collections.deque()
    width = job.max_concurrent * job.instance_count
    first = 0
    with ThreadPoolExecutor(max_workers=width, thread_name_prefix=f"{job.name}-") as pool:
        try:
            for group in _checked(groups, key):
                if stop.is_set():
                    raise JobStopped
                in_flight.append(pool.submit(invoke, group, first))
                first += group.count(b"\n") if isinstance(group, bytes) else len(group)
                while len(in_flight) >= width:
                    _write(in_flight.popleft(), out, progress)
            while in_flight:
                _write(in_flight.popleft(), out, progress)
        finally:
            for pending in in_flight:
                pending.cancel()


def _checked(groups: Iterator[list[bytes] | bytes], key: str) -> Iterator[list[bytes] | bytes]:
    try:
        yield from groups
    except RecordError as error:
        raise JobFailed(f"ClientError: {key}: {error}") from None


class _Replaceable:
    """The model's container; one that stops answering is replaced before the retry, as the
    endpoint's next request gets a fresh one."""

    def __init__(self, containers: ContainerManager, spec: Any) -> None:
        self._containers = containers
        self._spec = spec
        self._lock = threading.Lock()
        self._current = containers.get(spec)

    def invoke(self, payload: bytes, headers: dict[str, str]) -> Any:
        container = self._current
        try:
            return container.invoke(payload, headers)
        except ContainerUnavailable:
            with self._lock:
                if self._current is container:
                    self._containers.discard(container)
                    try:
                        self._current = self._containers.get(self._spec)
                    except ContainerStartError as error:
                        raise ContainerUnavailable(str(error)) from None
            raise

    def discard(self) -> None:
        self._containers.discard(self._current)


def _write(future: Future[tuple[bytes, int]], out: Any, progress: JobProgress) -> None:
    text, count = future.result()
    out.write(text)
    progress.records += count


def _invoker(
    job: TransformJob, container: Any, key: str
) -> Callable[[list[bytes] | bytes, int], tuple[bytes, int]]:
    headers = {"Content-Type": job.content_type}
    if job.accept:
        headers["Accept"] = job.accept
    processing = job.processing

    def invoke(group: list[bytes] | bytes, first: int) -> tuple[bytes, int]:
        if isinstance(group, bytes):  # a whole-record payload, no filter: answers pass through
            count = group.count(b"\n")
            where = f"{key}, records {first + 1}-{first + count}"
            reply = _call(container, group, headers, job.max_retries, where)
            return (reply if reply.endswith(b"\n") else reply + b"\n"), count
        where = f"{key}, records {first + 1}-{first + len(group)}"
        try:
            model_rows = [processing.model_input(r) for r in group]
        except RecordError as error:
            raise JobFailed(f"ClientError: {where}: InputFilter: {error}") from None
        payload = b"\n".join(model_rows) + b"\n"
        reply = _call(container, payload, headers, job.max_retries, where)
        if processing.identity:
            answer = reply if reply.endswith(b"\n") else reply + b"\n"
            return answer, len(group)
        lines = reply.rstrip(b"\n").split(b"\n") if reply.strip() else []
        if len(lines) != len(group):
            raise JobFailed(
                f"ClientError: {where}: the model answered {len(lines)} lines for "
                f"{len(group)} records, so answers cannot be joined to records; use an Accept "
                "with one line per record (text/csv or application/jsonlines)"
            )
        try:
            joined = [processing.output(r, a) for r, a in zip(group, lines, strict=True)]
        except RecordError as error:
            raise JobFailed(f"ClientError: {where}: OutputFilter: {error}") from None
        return b"\n".join(joined) + b"\n", len(group)

    return invoke


def _call(
    container: Any, payload: bytes, headers: dict[str, str], retries: int, where: str
) -> bytes:
    problem = ""
    for _ in range(retries + 1):
        try:
            reply = container.invoke(payload, headers)
        except (ContainerTimeout, ContainerUnavailable) as error:
            problem = f"the model did not answer ({type(error).__name__}: {error})"
            continue
        if 200 <= reply.status < 300:
            return bytes(reply.body)
        message = reply.body.decode(errors="replace")[:MESSAGE_LIMIT]
        problem = f"the model answered {reply.status}: {message}"
        if reply.status < 500:
            break
    raise JobFailed(f"ClientError: {where}: {problem}"[:MESSAGE_LIMIT])
