"""What the public API accepts and answers: one source for the stack and the local emulation.

`stacks/public_api/construct.py` puts `REQUEST_SCHEMA` into an API Gateway model and builds its
integration responses from `RESPONSE_RULES`; `local_runtime/api_gateway_stage.py` validates with
the same schema object and maps statuses with the same rules. Plain data and stdlib only:
importing it pulls in no CDK.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

ROUTE = "predict"
JSON_TYPE = "application/json"

_NUMBER: dict[str, Any] = {"type": "number"}
_ROW: dict[str, Any] = {"type": "array", "minItems": 1, "items": _NUMBER}
_ROWS: dict[str, Any] = {"type": "array", "minItems": 1, "items": _ROW}

# The JSON shapes the handler takes (inference_code/xgb_decoder.py), in the JSON
# Schema draft API Gateway validates with (draft 4). Booleans are not numbers in JSON Schema, as
# the handler also refuses them; equal row lengths and the feature count are the model's to check.
REQUEST_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "PredictRequest",
    "description": (
        'One of: {"instances": [[numbers], ...]}, {"features": [numbers]}, '
        "a bare list of rows, or one bare row."
    ),
    "oneOf": [
        {
            "type": "object",
            "properties": {"instances": copy.deepcopy(_ROWS)},
            "required": ["instances"],
        },
        {
            "type": "object",
            "properties": {"features": copy.deepcopy(_ROW)},
            "required": ["features"],
        },
        copy.deepcopy(_ROWS),
        copy.deepcopy(_ROW),
    ],
}

# Bodies the gateway itself writes. API Gateway answers 403 {"message":"Forbidden"} for a missing
# or unknown API key and 415 for a content type with no request template; those are its defaults.
INVALID_BODY_MESSAGE = "Invalid request body"
FORBIDDEN_MESSAGE = "Forbidden"
UNSUPPORTED_MEDIA_TYPE_MESSAGE = "Unsupported Media Type"
TOO_LARGE_MESSAGE = "Request body is larger than the model endpoint accepts."
THROTTLED_MESSAGE = "The model endpoint is busy; retry later."
MODEL_FAILED_MESSAGE = "The model failed to answer this request."
GATEWAY_FAILED_MESSAGE = "The gateway could not call the model endpoint."


# The runtime error body's message member, in the order the gateway's template reads them.
RUNTIME_MESSAGE_KEYS = ("Message", "message")
# How a throttled call's message reads (AWS's ThrottlingException: "Rate exceeded").
THROTTLING_MARKERS = ("throttl", "rate exceeded")


@dataclass(frozen=True)
class ResponseRule:
    """One integration response: the runtime statuses it matches and what the caller gets.

    `selection_pattern` is the regex API Gateway matches against the SageMaker runtime's HTTP
    status (the whole status); the patterns are disjoint, so the order never matters.
    """

    name: str
    selection_pattern: str
    status: int


# SageMaker runtime statuses -> what an API caller sees. 2xx selects no rule (the default 200).
MODEL_ERROR = ResponseRule("model error (424: the container answered non-2xx)", "424", 400)
RESPONSE_RULES: tuple[ResponseRule, ...] = (
    MODEL_ERROR,
    ResponseRule("payload too large", "413", 413),
    # 429 ModelNotReadyException; a 400 ThrottlingException is told by its message (below).
    ResponseRule("throttled", "429", 429),
    # Every other 4xx (400 ValidationError, 403 access denied, ...) is the gateway's own call
    # failing, not the caller's fault: 502 (unless the message says throttled: 429).
    ResponseRule("other runtime 4xx", r"4(0\d|1[0-24-9]|2[0-35-8]|[3-9]\d)", 502),
    ResponseRule("runtime 5xx", r"5\d\d", 502),
)
# A 424 whose container status was not 4xx (a crash or timeout) is the gateway's 502.
MODEL_SERVER_ERROR_STATUS = 502
RESPONSE_STATUSES = tuple(sorted({200, *(r.status for r in RESPONSE_RULES)}))


def rule_for(runtime_status: int) -> ResponseRule | None:
    """The rule whose pattern matches the whole status, as API Gateway selects; None for 2xx."""
    matches = [r for r in RESPONSE_RULES if re.fullmatch(r.selection_pattern, str(runtime_status))]
    if len(matches) > 1:  # guarded by a test; a second match would make AWS's pick arbitrary
        raise ValueError(f"status {runtime_status} matches several rules: {matches}")
    return matches[0] if matches else None


def map_runtime_response(status: int, body: bytes) -> tuple[int, bytes]:
    """What API Gateway answers for the runtime's `status` and `body` under `RESPONSE_RULES`.

    The Python twin of the stack's integration response templates, for the local emulation.
    """
    rule = rule_for(status)
    if rule is None:
        return 200 if 200 <= status < 300 else status, body
    if rule is MODEL_ERROR:
        fields = _json_object(body)
        original = fields.get("OriginalStatusCode")
        if isinstance(original, int) and 400 <= original < 500:
            return rule.status, str(fields.get("OriginalMessage", "")).encode()
        return MODEL_SERVER_ERROR_STATUS, message_body(MODEL_FAILED_MESSAGE)
    if rule.status == 413:
        return 413, message_body(TOO_LARGE_MESSAGE)
    if rule.status == 429:
        return 429, message_body(THROTTLED_MESSAGE)
    detail = runtime_message(_json_object(body))
    if detail is not None and is_throttling(detail):
        return 429, message_body(THROTTLED_MESSAGE)
    return rule.status, message_body(GATEWAY_FAILED_MESSAGE, detail=detail)


def runtime_message(fields: dict[str, Any]) -> str | None:
    """The runtime error's text: its modelled member is `Message` (botocore's sagemaker-runtime
    model); some front-end errors spell it `message`. None when neither is there."""
    for key in RUNTIME_MESSAGE_KEYS:
        value = fields.get(key)
        if value not in (None, ""):
            return str(value)
    return None


def is_throttling(message: str) -> bool:
    """A throttled call: the 400 ThrottlingException says so in its text only (the selection
    pattern sees the status alone)."""
    lowered = message.lower()
    return any(marker in lowered for marker in THROTTLING_MARKERS)


def message_body(message: str, *, detail: object = None) -> bytes:
    value: dict[str, object] = {"message": message}
    if detail is not None:
        value["detail"] = detail
    return json.dumps(value).encode()


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
