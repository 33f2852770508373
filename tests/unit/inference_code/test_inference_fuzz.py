"""Property tests of the whole handler behind the container's status rules (Flask test client).

1,000 generated requests in all (counts fixed, generation derandomized, no example database):
every answer is a 2xx, or a 4xx with a JSON ``{"error", "message"}`` body, never a 5xx; rows
of the model's width always get one finite probability in [0, 1] each, in whatever type the
Accept header negotiated.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import flask.testing
import numpy as np
import pytest
from hypothesis import given, settings

from local_runtime.script_mode_server import create_app
from tests.support.strategies import (
    CSV,
    FUZZ,
    JSON,
    NPY,
    any_accept,
    any_body,
    any_content_type,
    satisfiable_accepts,
    valid_requests,
)


@pytest.fixture(scope="module")
def client(extracted_model: Path) -> flask.testing.FlaskClient:
    app = create_app(
        model_dir=extracted_model, submit_dir=extracted_model / "code", program="inference.py"
    )
    return app.test_client()


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
