"""Property tests of the whole handler behind the container's status rules (Flask test client).

1,000 generated requests in all (counts fixed, generation derandomized, no example database):
every answer is a 2xx, or a 4xx with a JSON ``{"error", "message"}`` body, never a 5xx; rows
of the model's width always get one finite probability in [0, 1] each, in whatever type the
Accept header negotiated.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import flask.testing
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local_runtime.container import create_app

FEATURES = 30  # the default build's breast-cancer features
JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"

# Deterministic: the same 1,000 examples on every run and machine.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def client(extracted_model: Path) -> flask.testing.FlaskClient:
    app = create_app(
        model_dir=extracted_model, submit_dir=extracted_model / "code", program="inference.py"
    )
    return app.test_client()


# --- generators ------------------------------------------------------------------------------

values = st.floats(
    min_value=-(2.0**100), max_value=2.0**100, allow_nan=False, width=32
) | st.integers(min_value=-(2**31), max_value=2**31)
rows = st.lists(st.lists(values, min_size=FEATURES, max_size=FEATURES), min_size=1, max_size=20)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


@st.composite
def valid_requests(draw: st.DrawFn) -> tuple[str | bytes, str, list[list[float]]]:
    """A body of good rows in one of the forms the handler documents, and its content type."""
    batch = draw(rows)
    form = draw(st.sampled_from(["instances", "bare", "features", "csv", "npy32", "npy64", "int"]))
    if form == "features":
        batch = batch[:1]
        return json.dumps({"features": batch[0]}), draw(json_types), batch
    if form == "instances":
        return json.dumps({"instances": batch}), draw(json_types), batch
    if form == "bare":
        return json.dumps(batch), draw(json_types), batch
    if form == "csv":
        text = "\n".join(",".join(repr(v) for v in row) for row in batch)
        return text + draw(st.sampled_from(["", "\n", "\r\n"])), draw(csv_types), batch
    dtype = {"npy32": np.float32, "npy64": np.float64, "int": np.int64}[form]
    array = np.asarray(batch, dtype=np.float64)
    if dtype is np.int64:
        array = np.trunc(np.clip(array, -(2**31), 2**31))
    return _npy(array.astype(dtype)), NPY, array.astype(dtype).tolist()


json_types = st.sampled_from([JSON, "application/json; charset=utf-8", "Application/JSON"])
csv_types = st.sampled_from([CSV, "text/csv; charset=utf-8", "TEXT/CSV", "text/csv;header=absent"])
# Accept values the handler can always satisfy, with the type they must yield.
satisfiable_accepts = st.sampled_from(
    [
        (None, JSON),
        ("*/*", JSON),
        (JSON, JSON),
        (CSV, CSV),
        (NPY, NPY),
        ("text/*", CSV),
        ("application/*", JSON),
        ("application/x-npy, application/json;q=0.5", NPY),
        ("text/html, text/csv;q=0.9", CSV),
        ("image/png;q=1, */*;q=0.1", JSON),
    ]
)

# Header values travel as printable ASCII; anything else never reaches the handler.
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
json_documents = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=40,
)
any_content_type = st.one_of(
    st.sampled_from(
        [JSON, CSV, NPY, "application/json; charset=latin-1", "text/csv; charset=bogus",
         "application/octet-stream", "text/plain", "", ";", "application/x-npy; q=1"]
    ),
    header_text,
)  # fmt: skip
any_accept = st.one_of(
    st.none(),
    st.sampled_from(
        [JSON, CSV, NPY, "*/*", "text/*", "application/xml", "*/*;q=0", "text/csv;q=abc",
         "application/json;q=2", ",,,", "image/*, audio/*"]
    ),
    header_text,
)  # fmt: skip
any_body = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400),
    json_documents.map(json.dumps),
    st.fixed_dictionaries({"instances": json_documents}).map(json.dumps),
    rows.map(lambda b: json.dumps({"instances": [r[: len(r) // 2] for r in b]})),
    rows.map(lambda b: _npy(np.asarray(b, dtype=np.float32))[:-3]),  # truncated .npy
    st.lists(st.lists(st.floats(width=32), max_size=4), max_size=4).map(
        lambda b: _npy(np.asarray([r + [0.0] * (4 - len(r)) for r in b], dtype=np.float32))
    ),
)


# --- checks ----------------------------------------------------------------------------------


def _post(
    client: flask.testing.FlaskClient, body: str | bytes, content_type: str, accept: str | None
) -> Any:
    headers = {"Content-Type": content_type}
    if accept is not None:
        headers["Accept"] = accept
    return client.post("/invocations", data=body, headers=headers)


def _probabilities(response: Any) -> list[float]:
    if response.mimetype == JSON:
        return response.get_json()["predictions"]
    if response.mimetype == CSV:
        return [float(line) for line in response.get_data(as_text=True).splitlines()]
    assert response.mimetype == NPY
    return np.load(io.BytesIO(response.get_data()), allow_pickle=False).tolist()


def _assert_clean_refusal(response: Any) -> None:
    assert 400 <= response.status_code < 500, response.get_data()[:300]
    assert response.mimetype == JSON
    body = response.get_json()
    assert set(body) == {"error", "message"}
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["message"], str) and body["message"]


@settings(FUZZ, max_examples=400)
@given(request=valid_requests(), accept=satisfiable_accepts)
def test_valid_rows_get_one_finite_probability_each_in_the_negotiated_type(
    client: flask.testing.FlaskClient,
    request: tuple[str | bytes, str, list[list[float]]],
    accept: tuple[str | None, str],
) -> None:
    body, content_type, batch = request
    header, expected_type = accept
    response = _post(client, body, content_type, header)
    assert response.status_code == 200, response.get_data()[:300]
    assert response.mimetype == expected_type
    probabilities = _probabilities(response)
    assert len(probabilities) == len(batch)
    assert all(math.isfinite(p) and 0.0 <= p <= 1.0 for p in probabilities)


@settings(FUZZ, max_examples=600)
@given(body=any_body, content_type=any_content_type, accept=any_accept)
def test_any_request_is_answered_2xx_or_4xx_with_a_json_message_never_5xx(
    client: flask.testing.FlaskClient, body: str | bytes, content_type: str, accept: str | None
) -> None:
    response = _post(client, body, content_type, accept)
    if response.status_code == 200:
        probabilities = _probabilities(response)
        assert probabilities and all(0.0 <= p <= 1.0 for p in probabilities)
    else:
        _assert_clean_refusal(response)
