"""``model_fn`` and the model in the tarball: it predicts what the trained booster predicted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xgboost as xgb
from sklearn.datasets import load_breast_cancer

from inference_code import inference
from model_build import BuildResult, TrainParams
from model_build.train import load_dataset, train_booster
from tests.unit.inference_code.helpers import JSON, NPY, npy


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

    body = npy(every_row)
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
