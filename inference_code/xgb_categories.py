"""Categorical features: a category is sent as its training string or as its code (its index
in the training categories, the only form .npy can carry). A category unseen at training is
refused, as XGBoost's own re-coding refuses it ("Found a category not in the training set")."""

from __future__ import annotations

from typing import Any

import numpy as np

from xgb_errors import Rejection
from xgb_schema import Schema


def check_codes(batch: np.ndarray, schema: Schema) -> None:
    """Numbers in a categorical column are codes: whole numbers below the category count."""
    for i in schema.categorical:
        column = batch[:, i]
        known = len(schema.codes.get(i, ()))
        present = column[~np.isnan(column)]
        bad = (present < 0) | (present >= known) | (present != np.floor(present))
        if bad.any():
            raise Rejection(
                400,
                "unknown_category",
                f"feature {schema.names[i]!r}: code {float(present[bad][0])!r} is not one of "
                f"the {known} training categories (send the category string, or 0..{known - 1})",
            )


def csv_code(text: str) -> str | float:
    """A CSV field in a category column that is not a training string: a code if a number."""
    try:
        return float(text)
    except ValueError:
        return text


def category_code(value: Any, schema: Schema, index: int) -> float:
    name = schema.names[index]
    codes = schema.codes.get(index, {})
    if isinstance(value, str):
        code = codes.get(value)
        if code is None:
            shown = ", ".join(list(codes)[:8]) + (", ..." if len(codes) > 8 else "")
            raise Rejection(
                400,
                "unknown_category",
                f"feature {name!r}: category {value!r} was not seen in training "
                f"(known: {shown}); send null for a missing value",
            )
        return float(code)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejection(
            400, "invalid_value", f"feature {name!r} takes a category string, got {value!r}"
        )
    if not (0 <= value < len(codes) and float(value).is_integer()):
        raise Rejection(
            400,
            "unknown_category",
            f"feature {name!r}: code {value!r} is not one of the {len(codes)} training "
            f"categories (send the category string, or 0..{len(codes) - 1})",
        )
    return float(value)
