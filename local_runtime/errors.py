"""Errors shaped like SageMaker Runtime's, on the wire as botocore's rest-json parser reads them.

The code travels in the `x-amzn-ErrorType` header and the message in a JSON body; ModelError adds
its modelled members (OriginalStatusCode, OriginalMessage, LogStreamArn) to that body, which
botocore copies into `ClientError.response`.
"""

from __future__ import annotations

import json
from typing import Any

from constants import LOCAL_ACCOUNT

MAX_PAYLOAD_BYTES = 6_291_456  # real-time endpoints
_CORAL = "http://internal.amazon.com/coral/com.amazon.coral.service/"
_BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
_TIMEOUT_MESSAGE = (
    "Your invocation timed out while waiting for a response from container primary. "
    "Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, "
    "and try again."
)


class AwsError(Exception):
    """An error answer: HTTP status, error code, message and extra modelled body members."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        message_key: str = "message",
        fields: dict[str, Any] | None = None,
        coral: bool = False,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.message_key = message_key
        self.fields = fields or {}
        self.coral = coral  # auth errors come from the AWS front end, with its type suffix

    def headers(self) -> dict[str, str]:
        error_type = f"{self.code}:{_CORAL}" if self.coral else self.code
        return {"Content-Type": "application/json", "x-amzn-ErrorType": error_type}

    def body(self) -> bytes:
        return json.dumps({**self.fields, self.message_key: self.message}).encode()


class PayloadTooLarge(AwsError):
    """The load balancer's answer: plain text, no error type (botocore reports Code "413")."""

    def __init__(self) -> None:
        super().__init__(413, "413", f"HTTP content length exceeded {MAX_PAYLOAD_BYTES} bytes.")

    def headers(self) -> dict[str, str]:
        return {"Content-Type": "text/plain"}

    def body(self) -> bytes:
        return self.message.encode()


def missing_token() -> AwsError:
    return AwsError(403, "MissingAuthenticationTokenException", "Missing Authentication Token")


def incomplete_signature(detail: str) -> AwsError:
    return AwsError(400, "IncompleteSignatureException", detail, coral=True)


def invalid_signature(message: str = _BAD_SIGNATURE) -> AwsError:
    return AwsError(403, "InvalidSignatureException", message, coral=True)


def unrecognized_client() -> AwsError:
    return AwsError(
        403,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        coral=True,
    )


def endpoint_not_found(name: str, *, account: str = LOCAL_ACCOUNT) -> AwsError:
    return AwsError(400, "ValidationError", f"Endpoint {name} of account {account} not found.")


def invalid_endpoint_name(name: str) -> AwsError:
    return AwsError(
        400,
        "ValidationError",
        f"1 validation error detected: Value '{name}' at 'endpointName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*",
    )


def bad_content_length(value: str) -> AwsError:
    return AwsError(400, "ValidationError", f"Invalid Content-Length header: {value!r}")


def unknown_operation() -> AwsError:
    return AwsError(404, "UnknownOperationException", "Unknown operation", coral=True)


def internal_failure() -> AwsError:
    return AwsError(500, "InternalFailure", "An internal failure occurred. Try again later.")


def model_error(
    *, endpoint: str, region: str, status: int, body: str, account: str = LOCAL_ACCOUNT
) -> AwsError:
    """424 for a container's non-2xx answer (status 0: it did not answer in time)."""
    kind = "client" if 400 <= status < 500 else "server"
    group = f"/aws/sagemaker/Endpoints/{endpoint}"
    console = (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#logEventViewer:group={group}"
    )
    message = (
        f'Received {kind} error ({status}) from primary with message "{body}". '
        f"See {console} in account {account} for more information."
    )
    return AwsError(
        424,
        "ModelError",
        message,
        message_key="Message",
        fields={
            "ErrorCode": "CLIENT_ERROR_FROM_MODEL"
            if kind == "client"
            else "INTERNAL_FAILURE_FROM_MODEL",
            "LogStreamArn": f"arn:aws:logs:{region}:{account}:log-group:{group}",
            "OriginalMessage": body,
            "OriginalStatusCode": status,
        },
    )


def model_timeout(*, endpoint: str, region: str, account: str = LOCAL_ACCOUNT) -> AwsError:
    return model_error(
        endpoint=endpoint, region=region, status=0, body=_TIMEOUT_MESSAGE, account=account
    )
