"""Fail unless a deploy wrote the outputs the next commands need (`make deploy` runs it).

    python -m clients.check_outputs [--outputs-file cdk-outputs.json] [--stack-name S]

Exits 0 and prints the endpoint name when the outputs file names one; else 1 with why. A deploy
that reports success without its outputs (an empty `{}`, a missing file) is a failed deploy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from clients.target import UsageError, resolve_endpoint_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clients.check_outputs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--outputs-file", type=Path, default=Path("cdk-outputs.json"))
    parser.add_argument("--stack-name")
    args = parser.parse_args(argv)
    try:
        name = resolve_endpoint_name(
            endpoint_name=None, outputs_file=args.outputs_file, stack_name=args.stack_name
        )
    except UsageError as exc:
        print(f"error: the deploy wrote no usable outputs: {exc}", file=sys.stderr)
        return 1
    print(f"outputs: {args.outputs_file} (endpoint {name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
