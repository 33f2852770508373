"""The gateway's response templates say what the Python twin (`map_runtime_response`) says."""

from __future__ import annotations

import json

import pytest

from stacks.public_api_contract import (
    GATEWAY_FAILED_MESSAGE,
    INVALID_BODY_MESSAGE,
    MODEL_ERROR,
    RESPONSE_RULES,
    ResponseRule,
    map_runtime_response,
)
from stacks.public_api_templates import (
    BAD_BODY_TEMPLATE,
    MODEL_ERROR_TEMPLATE,
    RUNTIME_FAILURE_TEMPLATE,
    response_template,
)


@pytest.mark.parametrize("status", [413, 429])
def test_fixed_bodies_are_the_ones_the_local_emulation_answers(status: int) -> None:
    (rule,) = [r for r in RESPONSE_RULES if r.status == status]
    assert response_template(rule).encode() == map_runtime_response(status, b"{}")[1]


def test_model_error_passes_a_container_4xx_through_and_turns_the_rest_into_502() -> None:
    assert response_template(MODEL_ERROR) == MODEL_ERROR_TEMPLATE
    assert "$input.path('$.OriginalMessage')" in MODEL_ERROR_TEMPLATE
    assert "$context.responseOverride.status = 502" in MODEL_ERROR_TEMPLATE


GATEWAY_FAILURES = [r for r in RESPONSE_RULES if r.status == 502]


@pytest.mark.parametrize("rule", GATEWAY_FAILURES, ids=lambda r: r.name)
def test_runtime_failures_give_the_gateway_message_and_runtime_detail(rule: ResponseRule) -> None:
    template = response_template(rule)
    assert template == RUNTIME_FAILURE_TEMPLATE
    # With the VTL expression replaced by a JSON value, the body is the emulation's body.
    body = template.replace("$input.json('$.message')", json.dumps("no such endpoint"))
    expected = map_runtime_response(500, json.dumps({"message": "no such endpoint"}).encode())
    assert json.loads(body) == json.loads(expected[1])
    assert json.loads(body)["message"] == GATEWAY_FAILED_MESSAGE


def test_invalid_body_names_the_validator_error() -> None:
    body = BAD_BODY_TEMPLATE.replace("$context.error.validationErrorString", "missing instances")
    assert json.loads(body) == {"message": INVALID_BODY_MESSAGE, "detail": "missing instances"}
