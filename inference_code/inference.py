"""Script-mode handler for sagemaker-xgboost:3.2-0: JSON, CSV and .npy in, predictions out.

Serves binary (probability of the second label), multiclass (label and probabilities by label
name) and regression (the value) boosters. The model's schema travels inside ``xgboost-model``:
feature names, types and training categories are XGBoost's own; class labels are the booster
attribute ``class_labels``. Rows come positional or by feature name; JSON ``null``, an empty
CSV field or a NaN in .npy means "missing" (XGBoost's native handling). A categorical feature
takes the category's string, or its code (index in the training categories, the only form
.npy can carry); a category unseen at training is refused, as XGBoost's own re-coding refuses
it ("Found a category not in the training set"). Send null to take the missing branch.

The container turns any exception in a hook into a 500, and only a ``flask.Response`` returned
from ``output_fn`` can carry a 4xx. So a bad request never raises here: ``input_fn`` (or
``predict_fn``) returns a ``Rejection`` that flows through to ``output_fn``, which answers with
its status and a JSON body ``{"error": ..., "message": ...}``.

Module imports are limited to what the serving image has: stdlib, numpy and xgboost (Flask is
imported only to build an error response, pyarrow only to read a categorical model's categories).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xgboost as xgb

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"
# One JSON row per line in, one JSON answer per line out: what a batch transform job splits.
JSONLINES = "application/jsonlines"
# Server preference when the Accept header ranks several types equally (e.g. */*).
SUPPORTED_TYPES = (JSON, CSV, NPY, JSONLINES)
MODEL_FILE = "xgboost-model"
LABELS_ATTRIBUTE = "class_labels"

_SUPPORTED_LIST = ", ".join(SUPPORTED_TYPES)


class Rejection:
    """A bad request on its way to ``output_fn``, the one hook that can answer with a 4xx."""

    __slots__ = ("error", "message", "status")

    def __init__(self, status: int, error: str, message: str) -> None:
        self.status = status
        self.error = error
        self.message = message

    def __repr__(self) -> str:
        return f"Rejection({self.status}, {self.error!r}, {self.message!r})"


class _BadRequest(Exception):
    """Raised inside the decoders; ``input_fn`` turns it into a returned ``Rejection``."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.rejection = Rejection(status, error, message)


# --- hooks ---------------------------------------------------------------------------------


def model_fn(model_dir: str) -> xgb.Booster:
    """Load ``xgboost-model`` from bytes: XGBoost 3.2 guesses the format from a file's extension
    and this name has none, while loading from bytes detects JSON or UBJ by content."""
    path = Path(model_dir) / MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: model.tar.gz must hold {MODEL_FILE} at its root"
        )
    booster = xgb.Booster()
    booster.load_model(bytearray(path.read_bytes()))
    # The container already runs one worker per CPU; more threads per worker only contend.
    booster.set_param({"nthread": 1})
    _schema(booster)
    return booster


def input_fn(
    input_data: str | bytes, content_type: str | None
) -> np.ndarray | _Pending | Rejection:
    """Decode the body into a float32 2-D batch, or rows that need the model's schema (named
    rows, strings, missing values), or a ``Rejection`` saying what is wrong.

    The body is ``str`` only when the content type is exactly ``application/json`` or
    ``text/csv``; with parameters or another case it arrives as ``bytes``.
    """
    media_type, params = _parse_media_type(content_type or JSON)
    decoder = _DECODERS.get(media_type)
    if decoder is None:
        return Rejection(
            415,
            "unsupported_content_type",
            f"content type {content_type!r} is not supported; use one of: {_SUPPORTED_LIST}",
        )
    try:
        decoded = decoder(input_data, params)
        if isinstance(decoded, _Pending):
            return decoded
        return _as_batch(decoded, allow_nan=media_type == NPY)
    except _BadRequest as bad:
        return bad.rejection


