"""The hooks called directly: a rejection flows from ``input_fn`` through ``predict_fn`` to
``output_fn``, and no body makes a hook raise (any exception would be the container's 500)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inference_code import inference
from tests.unit.inference_code.helpers import CSV, JSON, NPY


@pytest.fixture(scope="module")
def served(extracted_model: Path) -> Any:
    """The booster as the handler serves it (schema read once)."""
    return inference.model_fn(str(extracted_model))


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
