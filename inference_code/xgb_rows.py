"""Rows to the C-ordered float32 batch XGBoost takes: a ready array is validated at once with
numpy; rows that need the model's schema (named rows, strings, missing values) wait as
``Pending`` until ``predict_fn`` has the model, then are resolved column by column."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from xgb_categories import category_code, csv_code
from xgb_errors import Rejection
from xgb_schema import Schema


def as_batch(array: np.ndarray, *, allow_nan: bool = False) -> np.ndarray:
    """Validate once with numpy (no per-row loops) and give XGBoost a C-ordered float32 batch.
    NaN is a missing value in .npy only; JSON and CSV say "missing" with null / an empty field."""
    kind = array.dtype.kind
    if kind not in "iuf":
        raise Rejection(400, "invalid_value", _KIND_PROBLEMS.get(kind, "values must be numbers"))
    if array.ndim == 1:
        array = array.reshape(1, -1) if array.size else array.reshape(0, 0)
    if array.ndim != 2:
        raise Rejection(
            400, "invalid_shape", f"expected one row or a list of rows, got {array.ndim}-D data"
        )
    if array.shape[0] == 0:
        raise Rejection(400, "empty_batch", "no rows to predict")
    # Values beyond float32 range become inf here and are caught by the finiteness check.
    with np.errstate(over="ignore", invalid="ignore"):
        batch = np.ascontiguousarray(array, dtype=np.float32)
    finite = np.isfinite(batch)
    if not finite.all():
        if allow_nan:
            finite |= np.isnan(batch)
            if finite.all():
                return batch
        row = int(np.argwhere(~finite)[0][0])
        raise Rejection(
            400, "invalid_value", f"row {row} has a value that is NaN, infinite or beyond float32"
        )
    return batch


_KIND_PROBLEMS = {
    "U": "values must be numbers, not strings",
    "S": "values must be numbers, not strings",
    "b": "values must be numbers, not booleans",
    "O": "values must be numbers; found null, an object or an out-of-range integer",
    "c": "values must be real numbers, not complex",
}


class Pending:
    """Rows that cannot become a float batch without the schema: named rows (JSON objects),
    category strings, nulls, or CSV with a header row or empty fields."""

    __slots__ = ("from_csv", "ndim", "rows")

    def __init__(self, rows: object, ndim: int | None, *, from_csv: bool) -> None:
        self.rows = rows
        self.ndim = ndim
        self.from_csv = from_csv


def resolve(pending: Pending, schema: Schema) -> Any:
    """Columns in the model's order, checked value by value (the slow, general path)."""
    rows = pending.rows
    if isinstance(rows, list) and rows:
        nested = [isinstance(row, dict | list) for row in rows]
        if not any(nested):
            rows = [rows]  # one positional row
        elif not all(nested):
            raise Rejection(
                400, "invalid_value", "a row holds numbers, strings or null, not lists or objects"
            )
    elif isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list) or not rows:
        raise Rejection(400, "empty_batch", "no rows to predict")
    if pending.from_csv and schema.names and rows[0] and set(rows[0]) <= set(schema.names):
        header, rows = rows[0], rows[1:]
        rows = [dict(zip(header, row, strict=True)) for row in rows]
        if not rows:
            raise Rejection(400, "empty_batch", "no rows to predict after the header row")
    columns: list[list[Any]] = [[] for _ in range(schema.count)]
    for number, row in enumerate(rows):
        if isinstance(row, dict):
            _check_names(row, schema, number)
            values = [row[name] for name in schema.names]
        elif isinstance(row, list):
            if len(row) != schema.count:
                raise Rejection(
                    400,
                    "wrong_feature_count",
                    f"expected {schema.count} features per row, got {len(row)} in row {number}",
                )
            values = row
        else:
            raise Rejection(
                400, "invalid_shape", f"row {number} must be a list of values or an object"
            )
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    for i, column in enumerate(columns):
        columns[i] = _column(column, schema, i, from_csv=pending.from_csv)
    batch = np.ascontiguousarray(np.array(columns, dtype=np.float32).T)
    return as_batch(batch, allow_nan=True)


def _check_names(row: dict[str, Any], schema: Schema, number: int) -> None:
    if len(row) == schema.count and all(name in schema.index for name in row):
        return
    unknown = next((name for name in row if name not in schema.index), None)
    if unknown is not None:
        shown = ", ".join(schema.names[:5]) + (", ..." if schema.count > 5 else "")
        raise Rejection(
            400,
            "unknown_feature",
            f"row {number}: unknown feature {unknown!r}; the model's features are {shown}",
        )
    missing = next(name for name in schema.names if name not in row)
    raise Rejection(
        400,
        "missing_feature",
        f"row {number}: feature {missing!r} is missing (send null for a missing value)",
    )


def _column(values: list[Any], schema: Schema, index: int, *, from_csv: bool) -> list[float]:
    """One feature's values as floats: numbers or category codes, NaN for missing."""
    name = schema.names[index] if schema.names else f"column {index}"
    categorical = index in schema.categorical
    codes = schema.codes.get(index, {})
    out: list[float] = []
    for value in values:
        if value is None or (from_csv and value == ""):
            out.append(math.nan)
        elif categorical:
            if from_csv and value not in codes:
                value = csv_code(value)  # a CSV number in a category column is its code
            out.append(category_code(value, schema, index))
        elif from_csv and isinstance(value, str):
            out.append(_csv_number(value, name))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise Rejection(400, "invalid_value", f"feature {name!r} takes a number, got {value!r}")
        else:
            try:
                out.append(float(value))
            except OverflowError:
                raise Rejection(
                    400, "invalid_value", f"feature {name!r}: {value} is beyond float32"
                ) from None
    return out


def _csv_number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise Rejection(
            400, "invalid_value", f"feature {name!r} takes a number, got {text!r}"
        ) from None
    if not math.isfinite(value):
        raise Rejection(
            400,
            "invalid_value",
            f"feature {name!r}: {text!r} is not a number (leave the field empty for missing)",
        )
    return value
