"""Typed, validated settings for the endpoint stack.

`app.py` collects raw values (cdk.json context, `-c key=value`, an optional `-c config=file.json`)
and calls `load_settings` once. Every bad value is reported together, each naming the key, what is
allowed and what was given, so a typo fails `cdk synth` instead of a deploy twenty minutes later.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from stacks.public_api_settings import PublicApiSettings, parse_public_api
from stacks.settings_base import ConfigError, Parser, Problems, as_integer, boolean, int_range
from stacks.settings_options import (
    MAX_INSTANCE_COUNT,
    AlarmSettings,
    AutoscalingSettings,
    DataCaptureSettings,
    DeploymentSettings,
    ServerlessSettings,
    VpcSettings,
    parse_alarms,
    parse_autoscaling,
    parse_data_capture,
    parse_deployment,
    parse_kms,
    parse_serverless,
    parse_vpc,
)
from stacks.settings_rules import check_combinations

__all__ = ["SETTING_KEYS", "ConfigError", "EndpointSettings", "load_settings", "read_config_file"]

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
    "g4dn", "g5", "g6", "g6e", "p3", "p4d", "p4de", "p5", "p5e", "inf1", "inf2", "trn1", "trn1n",
)  # fmt: skip
INSTANCE_SIZES = (
    "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "9xlarge", "12xlarge",
    "16xlarge", "18xlarge", "24xlarge", "32xlarge", "48xlarge", "metal",
)  # fmt: skip

# SageMaker's own pattern for endpoint and variant names.
_SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
# CloudFormation's pattern for stack names.
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")


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
    # Production options: all off by default (see README "Configuration options").
    serverless: ServerlessSettings | None = None
    autoscaling: AutoscalingSettings | None = None
    deployment: DeploymentSettings | None = None
    alarms: AlarmSettings | None = None
    dashboard: bool = False
    data_capture: DataCaptureSettings | None = None
    kms: str | None = None  # None, "create", or a key ARN to import
    network_isolation: bool = False
    vpc: VpcSettings | None = None
    public_api: PublicApiSettings | None = None  # API Gateway POST /predict (off)


def _parse_retention(key: str, value: object, problems: Problems) -> int | None:
    number = as_integer(value)
    if number not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        problems.add(key, f"one of {allowed} (days)", value)
        return None
    return number


def _parse_name(pattern: re.Pattern[str], description: str, *, optional: bool = False) -> Parser:
    def parse(key: str, value: object, problems: Problems) -> str | None:
        if optional and value in (None, ""):
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            problems.add(key, description, value)
            return None
        return value

    return parse


def _parse_instance_type(key: str, value: object, problems: Problems) -> str | None:
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


def _parse_artifact(key: str, value: object, problems: Problems) -> str | None:
    if not isinstance(value, str) or not value.endswith(".tar.gz"):
        problems.add(key, "a path to a .tar.gz file", value)
        return None
    return value


# One parser per setting. A new option adds a field to EndpointSettings and one line here (its
# parser may live in its own module); rules across settings go to stacks/settings_rules.py.
_PARSERS: dict[str, Parser] = {
    "stack_name": _parse_name(_STACK_NAME, "a CloudFormation stack name ([A-Za-z][A-Za-z0-9-]*)"),
    "model_artifact": _parse_artifact,
    "endpoint_name": _parse_name(
        _SAGEMAKER_NAME,
        "a SageMaker endpoint name (letters, digits, hyphens; at most 63) or nothing",
        optional=True,
    ),
    "instance_type": _parse_instance_type,
    "instance_count": int_range(1, MAX_INSTANCE_COUNT),
    "variant_name": _parse_name(_SAGEMAKER_NAME, "a SageMaker variant name"),
    "log_retention_days": _parse_retention,
    "serverless": parse_serverless,
    "autoscaling": parse_autoscaling,
    "deployment": parse_deployment,
    "alarms": parse_alarms,
    "dashboard": boolean,
    "data_capture": parse_data_capture,
    "kms": parse_kms,
    "network_isolation": boolean,
    "vpc": parse_vpc,
    "public_api": parse_public_api,
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
    problems = Problems()
    parsed: dict[str, Any] = {}
    for key in SETTING_KEYS:
        if key in values and values[key] is not None:
            parsed[key] = _PARSERS[key](key, values[key], problems)
    # Rules across settings run on whatever parsed, so one message holds every problem.
    settings = EndpointSettings(**{k: v for k, v in parsed.items() if v is not None})
    check_combinations(settings, problems)
    problems.raise_if_any()
    return settings
