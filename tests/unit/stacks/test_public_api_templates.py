"""The gateway's response templates say what the Python twin (`map_runtime_response`) says."""

from __future__ import annotations

import json

import pytest

from stacks.public_api.contract import (
    GATEWAY_FAILED_MESSAGE,
    INVALID_BODY_MESSAGE,
    MODEL_ERROR,
    RESPONSE_RULES,
    THROTTLING_MARKERS,
    ResponseRule,
    map_runtime_response,
)
from stacks.public_api.templates import (
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


def _branch(template: str, condition: str) -> str:
    """The body a VTL `#if/#elseif(condition)` branch writes (one line, after any #set)."""
    lines = template.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith(f"if({condition})"))
    return next(line for line in lines[start + 1 :] if not line.startswith("#"))


@pytest.mark.parametrize("rule", GATEWAY_FAILURES, ids=lambda r: r.name)
@pytest.mark.parametrize("key", ["Message", "message"])
def test_runtime_failures_give_the_gateway_message_and_runtime_detail(
    rule: ResponseRule, key: str
) -> None:
    template = response_template(rule)
    assert template == RUNTIME_FAILURE_TEMPLATE
    # The runtime's modelled member is `Message`; the template reads it first, then `message`.
    branch = _branch(template, '$upper != ""' if key == "Message" else '$lower != ""')
    body = branch.replace(f"$input.json('$.{key}')", json.dumps("no such endpoint"))
    expected = map_runtime_response(
        rule_status(rule), json.dumps({key: "no such endpoint"}).encode()
    )
    assert json.loads(body) == json.loads(expected[1])
    assert json.loads(body)["message"] == GATEWAY_FAILED_MESSAGE


def rule_status(rule: ResponseRule) -> int:
    return {"runtime 5xx": 500}.get(rule.name, 400)


def test_runtime_failure_without_a_message_has_no_detail() -> None:
    lines = RUNTIME_FAILURE_TEMPLATE.splitlines()
    body = lines[lines.index("#else") + 1]
    assert json.loads(body) == json.loads(map_runtime_response(400, b"{}")[1])


def test_a_throttled_call_is_a_429_with_the_busy_message() -> None:
    template = RUNTIME_FAILURE_TEMPLATE
    assert "#set($context.responseOverride.status = 429)" in template
    for marker in THROTTLING_MARKERS:
        assert f'$text.contains("{marker}")' in template
    body = _branch(template, " || ".join(f'$text.contains("{m}")' for m in THROTTLING_MARKERS))
    status, expected = map_runtime_response(400, b'{"Message": "Rate exceeded"}')
    assert status == 429
    assert json.loads(body) == json.loads(expected)


def test_invalid_body_names_the_validator_error() -> None:
    body = BAD_BODY_TEMPLATE.replace("$context.error.validationErrorString", "missing instances")
    assert json.loads(body) == {"message": INVALID_BODY_MESSAGE, "detail": "missing instances"}