def predict_fn(
    data: np.ndarray | _Pending | Rejection, model: xgb.Booster
) -> np.ndarray | _Classes | Rejection:
    """Binary: probability of the second label; regression: the value; multiclass: the
    probabilities with their labels. The feature count comes from the loaded model."""
    if isinstance(data, Rejection):
        return data
    schema = _schema(model)
    if isinstance(data, _Pending):
        try:
            batch = _resolve(data, schema)
        except _BadRequest as bad:
            return bad.rejection
    else:
        batch = data
        if batch.shape[1] != schema.count:
            return Rejection(
                400,
                "wrong_feature_count",
                f"expected {schema.count} features per row, got {batch.shape[1]}",
            )
        if schema.categorical:
            try:
                _check_codes(batch, schema)
            except _BadRequest as bad:
                return bad.rejection
    prediction = model.inplace_predict(batch)
    if schema.kind == "multiclass":
        return _Classes(prediction, schema.labels)
    return prediction


def output_fn(prediction: np.ndarray | _Classes | Rejection, accept: str | None) -> Any:
    """``(body, mimetype)`` in the best type the Accept header allows, or an error Response."""
    if isinstance(prediction, Rejection):
        return _error_response(prediction)
    chosen = _negotiate(accept)
    if chosen is None:
        return _error_response(
            Rejection(
                406,
                "unsupported_accept",
                f"Accept {accept!r} is not supported; use one of: {_SUPPORTED_LIST}",
            )
        )
    if isinstance(prediction, _Classes):
        if chosen == CSV and accept and "header=absent" in accept:
            # A batch transform wants one line per record: no header line (docs/batch-transform.md)
            return _classes_csv(prediction, header=False), chosen
        return _CLASS_ENCODERS[chosen](prediction), chosen
    return _ENCODERS[chosen](prediction), chosen


# --- decoding ------------------------------------------------------------------------------


def _parse_media_type(header: str) -> tuple[str, dict[str, str]]:
    """``'Text/CSV; charset=UTF-8'`` -> ``('text/csv', {'charset': 'UTF-8'})``."""
    media_type, *raw_params = header.split(";")
    params: dict[str, str] = {}
    for raw in raw_params:
        key, sep, value = raw.partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"')
    return media_type.strip().lower(), params


def _text(body: str | bytes, params: dict[str, str]) -> str:
    """Text of a body that may arrive as bytes, honouring a charset parameter."""
    if isinstance(body, str):
        return body
    charset = params.get("charset", "utf-8")
    try:
        return bytes(body).decode(charset)
    except LookupError:
        raise _BadRequest(
            415, "unsupported_charset", f"charset {charset!r} is not supported"
        ) from None
    except UnicodeDecodeError:
        raise _BadRequest(400, "invalid_encoding", f"body is not valid {charset}") from None


def _decode_json(body: str | bytes, params: dict[str, str]) -> np.ndarray | _Pending:
    """``{"instances": rows}``, ``{"features": row}`` or a bare row / list of rows."""
    text = _text(body, params)
    try:
        document = _JSON_DECODER.decode(text)
    except _ConstantRefused as error:
        raise _BadRequest(400, "invalid_value", str(error)) from None
    except (ValueError, RecursionError) as error:
        raise _BadRequest(400, "invalid_json", f"body is not valid JSON: {error}") from None
    rows, ndim = _json_rows(document)
    # numpy would read true/false as 1/0; look for booleans only when the text can hold one,
    # so the usual all-number body skips the per-value walk.
    if ("true" in text or "false" in text) and _holds_bool(rows):
        raise _BadRequest(400, "invalid_value", "values must be numbers, not booleans")
    try:
        array = np.asarray(rows)
    except (ValueError, TypeError, OverflowError):
        raise _BadRequest(
            400, "invalid_shape", "rows must be lists of numbers of equal length"
        ) from None
    if array.dtype.kind in "OUS" and array.ndim >= 1:  # named rows, strings, nulls
        return _Pending(rows, ndim, from_csv=False)
    if ndim is not None and array.ndim != ndim and array.size > 0:
        key, wanted = ("instances", "a list of rows") if ndim == 2 else ("features", "one row")
        raise _BadRequest(400, "invalid_shape", f"'{key}' must be {wanted} of numbers")
    return array


class _ConstantRefused(ValueError):
    """A NaN or Infinity literal: not JSON, and never a missing value (null is)."""


