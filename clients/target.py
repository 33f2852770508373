"""What a client calls and with what: endpoint name, rows, region and payload format.

Each value has one explicit flag and one fallback a deploy leaves behind (the CDK outputs file,
the built model card, the AWS environment), so `make predict` after `make deploy` needs no flags.
Anything that cannot be resolved is a `UsageError`: the tools print its one line and exit 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

DEFAULT_OUTPUTS_FILE = Path("cdk-outputs.json")
DEFAULT_MODEL_CARD = Path("build/model-card.json")
ENDPOINT_NAME_OUTPUT = "EndpointName"
FORMATS = ("json", "npy")


class UsageError(Exception):
    """A missing or malformed input; the message is one line a person can act on."""


@dataclass(frozen=True)
class Target:
    endpoint_name: str
    rows: list[Any]  # positional rows (lists) or named rows (objects)
    region: str
    payload_format: str
    card: dict[str, Any] | None = None  # the model card: feature order and class labels

    @property
    def feature_names(self) -> list[str] | None:
        names = (self.card or {}).get("feature_names")
        return list(names) if isinstance(names, list) else None


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint-name", help="endpoint to call (default: from --outputs-file)")
    add_source_arguments(parser)
    parser.add_argument("--format", dest="payload_format", choices=FORMATS, default="json")


def add_source_arguments(parser: argparse.ArgumentParser, *, rows: bool = True) -> None:
    """Where a client finds the deploy's outputs, the rows to send and the region."""
    parser.add_argument(
        "--outputs-file",
        type=Path,
        default=DEFAULT_OUTPUTS_FILE,
        help="`cdk deploy --outputs-file` JSON (default: %(default)s)",
    )
    parser.add_argument("--stack-name", help="stack to read when the outputs file has several")
    if rows:
        parser.add_argument(
            "--rows",
            help="JSON: one row or a list of rows, positional [values] or named {feature: value}; "
            "or a CSV file with a header row (named rows)",
        )
    parser.add_argument(
        "--model-card",
        type=Path,
        default=DEFAULT_MODEL_CARD,
        help="model card whose sample rows are the default rows and whose labels name the "
        "predictions (default: %(default)s)",
    )
    parser.add_argument("--region", help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION)")


def target_from_args(args: argparse.Namespace) -> Target:
    return Target(
        endpoint_name=resolve_endpoint_name(
            endpoint_name=args.endpoint_name,
            outputs_file=args.outputs_file,
            stack_name=args.stack_name,
        ),
        rows=resolve_rows(rows_json=args.rows, model_card=args.model_card),
        region=resolve_region(args.region),
        payload_format=args.payload_format,
        card=read_card(args.model_card),
    )


def resolve_endpoint_name(
    *, endpoint_name: str | None, outputs_file: Path, stack_name: str | None
) -> str:
    if endpoint_name:
        return endpoint_name
    if not outputs_file.is_file():
        raise UsageError(
            f"no endpoint name: pass --endpoint-name or deploy with "
            f"--outputs-file {outputs_file} (file not found)"
        )
    chosen = _select_stack(outputs_file, stack_name=stack_name, needs=ENDPOINT_NAME_OUTPUT)
    if chosen is not None:
        name, stack_outputs = chosen
        value = stack_outputs.get(ENDPOINT_NAME_OUTPUT)
        if isinstance(value, str) and value:
            return value
        raise UsageError(f"stack {name} in {outputs_file} has no {ENDPOINT_NAME_OUTPUT} output")
    raise UsageError(f"no stack in {outputs_file} has an {ENDPOINT_NAME_OUTPUT} output")


def resolve_stack_name(*, stack_name: str | None, outputs_file: Path, default: str) -> str:
    """--stack-name, else the outputs file's one stack with an endpoint, else `default`."""
    if stack_name:
        return stack_name
    if not outputs_file.is_file():
        return default
    outputs = _read_json(outputs_file, what="outputs file")
    names = sorted(
        name
        for name, out in (outputs.items() if isinstance(outputs, dict) else [])
        if isinstance(out, dict) and ENDPOINT_NAME_OUTPUT in out
    )
    if len(names) > 1:
        raise UsageError(
            f"{outputs_file} has several stacks ({', '.join(names)}): pass --stack-name"
        )
    return names[0] if names else default


def read_card(model_card: Path) -> dict[str, Any] | None:
    """The model card, or None when there is none (labels are then not printed)."""
    if not model_card.is_file():
        return None
    card = _read_json(model_card, what="model card")
    return card if isinstance(card, dict) else None


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
    card = _read_json(model_card, what="model card")
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


def resolve_region(region: str | None) -> str:
    resolved = (
        region
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or boto3.session.Session().region_name
    )
    if not resolved:
        raise UsageError("no region: pass --region or set AWS_REGION")
    return resolved


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


def _read_json(path: Path, *, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read {what} {path}: {exc}") from None


def read_stack_outputs(*, outputs_file: Path, stack_name: str | None, needs: str) -> dict[str, str]:
    """The outputs of the one stack in `outputs_file` that has the output `needs` (or of
    `stack_name`); a UsageError says which flag or deploy supplies it otherwise."""
    if not outputs_file.is_file():
        raise UsageError(
            f"no {needs}: pass it as a flag or deploy with --outputs-file {outputs_file}"
        )
    chosen = _select_stack(outputs_file, stack_name=stack_name, needs=needs)
    if chosen is not None:
        name, stack_outputs = chosen
        if not stack_outputs.get(needs):
            raise UsageError(
                f"stack {name} in {outputs_file} has no {needs} output "
                "(deploy with batch_transform on: docs/batch-transform.md)"
            )
        return {k: str(v) for k, v in stack_outputs.items()}
    raise UsageError(
        f"no stack in {outputs_file} has a {needs} output "
        "(deploy with batch_transform on: docs/batch-transform.md)"
    )


def _select_stack(
    outputs_file: Path, *, stack_name: str | None, needs: str
) -> tuple[str, dict[str, Any]] | None:
    """`stack_name`'s outputs, else those of the one stack that has `needs` (None if none)."""
    outputs = _read_json(outputs_file, what="outputs file")
    if not isinstance(outputs, dict) or not all(isinstance(v, dict) for v in outputs.values()):
        raise UsageError(f"{outputs_file} is not a CDK outputs file ({{stack: {{key: value}}}})")
    if stack_name is not None:
        if stack_name not in outputs:
            known = ", ".join(sorted(outputs)) or "none"
            raise UsageError(f"stack {stack_name} not in {outputs_file} (stacks: {known})")
        return stack_name, outputs[stack_name]
    candidates = {name: out for name, out in outputs.items() if needs in out}
    if len(candidates) > 1:
        names = ", ".join(sorted(candidates))
        raise UsageError(f"{outputs_file} has several stacks ({names}): pass --stack-name")
    return next(iter(candidates.items()), None)
