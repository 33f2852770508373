"""The handler on every example: outputs per objective, named rows, missing values, categories,
and the default model's responses byte for byte as before this change."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer

from inference_code import inference
from model_build import BuildResult, TrainParams, build, load_spec
from model_build.train import load_dataset, predict

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "models"
BASELINE = json.loads((Path(__file__).parent / "default_baseline.json").read_text())
JSON, CSV, NPY = "application/json", "text/csv", "application/x-npy"


def _serve(result: BuildResult, tmp: Path) -> tuple[Any, dict[str, Any]]:
    with tarfile.open(result.tarball) as tar:
        tar.extractall(tmp, filter="data")
    return inference.model_fn(str(tmp)), json.loads(result.card_path.read_text())


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, dict[str, Any]]]:
    out = {}
    for name in ("iris.toml", "diabetes.json", "loans.toml"):
        result = build(
            out_dir=tmp_path_factory.mktemp(name), spec=load_spec(EXAMPLES / name), log=print
        )
        out[name] = _serve(result, tmp_path_factory.mktemp(f"{name}-opt"))
    return out


def _call(model: Any, body: str | bytes, content_type: str, accept: str | None = JSON) -> Any:
    return inference.output_fn(
        inference.predict_fn(inference.input_fn(body, content_type), model), accept
    )


def _error(response: Any) -> tuple[int, dict[str, str]]:
    return response.status_code, json.loads(response.get_data())


def test_default_model_answers_today_s_bytes(extracted_model: Path) -> None:
    """Recorded from main's build before this change (default_baseline.json): the
    probabilities of all 569 rows, and every body for the card's sample in each format."""
    model = inference.model_fn(str(extracted_model))
    everything = load_breast_cancer().data.astype(np.float32)
    predicted = model.inplace_predict(everything).astype("<f4").tobytes().hex()
    assert predicted == BASELINE["all_rows_predictions_hex"]
    sample = load_dataset(TrainParams()).x_test[:3].tolist()  # the card's sample rows
    for accept in (JSON, CSV, NPY):
        for content_type, body in (
            (JSON, json.dumps({"instances": sample})),
            (CSV, "\n".join(",".join(map(repr, r)) for r in sample)),
        ):
            answer, _ = _call(model, body, content_type, accept)
            got = answer if isinstance(answer, str) else answer.hex()
            assert got == BASELINE[f"{content_type}->{accept}"]


def test_default_model_takes_named_rows_in_any_order(extracted_model: Path) -> None:
    model = inference.model_fn(str(extracted_model))
    names = model.feature_names
    row = [float(i) for i in range(30)]
    named = dict(reversed(list(zip(names, row, strict=True))))
    by_name, _ = _call(model, json.dumps({"instances": [named]}), JSON)
    by_position, _ = _call(model, json.dumps([row]), JSON)
    assert by_name == by_position
    header_csv = ",".join(names) + "\n" + ",".join(map(repr, row))
    assert _call(model, header_csv, CSV, JSON)[0] == by_position


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"drop": "mean radius"}, "missing_feature", "row 0: feature 'mean radius' is missing"),
        ({"add": "colour"}, "unknown_feature", "row 0: unknown feature 'colour'"),
    ],
)
def test_missing_or_unknown_feature_is_a_400_naming_it(
    extracted_model: Path, change: dict[str, str], error: str, message: str
) -> None:
    model = inference.model_fn(str(extracted_model))
    row = dict.fromkeys(model.feature_names, 1.0)
    row.pop(change.get("drop", ""), None)
    if "add" in change:
        row[change["add"]] = 1.0
    status, body = _error(_call(model, json.dumps([row]), JSON))
    assert (status, body["error"]) == (400, error)
    assert body["message"].startswith(message)


def test_null_and_empty_csv_field_are_missing_like_xgboost_nan(extracted_model: Path) -> None:
    model = inference.model_fn(str(extracted_model))
    row = [1.0] * 30
    expected = model.inplace_predict(np.array([[np.nan, *row[1:]]], dtype=np.float32)).tolist()
    as_null, _ = _call(model, json.dumps([[None, *row[1:]]]), JSON)
    as_empty, _ = _call(model, "," + ",".join(map(repr, row[1:])), CSV)
    assert json.loads(as_null)["predictions"] == expected
    assert json.loads(as_empty)["predictions"] == expected
    npy = io.BytesIO()
    np.save(npy, np.array([[np.nan, *row[1:]]], dtype=np.float32))
    assert json.loads(_call(model, npy.getvalue(), NPY)[0])["predictions"] == expected
    assert _error(_call(model, "nan," + ",".join(map(repr, row[1:])), CSV))[0] == 400


def test_multiclass_answers_label_and_probabilities_by_name(served: dict[str, Any]) -> None:
    model, card = served["iris.toml"]
    rows = card["sample"]["rows"]
    expected = model.inplace_predict(np.array(card["sample"]["instances"], dtype=np.float32))
    labels = ["setosa", "versicolor", "virginica"]
    answer = json.loads(_call(model, json.dumps({"instances": rows}), JSON)[0])
    assert answer["predictions"] == card["sample"]["predictions"] or [
        p["predicted_label"] for p in answer["predictions"]
    ] == [labels[i] for i in expected.argmax(axis=1)]
    first = answer["predictions"][0]
    assert list(first["probabilities"]) == labels
    assert list(first["probabilities"].values()) == expected[0].tolist()
    csv_text = _call(model, json.dumps(rows), JSON, CSV)[0]
    lines = csv_text.splitlines()
    assert lines[0] == "predicted_label,setosa,versicolor,virginica"
    assert lines[1].split(",")[0] == first["predicted_label"]
    npy = np.load(io.BytesIO(_call(model, json.dumps(rows), JSON, NPY)[0]))
    assert npy.shape == (3, 3) and np.array_equal(npy, expected.astype(np.float32))


