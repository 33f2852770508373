"""What every client command shares: its usage error, reading a JSON input, and how it ends.

A command ends with its result, or with one line on stderr and an exit code: a `UsageError`
(something the caller must pass or deploy first) exits 2; a failed invocation prints the answer
as a success would, then its summary, and exits 1; each command names the other errors it
expects (AWS, the network) and the words that introduce them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from clients.errors import InvocationError

USAGE_EXIT = 2
FAILED_EXIT = 1
AWS_ERRORS: tuple[type[Exception], ...] = (BotoCoreError, ClientError)


class UsageError(Exception):
    """A missing or malformed input; the message is one line a person can act on."""


@dataclass(frozen=True, kw_only=True)
class Expected:
    """Errors a command reports as `error: <prefix><the error>` and exits with `exit_code`."""

    errors: tuple[type[Exception], ...]
    prefix: str = ""
    exit_code: int = FAILED_EXIT


USAGE = Expected(errors=(UsageError,), exit_code=USAGE_EXIT)


def read_json(path: Path, *, what: str) -> Any:
    """The file's JSON; a UsageError naming `what` (an outputs file, a model card) if unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {what} {path}: {exc}") from None


def run_command(command: Callable[[], int], *expected: Expected) -> int:
    """`command()`'s exit code; an error it may raise becomes one stderr line and its code.

    The first `Expected` that matches wins; a usage error not listed exits 2 as `USAGE` says.
    """
    try:
        return command()
    except InvocationError as exc:
        print(f"{exc.status} {exc.body}")
        if exc.url is not None:
            print(f"Invoke URL: {exc.url}")
        print(f"error: {exc.summary()}", file=sys.stderr)
        return FAILED_EXIT
    except Exception as exc:
        for each in (*expected, USAGE):
            if isinstance(exc, each.errors):
                print(f"error: {each.prefix}{exc}", file=sys.stderr)
                return each.exit_code
        raise