def _refuse_constant(name: str) -> float:
    raise _ConstantRefused(f"{name} is not a JSON number; send null for a missing value")


# NaN and Infinity are not JSON: refuse them as literals (null is the missing value).
_JSON_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _json_rows(document: object) -> tuple[object, int | None]:
    """The rows inside a JSON document and the number of dimensions its form requires."""
    if isinstance(document, dict):
        if "instances" in document and "features" in document:
            raise _BadRequest(
                400, "invalid_shape", "use either 'instances' or 'features', not both"
            )
        if "instances" in document:
            return document["instances"], 2
        if "features" in document:
            return document["features"], 1
        raise _BadRequest(
            400,
            "invalid_shape",
            "JSON object needs 'instances' (a list of rows) or 'features' (one row)",
        )
    if isinstance(document, list):
        return document, None
    raise _BadRequest(
        400, "invalid_shape", f"JSON body must be an object or a list, got {_json_type(document)}"
    )


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a string" if isinstance(value, str) else "a number"


def _holds_bool(rows: object) -> bool:
    """Whether any value in nested lists is a JSON true/false (slow path, rarely taken)."""
    pending = [rows]
    while pending:
        item = pending.pop()
        if isinstance(item, bool):
            return True
        if isinstance(item, list):
            pending.extend(item)
    return False


def _decode_csv(body: str | bytes, params: dict[str, str]) -> np.ndarray | _Pending:
    """Rows of comma-separated values; numpy's C reader parses all-number bodies, and anything
    else (a header row, empty fields, category strings) waits for the model's schema."""
    text = _text(body, params)
    if not text.strip():
        raise _BadRequest(400, "empty_batch", "no rows to predict")
    # One line (the usual 1-row request): a list skips StringIO's setup, half the parse cost.
    lines: io.StringIO | list[str] = io.StringIO(text) if "\n" in text else [text]
    try:
        return np.loadtxt(lines, delimiter=",", dtype=np.float64, ndmin=2, comments=None)
    except ValueError as error:
        # numpy appends advice about `usecols` that means nothing to a client.
        reason = str(error).split(";")[0].rstrip(".")
        if "could not convert string" not in reason:
            raise _BadRequest(400, "invalid_csv", f"body is not CSV of numbers: {reason}") from None
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if row]
    except csv.Error as error:
        raise _BadRequest(400, "invalid_csv", f"body is not valid CSV: {error}") from None
    if len({len(row) for row in rows}) > 1:
        raise _BadRequest(400, "invalid_csv", "body is not valid CSV: rows differ in length")
    return _Pending(rows, 2, from_csv=True)


def _decode_npy(body: str | bytes, params: dict[str, str]) -> np.ndarray:
    """A .npy array (what the SageMaker SDK's NumpySerializer sends), read without pickle.

    The header is checked against the body length before any allocation, and the data is
    viewed in place (no copy), so a big float32 batch costs next to nothing to decode.
    """
    if isinstance(body, str):
        raise _BadRequest(400, "invalid_npy", "application/x-npy body must be binary")
    data = bytes(body)
    shape, fortran_order, dtype, offset = _npy_header(data[: _npy_header_end(data)])
    count = math.prod(shape)
    if len(data) - offset != count * dtype.itemsize:
        raise _BadRequest(
            400,
            "invalid_npy",
            f".npy header promises {count * dtype.itemsize} bytes of data, "
            f"body has {len(data) - offset}",
        )
    if count == 0:
        return np.empty(shape, dtype=dtype)
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran_order else "C")


def _npy_header_end(data: bytes) -> int:
    """Where a .npy header ends, from the length field after the magic (the whole body when it
    cannot tell: the parser then refuses it)."""
    if len(data) >= 10 and data[6] == 1:
        return 10 + int.from_bytes(data[8:10], "little")
    if len(data) >= 12 and data[6] == 2:
        return 12 + int.from_bytes(data[8:12], "little")
    return len(data)


