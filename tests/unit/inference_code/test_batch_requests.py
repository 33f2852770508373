"""The handler speaks batch: multi-record CSV and JSON Lines in, one answer line per record out,
in order, and a bad record fails its whole request with a 4xx JSON message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

from inference_code import inference
from model_build import build, load_spec
from tests.unit.inference_code.test_model_kinds import EXAMPLES, _serve

CSV, JSONLINES = "text/csv", "application/jsonlines"


def _call(model: Any, body: str, content_type: str, accept: str) -> Any:
    return inference.output_fn(
        inference.predict_fn(inference.input_fn(body, content_type), model), accept
    )


@pytest.fixture(scope="module")
def default_model(extracted_model: Path) -> Any:
    return inference.model_fn(str(extracted_model))


@pytest.fixture(scope="module")
def rows() -> np.ndarray:
    return load_breast_cancer().data[:200].astype(np.float32)


def test_multi_record_csv_answers_one_line_per_record_in_order(
    default_model: Any, rows: np.ndarray
) -> None:
    body = "\n".join(",".join(map(repr, row.tolist())) for row in rows) + "\n"
    text, mimetype = _call(default_model, body, CSV, CSV)
    lines = text.splitlines()
    assert mimetype == CSV and len(lines) == len(rows)
    assert [float(v) for v in lines] == default_model.inplace_predict(rows).tolist()


def test_jsonlines_positional_rows_answer_a_number_per_line(
    default_model: Any, rows: np.ndarray
) -> None:
    body = "".join(json.dumps(row.tolist()) + "\n" for row in rows)
    text, mimetype = _call(default_model, body, JSONLINES, JSONLINES)
    assert mimetype == JSONLINES
    assert [json.loads(line) for line in text.splitlines()] == (
        default_model.inplace_predict(rows).tolist()
    )


def test_jsonlines_bad_line_fails_the_request_naming_it(
    default_model: Any, rows: np.ndarray
) -> None:
    lines = [json.dumps(row.tolist()) for row in rows[:3]]
    lines[1] = lines[1][:-1]  # a broken row: unterminated list
    response = _call(default_model, "\n".join(lines), JSONLINES, JSONLINES)
    assert response.status_code == 400
    assert json.loads(response.get_data())["error"] == "invalid_json"
    assert "line 1" in json.loads(response.get_data())["message"]
    short = "\n".join([json.dumps(rows[0].tolist()), json.dumps(rows[1].tolist()[:5])])
    response = _call(default_model, short, JSONLINES, JSONLINES)
    assert response.status_code == 400 and "row 1" in json.loads(response.get_data())["message"]
    response = _call(default_model, "7\n", JSONLINES, JSONLINES)
    assert response.status_code == 400 and "line 0" in json.loads(response.get_data())["message"]


def test_bad_csv_record_fails_the_request_with_the_handlers_message(
    default_model: Any, rows: np.ndarray
) -> None:
    lines = [",".join(map(repr, row.tolist())) for row in rows[:3]]
    lines[2] = lines[2].replace(",", ",abc,", 1)
    response = _call(default_model, "\n".join(lines), CSV, CSV)
    assert response.status_code == 400
    assert json.loads(response.get_data())["error"] in {"invalid_csv", "invalid_value"}


def test_multiclass_batch_lines_split_back_into_records(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    result = build(
        out_dir=tmp_path_factory.mktemp("iris"), spec=load_spec(EXAMPLES / "iris.toml"), log=print
    )
    model, card = _serve(result, tmp_path_factory.mktemp("iris-opt"))
    named = card["sample"]["rows"]
    body = "".join(json.dumps(row) + "\n" for row in named)
    text, _ = _call(model, body, JSONLINES, JSONLINES)
    answers = [json.loads(line) for line in text.splitlines()]
    assert len(answers) == len(named)
    assert all(set(a) == {"predicted_label", "probabilities"} for a in answers)
    csv_rows = "\n".join(",".join(map(repr, row)) for row in card["sample"]["instances"])
    text, _ = _call(model, csv_rows, CSV, "text/csv; header=absent")
    assert len(text.splitlines()) == len(named)
    assert [line.split(",")[0] for line in text.splitlines()] == [
        a["predicted_label"] for a in answers
    ]
