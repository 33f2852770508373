"""Every error the front door sends reads, through botocore's own parser, as AWS's would."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser
from requests.structures import CaseInsensitiveDict

from local_runtime import errors

REGION = "eu-west-2"


def _parsed(error: errors.AwsError) -> dict[str, Any]:
    """What botocore puts in ClientError.response (generic parse plus the modelled members)."""
    model = botocore.session.get_session().get_service_model("sagemaker-runtime")
    operation = model.operation_model("InvokeEndpoint")
    headers = CaseInsensitiveDict(error.headers())  # as urllib3 hands them to botocore
    response = {"status_code": error.status, "headers": headers, "body": error.body()}
    parser = create_parser(model.metadata["protocol"])
    parsed = parser.parse(response, operation.output_shape)
    shape = model.shape_for_error_code(parsed["Error"]["Code"])
    if shape is not None:  # what botocore's endpoint does for modelled errors
        parsed.update(parser.parse(response, shape))
    return parsed


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (errors.missing_token(), 403, "MissingAuthenticationTokenException"),
        (errors.invalid_signature(), 403, "InvalidSignatureException"),
        (errors.unrecognized_client(), 403, "UnrecognizedClientException"),
        (errors.incomplete_signature("x"), 400, "IncompleteSignatureException"),
        (errors.endpoint_not_found("e"), 400, "ValidationError"),
        (errors.invalid_endpoint_name("-e"), 400, "ValidationError"),
        (errors.internal_failure(), 500, "InternalFailure"),
        (errors.PayloadTooLarge(), 413, "413"),
        (errors.model_error(endpoint="e", region=REGION, status=400, body="b"), 424, "ModelError"),
        (errors.model_timeout(endpoint="e", region=REGION), 424, "ModelError"),
    ],
)
def test_botocore_reads_the_code_and_message(
    error: errors.AwsError, status: int, code: str
) -> None:
    parsed = _parsed(error)
    assert parsed["Error"] == {"Code": code, "Message": error.message}
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == status


@pytest.mark.parametrize(
    ("status", "kind", "error_code"),
    [
        (400, "client", "CLIENT_ERROR_FROM_MODEL"),
        (404, "client", "CLIENT_ERROR_FROM_MODEL"),
        (500, "server", "INTERNAL_FAILURE_FROM_MODEL"),
        (503, "server", "INTERNAL_FAILURE_FROM_MODEL"),
    ],
)
def test_model_error_carries_the_original_answer_in_the_modelled_members(
    status: int, kind: str, error_code: str
) -> None:
    body = '{"error": "invalid_json", "message": "body is not valid JSON"}'
    error = errors.model_error(endpoint="churn", region=REGION, status=status, body=body)
    parsed = _parsed(error)
    assert parsed["OriginalStatusCode"] == status
    assert parsed["OriginalMessage"] == body
    assert parsed["LogStreamArn"] == (
        "arn:aws:logs:eu-west-2:123456789012:log-group:/aws/sagemaker/Endpoints/churn"
    )
    assert parsed["Error"]["Message"].startswith(
        f'Received {kind} error ({status}) from primary with message "{body}". See https://'
    )
    assert error.fields["ErrorCode"] == error_code


def test_model_timeout_reads_as_a_server_error_with_status_0() -> None:
    parsed = _parsed(errors.model_timeout(endpoint="churn", region=REGION))
    assert parsed["OriginalStatusCode"] == 0
    assert parsed["Error"]["Message"].startswith(
        'Received server error (0) from primary with message "Your invocation timed out'
    )