@functools.lru_cache(maxsize=32)
def _npy_header(prefix: bytes) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """(shape, fortran order, dtype, data offset) of a .npy header. Cached: clients send the
    same header batch after batch, and parsing it (``ast.literal_eval``) costs more than a
    1-row prediction's decoding. Refusals raise, so only valid headers are kept."""
    stream = io.BytesIO(prefix)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = _NPY_HEADER_READERS.get(version)
        if read_header is None:
            raise ValueError(f"unsupported .npy version {version[0]}.{version[1]}")
        shape, fortran_order, dtype = read_header(stream)
    except (ValueError, EOFError, SyntaxError, TypeError) as error:
        raise _BadRequest(400, "invalid_npy", f"body is not a .npy array: {error}") from None
    if dtype.hasobject:
        raise _BadRequest(400, "invalid_npy", ".npy arrays of Python objects are not accepted")
    return shape, fortran_order, dtype, stream.tell()


_NPY_HEADER_READERS: dict[tuple[int, int], Callable[[io.BytesIO], Any]] = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def _decode_jsonlines(body: str | bytes, params: dict[str, str]) -> np.ndarray | _Pending:
    """One row per line, a JSON list (positional) or object (named); blank lines are skipped.
    The lines are parsed as one JSON array (a single C call); only a failure walks them one
    by one, to name the bad line."""
    text = _text(body, params)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise _BadRequest(400, "empty_batch", "no rows to predict")
    try:
        rows = _JSON_DECODER.decode("[" + ",".join(lines) + "]")
    except (ValueError, RecursionError):
        rows = [_jsonlines_row(line, number) for number, line in enumerate(lines)]
    for number, row in enumerate(rows):
        if not isinstance(row, list | dict):
            raise _BadRequest(
                400,
                "invalid_shape",
                f"line {number} must be a JSON list or object (one row), got {_json_type(row)}",
            )
    if ("true" in text or "false" in text) and _holds_bool(rows):
        raise _BadRequest(400, "invalid_value", "values must be numbers, not booleans")
    if isinstance(rows[0], list):
        try:
            array = np.asarray(rows)
        except (ValueError, TypeError, OverflowError):
            array = None
        if array is not None and array.ndim == 2 and array.dtype.kind in "fiu":
            return array
    return _Pending(rows, 2, from_csv=False)


def _jsonlines_row(line: str, number: int) -> object:
    try:
        return _JSON_DECODER.decode(line)
    except _ConstantRefused as error:
        raise _BadRequest(400, "invalid_value", f"line {number}: {error}") from None
    except (ValueError, RecursionError) as error:
        raise _BadRequest(
            400, "invalid_json", f"line {number} is not valid JSON: {error}"
        ) from None


_DECODERS: dict[str, Callable[[str | bytes, dict[str, str]], Any]] = {
    JSON: _decode_json,
    CSV: _decode_csv,
    NPY: _decode_npy,
    JSONLINES: _decode_jsonlines,
}


