"""Bad requests answer a 4xx with a JSON error and message (never a traceback), served from
the real built tarball through the container emulation."""

from __future__ import annotations

import json
from typing import Any

import flask.testing
import numpy as np
import pytest

from tests.unit.inference_code.helpers import CSV, JSON, NPY, SUPPORTED, npy, post

ROW = [float(i) for i in range(30)]


ROW_JSON = json.dumps(ROW)


def _row_with(value: str) -> str:
    """A JSON row of 30 whose first value is the given JSON text."""
    return "[" + ", ".join([value, *map(repr, ROW[1:])]) + "]"


REJECTED: list[Any] = [
    # (content type, accept, body, status, error, message or the part of it we own)
    (JSON, None, "{", 400, "invalid_json", "body is not valid JSON: Expecting property name"),
    (JSON, None, "", 400, "invalid_json", "body is not valid JSON: Expecting value"),
    (JSON, None, "[1, 2", 400, "invalid_json", "body is not valid JSON"),
    (JSON, None, "[" * 100_000, 400, "invalid_json", "body is not valid JSON"),
    (JSON, None, b"[\xff\xfe]", 400, "invalid_json", "body is not valid JSON"),
    ("application/json; charset=utf-8", None, b"[\xff]", 400, "invalid_encoding",
     "body is not valid utf-8"),
    ("application/json; charset=klingon", None, b"[]", 415, "unsupported_charset",
     "charset 'klingon' is not supported"),
    ("text/csv; charset=base64", None, b"1,2", 415, "unsupported_charset",
     "charset 'base64' is not supported"),
    (JSON, None, "5", 400, "invalid_shape", "JSON body must be an object or a list, got a number"),
    (JSON, None, '"abc"', 400, "invalid_shape",
     "JSON body must be an object or a list, got a string"),
    (JSON, None, "null", 400, "invalid_shape", "JSON body must be an object or a list, got null"),
    (JSON, None, "true", 400, "invalid_shape",
     "JSON body must be an object or a list, got a boolean"),
    (JSON, None, json.dumps({"rows": [ROW]}), 400, "invalid_shape",
     "JSON object needs 'instances' (a list of rows) or 'features' (one row)"),
    (JSON, None, json.dumps({"instances": [ROW], "features": ROW}), 400, "invalid_shape",
     "use either 'instances' or 'features', not both"),
    (JSON, None, json.dumps({"instances": ROW}), 400, "invalid_shape",
     "'instances' must be a list of rows of numbers"),
    (JSON, None, json.dumps({"instances": [[ROW]]}), 400, "invalid_shape",
     "'instances' must be a list of rows of numbers"),
    (JSON, None, json.dumps({"instances": 5}), 400, "invalid_shape",
     "'instances' must be a list of rows of numbers"),
    (JSON, None, json.dumps({"instances": None}), 400, "invalid_shape",
     "'instances' must be a list of rows of numbers"),
    (JSON, None, json.dumps({"features": [ROW]}), 400, "invalid_shape",
     "'features' must be one row of numbers"),
    (JSON, None, json.dumps([ROW, ROW[:29]]), 400, "invalid_shape",
     "rows must be lists of numbers of equal length"),
    (JSON, None, json.dumps([1.0, [2.0]]), 400, "invalid_shape",
     "rows must be lists of numbers of equal length"),
    (JSON, None, json.dumps([[ROW]]), 400, "invalid_shape",
     "expected one row or a list of rows, got 3-D data"),
    (JSON, None, _row_with('"a"'), 400, "invalid_value",
     "feature 'mean radius' takes a number, got 'a'"),
    (JSON, None, json.dumps(["1.5"] * 30), 400, "invalid_value",
     "feature 'mean radius' takes a number, got '1.5'"),
    (JSON, None, json.dumps([True] * 30), 400, "invalid_value",
     "values must be numbers, not booleans"),
    (JSON, None, _row_with("true"), 400, "invalid_value", "values must be numbers, not booleans"),
    (JSON, None, json.dumps({"instances": [ROW, [False, *ROW[1:]]]}), 400, "invalid_value",
     "values must be numbers, not booleans"),
    # null is a missing value now (tests/unit/inference_code); a nested object is not a value.
    (JSON, None, _row_with("{}"), 400, "invalid_value",
     "a row holds numbers, strings or null, not lists or objects"),
    (JSON, None, _row_with("1" + "0" * 400), 400, "invalid_value",
     "feature 'mean radius': 1000"),
    (JSON, None, _row_with("NaN"), 400, "invalid_value",
     "NaN is not a JSON number; send null for a missing value"),
    (JSON, None, _row_with("Infinity"), 400, "invalid_value",
     "Infinity is not a JSON number; send null for a missing value"),
    (JSON, None, _row_with("-Infinity"), 400, "invalid_value",
     "-Infinity is not a JSON number; send null for a missing value"),
    (JSON, None, _row_with("1e999"), 400, "invalid_value",
     "row 0 has a value that is NaN, infinite or beyond float32"),
    (JSON, None, f"[{ROW_JSON}, {ROW_JSON}, {_row_with('1e39')}]", 400, "invalid_value",
     "row 2 has a value that is NaN, infinite or beyond float32"),
    (JSON, None, json.dumps(ROW[:29]), 400, "wrong_feature_count",
     "expected 30 features per row, got 29"),
    (JSON, None, json.dumps({"instances": [[*ROW, 1.0]]}), 400, "wrong_feature_count",
     "expected 30 features per row, got 31"),
    (JSON, None, "[[]]", 400, "wrong_feature_count", "expected 30 features per row, got 0"),
    (JSON, None, json.dumps({"instances": []}), 400, "empty_batch", "no rows to predict"),
    (JSON, None, json.dumps({"features": []}), 400, "empty_batch", "no rows to predict"),
    (JSON, None, "[]", 400, "empty_batch", "no rows to predict"),
    (CSV, None, "", 400, "empty_batch", "no rows to predict"),
    (CSV, None, "\n \n", 400, "empty_batch", "no rows to predict"),
    (CSV, None, "a,b\n1,2\n", 400, "wrong_feature_count",
     "expected 30 features per row, got 2 in row 0"),
    (CSV, None, ",".join(["a", *map(repr, ROW[1:])]), 400, "invalid_value",
     "feature 'mean radius' takes a number, got 'a'"),
    (CSV, None, "1,2,3\n1,2\n", 400, "invalid_csv",
     "body is not CSV of numbers: the number of columns changed from 3 to 2 at row 2"),
    # An empty field is a missing value now: these fail on their length.
    (CSV, None, "1,,3\n", 400, "wrong_feature_count", "expected 30 features per row, got 3"),
    (CSV, None, "true,1\n", 400, "wrong_feature_count", "expected 30 features per row, got 2"),
    (CSV, None, "1;2\n", 400, "wrong_feature_count", "expected 30 features per row, got 1"),
    (CSV, None, ",".join(["nan", *map(repr, ROW[1:])]), 400, "invalid_value",
     "row 0 has a value that is NaN, infinite or beyond float32"),
    (CSV, None, ",".join(map(repr, ROW[:29])), 400, "wrong_feature_count",
     "expected 30 features per row, got 29"),
    (NPY, None, b"not a numpy array", 400, "invalid_npy", "body is not a .npy array"),
    (NPY, None, b"", 400, "invalid_npy", "body is not a .npy array"),
    (NPY, None, npy(np.ones((2, 30)))[:-4], 400, "invalid_npy",
     ".npy header promises 480 bytes of data, body has 476"),
    (NPY, None, npy(np.ones((2, 30))) + b"tail", 400, "invalid_npy",
     ".npy header promises 480 bytes of data, body has 484"),
    (NPY, None, npy(np.ones((2, 30), dtype=bool)), 400, "invalid_value",
     "values must be numbers, not booleans"),
    (NPY, None, npy(np.array([["a"] * 30])), 400, "invalid_value",
     "values must be numbers, not strings"),
    (NPY, None, npy(np.ones((1, 30), dtype=complex)), 400, "invalid_value",
     "values must be real numbers, not complex"),
    (NPY, None, npy(np.array([None] * 30), allow_pickle=True), 400, "invalid_npy",
     ".npy arrays of Python objects are not accepted"),
    (NPY, None, npy(np.zeros(30, dtype=[("a", "f4")])), 400, "invalid_value",
     "values must be numbers"),
    (NPY, None, npy(np.ones((1, 1, 30))), 400, "invalid_shape",
     "expected one row or a list of rows, got 3-D data"),
    (NPY, None, npy(np.float64(1.0)), 400, "invalid_shape",
     "expected one row or a list of rows, got 0-D data"),
    (NPY, None, npy(np.ones((0, 30))), 400, "empty_batch", "no rows to predict"),
    (NPY, None, npy(np.full((2, 30), np.inf)), 400, "invalid_value",
     "row 0 has a value that is NaN, infinite or beyond float32"),
    (NPY, None, npy(np.ones((2, 29))), 400, "wrong_feature_count",
     "expected 30 features per row, got 29"),
    ("application/xml", None, "<x/>", 415, "unsupported_content_type",
     f"content type 'application/xml' is not supported; {SUPPORTED}"),
    ("text/plain", None, ROW_JSON, 415, "unsupported_content_type",
     f"content type 'text/plain' is not supported; {SUPPORTED}"),
    ("application/x-ndjson", None, ROW_JSON, 415, "unsupported_content_type",
     f"content type 'application/x-ndjson' is not supported; {SUPPORTED}"),
    (JSON, "application/xml", ROW_JSON, 406, "unsupported_accept",
     f"Accept 'application/xml' is not supported; {SUPPORTED}"),
    (JSON, "text/html", ROW_JSON, 406, "unsupported_accept",
     f"Accept 'text/html' is not supported; {SUPPORTED}"),
    (JSON, "application/json;q=0", ROW_JSON, 406, "unsupported_accept",
     f"Accept 'application/json;q=0' is not supported; {SUPPORTED}"),
    (JSON, "*/*;q=0", ROW_JSON, 406, "unsupported_accept",
     f"Accept '*/*;q=0' is not supported; {SUPPORTED}"),
    # A bad body is reported before a bad Accept: the body is read first.
    (JSON, "application/xml", "{", 400, "invalid_json", "body is not valid JSON"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("content_type", "accept", "body", "status", "error", "message"),
    REJECTED,
    ids=[f"{c[4]}-{i}" for i, c in enumerate(REJECTED)],
)
def test_bad_request_answers_4xx_with_a_json_error(
    client: flask.testing.FlaskClient,
    content_type: str,
    accept: str | None,
    body: str | bytes,
    status: int,
    error: str,
    message: str,
) -> None:
    response = post(client, body, content_type, accept)

    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == JSON
    answer = response.get_json()
    assert set(answer) == {"error", "message"}
    assert answer["error"] == error
    assert answer["message"].startswith(message)
    assert "Traceback" not in answer["message"]
