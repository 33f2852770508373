"""Building blocks for validated settings: the problem list and small reusable parsers.

A parser takes `(key, value, problems)`, returns the parsed value or None, and on a bad value
records one problem naming the key (nested keys as `autoscaling.max_capacity`), what is allowed
and what was given. Nothing raises until every key has been looked at.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, TypeVar

Parser = Callable[[str, object, "Problems"], Any]
T = TypeVar("T")


class ConfigError(ValueError):
    """One or more settings are invalid; the message lists each."""


def quote(value: object) -> str:
    return json.dumps(value) if not isinstance(value, str) else repr(value)


class Problems:
    """Every problem found in one load, reported together."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, key: str, allowed: str, given: object) -> None:
        self.messages.append(f"{key}: allowed {allowed}; given {quote(given)}")

    def conflict(self, key: str, message: str) -> None:
        """A valid value that clashes with another setting."""
        self.messages.append(f"{key}: {message}")

    def raise_if_any(self) -> None:
        if self.messages:
            raise ConfigError("Invalid configuration:\n  - " + "\n  - ".join(self.messages))


def as_integer(value: object) -> int | None:
    """Context from `-c key=3` arrives as a string; JSON and cdk.json give ints."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value)
    return None


def as_bool(value: object) -> bool | None:
    """JSON booleans, or `-c key=true` / `-c key=false` strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def int_range(lo: int, hi: int, unit: str = "") -> Parser:
    suffix = f" ({unit})" if unit else ""

    def parse(key: str, value: object, problems: Problems) -> int | None:
        number = as_integer(value)
        if number is None or not lo <= number <= hi:
            problems.add(key, f"an integer from {lo} to {hi}{suffix}", value)
            return None
        return number

    return parse


def boolean(key: str, value: object, problems: Problems) -> bool | None:
    flag = as_bool(value)
    if flag is None:
        problems.add(key, "true or false", value)
    return flag


def one_of(*choices: str) -> Parser:
    def parse(key: str, value: object, problems: Problems) -> str | None:
        if value not in choices:
            problems.add(key, "one of " + ", ".join(repr(c) for c in choices), value)
            return None
        return str(value)

    return parse


def option_object(cls: type[T], parsers: Mapping[str, Parser]) -> Parser:
    """An optional group of settings: a JSON object of `cls`'s fields, each with a default.

    `null`/`false` (or absent) leaves the option off; `true` or `{}` turns it on with defaults.
    A JSON string (as `-c autoscaling='{"max_capacity": 4}'` passes it) is decoded first.
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    assert set(names) == set(parsers), f"{cls.__name__}: every field needs a parser"

    def parse(key: str, value: object, problems: Problems) -> T | None:
        if isinstance(value, str):
            flag = as_bool(value)
            if flag is not None:
                value = flag
            else:
                with contextlib.suppress(json.JSONDecodeError):
                    value = json.loads(value)
        if value is False or value is None:
            return None
        if value is True:
            value = {}
        if not isinstance(value, dict):
            problems.add(key, f"an object with keys {', '.join(names)}, true or false", value)
            return None
        for unknown in sorted(set(value) - set(names)):
            problems.add(f"{key}.{unknown}", f"only the keys {', '.join(names)}", value[unknown])
        parsed: dict[str, Any] = {}
        ok = True
        for name in names:
            if name in value and value[name] is not None:
                before = len(problems.messages)
                parsed[name] = parsers[name](f"{key}.{name}", value[name], problems)
                ok = ok and len(problems.messages) == before
        if not ok or set(value) - set(names):
            return None
        return cls(**parsed)

    return parse
