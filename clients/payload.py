"""Request bodies and response decoding for the two payload formats the handler speaks."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

JSON_TYPE = "application/json"
NPY_TYPE = "application/x-npy"


@dataclass(frozen=True)
class Request:
    body: bytes
    content_type: str
    accept: str


def encode_request(rows: list[list[float]], *, payload_format: str) -> Request:
    if payload_format == "npy":
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(rows, dtype=np.float32), allow_pickle=False)
        return Request(body=buffer.getvalue(), content_type=NPY_TYPE, accept=NPY_TYPE)
    if payload_format == "json":
        body = json.dumps({"instances": rows}).encode("utf-8")
        return Request(body=body, content_type=JSON_TYPE, accept=JSON_TYPE)
    raise ValueError(f"unknown payload format {payload_format!r}")


def response_text(body: bytes, content_type: str | None) -> str:
    """The body as one printable text: JSON as sent, an .npy array as `{"predictions": [...]}`."""
    if (content_type or "").split(";")[0].strip().lower() == NPY_TYPE:
        array = np.load(io.BytesIO(body), allow_pickle=False)
        return json.dumps({"predictions": array.tolist()})
    return body.decode("utf-8", errors="replace")


def predictions_of(text: str) -> list[Any]:
    """The `predictions` list of a printed response body."""
    value = json.loads(text)
    predictions = value.get("predictions") if isinstance(value, dict) else None
    if not isinstance(predictions, list):
        raise ValueError(f"response has no predictions list: {text[:200]}")
    return predictions