def _as_batch(array: np.ndarray, *, allow_nan: bool = False) -> np.ndarray:
    """Validate once with numpy (no per-row loops) and give XGBoost a C-ordered float32 batch.
    NaN is a missing value in .npy only; JSON and CSV say "missing" with null / an empty field."""
    kind = array.dtype.kind
    if kind not in "iuf":
        raise _BadRequest(400, "invalid_value", _KIND_PROBLEMS.get(kind, "values must be numbers"))
    if array.ndim == 1:
        array = array.reshape(1, -1) if array.size else array.reshape(0, 0)
    if array.ndim != 2:
        raise _BadRequest(
            400, "invalid_shape", f"expected one row or a list of rows, got {array.ndim}-D data"
        )
    if array.shape[0] == 0:
        raise _BadRequest(400, "empty_batch", "no rows to predict")
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
        raise _BadRequest(
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


# --- the model's schema and rows that need it ------------------------------------------------


class _Schema:
    """What the booster says about its inputs and outputs, read once per worker."""

    __slots__ = ("categorical", "codes", "count", "index", "kind", "labels", "names")

    def __init__(self, booster: xgb.Booster) -> None:
        self.count = booster.num_features()
        self.names = list(booster.feature_names or [])
        types = list(booster.feature_types or [])
        self.categorical = {i for i, kind in enumerate(types) if kind == "c"}
        self.codes = _category_codes(booster) if self.categorical else {}
        self.index = {name: i for i, name in enumerate(self.names)}
        objective = json.loads(booster.save_config())["learner"]["objective"]["name"]
        self.kind = {"binary:logistic": "binary", "multi:softprob": "multiclass"}.get(
            objective, "regression"
        )
        labels = booster.attr(LABELS_ATTRIBUTE)
        self.labels = [str(label) for label in json.loads(labels)] if labels else []
        if self.kind == "multiclass" and not self.labels:
            self.labels = [
                str(i)
                for i in range(
                    booster.inplace_predict(np.zeros((1, self.count), dtype=np.float32)).shape[1]
                )
            ]


def _schema(booster: xgb.Booster) -> _Schema:
    """The booster's schema, cached on it (``model_fn`` reads it once per worker)."""
    schema = getattr(booster, "_serving_schema", None)
    if schema is None:
        schema = _Schema(booster)
        booster._serving_schema = schema  # type: ignore[attr-defined]
    return schema


class _Pending:
    """Rows that cannot become a float batch without the schema: named rows (JSON objects),
    category strings, nulls, or CSV with a header row or empty fields."""

    __slots__ = ("from_csv", "ndim", "rows")

    def __init__(self, rows: object, ndim: int | None, *, from_csv: bool) -> None:
        self.rows = rows
        self.ndim = ndim
        self.from_csv = from_csv


class _Classes:
    """Multiclass probabilities (rows x classes) and the labels of their columns."""

    __slots__ = ("labels", "probabilities")

    def __init__(self, probabilities: np.ndarray, labels: list[str]) -> None:
        self.probabilities = probabilities
        self.labels = labels


def _resolve(pending: _Pending, schema: _Schema) -> Any:
    """Columns in the model's order, checked value by value (the slow, general path)."""
    rows = pending.rows
    if isinstance(rows, list) and rows:
        nested = [isinstance(row, dict | list) for row in rows]
        if not any(nested):
            rows = [rows]  # one positional row
        elif not all(nested):
            raise _BadRequest(
                400, "invalid_value", "a row holds numbers, strings or null, not lists or objects"
            )
    elif isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list) or not rows:
        raise _BadRequest(400, "empty_batch", "no rows to predict")
    if pending.from_csv and schema.names and rows[0] and set(rows[0]) <= set(schema.names):
        header, rows = rows[0], rows[1:]
        rows = [dict(zip(header, row, strict=True)) for row in rows]
        if not rows:
            raise _BadRequest(400, "empty_batch", "no rows to predict after the header row")
    columns: list[list[Any]] = [[] for _ in range(schema.count)]
    for number, row in enumerate(rows):
        if isinstance(row, dict):
            _check_names(row, schema, number)
            values = [row[name] for name in schema.names]
        elif isinstance(row, list):
            if len(row) != schema.count:
                raise _BadRequest(
                    400,
                    "wrong_feature_count",
                    f"expected {schema.count} features per row, got {len(row)} in row {number}",
                )
            values = row
        else:
            raise _BadRequest(
                400, "invalid_shape", f"row {number} must be a list of values or an object"
            )
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    for i, column in enumerate(columns):
        columns[i] = _column(column, schema, i, from_csv=pending.from_csv)
    batch = np.ascontiguousarray(np.array(columns, dtype=np.float32).T)
    return _as_batch(batch, allow_nan=True)


def _check_names(row: dict[str, Any], schema: _Schema, number: int) -> None:
    if len(row) == schema.count and all(name in schema.index for name in row):
        return
    unknown = next((name for name in row if name not in schema.index), None)
    if unknown is not None:
        shown = ", ".join(schema.names[:5]) + (", ..." if schema.count > 5 else "")
        raise _BadRequest(
            400,
            "unknown_feature",
            f"row {number}: unknown feature {unknown!r}; the model's features are {shown}",
        )
    missing = next(name for name in schema.names if name not in row)
    raise _BadRequest(
        400,
        "missing_feature",
        f"row {number}: feature {missing!r} is missing (send null for a missing value)",
    )


