"""The public API's request schema and response rules, shared by the stack and the emulation."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from stacks.public_api.contract import (
    MODEL_ERROR,
    REQUEST_SCHEMA,
    RESPONSE_RULES,
    THROTTLED_MESSAGE,
    map_runtime_response,
    rule_for,
)

VALIDATOR = jsonschema.Draft4Validator(REQUEST_SCHEMA)


def test_schema_is_valid_draft_4_as_api_gateway_requires() -> None:
    jsonschema.Draft4Validator.check_schema(REQUEST_SCHEMA)
    assert REQUEST_SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"


@pytest.mark.parametrize(
    "document",
    [
        {"instances": [[1.0, 2.5], [3, -4e-3]]},
        {"instances": [[0]]},
        {"features": [1, 2, 3]},
        {"features": [0.5], "request_id": "extra keys pass, as the handler ignores them"},
        [[1, 2], [3, 4]],
        [1.5, 2.5],
    ],
    ids=["instances", "one instance", "features", "extra key", "bare rows", "bare row"],
)
def test_schema_accepts_every_shape_the_handler_takes(document: object) -> None:
    assert list(VALIDATOR.iter_errors(document)) == []


@pytest.mark.parametrize(
    "document",
    [
        {"instances": "not rows"},
        {"instances": [1, 2]},
        {"instances": []},
        {"instances": [[]]},
        {"instances": [["1"]]},
        {"instances": [[True, 1]]},
        {"features": [[1, 2]]},
        {"features": [None]},
        {"instances": [[1]], "features": [1]},
        {"rows": [[1]]},
        [],
        [[1], 2],
        "1,2,3",
        42,
        None,
    ],
    ids=[
        "string instances",
        "flat instances",
        "no instances",
        "empty row",
        "string value",
        "boolean value",
        "nested features",
        "null feature",
        "both keys",
        "unknown key",
        "empty list",
        "mixed list",
        "string",
        "number",
        "null",
    ],
)
def test_schema_rejects_what_the_handler_would_refuse(document: object) -> None:
    assert list(VALIDATOR.iter_errors(document)) != []


def test_response_rules_are_disjoint_and_cover_every_error_status() -> None:
    for status in range(100, 600):
        matches = [
            rule for rule in RESPONSE_RULES if re.fullmatch(rule.selection_pattern, str(status))
        ]
        assert len(matches) == (1 if status >= 400 else 0), (status, matches)


@pytest.mark.parametrize(
    ("runtime_status", "caller_status"),
    [(200, None), (400, 502), (403, 502), (413, 413), (424, 400), (429, 429), (500, 502)],
)
def test_rule_for_selects_the_callers_status(runtime_status: int, caller_status: int) -> None:
    rule = rule_for(runtime_status)
    assert (rule.status if rule else None) == caller_status


def _model_error(original_status: int, original_message: str) -> bytes:
    return json.dumps(
        {
            "ErrorCode": "CLIENT_ERROR_FROM_MODEL",
            "Message": f'Received client error ({original_status}) from primary with message "..."',
            "OriginalMessage": original_message,
            "OriginalStatusCode": original_status,
        }
    ).encode()


def test_model_4xx_becomes_400_with_the_handlers_own_body() -> None:
    handler_body = '{"error": "invalid_shape", "message": "expected 30 features per row, got 2"}'
    status, body = map_runtime_response(424, _model_error(400, handler_body))
    assert (status, body.decode()) == (400, handler_body)


@pytest.mark.parametrize("original_status", [500, 0], ids=["container 500", "timeout"])
def test_model_failure_becomes_502_without_leaking_the_container_page(
    original_status: int,
) -> None:
    status, body = map_runtime_response(424, _model_error(original_status, "<html>boom</html>"))
    assert status == 502
    assert "boom" not in body.decode()
    assert json.loads(body)["message"]


def test_other_runtime_error_is_a_502_naming_the_runtimes_message() -> None:
    runtime_body = json.dumps({"message": "Endpoint X of account Y not found."}).encode()
    status, body = map_runtime_response(400, runtime_body)
    assert status == 502
    assert json.loads(body)["detail"] == "Endpoint X of account Y not found."


def test_the_runtimes_modelled_message_member_is_read() -> None:
    # botocore's sagemaker-runtime model: every InvokeEndpoint error has `Message`.
    runtime_body = json.dumps({"Message": "Endpoint X is not in service."}).encode()
    status, body = map_runtime_response(503, runtime_body)
    assert status == 502
    assert json.loads(body)["detail"] == "Endpoint X is not in service."


@pytest.mark.parametrize(
    ("runtime_status", "runtime_body"),
    [
        (400, {"Message": "Rate exceeded"}),  # ThrottlingException, a 400 by its message
        (400, {"message": "Request throttled"}),
        (429, {"Message": "Model is not ready"}),  # ModelNotReadyException
    ],
)
def test_throttling_is_a_429_not_a_502(runtime_status: int, runtime_body: dict[str, str]) -> None:
    status, body = map_runtime_response(runtime_status, json.dumps(runtime_body).encode())
    assert status == 429
    assert json.loads(body) == {"message": THROTTLED_MESSAGE}


def test_success_passes_the_body_through() -> None:
    assert map_runtime_response(200, b'{"predictions": [0.5]}') == (200, b'{"predictions": [0.5]}')


def test_model_error_rule_is_the_424_rule() -> None:
    assert rule_for(424) is MODEL_ERROR
