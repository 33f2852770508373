"""What a client calls and with what: endpoint name, rows, region and payload format.

Each value has one explicit flag and one fallback a deploy leaves behind (the CDK outputs file,
the built model card, the AWS environment), so `make predict` after `make deploy` needs no flags.
Anything that cannot be resolved is a `UsageError`: the tools print its one line and exit 2.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from clients.cli import UsageError, read_json
from clients.outputs_file import DEFAULT_OUTPUTS_FILE, outputs_with, select_stack
from clients.rows import resolve_rows
from constants import ENDPOINT_NAME_OUTPUT

DEFAULT_MODEL_CARD = Path("build/model-card.json")
FORMATS = ("json", "npy")


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
    outputs = outputs_with(
        outputs_file,
        stack_name=stack_name,
        needs=ENDPOINT_NAME_OUTPUT,
        missing=f"no endpoint name: pass --endpoint-name or deploy with "
        f"--outputs-file {outputs_file} (file not found)",
    )
    return str(outputs[ENDPOINT_NAME_OUTPUT])


def resolve_stack_name(*, stack_name: str | None, outputs_file: Path, default: str) -> str:
    """--stack-name, else the outputs file's one stack with an endpoint, else `default`."""
    if stack_name:
        return stack_name
    if not outputs_file.is_file():
        return default
    chosen = select_stack(outputs_file, stack_name=None, needs=ENDPOINT_NAME_OUTPUT)
    return chosen[0] if chosen else default


def read_card(model_card: Path) -> dict[str, Any] | None:
    """The model card, or None when there is none (labels are then not printed)."""
    if not model_card.is_file():
        return None
    card = read_json(model_card, what="model card")
    return card if isinstance(card, dict) else None


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
