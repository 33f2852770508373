"""Request bodies to a float32 batch, or to ``Pending`` rows that need the model's schema.

One decoder per media type in ``DECODERS``: a new content type is one entry. A decoder takes the
body (``str`` only for exactly ``application/json`` or ``text/csv``, else ``bytes``) and the
content type's parameters, and raises ``Rejection`` for a bad body.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import numpy as np

from xgb_content_types import CSV, JSON, JSONLINES, NPY, parse_media_type
from xgb_errors import Rejection
from xgb_npy import read_npy
from xgb_rows import Pending, as_batch

Decoded = np.ndarray | Pending


def decode(body: str | bytes, content_type: str | None) -> Decoded:
    """The body decoded by its content type (``application/json`` when none is given)."""
    media_type, params = parse_media_type(content_type or JSON)
    decoder = DECODERS.get(media_type)
    if decoder is None:
        raise Rejection(
            415,
            "unsupported_content_type",
            f"content type {content_type!r} is not supported; use one of: {', '.join(DECODERS)}",
        )
    return decoder(body, params)


def _text(body: str | bytes, params: dict[str, str]) -> str:
    """Text of a body that may arrive as bytes, honouring a charset parameter."""
    if isinstance(body, str):
        return body
    charset = params.get("charset", "utf-8")
    try:
        return bytes(body).decode(charset)
    except LookupError:
        raise Rejection(
            415, "unsupported_charset", f"charset {charset!r} is not supported"
        ) from None
    except UnicodeDecodeError:
        raise Rejection(400, "invalid_encoding", f"body is not valid {charset}") from None


def _decode_json(body: str | bytes, params: dict[str, str]) -> Decoded:
    """``{"instances": rows}``, ``{"features": row}`` or a bare row / list of rows."""
    text = _text(body, params)
    try:
        document = _JSON_DECODER.decode(text)
    except _ConstantRefused as error:
        raise Rejection(400, "invalid_value", str(error)) from None
    except (ValueError, RecursionError) as error:
        raise Rejection(400, "invalid_json", f"body is not valid JSON: {error}") from None
    rows, ndim = _json_rows(document)
    # numpy would read true/false as 1/0; look for booleans only when the text can hold one,
    # so the usual all-number body skips the per-value walk.
    if ("true" in text or "false" in text) and _holds_bool(rows):
        raise Rejection(400, "invalid_value", "values must be numbers, not booleans")
    try:
        array = np.asarray(rows)
    except (ValueError, TypeError, OverflowError):
        raise Rejection(
            400, "invalid_shape", "rows must be lists of numbers of equal length"
        ) from None
    if array.dtype.kind in "OUS" and array.ndim >= 1:  # named rows, strings, nulls
        return Pending(rows, ndim, from_csv=False)
    if ndim is not None and array.ndim != ndim and array.size > 0:
        key, wanted = ("instances", "a list of rows") if ndim == 2 else ("features", "one row")
        raise Rejection(400, "invalid_shape", f"'{key}' must be {wanted} of numbers")
    return as_batch(array)


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
            raise Rejection(400, "invalid_shape", "use either 'instances' or 'features', not both")
        if "instances" in document:
            return document["instances"], 2
        if "features" in document:
            return document["features"], 1
        raise Rejection(
            400,
            "invalid_shape",
            "JSON object needs 'instances' (a list of rows) or 'features' (one row)",
        )
    if isinstance(document, list):
        return document, None
    raise Rejection(
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


def _decode_csv(body: str | bytes, params: dict[str, str]) -> Decoded:
    """Rows of comma-separated values; numpy's C reader parses all-number bodies, and anything
    else (a header row, empty fields, category strings) waits for the model's schema."""
    text = _text(body, params)
    if not text.strip():
        raise Rejection(400, "empty_batch", "no rows to predict")
    # One line (the usual 1-row request): a list skips StringIO's setup, half the parse cost.
    lines: io.StringIO | list[str] = io.StringIO(text) if "\n" in text else [text]
    try:
        array = np.loadtxt(lines, delimiter=",", dtype=np.float64, ndmin=2, comments=None)
    except ValueError as error:
        # numpy appends advice about `usecols` that means nothing to a client.
        reason = str(error).split(";")[0].rstrip(".")
        if "could not convert string" not in reason:
            raise Rejection(400, "invalid_csv", f"body is not CSV of numbers: {reason}") from None
    else:
        return as_batch(array)
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if row]
    except csv.Error as error:
        raise Rejection(400, "invalid_csv", f"body is not valid CSV: {error}") from None
    if len({len(row) for row in rows}) > 1:
        raise Rejection(400, "invalid_csv", "body is not valid CSV: rows differ in length")
    return Pending(rows, 2, from_csv=True)


def _decode_npy(body: str | bytes, params: dict[str, str]) -> Decoded:
    """NaN is a missing value in .npy, the one format that cannot send null."""
    return as_batch(read_npy(body), allow_nan=True)


def _decode_jsonlines(body: str | bytes, params: dict[str, str]) -> Decoded:
    """One row per line, a JSON list (positional) or object (named); blank lines are skipped.
    The lines are parsed as one JSON array (a single C call); only a failure walks them one
    by one, to name the bad line."""
    text = _text(body, params)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise Rejection(400, "empty_batch", "no rows to predict")
    try:
        rows = _JSON_DECODER.decode("[" + ",".join(lines) + "]")
    except (ValueError, RecursionError):
        rows = [_jsonlines_row(line, number) for number, line in enumerate(lines)]
    for number, row in enumerate(rows):
        if not isinstance(row, list | dict):
            raise Rejection(
                400,
                "invalid_shape",
                f"line {number} must be a JSON list or object (one row), got {_json_type(row)}",
            )
    if ("true" in text or "false" in text) and _holds_bool(rows):
        raise Rejection(400, "invalid_value", "values must be numbers, not booleans")
    if isinstance(rows[0], list):
        try:
            array = np.asarray(rows)
        except (ValueError, TypeError, OverflowError):
            array = None
        if array is not None and array.ndim == 2 and array.dtype.kind in "fiu":
            return as_batch(array)
    return Pending(rows, 2, from_csv=False)


def _jsonlines_row(line: str, number: int) -> object:
    try:
        return _JSON_DECODER.decode(line)
    except _ConstantRefused as error:
        raise Rejection(400, "invalid_value", f"line {number}: {error}") from None
    except (ValueError, RecursionError) as error:
        raise Rejection(400, "invalid_json", f"line {number} is not valid JSON: {error}") from None


# In the order the 415 message lists them.
DECODERS: dict[str, Callable[[str | bytes, dict[str, str]], Decoded]] = {
    JSON: _decode_json,
    CSV: _decode_csv,
    NPY: _decode_npy,
    JSONLINES: _decode_jsonlines,
}
