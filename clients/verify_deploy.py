"""Prove what a deploy left live; exit 1 with one line per mismatch, naming live and expected.

    python -m clients.verify_deploy [--stack-name S] [--outputs-file F] [--model-card C]

SageMaker can roll an endpoint update back on its own and leave it InService on the old
configuration, so waiting for InService proves nothing. This reads the stack from CloudFormation
and the endpoint from SageMaker, and checks: the stack's last operation completed; the stack
deployed this build's model (its ModelSha256 output against the card); the endpoint is
InService on the EndpointConfig the stack created; its production variant serves the stack's
Model, whose artefact URL and sha256 tag are this build's; and the card's sample rows get the
answer the card records (`expected_response`). Exit 0 verified, 1 mismatch, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from clients import predict
from clients.cli import AWS_ERRORS, Expected, UsageError, run_command
from clients.deploy_state import (
    EndpointState,
    NotDeployed,
    StackState,
    read_endpoint,
    read_stack,
    same_name,
)
from clients.errors import InvocationError
from clients.payload import predictions_of
from clients.target import Target, add_source_arguments, resolve_region, resolve_stack_name
from constants import (
    ENDPOINT_NAME_OUTPUT,
    MODEL_DATA_URL_OUTPUT,
    MODEL_SHA256_OUTPUT,
    STACK_NAME,
)

SETTLED_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE")
REQUIRED_CARD_FIELDS = (
    ("tarball", "sha256"),
    ("sample", "instances"),
    ("expected_response", "body"),
)


@dataclass(frozen=True)
class Check:
    what: str
    live: str
    expected: str
    ok: bool

    def line(self) -> str:
        if self.ok:
            return f"ok        {self.what}: {self.live}"
        return f"MISMATCH  {self.what}: live {self.live}; expected {self.expected}"


def check(what: str, live: object, expected: object, ok: bool) -> Check:
    return Check(what, _text(live), _text(expected), ok)


def compare(stack: StackState, endpoint: EndpointState, card: dict[str, Any]) -> list[Check]:
    """Every check that reads only the describe calls (no invocation)."""
    sha = card["tarball"]["sha256"]
    status = endpoint.status + (f" ({endpoint.failure_reason})" if endpoint.failure_reason else "")
    live_models = [m.name for m in endpoint.models]
    stack_config = stack.endpoint_config_names
    stack_url = stack.outputs.get(MODEL_DATA_URL_OUTPUT)
    return [
        check(
            "stack status",
            stack.status,
            " or ".join(SETTLED_STATUSES) + " (else the last deploy failed or rolled back)",
            stack.status in SETTLED_STATUSES,
        ),
        check(
            "stack's model sha256",
            stack.outputs.get(MODEL_SHA256_OUTPUT),
            f"{sha} (this build's card)",
            stack.outputs.get(MODEL_SHA256_OUTPUT) == sha,
        ),
        check("endpoint status", status, "InService", endpoint.status == "InService"),
        check(
            "endpoint config",
            endpoint.config_name,
            f"{_one(stack_config)} (stack {stack.name}'s EndpointConfig)",
            len(stack_config) == 1 and same_name(endpoint.config_name, stack_config[0]),
        ),
        check(
            "variant model",
            _one(live_models),
            f"{_one(stack.model_names)} (stack {stack.name}'s Model)",
            sorted(n.lower() for n in live_models) == sorted(n.lower() for n in stack.model_names),
        ),
        check(
            "model data URL",
            _one([m.model_data_url for m in endpoint.models]),
            f"{stack_url} (the stack's {MODEL_DATA_URL_OUTPUT} output)",
            bool(endpoint.models) and all(m.model_data_url == stack_url for m in endpoint.models),
        ),
        check(
            "model sha256",
            _one([m.sha256_tag for m in endpoint.models]),
            f"{sha} (this build's card)",
            bool(endpoint.models) and all(m.sha256_tag == sha for m in endpoint.models),
        ),
    ]


def check_answer(served: object, card: dict[str, Any]) -> Check:
    """The served `predictions` against the card's expected body, number by number."""
    expected = card["expected_response"]
    want = expected["body"]["predictions"]
    ok = close(served, want, float(expected["abs_tolerance"]))
    return check("sample predictions", served, f"{_text(want)} (the card)", ok)


def close(a: object, b: object, tolerance: float) -> bool:
    """Equal structure; numbers within `tolerance`; anything else exactly equal (a boolean is
    not a number: JSON tells `true` from `1`)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if _number(a) and _number(b):
        return abs(float(a) - float(b)) <= tolerance  # type: ignore[arg-type]
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, tolerance) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], tolerance) for k in a)
    return a == b


Invoke = Callable[[Target], predict.Invocation]


def verify(
    *,
    stack_name: str,
    card: dict[str, Any],
    session: boto3.session.Session,
    invoke: Invoke = predict.invoke,
) -> list[Check]:
    """All checks, or one failed check saying the stack or endpoint is not there."""
    try:
        stack = read_stack(session.client("cloudformation"), stack_name)
        endpoint_name = stack.outputs.get(ENDPOINT_NAME_OUTPUT)
        if not endpoint_name:
            return [check("endpoint", "none", f"stack {stack_name}'s EndpointName output", False)]
        endpoint = read_endpoint(session.client("sagemaker"), endpoint_name)
    except NotDeployed as exc:
        return [check("deployment", str(exc), f"stack {stack_name} and its endpoint", False)]
    checks = compare(stack, endpoint, card)
    rows = card["sample"]["instances"]
    target = Target(endpoint.name, rows, session.region_name or "", "json")
    try:
        served: object = predictions_of(invoke(target).text)
    except InvocationError as exc:
        served = f"HTTP {exc.status} {exc.summary()}"
    except ValueError as exc:
        served = str(exc)
    return [*checks, check_answer(served, card)]


def read_card(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise UsageError(f"no model card at {path}: build first (python -m model_build)")
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read model card {path}: {exc}") from None
    for section, key in REQUIRED_CARD_FIELDS:
        if not isinstance(card, dict) or key not in (card.get(section) or {}):
            raise UsageError(
                f"{path} has no {section}.{key} (a card from an older build): "
                "rebuild with python -m model_build"
            )
    return card


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clients.verify_deploy", description=__doc__.split("\n")[0]
    )
    add_source_arguments(parser, rows=False)
    args = parser.parse_args(argv)
    unreadable = Expected(errors=AWS_ERRORS, prefix="cannot read the deployment: ")
    return run_command(lambda: _verify(args), unreadable)


def _verify(args: argparse.Namespace) -> int:
    stack_name = resolve_stack_name(
        stack_name=args.stack_name, outputs_file=args.outputs_file, default=STACK_NAME
    )
    card = read_card(args.model_card)
    region = resolve_region(args.region)
    checks = verify(
        stack_name=stack_name, card=card, session=boto3.session.Session(region_name=region)
    )
    for each in checks:
        print(each.line())
    failed = [each for each in checks if not each.ok]
    if failed:
        print(f"deploy NOT verified: {len(failed)} mismatch(es) in stack {stack_name} ({region})")
        return 1
    print(f"deploy verified: stack {stack_name} serves this build's model ({region})")
    return 0


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _one(values: list[Any]) -> object:
    """A one-element list as its element: lines read `live X`, not `live ["X"]`."""
    return values[0] if len(values) == 1 else values


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value) if value is not None else "none"


if __name__ == "__main__":
    sys.exit(main())
