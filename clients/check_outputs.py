"""Fail unless a deploy wrote the outputs the next commands need (`make deploy` runs it).

    python -m clients.check_outputs [--outputs-file cdk-outputs.json] [--stack-name S]

Exits 0 and prints the endpoint name when the outputs file names one; else 1 with why. A deploy
that reports success without its outputs (an empty `{}`, a missing file) is a failed deploy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from clients.cli import Expected, UsageError, run_command
from clients.outputs_file import DEFAULT_OUTPUTS_FILE
from clients.target import resolve_endpoint_name

# Here a usage error is the deploy's failure, not the caller's: exit 1, saying so.
NO_OUTPUTS = Expected(errors=(UsageError,), prefix="the deploy wrote no usable outputs: ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clients.check_outputs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--outputs-file", type=Path, default=DEFAULT_OUTPUTS_FILE)
    parser.add_argument("--stack-name")
    args = parser.parse_args(argv)
    return run_command(lambda: _check(args.outputs_file, args.stack_name), NO_OUTPUTS)


def _check(outputs_file: Path, stack_name: str | None) -> int:
    name = resolve_endpoint_name(
        endpoint_name=None, outputs_file=outputs_file, stack_name=stack_name
    )
    print(f"outputs: {outputs_file} (endpoint {name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
