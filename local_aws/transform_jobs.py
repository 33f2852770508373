"""The control-plane side of local transform jobs: a start-up patch for moto_server.

moto 5.2.5 records CreateTransformJob and reports it Completed at once, reading and writing
nothing, and has no StopTransformJob. `transform_jobs_run()` patches moto's SageMaker API in the
moto_server process so that a job created through the standard API (boto3, the AWS CLI, the
SDK's Transformer) is checked as SageMaker checks it, reported InProgress, run by
`transform_jobs.run_job` in a thread (reading and writing local S3 through the same server), and
ends Completed, Failed with a FailureReason, or Stopped (after Stopping).
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import boto3
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse

from constants import LOCAL_CREDENTIALS
from local_runtime.container_pool import ContainerManager
from local_runtime.resolver import ModelSpec
from local_runtime.transform_jobs import JobProgress, JobStopped, run_job
from local_runtime.transform_request import JobFailed, TransformJob

log = logging.getLogger(__name__)
WORK_DIR_ENV = "LOCAL_TRANSFORM_WORK_DIR"
# Where SageMaker writes transform job logs; the runner adds a stream that counts records, which
# clients.batch_transform reads for its progress bar (AWS's container logs carry no count).
LOG_GROUP = "/aws/sagemaker/TransformJobs"
PROGRESS_STREAM_SUFFIX = "/local-progress"
PROGRESS_EVERY_S = 0.5

_stops: dict[str, threading.Event] = {}
_progress: dict[str, JobProgress] = {}
_containers: dict[str, ContainerManager] = {}
_lock = threading.Lock()


def transform_jobs_run() -> None:
    """CreateTransformJob runs the job (InProgress, then Completed, Failed or Stopped), and
    StopTransformJob stops it, as SageMaker does on AWS; moto only recorded it as Completed."""
    SageMakerResponse.create_transform_job = _create(SageMakerResponse.create_transform_job)  # type: ignore[method-assign]
    SageMakerResponse.stop_transform_job = _stop  # type: ignore[attr-defined]


def _create(original: Any) -> Any:
    @functools.wraps(original)
    def create(self: Any) -> ActionResult:
        request = json.loads(self.body or "{}")
        backend = self.sagemaker_backend
        name = request.get("TransformJobName", "")
        if name in backend.transform_jobs:
            raise ValidationError(
                f"Job name {name!r} must be unique within an AWS account and region"
            )
        model = backend._models.get(request.get("ModelName", ""))
        if model is None:
            raise ValidationError(f"Could not find model {request.get('ModelName')!r}.")
        try:
            job = TransformJob.from_request(request, _model_spec(model))
        except JobFailed as error:
            raise ValidationError(str(error)) from None
        result = original(self)
        record = backend.transform_jobs[name]
        record.transform_job_status = "InProgress"
        record.transform_end_time = None
        endpoint_url = f"http://{self.headers.get('Host', 'localhost')}"
        stop = threading.Event()
        with _lock:
            _stops[name] = stop
            _progress[name] = JobProgress()
        threading.Thread(
            target=_run,
            args=(record, job, endpoint_url, backend.region_name, stop),
            name=f"transform-{name}",
            daemon=True,
        ).start()
        return result

    return create


def _stop(self: Any) -> EmptyResult:
    name = self._get_param("TransformJobName")
    record = self.sagemaker_backend.transform_jobs.get(name)
    if record is None:
        raise ValidationError(f"Could not find transform job {name!r}.")
    if record.transform_job_status == "InProgress":
        record.transform_job_status = "Stopping"
        record.last_modified_time = utcnow()
        _stops[name].set()
    return EmptyResult()


def _model_spec(model: Any) -> ModelSpec:
    container = model.primary_container or (model.containers or [{}])[0]
    return ModelSpec(
        model_name=model.model_name,
        model_data_url=container.get("ModelDataUrl", ""),
        environment=tuple(sorted((container.get("Environment") or {}).items())),
    )


def _client(service: str, endpoint_url: str, region: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=LOCAL_CREDENTIALS.get("AWS_SESSION_TOKEN"),
    )


def _report_progress(logs: Any, job_name: str, done: threading.Event) -> None:
    """Every half second, `records scored: N` to the job's progress log stream."""
    stream = job_name + PROGRESS_STREAM_SUFFIX
    try:
        if not logs.describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"]:
            logs.create_log_group(logGroupName=LOG_GROUP)
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    except Exception:  # progress is a courtesy: a race on the group must not fail the job
        log.debug("no progress stream for %s", job_name, exc_info=True)
    last = -1
    while True:
        finished = done.wait(PROGRESS_EVERY_S)
        records = _progress[job_name].records
        if records != last:
            last = records
            event = {"timestamp": int(time.time() * 1000), "message": f"records scored: {last}"}
            try:
                logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream, logEvents=[event])
            except Exception:
                log.debug("progress event for %s not written", job_name, exc_info=True)
        if finished:
            return


def _run(
    record: Any, job: TransformJob, endpoint_url: str, region: str, stop: threading.Event
) -> None:
    s3 = _client("s3", endpoint_url, region)
    done = threading.Event()
    reporter = threading.Thread(
        target=_report_progress,
        args=(_client("logs", endpoint_url, region), job.name, done),
        daemon=True,
    )
    reporter.start()
    status, reason = "Completed", ""
    try:
        run_job(
            job,
            s3=s3,
            containers=_manager(endpoint_url, s3),
            stop=stop,
            progress=_progress[job.name],
        )
        if stop.is_set():
            status = "Stopped"
    except JobStopped:
        status = "Stopped"
    except JobFailed as error:
        # A stop ends the job Stopped even when it cut a request short (as on AWS).
        status, reason = ("Stopped", "") if stop.is_set() else ("Failed", str(error))
    except Exception as error:  # the job fails; the control plane must not
        log.exception("transform job %s crashed", job.name)
        status, reason = "Failed", f"InternalServerError: {type(error).__name__}: {error}"
    done.set()
    reporter.join(timeout=5)
    record.failure_reason = reason[:1024]
    record.transform_end_time = record.last_modified_time = utcnow()
    record.transform_job_status = status


def _manager(endpoint_url: str, s3: Any) -> ContainerManager:
    """One container pool per control plane; containers stop when the job ends or at exit."""
    with _lock:
        manager = _containers.get(endpoint_url)
        if manager is None:
            work_dir = Path(
                os.environ.get(WORK_DIR_ENV) or tempfile.mkdtemp(prefix="local-transform-")
            )
            manager = ContainerManager(s3_client=s3, work_dir=work_dir)
            _containers[endpoint_url] = manager
            atexit.register(manager.stop_all)
        return manager
