"""Requests the handler accepts, served from the real built tarball through the container
emulation: every content type and Accept form answers the model's probabilities."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import flask.testing
import numpy as np
import pytest

from tests.unit.inference_code.helpers import (
    CSV,
    JSON,
    NPY,
    Rows,
    csv_text,
    npy,
    post,
    predictions_of,
)

BodyMaker = Callable[[Rows], "str | bytes"]


ACCEPTED: list[Any] = [
    # (content type, accept, body from the sample rows, answer type, rows predicted)
    pytest.param(JSON, None, lambda r: json.dumps({"instances": r}), JSON, 3, id="instances"),
    pytest.param(JSON, None, lambda r: json.dumps({"features": r[0]}), JSON, 1, id="features"),
    pytest.param(JSON, None, lambda r: json.dumps(r[0]), JSON, 1, id="bare-row"),
    pytest.param(JSON, None, lambda r: json.dumps(r), JSON, 3, id="bare-rows"),
    pytest.param(
        JSON,
        None,
        lambda r: json.dumps({"instances": r, "configuration": {"explain": "false"}}),
        JSON,
        3,
        id="instances-extra-key-with-false-text",
    ),
    pytest.param(
        JSON,
        None,
        lambda r: json.dumps({"instances": [[int(v) for v in r[0]]]}),
        JSON,
        0,
        id="ints",
    ),
    pytest.param(None, None, lambda r: json.dumps({"instances": r}), JSON, 3, id="no-content-type"),
    pytest.param(CSV, None, csv_text, JSON, 3, id="csv"),
    pytest.param(CSV, None, lambda r: csv_text(r).rstrip("\n"), JSON, 3, id="csv-no-final-newline"),
    pytest.param(CSV, None, lambda r: csv_text(r).replace("\n", "\r\n"), JSON, 3, id="csv-crlf"),
    pytest.param(CSV, None, lambda r: csv_text(r[:1]), JSON, 1, id="csv-one-row"),
    pytest.param(NPY, None, lambda r: npy(np.array(r)), JSON, 3, id="npy-2d-float64"),
    pytest.param(
        NPY, None, lambda r: npy(np.array(r[0], dtype=np.float32)), JSON, 1, id="npy-1d-float32"
    ),
    pytest.param(
        NPY, None, lambda r: npy(np.asfortranarray(np.array(r))), JSON, 3, id="npy-fortran-order"
    ),
    pytest.param(NPY, None, lambda r: npy(np.array(r, dtype=">f8")), JSON, 3, id="npy-big-endian"),
    pytest.param(
        "application/json; charset=utf-8",
        None,
        lambda r: json.dumps({"instances": r}).encode(),
        JSON,
        3,
        id="json-charset",
    ),
    pytest.param(
        "application/json; charset=utf-16",
        None,
        lambda r: json.dumps({"instances": r}).encode("utf-16"),
        JSON,
        3,
        id="json-utf16",
    ),
    pytest.param(
        "APPLICATION/JSON", None, lambda r: json.dumps(r).encode(), JSON, 3, id="json-uppercase"
    ),
    pytest.param("Text/CSV; charset=UTF-8", None, csv_text, JSON, 3, id="csv-mixed-case-charset"),
    pytest.param(JSON, "*/*", lambda r: json.dumps(r), JSON, 3, id="accept-any"),
    pytest.param(JSON, CSV, lambda r: json.dumps(r), CSV, 3, id="accept-csv"),
    pytest.param(JSON, NPY, lambda r: json.dumps(r), NPY, 3, id="accept-npy"),
    pytest.param(JSON, "*/*;q=0.8", lambda r: json.dumps(r), JSON, 3, id="accept-any-q"),
    pytest.param(JSON, "application/*", lambda r: json.dumps(r), JSON, 3, id="accept-app-star"),
    pytest.param(JSON, "text/*", lambda r: json.dumps(r), CSV, 3, id="accept-text-star"),
    pytest.param(
        JSON,
        "text/csv, application/json",
        lambda r: json.dumps(r),
        CSV,
        3,
        id="accept-client-order",
    ),
    pytest.param(
        JSON,
        "text/csv;q=0.5, application/json;q=0.9",
        lambda r: json.dumps(r),
        JSON,
        3,
        id="accept-q-wins",
    ),
    pytest.param(
        JSON, "application/json;q=0, */*", lambda r: json.dumps(r), CSV, 3, id="accept-json-refused"
    ),
    pytest.param(
        JSON,
        "application/xml, text/csv;q=0.1",
        lambda r: json.dumps(r),
        CSV,
        3,
        id="accept-only-csv-supported",
    ),
    pytest.param(
        JSON, "Application/X-NPY; q=1", lambda r: json.dumps(r), NPY, 3, id="accept-case-params"
    ),
    pytest.param(JSON, "application/json; q=abc, text/csv", lambda r: json.dumps(r), CSV, 3),
]


@pytest.mark.parametrize(("content_type", "accept", "make_body", "answer", "rows"), ACCEPTED)
def test_accepted_request_answers_200_with_the_models_probabilities(
    client: flask.testing.FlaskClient,
    sample: dict[str, Any],
    content_type: str | None,
    accept: str | None,
    make_body: BodyMaker,
    answer: str,
    rows: int,
) -> None:
    response = post(client, make_body(sample["instances"]), content_type, accept)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == answer
    predictions = predictions_of(response)
    if rows:
        assert predictions == sample["predictions"][:rows]
    else:  # integer-truncated row: a valid request, other numbers
        assert len(predictions) == 1 and 0.0 < predictions[0] < 1.0


def test_large_json_and_npy_batches_give_the_same_probabilities(
    client: flask.testing.FlaskClient,
) -> None:
    rows = np.random.default_rng(0).uniform(0, 100, size=(2000, 30))
    as_json = post(client, json.dumps({"instances": rows.tolist()}), JSON)
    as_npy = post(client, npy(rows), NPY, NPY)

    assert as_json.status_code == as_npy.status_code == 200
    assert predictions_of(as_json) == predictions_of(as_npy)
    assert len(predictions_of(as_json)) == 2000
