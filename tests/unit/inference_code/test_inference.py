"""The inference handler, served from the real built tarball through the container emulation."""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask.testing
import numpy as np
import pytest
import xgboost as xgb
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer

from inference_code import inference
from local_runtime.script_mode_server import create_app
from model_build import BuildResult, TrainParams
from model_build.train import load_dataset, train_booster
from tests.support.paths import REPO

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"
SUPPORTED = "use one of: application/json, text/csv, application/x-npy, application/jsonlines"

Rows = list[list[float]]


@pytest.fixture(scope="module")
def client(extracted_model: Path) -> flask.testing.FlaskClient:
    app = create_app(
        model_dir=extracted_model, submit_dir=extracted_model / "code", program="inference.py"
    )
    return app.test_client()


@pytest.fixture(scope="module")
def served(extracted_model: Path) -> Any:
    """The booster as the handler serves it (schema read once)."""
    return inference.model_fn(str(extracted_model))


@pytest.fixture(scope="module")
def sample(built_model: BuildResult) -> dict[str, Any]:
    """The card's sample: three held-out rows and the trained booster's probabilities."""
    return json.loads(built_model.card_path.read_text())["sample"]


def _post(
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


def _npy(array: Any, **save: Any) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, **save)
    return buffer.getvalue()


def _csv(rows: Rows) -> str:
    return "\n".join(",".join(repr(v) for v in row) for row in rows) + "\n"


def _predictions(response: Any) -> list[float]:
    """Decode a 200 answer whatever type was negotiated."""
    if response.mimetype == JSON:
        return response.get_json()["predictions"]
    if response.mimetype == CSV:
        return [float(line) for line in response.get_data(as_text=True).splitlines()]
    assert response.mimetype == NPY
    array = np.load(io.BytesIO(response.get_data()), allow_pickle=False)
    assert array.dtype == np.float32
    return array.tolist()


# --- accepted requests ---------------------------------------------------------------------

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
    pytest.param(CSV, None, _csv, JSON, 3, id="csv"),
    pytest.param(CSV, None, lambda r: _csv(r).rstrip("\n"), JSON, 3, id="csv-no-final-newline"),
    pytest.param(CSV, None, lambda r: _csv(r).replace("\n", "\r\n"), JSON, 3, id="csv-crlf"),
    pytest.param(CSV, None, lambda r: _csv(r[:1]), JSON, 1, id="csv-one-row"),
    pytest.param(NPY, None, lambda r: _npy(np.array(r)), JSON, 3, id="npy-2d-float64"),
    pytest.param(
        NPY, None, lambda r: _npy(np.array(r[0], dtype=np.float32)), JSON, 1, id="npy-1d-float32"
    ),
    pytest.param(
        NPY, None, lambda r: _npy(np.asfortranarray(np.array(r))), JSON, 3, id="npy-fortran-order"
    ),
    pytest.param(NPY, None, lambda r: _npy(np.array(r, dtype=">f8")), JSON, 3, id="npy-big-endian"),
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
    pytest.param("Text/CSV; charset=UTF-8", None, _csv, JSON, 3, id="csv-mixed-case-charset"),
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
    response = _post(client, make_body(sample["instances"]), content_type, accept)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == answer
    predictions = _predictions(response)
    if rows:
        assert predictions == sample["predictions"][:rows]
    else:  # integer-truncated row: a valid request, other numbers
        assert len(predictions) == 1 and 0.0 < predictions[0] < 1.0


