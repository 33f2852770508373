"""Request bodies, response decoding, the raw client's URL and the model error it reports."""

from __future__ import annotations

import json

import pytest

from clients import call_raw
from clients.errors import InvocationError
from clients.payload import encode_request, predictions_of, response_text

ROW = [0.5] * 30


# --- payloads and URLs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {
                "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": "http://rt:1/",
                "AWS_ENDPOINT_URL": "http://all:2",
            },
            "http://rt:1/endpoints/ep/invocations",
        ),
        ({"AWS_ENDPOINT_URL": "http://all:2"}, "http://all:2/endpoints/ep/invocations"),
        ({}, "https://runtime.sagemaker.eu-west-2.amazonaws.com/endpoints/ep/invocations"),
    ],
)
def test_raw_invoke_url_honours_the_endpoint_url_variables(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name in ("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert call_raw.invoke_url("ep", "eu-west-2") == expected


def test_json_request_wraps_rows_in_instances() -> None:
    request = encode_request([ROW], payload_format="json")
    assert (request.content_type, request.accept) == ("application/json", "application/json")
    assert json.loads(request.body) == {"instances": [ROW]}


def test_npy_request_and_response_round_trip_as_json_predictions() -> None:
    request = encode_request([[1.0, 2.0], [3.0, 4.0]], payload_format="npy")
    assert request.content_type == request.accept == "application/x-npy"
    text = response_text(request.body, "application/x-npy")
    assert predictions_of(text) == [[1.0, 2.0], [3.0, 4.0]]


def test_model_error_from_http_keeps_the_containers_status_and_message() -> None:
    body = json.dumps(
        {"OriginalStatusCode": 400, "OriginalMessage": '{"error": "bad"}', "Message": "Received"}
    )
    error = InvocationError.from_http(
        status=424, headers={"x-amzn-ErrorType": "ModelError"}, body=body
    )
    assert (error.code, error.original_status, error.original_message) == (
        "ModelError",
        400,
        '{"error": "bad"}',
    )
    assert "OriginalStatusCode=400" in error.summary()