def test_regression_answers_the_value_in_every_format(served: dict[str, Any]) -> None:
    model, card = served["diabetes.json"]
    instances = card["sample"]["instances"]
    expected = model.inplace_predict(np.array(instances, dtype=np.float32))
    answer = json.loads(_call(model, json.dumps({"instances": card["sample"]["rows"]}), JSON)[0])
    assert answer == {"predictions": expected.tolist()}
    assert _call(model, json.dumps(instances), JSON, CSV)[0] == "".join(
        f"{v!r}\n" for v in expected.tolist()
    )
    npy = np.load(io.BytesIO(_call(model, json.dumps(instances), JSON, NPY)[0]))
    assert np.array_equal(npy, expected)


def test_categorical_strings_are_encoded_as_at_training(served: dict[str, Any]) -> None:
    model, card = served["loans.toml"]
    rows = card["sample"]["rows"]
    frame = pd.DataFrame(rows)[card["feature_names"]]  # the card sorts keys; order by model
    for name in ("region", "purpose"):
        categories = next(f["categories"] for f in card["features"] if f["name"] == name)
        frame[name] = pd.Categorical(frame[name], categories=categories)
    expected = predict(model, frame).tolist()
    assert json.loads(_call(model, json.dumps({"instances": rows}), JSON)[0]) == {
        "predictions": expected
    }
    assert expected == card["sample"]["predictions"]
    positional = card["sample"]["instances"]
    assert json.loads(_call(model, json.dumps(positional), JSON)[0])["predictions"] == expected
    header = ",".join(rows[0]) + "\n"
    body = header + "\n".join(
        ",".join("" if v is None else str(v) for v in r.values()) for r in rows
    )
    assert json.loads(_call(model, body, CSV)[0])["predictions"] == pytest.approx(expected)


def test_unseen_category_is_refused_as_xgboost_refuses_it(served: dict[str, Any]) -> None:
    """XGBoost's re-coding raises "Found a category not in the training set"; the handler
    answers 400 naming the feature and value. null takes the missing branch instead."""
    model, card = served["loans.toml"]
    row = dict(card["sample"]["rows"][0])
    status, body = _error(_call(model, json.dumps([{**row, "region": "atlantis"}]), JSON))
    assert (status, body["error"]) == (400, "unknown_category")
    assert body["message"].startswith("feature 'region': category 'atlantis' was not seen")
    missing = json.loads(_call(model, json.dumps([{**row, "region": None}]), JSON)[0])
    frame = pd.DataFrame([{**row, "region": None}])[card["feature_names"]]
    for name in ("region", "purpose"):
        categories = next(f["categories"] for f in card["features"] if f["name"] == name)
        frame[name] = pd.Categorical(frame[name], categories=categories)
    assert missing["predictions"] == predict(model, frame).tolist()
    status, body = _error(_call(model, json.dumps([{**row, "region": 3.5}]), JSON))
    assert (status, body["error"]) == (400, "unknown_category") and "'region'" in body["message"]


def test_category_codes_are_the_training_order(served: dict[str, Any]) -> None:
    """A number in a categorical column is its code: how .npy (numbers only) sends categories."""
    model, card = served["loans.toml"]
    features = card["features"]
    rows = card["sample"]["rows"]
    coded = [
        [
            f["categories"].index(r[f["name"]]) if f["type"] == "categorical" else r[f["name"]]
            for f in features
        ]
        for r in rows
    ]
    coded = [[np.nan if v is None else v for v in row] for row in coded]
    npy = io.BytesIO()
    np.save(npy, np.array(coded, dtype=np.float32))
    by_code = json.loads(_call(model, npy.getvalue(), NPY)[0])["predictions"]
    assert by_code == card["sample"]["predictions"]


@pytest.mark.parametrize("code", [5.0, -1.0, 1.5])
def test_a_code_outside_the_training_categories_is_a_400(
    served: dict[str, Any], code: float
) -> None:
    model, _ = served["loans.toml"]
    npy = io.BytesIO()
    np.save(npy, np.array([[code, 0.0, 50000.0, 9000.0, 3.0]], dtype=np.float32))
    status, body = _error(_call(model, npy.getvalue(), NPY))
    assert (status, body["error"]) == (400, "unknown_category")
    assert body["message"].startswith(f"feature 'region': code {code!r} is not one of the 5")


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.sampled_from(["north", "car", ""]),
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.dictionaries(
            st.sampled_from(["region", "purpose", "income", "amount", "years_employed", "x"]), inner
        )
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(document=json_values | st.fixed_dictionaries({"instances": json_values}))
def test_categorical_model_answers_any_json_without_raising(
    served: dict[str, Any], document: Any
) -> None:
    model, _ = served["loans.toml"]
    result = inference.predict_fn(inference.input_fn(json.dumps(document), JSON), model)
    if isinstance(result, np.ndarray):
        assert result.ndim == 1 and np.isfinite(result).all()
    else:
        assert isinstance(result, inference.Rejection) and 400 <= result.status < 500


def test_csv_the_csv_module_cannot_read_is_a_400(extracted_model: Path) -> None:
    """A body numpy refuses falls back to the csv module, which has errors of its own."""
    model = inference.model_fn(str(extracted_model))
    status, body = _error(_call(model, "\x00\n\r\x00", CSV))
    assert (status, body["error"]) == (400, "invalid_csv")
