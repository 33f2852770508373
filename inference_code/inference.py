"""Script-mode handler for sagemaker-xgboost:3.2-0: JSON, CSV and .npy in, predictions out.

Serves binary (probability of the second label), multiclass (label and probabilities by label
name) and regression (the value) boosters. The model's schema travels inside ``xgboost-model``
(``xgb_schema``). Rows come positional or by feature name; JSON ``null``, an empty CSV field or
a NaN in .npy means "missing" (XGBoost's native handling). A categorical feature takes the
category's string or its code (``xgb_categories``). Send null to take the missing branch.

The container turns any exception in a hook into a 500, and only a ``flask.Response`` returned
from ``output_fn`` can carry a 4xx. So a bad request never raises out of a hook: ``input_fn``
(or ``predict_fn``) returns a ``Rejection`` that flows through to ``output_fn``, which answers
with its status and a JSON body ``{"error": ..., "message": ...}``.

This is SAGEMAKER_PROGRAM; its ``xgb_*`` siblings ship with it in ``code/``, which the container
installs as top-level modules, hence the absolute imports. Module imports are limited to what
the serving image has: stdlib, numpy and xgboost (Flask is imported only to build an error
response, pyarrow only to read a categorical model's categories).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xgboost as xgb

import xgb_decoder
import xgb_encoder
from xgb_categories import check_codes
from xgb_errors import Rejection
from xgb_rows import Pending, resolve
from xgb_schema import Classes, load_booster, schema

__all__ = ["Rejection", "input_fn", "model_fn", "output_fn", "predict_fn"]


def model_fn(model_dir: str) -> xgb.Booster:
    """The booster from ``xgboost-model``, its schema read once."""
    return load_booster(model_dir)


def input_fn(input_data: str | bytes, content_type: str | None) -> np.ndarray | Pending | Rejection:
    """Decode the body into a float32 2-D batch, or rows that need the model's schema (named
    rows, strings, missing values), or a ``Rejection`` saying what is wrong.

    The body is ``str`` only when the content type is exactly ``application/json`` or
    ``text/csv``; with parameters or another case it arrives as ``bytes``.
    """
    try:
        return xgb_decoder.decode(input_data, content_type)
    except Rejection as rejection:
        return rejection


def predict_fn(
    data: np.ndarray | Pending | Rejection, model: xgb.Booster
) -> np.ndarray | Classes | Rejection:
    """Binary: probability of the second label; regression: the value; multiclass: the
    probabilities with their labels. The feature count comes from the loaded model."""
    if isinstance(data, Rejection):
        return data
    known = schema(model)
    try:
        if isinstance(data, Pending):
            batch = resolve(data, known)
        else:
            batch = data
            if batch.shape[1] != known.count:
                raise Rejection(
                    400,
                    "wrong_feature_count",
                    f"expected {known.count} features per row, got {batch.shape[1]}",
                )
            if known.categorical:
                check_codes(batch, known)
    except Rejection as rejection:
        return rejection
    prediction = model.inplace_predict(batch)
    if known.kind == "multiclass":
        return Classes(prediction, known.labels)
    return prediction


def output_fn(prediction: np.ndarray | Classes | Rejection, accept: str | None) -> Any:
    """``(body, mimetype)`` in the best type the Accept header allows, or an error Response."""
    if isinstance(prediction, Rejection):
        return prediction.response()
    try:
        return xgb_encoder.encode(prediction, accept)
    except Rejection as rejection:
        return rejection.response()
