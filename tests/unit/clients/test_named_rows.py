"""Client payloads for any model: named and positional rows, CSV files, labels printed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from clients.cli import UsageError
from clients.payload import PayloadError, encode_request, predicted_labels
from clients.rows import resolve_rows

CARD = {
    "kind": "multiclass",
    "labels": ["setosa", "versicolor", "virginica"],
    "feature_names": ["a", "b"],
    "sample": {"instances": [[1, 2]], "rows": [{"a": 1, "b": 2}]},
}


def test_card_sample_rows_are_sent_by_name(tmp_path: Path) -> None:
    card = tmp_path / "card.json"
    card.write_text(json.dumps(CARD))
    assert resolve_rows(rows_json=None, model_card=card) == [{"a": 1.0, "b": 2.0}]
    assert resolve_rows(rows_json=None, model_card=card, named=False) == [[1.0, 2.0]]


@pytest.mark.parametrize(
    ("rows_json", "expected"),
    [
        ('{"b": 2, "a": "north"}', [{"b": 2.0, "a": "north"}]),
        ('[{"a": null, "b": 1}, {"a": 2, "b": 3}]', [{"a": None, "b": 1.0}, {"a": 2.0, "b": 3.0}]),
        ('["north", 1, null]', [["north", 1.0, None]]),
    ],
)
def test_rows_flag_takes_named_rows_strings_and_null(rows_json: str, expected: list) -> None:
    assert resolve_rows(rows_json=rows_json, model_card=Path("/none")) == expected


def test_rows_flag_takes_a_csv_file_with_a_header(tmp_path: Path) -> None:
    table = tmp_path / "rows.csv"
    table.write_text("region,income\nnorth,5\n,7.5\n")
    assert resolve_rows(rows_json=str(table), model_card=Path("/none")) == [
        {"region": "north", "income": 5.0},
        {"region": None, "income": 7.5},
    ]
    with pytest.raises(UsageError, match="cannot read --rows file"):
        resolve_rows(rows_json=str(tmp_path / "missing.csv"), model_card=Path("/none"))


def test_npy_orders_named_rows_by_the_card_and_refuses_strings() -> None:
    request = encode_request(
        [{"b": 2.0, "a": None}], payload_format="npy", feature_names=["a", "b"]
    )
    array = np.load(io.BytesIO(request.body))
    assert np.isnan(array[0, 0]) and array[0, 1] == 2.0
    with pytest.raises(PayloadError, match="numbers only"):
        encode_request([["north", 1.0]], payload_format="npy")
    with pytest.raises(PayloadError, match="no value for feature 'b'"):
        encode_request([{"a": 1.0}], payload_format="npy", feature_names=["a", "b"])


def test_labels_for_each_kind_of_answer() -> None:
    multiclass = json.dumps(
        {"predictions": [{"predicted_label": "virginica", "probabilities": {}}]}
    )
    assert predicted_labels(multiclass, CARD) == ["virginica"]
    assert predicted_labels(json.dumps({"predictions": [[0.1, 0.7, 0.2]]}), CARD) == ["versicolor"]
    binary = {"kind": "binary", "labels": ["malignant", "benign"]}
    assert predicted_labels('{"predictions": [0.2, 0.5]}', binary) == ["malignant", "benign"]
    assert predicted_labels('{"predictions": [120.5]}', {"kind": "regression"}) is None
    assert predicted_labels('{"predictions": [0.2]}', None) is None