def _column(values: list[Any], schema: _Schema, index: int, *, from_csv: bool) -> list[float]:
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
                value = _csv_code(value)  # a CSV number in a category column is its code
            out.append(_category_code(value, schema, index))
        elif from_csv and isinstance(value, str):
            out.append(_csv_number(value, name))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise _BadRequest(
                400, "invalid_value", f"feature {name!r} takes a number, got {value!r}"
            )
        else:
            try:
                out.append(float(value))
            except OverflowError:
                raise _BadRequest(
                    400, "invalid_value", f"feature {name!r}: {value} is beyond float32"
                ) from None
    return out


def _csv_code(text: str) -> str | float:
    try:
        return float(text)
    except ValueError:
        return text


def _csv_number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _BadRequest(
            400, "invalid_value", f"feature {name!r} takes a number, got {text!r}"
        ) from None
    if not math.isfinite(value):
        raise _BadRequest(
            400,
            "invalid_value",
            f"feature {name!r}: {text!r} is not a number (leave the field empty for missing)",
        )
    return value


def _category_codes(booster: xgb.Booster) -> dict[int, dict[str, int]]:
    """Training categories by feature index: {category: code}, XGBoost's own encoding."""
    exported = booster.get_categories(export_to_arrow=True).to_arrow() or []
    by_name = {str(name): array for name, array in exported if array is not None}
    names = list(booster.feature_names or [])
    return {
        i: {str(v): code for code, v in enumerate(by_name[name].to_pylist())}
        for i, name in enumerate(names)
        if name in by_name
    }


def _check_codes(batch: np.ndarray, schema: _Schema) -> None:
    """Numbers in a categorical column are codes: whole numbers below the category count."""
    for i in schema.categorical:
        column = batch[:, i]
        known = len(schema.codes.get(i, ()))
        present = column[~np.isnan(column)]
        bad = (present < 0) | (present >= known) | (present != np.floor(present))
        if bad.any():
            raise _BadRequest(
                400,
                "unknown_category",
                f"feature {schema.names[i]!r}: code {float(present[bad][0])!r} is not one of "
                f"the {known} training categories (send the category string, or 0..{known - 1})",
            )


def _category_code(value: Any, schema: _Schema, index: int) -> float:
    name = schema.names[index]
    codes = schema.codes.get(index, {})
    if isinstance(value, str):
        code = codes.get(value)
        if code is None:
            shown = ", ".join(list(codes)[:8]) + (", ..." if len(codes) > 8 else "")
            raise _BadRequest(
                400,
                "unknown_category",
                f"feature {name!r}: category {value!r} was not seen in training "
                f"(known: {shown}); send null for a missing value",
            )
        return float(code)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _BadRequest(
            400, "invalid_value", f"feature {name!r} takes a category string, got {value!r}"
        )
    if not (0 <= value < len(codes) and float(value).is_integer()):
        raise _BadRequest(
            400,
            "unknown_category",
            f"feature {name!r}: code {value!r} is not one of the {len(codes)} training "
            f"categories (send the category string, or 0..{len(codes) - 1})",
        )
    return float(value)


# --- encoding ------------------------------------------------------------------------------


def _negotiate(accept: str | None) -> str | None:
    """Best supported type for an Accept header with q-values and wildcards, None if none.

    Each supported type takes the q of its most specific matching range; ties go to the range
    the client listed first, then to SUPPORTED_TYPES order.
    """
    if accept is None or not accept.strip():
        return JSON
    if accept in _ENCODERS:  # the usual exact type: no parsing (a few µs per 1-row request)
        return accept
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate(accept.split(",")):
        media_range, params = _parse_media_type(part)
        try:
            quality = float(params.get("q", "1"))
        except ValueError:
            continue
        if media_range and 0.0 <= quality <= 1.0:
            ranges.append(("*/*" if media_range == "*" else media_range, quality, position))
    best: str | None = None
    best_key: tuple[float, int, int, int] | None = None
    for preference, offered in enumerate(SUPPORTED_TYPES):
        match = _most_specific_match(offered, ranges)
        if match is None or match[1] == 0.0:
            continue
        specificity, quality, position = match
        key = (quality, specificity, -position, -preference)
        if best_key is None or key > best_key:
            best, best_key = offered, key
    return best


