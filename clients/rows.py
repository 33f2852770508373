"""The rows a client sends: `--rows` (JSON, or a CSV file with a header), else the model card's
sample rows; one row or a non-empty list of rows, positional or named, checked before sending.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from clients.cli import UsageError, read_json


def resolve_rows(*, rows_json: str | None, model_card: Path, named: bool = True) -> list[Any]:
    """--rows (JSON or a CSV file with a header), else the card's sample rows: by name, or
    positional with ``named=False`` (the public API's request model takes positional rows)."""
    if rows_json is not None and rows_json.strip().lower().endswith(".csv"):
        return _csv_rows(Path(rows_json))
    if rows_json is not None:
        try:
            value = json.loads(rows_json)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--rows is not valid JSON: {exc}") from None
        return _as_rows(value, source="--rows")
    if not model_card.is_file():
        raise UsageError(
            f"no rows: pass --rows '[...]' or build the model first ({model_card} not found)"
        )
    card = read_json(model_card, what="model card")
    sample = card.get("sample") if isinstance(card, dict) else None
    if named and isinstance(sample, dict) and "rows" in sample:
        return _as_rows(sample["rows"], source=f"{model_card} sample.rows")
    try:
        instances = card["sample"]["instances"]
    except (KeyError, TypeError):
        raise UsageError(f"{model_card} has no sample.instances") from None
    return _as_rows(instances, source=f"{model_card} sample.instances")


def _csv_rows(path: Path) -> list[Any]:
    """Named rows from a CSV file with a header: numbers where they parse, empty = missing."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            records = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"cannot read --rows file {path}: {exc}") from None
    rows = [{name: _csv_value(value) for name, value in record.items()} for record in records]
    return _as_rows(rows, source=str(path))


def _csv_value(text: str | None) -> Any:
    if text is None or text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _as_rows(value: Any, *, source: str) -> list[Any]:
    """One row or a non-empty list of rows; a row is a list of values (numbers, category
    strings, null for missing) or an object of feature name to value."""
    if isinstance(value, dict) and "instances" in value:
        raise UsageError(
            f"{source}: give the rows themselves (a row or a non-empty list of rows), "
            "not an 'instances' object"
        )
    if isinstance(value, dict) or (
        isinstance(value, list) and value and all(_is_value(x) for x in value)
    ):
        value = [value]
    if not isinstance(value, list) or not value:
        raise UsageError(f"{source}: expected a row or a non-empty list of rows")
    for index, row in enumerate(value):
        cells = list(row.values()) if isinstance(row, dict) else row
        if not isinstance(row, list | dict) or not row or not all(_is_value(x) for x in cells):
            raise UsageError(
                f"{source}: row {index} is not a non-empty list or object of numbers, "
                "strings or null"
            )
        if isinstance(row, dict) and not all(isinstance(k, str) and k for k in row):
            raise UsageError(f"{source}: row {index} has an empty feature name")
    positional = [row for row in value if isinstance(row, list)]
    if len({len(row) for row in positional}) > 1:
        raise UsageError(f"{source}: rows differ in length")
    return [_number_floats(row) for row in value]


def _is_value(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return value is None or isinstance(value, int | float | str)


def _number_floats(row: Any) -> Any:
    """Numbers as floats (the handler reads 1 and 1.0 alike); strings and null unchanged."""
    if isinstance(row, dict):
        return {k: float(v) if isinstance(v, int | float) else v for k, v in row.items()}
    return [float(v) if isinstance(v, int | float) else v for v in row]