# --- rejected requests ---------------------------------------------------------------------

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
    (NPY, None, _npy(np.ones((2, 30)))[:-4], 400, "invalid_npy",
     ".npy header promises 480 bytes of data, body has 476"),
    (NPY, None, _npy(np.ones((2, 30))) + b"tail", 400, "invalid_npy",
     ".npy header promises 480 bytes of data, body has 484"),
    (NPY, None, _npy(np.ones((2, 30), dtype=bool)), 400, "invalid_value",
     "values must be numbers, not booleans"),
    (NPY, None, _npy(np.array([["a"] * 30])), 400, "invalid_value",
     "values must be numbers, not strings"),
    (NPY, None, _npy(np.ones((1, 30), dtype=complex)), 400, "invalid_value",
     "values must be real numbers, not complex"),
    (NPY, None, _npy(np.array([None] * 30), allow_pickle=True), 400, "invalid_npy",
     ".npy arrays of Python objects are not accepted"),
    (NPY, None, _npy(np.zeros(30, dtype=[("a", "f4")])), 400, "invalid_value",
     "values must be numbers"),
    (NPY, None, _npy(np.ones((1, 1, 30))), 400, "invalid_shape",
     "expected one row or a list of rows, got 3-D data"),
    (NPY, None, _npy(np.float64(1.0)), 400, "invalid_shape",
     "expected one row or a list of rows, got 0-D data"),
    (NPY, None, _npy(np.ones((0, 30))), 400, "empty_batch", "no rows to predict"),
    (NPY, None, _npy(np.full((2, 30), np.inf)), 400, "invalid_value",
     "row 0 has a value that is NaN, infinite or beyond float32"),
    (NPY, None, _npy(np.ones((2, 29))), 400, "wrong_feature_count",
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
    response = _post(client, body, content_type, accept)

    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == JSON
    answer = response.get_json()
    assert set(answer) == {"error", "message"}
    assert answer["error"] == error
    assert answer["message"].startswith(message)
    assert "Traceback" not in answer["message"]


# --- the model itself ----------------------------------------------------------------------


def test_tarball_model_predicts_what_the_trained_booster_predicted(
    extracted_model: Path, sample: dict[str, Any]
) -> None:
    booster = inference.model_fn(str(extracted_model))
    rows = inference.input_fn(json.dumps({"instances": sample["instances"]}), JSON)

    assert inference.predict_fn(rows, booster).tolist() == sample["predictions"]


def test_tarball_model_matches_a_freshly_trained_booster_on_every_row(
    extracted_model: Path,
) -> None:
    params = TrainParams()
    fresh = train_booster(load_dataset(params), params)
    every_row = load_breast_cancer().data.astype(np.float32)
    served = inference.model_fn(str(extracted_model))

    body = _npy(every_row)
    prediction = inference.predict_fn(inference.input_fn(body, NPY), served)

    assert isinstance(prediction, np.ndarray)
    np.testing.assert_array_equal(prediction, fresh.inplace_predict(every_row))


def test_model_fn_loads_ubj_from_a_file_without_extension(
    built_model: BuildResult, tmp_path: Path
) -> None:
    booster = xgb.Booster()
    booster.load_model(bytearray(built_model.model_path.read_bytes()))
    (tmp_path / "xgboost-model").write_bytes(bytes(booster.save_raw(raw_format="ubj")))
    rows = np.asarray(load_breast_cancer().data[:20], dtype=np.float32)

    loaded = inference.model_fn(str(tmp_path))

    np.testing.assert_array_equal(loaded.inplace_predict(rows), booster.inplace_predict(rows))


def test_model_fn_without_the_model_file_says_where_it_should_be(tmp_path: Path) -> None:
    with pytest.raises(
        FileNotFoundError, match=r"model\.tar\.gz must hold xgboost-model at its root"
    ):
        inference.model_fn(str(tmp_path))


def test_large_json_and_npy_batches_give_the_same_probabilities(
    client: flask.testing.FlaskClient,
) -> None:
    rows = np.random.default_rng(0).uniform(0, 100, size=(2000, 30))
    as_json = _post(client, json.dumps({"instances": rows.tolist()}), JSON)
    as_npy = _post(client, _npy(rows), NPY, NPY)

    assert as_json.status_code == as_npy.status_code == 200
    assert _predictions(as_json) == _predictions(as_npy)
    assert len(_predictions(as_json)) == 2000


def test_npy_body_given_as_str_is_rejected_not_raised() -> None:
    rejection = inference.input_fn("\x93NUMPY", NPY)
    assert isinstance(rejection, inference.Rejection)
    assert (rejection.status, rejection.error) == (400, "invalid_npy")


@pytest.mark.parametrize("accept", [JSON, "application/xml", None])
def test_rejection_passes_through_predict_and_output(accept: str | None) -> None:
    rejection = inference.Rejection(400, "empty_batch", "no rows to predict")
    assert inference.predict_fn(rejection, model=None) is rejection  # type: ignore[arg-type]

    response = inference.output_fn(rejection, accept)
    assert response.status_code == 400
    assert json.loads(response.get_data()) == {
        "error": "empty_batch",
        "message": "no rows to predict",
    }


def test_handler_imports_only_stdlib_numpy_and_xgboost_at_module_level() -> None:
    tree = ast.parse((REPO / "inference_code" / "inference.py").read_text())
    roots = {
        name.split(".")[0]
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
        )
    }
    assert roots - sys.stdlib_module_names == {"numpy", "xgboost"}


def test_importing_the_handler_does_not_import_flask() -> None:
    probe = (
        "import sys; sys.path.insert(0, 'inference_code'); import inference; "
        "print(sorted(m for m in ('flask', 'werkzeug') if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"


# --- input_fn never raises -----------------------------------------------------------------

CONTENT_TYPES = [JSON, CSV, NPY, "application/json; charset=utf-8", "TEXT/CSV", "a/b", ""]

json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=9), inner),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=300) | st.text(max_size=300),
    content_type=st.sampled_from(CONTENT_TYPES),
)
def test_input_fn_answers_any_body_without_raising(
    served: Any, body: str | bytes, content_type: str
) -> None:
    result = inference.predict_fn(inference.input_fn(body, content_type), served)
    assert isinstance(result, (np.ndarray, inference.Rejection))


@settings(max_examples=300, deadline=None)
@given(document=json_values | st.fixed_dictionaries({"instances": json_values}))
def test_input_fn_answers_any_json_document_without_raising(served: Any, document: Any) -> None:
    result = inference.input_fn(json.dumps(document), JSON)
    if isinstance(result, np.ndarray):
        assert result.dtype == np.float32 and result.ndim == 2 and result.shape[0] > 0
        assert np.isfinite(result).all()
    result = inference.predict_fn(result, served)
    if isinstance(result, np.ndarray):
        assert result.ndim == 1 and np.isfinite(result).all()
    else:
        assert isinstance(result, inference.Rejection) and 400 <= result.status < 500
