"""Hypothesis strategies for requests to the handler: valid rows in every documented form,
and any body, content type and Accept at all. Shared by the handler's property tests and the
front door's fuzzing."""

from __future__ import annotations

import io
import json

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

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
