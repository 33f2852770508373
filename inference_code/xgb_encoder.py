"""Predictions to a response body, in the best type the Accept header allows.

One entry per media type in ``ENCODERS``: how it writes one value per row (binary,
regression) and how it writes multiclass ``Classes``. A new answer type is one entry; the
table's order is the server's preference when the Accept header ranks types equally (``*/*``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from xgb_content_types import CSV, JSON, JSONLINES, NPY, parse_media_type
from xgb_errors import Rejection
from xgb_npy import write_npy
from xgb_schema import Classes


def encode(prediction: np.ndarray | Classes, accept: str | None) -> tuple[str | bytes, str]:
    """``(body, mimetype)``; a Rejection (406) when no type we write is acceptable."""
    chosen = negotiate(accept)
    if chosen is None:
        raise Rejection(
            406,
            "unsupported_accept",
            f"Accept {accept!r} is not supported; use one of: {', '.join(ENCODERS)}",
        )
    encoding = ENCODERS[chosen]
    if isinstance(prediction, Classes):
        return encoding.classes(prediction, accept), chosen
    return encoding.values(prediction), chosen


def negotiate(accept: str | None) -> str | None:
    """Best supported type for an Accept header with q-values and wildcards, None if none.

    Each supported type takes the q of its most specific matching range; ties go to the range
    the client listed first, then to the order of ``ENCODERS``.
    """
    if accept is None or not accept.strip():
        return JSON
    if accept in ENCODERS:  # the usual exact type: no parsing (a few µs per 1-row request)
        return accept
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate(accept.split(",")):
        media_range, params = parse_media_type(part)
        try:
            quality = float(params.get("q", "1"))
        except ValueError:
            continue
        if media_range and 0.0 <= quality <= 1.0:
            ranges.append(("*/*" if media_range == "*" else media_range, quality, position))
    best: str | None = None
    best_key: tuple[float, int, int, int] | None = None
    for preference, offered in enumerate(ENCODERS):
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


def _values_json(prediction: np.ndarray) -> str:
    return json.dumps({"predictions": prediction.tolist()})


def _values_csv(prediction: np.ndarray) -> str:
    """One probability per line; ``map`` over ``tolist()`` keeps the loop in C."""
    return "\n".join(map(repr, prediction.tolist())) + "\n"


def _classes_json(answer: Classes, accept: str | None) -> str:
    """``{"predictions": [{"predicted_label": L, "probabilities": {label: p, ...}}, ...]}``."""
    labels = answer.labels
    best = answer.probabilities.argmax(axis=1).tolist()
    rows = answer.probabilities.tolist()
    predictions = [
        {"predicted_label": labels[b], "probabilities": dict(zip(labels, row, strict=True))}
        for b, row in zip(best, rows, strict=True)
    ]
    return json.dumps({"predictions": predictions})


def _classes_csv(answer: Classes, accept: str | None) -> str:
    """A header ``predicted_label,<label>,...`` then one line per row: label, probabilities.
    A batch transform wants one line per record: ``header=absent`` leaves the header out
    (docs/batch-transform.md)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if not (accept and "header=absent" in accept):
        writer.writerow(["predicted_label", *answer.labels])
    best = answer.probabilities.argmax(axis=1).tolist()
    for b, row in zip(best, answer.probabilities.tolist(), strict=True):
        writer.writerow([answer.labels[b], *map(repr, row)])
    return buffer.getvalue()


def _classes_npy(answer: Classes, accept: str | None) -> bytes:
    """The float32 probabilities, rows x classes, columns in label order (the card's labels)."""
    return write_npy(answer.probabilities)


def _classes_jsonlines(answer: Classes, accept: str | None) -> str:
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


class Encoding(NamedTuple):
    """How one media type writes each kind of prediction."""

    values: Callable[[np.ndarray], str | bytes]
    classes: Callable[[Classes, str | None], str | bytes]


# In the server's order of preference, which is also the order the 406 message lists them.
ENCODERS: dict[str, Encoding] = {
    JSON: Encoding(_values_json, _classes_json),
    CSV: Encoding(_values_csv, _classes_csv),
    NPY: Encoding(write_npy, _classes_npy),
    # A number per line is a JSON document per line: the CSV encoder's text, same values.
    JSONLINES: Encoding(_values_csv, _classes_jsonlines),
}
