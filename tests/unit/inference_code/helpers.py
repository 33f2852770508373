"""Building requests to the served handler and reading its answers."""

from __future__ import annotations

import io
from typing import Any

import flask.testing
import numpy as np

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"
SUPPORTED = "use one of: application/json, text/csv, application/x-npy, application/jsonlines"

Rows = list[list[float]]


def post(
    client: flask.testing.FlaskClient,
    body: str | bytes,
    content_type: str | None,
    accept: str | None = None,
) -> Any:
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if accept is not None:
        headers["Accept"] = accept
    return client.post("/invocations", data=body, headers=headers)


def npy(array: Any, **save: Any) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, **save)
    return buffer.getvalue()


def csv_text(rows: Rows) -> str:
    return "\n".join(",".join(repr(v) for v in row) for row in rows) + "\n"


def predictions_of(response: Any) -> list[float]:
    """Decode a 200 answer whatever type was negotiated."""
    if response.mimetype == JSON:
        return response.get_json()["predictions"]
    if response.mimetype == CSV:
        return [float(line) for line in response.get_data(as_text=True).splitlines()]
    assert response.mimetype == NPY
    array = np.load(io.BytesIO(response.get_data()), allow_pickle=False)
    assert array.dtype == np.float32
    return array.tolist()
