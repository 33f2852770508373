"""Request bodies and response decoding for the two payload formats the handler speaks.

Rows are positional (a list of values in the model's feature order) or named (an object of
feature name to value, any order); JSON carries both, .npy only numbers in the model's order.
"""

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


class PayloadError(ValueError):
    """Rows that the chosen format cannot carry (e.g. category strings in .npy)."""


def encode_request(
    rows: list[Any], *, payload_format: str, feature_names: list[str] | None = None
) -> Request:
    if payload_format == "npy":
        buffer = io.BytesIO()
        np.save(buffer, _numeric_matrix(rows, feature_names), allow_pickle=False)
        return Request(body=buffer.getvalue(), content_type=NPY_TYPE, accept=NPY_TYPE)
    if payload_format == "json":
        body = json.dumps({"instances": rows}).encode("utf-8")
        return Request(body=body, content_type=JSON_TYPE, accept=JSON_TYPE)
    raise ValueError(f"unknown payload format {payload_format!r}")


def _numeric_matrix(rows: list[Any], feature_names: list[str] | None) -> np.ndarray:
    """Positional float32 rows for .npy: named rows ordered by the card, null as NaN."""
    if any(isinstance(row, dict) for row in rows):
        if not feature_names:
            raise PayloadError(".npy needs positional rows (no model card to order named rows)")
        missing = next((n for row in rows for n in feature_names if n not in row), None)
        if missing is not None:
            raise PayloadError(f"a row has no value for feature {missing!r}")
        rows = [[row[name] for name in feature_names] for row in rows]
    if any(isinstance(value, str) for row in rows for value in row):
        raise PayloadError(".npy carries numbers only: send category strings with --format json")
    values = [[np.nan if value is None else value for value in row] for row in rows]
    return np.asarray(values, dtype=np.float32)


def predicted_labels(text: str, card: dict[str, Any] | None) -> list[str] | None:
    """Each row's label for a classifier's response (binary: labels[1] at p >= 0.5), else None."""
    if not card or card.get("kind") not in ("binary", "multiclass") or not card.get("labels"):
        return None
    labels = [str(label) for label in card["labels"]]
    labelled = []
    for prediction in predictions_of(text):
        if isinstance(prediction, dict):
            labelled.append(str(prediction["predicted_label"]))
        elif isinstance(prediction, list):  # .npy multiclass: probabilities in label order
            labelled.append(labels[max(range(len(prediction)), key=prediction.__getitem__)])
        else:
            labelled.append(labels[1] if float(prediction) >= 0.5 else labels[0])
    return labelled


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
