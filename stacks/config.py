"""Typed, validated settings for the endpoint stack.

`app.py` collects raw values (cdk.json context, `-c key=value`, an optional `-c config=file.json`)
and calls `load_settings` once. Every bad value is reported together, each naming the key, what is
allowed and what was given, so a typo fails `cdk synth` instead of a deploy twenty minutes later.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# Families SageMaker real-time hosting offers (ml.<family>.<size>); a typo gets a suggestion.
INSTANCE_FAMILIES = (
    "t2", "t3", "m4", "m5", "m5d", "m6i", "m6id", "m6g", "m6gd", "m7i", "m7g",
    "c4", "c5", "c5d", "c6i", "c6id", "c6g", "c6gd", "c6gn", "c7i", "c7g",
    "r5", "r5d", "r6i", "r6id", "r6g", "r6gd", "r7i", "r7g", "r8g",
    "g4dn", "g5", "g6", "g6e", "p3", "p4d", "p5", "inf1", "inf2", "trn1",
)  # fmt: skip
INSTANCE_SIZES = (
    "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "9xlarge", "12xlarge",
    "16xlarge", "18xlarge", "24xlarge", "32xlarge", "48xlarge", "metal",
)  # fmt: skip

# SageMaker's own pattern for endpoint and variant names.
_SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
# CloudFormation's pattern for stack names.
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")

MAX_INSTANCE_COUNT = 20


class ConfigError(ValueError):
    """One or more settings are invalid; the message lists each."""


@dataclass(frozen=True, kw_only=True)
class EndpointSettings:
    """What one deployment of the endpoint looks like. Defaults are the cheap, safe choice."""

    stack_name: str = "SagemakerXgbEndpoint"
    model_artifact: str = "build/model.tar.gz"
    endpoint_name: str | None = None  # None: named after the stack
    instance_type: str = "ml.m5.large"
    instance_count: int = 1
    variant_name: str = "AllTraffic"
    log_retention_days: int = 30


def _quote(value: object) -> str:
    return json.dumps(value) if not isinstance(value, str) else repr(value)


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, key: str, allowed: str, given: object) -> None:
        self.messages.append(f"{key}: allowed {allowed}; given {_quote(given)}")


def _integer(value: object) -> int | None:
    """Context from `-c key=3` arrives as a string; JSON and cdk.json give ints."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value)
    return None


def _parse_int_range(lo: int, hi: int) -> Callable[[str, object, _Problems], Any]:
    def parse(key: str, value: object, problems: _Problems) -> int | None:
        number = _integer(value)
        if number is None or not lo <= number <= hi:
            problems.add(key, f"an integer from {lo} to {hi}", value)
            return None
        return number

    return parse


def _parse_retention(key: str, value: object, problems: _Problems) -> int | None:
    number = _integer(value)
    if number not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        problems.add(key, f"one of {allowed} (days)", value)
        return None
    return number


def _parse_name(
    pattern: re.Pattern[str], description: str, *, optional: bool = False
) -> Callable[[str, object, _Problems], Any]:
    def parse(key: str, value: object, problems: _Problems) -> str | None:
        if optional and value in (None, ""):
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            problems.add(key, description, value)
            return None
        return value

    return parse


def _parse_instance_type(key: str, value: object, problems: _Problems) -> str | None:
    allowed = "ml.<family>.<size>, e.g. ml.m5.large, with a family SageMaker hosts"
    if not isinstance(value, str):
        problems.add(key, allowed, value)
        return None
    parts = value.split(".")
    known = len(parts) == 3 and parts[1] in INSTANCE_FAMILIES and parts[2] in INSTANCE_SIZES
    if known and parts[0] == "ml":
        return value
    candidates = [f"ml.{f}.{s}" for f in INSTANCE_FAMILIES for s in INSTANCE_SIZES]
    close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.8)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    problems.add(key, allowed + hint, value)
    return None


def _parse_artifact(key: str, value: object, problems: _Problems) -> str | None:
    if not isinstance(value, str) or not value.endswith(".tar.gz"):
        problems.add(key, "a path to a .tar.gz file", value)
        return None
    return value


_PARSERS: dict[str, Callable[[str, object, _Problems], Any]] = {
    "stack_name": _parse_name(_STACK_NAME, "a CloudFormation stack name ([A-Za-z][A-Za-z0-9-]*)"),
    "model_artifact": _parse_artifact,
    "endpoint_name": _parse_name(
        _SAGEMAKER_NAME,
        "a SageMaker endpoint name (letters, digits, hyphens; at most 63) or nothing",
        optional=True,
    ),
    "instance_type": _parse_instance_type,
    "instance_count": _parse_int_range(1, MAX_INSTANCE_COUNT),
    "variant_name": _parse_name(_SAGEMAKER_NAME, "a SageMaker variant name"),
    "log_retention_days": _parse_retention,
}

SETTING_KEYS = tuple(f.name for f in fields(EndpointSettings))
assert set(SETTING_KEYS) == set(_PARSERS), "every setting needs a parser"


def read_config_file(path: Path) -> dict[str, object]:
    """A whole environment's settings, as teams keep one JSON file per stage."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"config: file {str(path)!r} does not exist") from None
    except json.JSONDecodeError as err:
        raise ConfigError(f"config: file {str(path)!r} is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config: file {str(path)!r} must hold a JSON object of settings")
    unknown = sorted(set(data) - set(SETTING_KEYS))
    if unknown:
        raise ConfigError(
            f"config: file {str(path)!r} has unknown keys {', '.join(unknown)}; "
            f"allowed keys: {', '.join(SETTING_KEYS)}"
        )
    return data


def load_settings(values: Mapping[str, object]) -> EndpointSettings:
    """Parse raw settings (missing keys take defaults); raise ConfigError listing all problems."""
    problems = _Problems()
    parsed: dict[str, Any] = {}
    for key in SETTING_KEYS:
        if key in values and values[key] is not None:
            parsed[key] = _PARSERS[key](key, values[key], problems)
    if problems.messages:
        raise ConfigError("Invalid configuration:\n  - " + "\n  - ".join(problems.messages))
    return EndpointSettings(**parsed)