def _most_specific_match(
    offered: str, ranges: list[tuple[str, float, int]]
) -> tuple[int, float, int] | None:
    """``(specificity, q, position)`` of the range that governs ``offered``, if any matches."""
    family_wildcard = offered.split("/")[0] + "/*"
    found: tuple[int, float, int] | None = None
    for media_range, quality, position in ranges:
        if media_range == offered:
            specificity = 2
        elif media_range == family_wildcard:
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if found is None or specificity > found[0]:
            found = (specificity, quality, position)
    return found


def _encode_json(prediction: np.ndarray) -> str:
    return json.dumps({"predictions": prediction.tolist()})


def _encode_csv(prediction: np.ndarray) -> str:
    """One probability per line; ``map`` over ``tolist()`` keeps the loop in C."""
    return "\n".join(map(repr, prediction.tolist())) + "\n"


def _encode_npy(prediction: np.ndarray) -> bytes:
    """What ``np.save`` writes for float32 values, with the header of a 1-D answer cached."""
    values = prediction.astype(_FLOAT32_LE, copy=False)
    if values.ndim == 1:
        return _npy_prefix(values.shape[0]) + values.tobytes()
    buffer = io.BytesIO()
    np.save(buffer, values, allow_pickle=False)
    return buffer.getvalue()


_FLOAT32_LE = np.dtype("<f4")


@functools.lru_cache(maxsize=32)
def _npy_prefix(length: int) -> bytes:
    buffer = io.BytesIO()
    header = {"descr": _FLOAT32_LE.str, "fortran_order": False, "shape": (length,)}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


_ENCODERS: dict[str, Callable[[np.ndarray], str | bytes]] = {
    JSON: _encode_json,
    CSV: _encode_csv,
    NPY: _encode_npy,
    # A number per line is a JSON document per line: the CSV encoder's text, same values.
    JSONLINES: _encode_csv,
}


def _classes_json(answer: _Classes) -> str:
    """``{"predictions": [{"predicted_label": L, "probabilities": {label: p, ...}}, ...]}``."""
    labels = answer.labels
    best = answer.probabilities.argmax(axis=1).tolist()
    rows = answer.probabilities.tolist()
    predictions = [
        {"predicted_label": labels[b], "probabilities": dict(zip(labels, row, strict=True))}
        for b, row in zip(best, rows, strict=True)
    ]
    return json.dumps({"predictions": predictions})


def _classes_csv(answer: _Classes, *, header: bool = True) -> str:
    """A header ``predicted_label,<label>,...`` then one line per row: label, probabilities."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(["predicted_label", *answer.labels])
    best = answer.probabilities.argmax(axis=1).tolist()
    for b, row in zip(best, answer.probabilities.tolist(), strict=True):
        writer.writerow([answer.labels[b], *map(repr, row)])
    return buffer.getvalue()


def _classes_npy(answer: _Classes) -> bytes:
    """The float32 probabilities, rows x classes, columns in label order (the card's labels)."""
    return _encode_npy(answer.probabilities)


def _classes_jsonlines(answer: _Classes) -> str:
    """One ``{"predicted_label": L, "probabilities": {...}}`` object per line, in row order."""
    labels = answer.labels
    best = answer.probabilities.argmax(axis=1).tolist()
    lines = [
        json.dumps(
            {"predicted_label": labels[b], "probabilities": dict(zip(labels, row, strict=True))}
        )
        for b, row in zip(best, answer.probabilities.tolist(), strict=True)
    ]
    return "".join(line + "\n" for line in lines)


_CLASS_ENCODERS: dict[str, Callable[[_Classes], str | bytes]] = {
    JSON: _classes_json,
    CSV: _classes_csv,
    NPY: _classes_npy,
    JSONLINES: _classes_jsonlines,
}


def _error_response(rejection: Rejection) -> Any:
    """A 4xx with a JSON body; Flask is imported here only, on the error path."""
    import flask

    body = json.dumps({"error": rejection.error, "message": rejection.message})
    return flask.Response(body, status=rejection.status, mimetype=JSON)
