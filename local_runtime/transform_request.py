"""A CreateTransformJob request, checked as SageMaker checks it at creation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from local_runtime.resolver import ModelSpec
from local_runtime.transform_records import DataProcessing, RecordError

PAYLOAD_BUDGET_MB = 100  # MaxConcurrentTransforms x MaxPayloadInMB must stay within it


class JobFailed(Exception):
    """The job cannot finish; its message becomes the FailureReason."""


@dataclass(frozen=True)
class TransformJob:
    """What the runner needs from a CreateTransformJob request (validated)."""

    name: str
    model: ModelSpec
    input_uri: str
    content_type: str
    split_type: str
    batch_strategy: str
    max_payload_mb: int
    max_concurrent: int
    instance_count: int
    accept: str | None
    output_path: str
    processing: DataProcessing
    max_retries: int = 3

    @classmethod
    def from_request(cls, request: dict[str, Any], model: ModelSpec) -> TransformJob:
        """Checks what SageMaker checks at creation; JobFailed names the field otherwise."""
        source = request["TransformInput"]["DataSource"]["S3DataSource"]
        if source.get("S3DataType", "S3Prefix") != "S3Prefix":
            raise JobFailed("only S3DataType S3Prefix is run locally (not ManifestFile)")
        transform_input = request["TransformInput"]
        if (transform_input.get("CompressionType") or "None") != "None":
            raise JobFailed("CompressionType must be None locally")
        split = transform_input.get("SplitType") or "None"
        if split not in ("None", "Line"):
            raise JobFailed(f"SplitType {split!r} is not run locally; use Line or None")
        payload = int(request.get("MaxPayloadInMB") or 6)
        concurrent = int(request.get("MaxConcurrentTransforms") or 1)
        if not 1 <= payload <= PAYLOAD_BUDGET_MB:
            raise JobFailed(
                f"MaxPayloadInMB must be 1..100 (0, chunked, is not supported), got {payload}"
            )
        if concurrent * payload > PAYLOAD_BUDGET_MB:
            raise JobFailed(
                f"MaxConcurrentTransforms x MaxPayloadInMB must be at most 100, got "
                f"{concurrent} x {payload}"
            )
        strategy = request.get("BatchStrategy") or "MultiRecord"
        content_type = transform_input.get("ContentType") or "application/json"
        output = request["TransformOutput"]
        if (output.get("AssembleWith") or "None") not in ("None", "Line"):
            raise JobFailed("AssembleWith must be None or Line")
        env = {
            **(request.get("Environment") or {}),
            "SAGEMAKER_BATCH": "true",
            "SAGEMAKER_MAX_PAYLOAD_IN_MB": str(payload),
            "SAGEMAKER_BATCH_STRATEGY": strategy.upper().replace("RECORD", "_RECORD"),
            "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS": str(concurrent),
        }
        try:
            processing = DataProcessing.from_request(request.get("DataProcessing"), content_type)
        except RecordError as error:
            raise JobFailed(str(error)) from None
        split_uri(source["S3Uri"])  # refused at creation, as SageMaker refuses it
        split_uri(output["S3OutputPath"])
        retries = (request.get("ModelClientConfig") or {}).get("InvocationsMaxRetries", 3)
        return cls(
            name=request["TransformJobName"],
            model=ModelSpec(
                model_name=model.model_name,
                model_data_url=model.model_data_url,
                environment=tuple(sorted({**model.env, **env}.items())),
            ),
            input_uri=source["S3Uri"],
            content_type=content_type,
            split_type=split,
            batch_strategy=strategy,
            max_payload_mb=payload,
            max_concurrent=concurrent,
            instance_count=int(request["TransformResources"].get("InstanceCount") or 1),
            accept=output.get("Accept"),
            output_path=output["S3OutputPath"],
            processing=processing,
            max_retries=int(retries),
        )


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> (bucket, prefix); the prefix may be empty."""
    if not uri.startswith("s3://") or not uri[5:].split("/")[0]:
        raise JobFailed(f"S3 URIs must look like s3://bucket/prefix, got {uri!r}")
    bucket, _, prefix = uri[5:].partition("/")
    return bucket, prefix
