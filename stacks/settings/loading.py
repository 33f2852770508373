"""Reading settings: a config file's JSON, then one validation that reports every problem."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from stacks.settings.endpoint import EndpointSettings
from stacks.settings.errors import ConfigError, config_error, problems_of

SETTING_KEYS = tuple(EndpointSettings.model_fields)


def read_config_file(path: Path) -> dict[str, object]:
    """A whole environment's settings, as teams keep one JSON file per stage.

    Anything that stops the file being read is a one-line ConfigError naming the file; its
    keys and values are checked by `load_settings`, with everything else.
    """
    name = repr(str(path))
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config: file {name} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"config: {name} is a directory, not a JSON file") from None
    except UnicodeDecodeError as err:
        raise ConfigError(
            f"config: file {name} is not UTF-8 text (byte {err.object[err.start]:#04x} "
            f"at offset {err.start})"
        ) from None
    except OSError as err:
        raise ConfigError(f"config: cannot read file {name}: {err.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(
            f"config: file {name} is not valid JSON: {err.msg} at line {err.lineno} "
            f"column {err.colno}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"config: file {name} must hold a JSON object of settings; it holds "
            f"{type(data).__name__ if data is not None else 'null'}"
        )
    return data


def load_settings(values: Mapping[str, object]) -> EndpointSettings:
    """Validate raw settings (missing keys take defaults); raise ConfigError listing all problems.

    One validation finds every invalid value and every rule broken by valid ones
    (`stacks.settings.combinations`).
    """
    raw = dict(values)
    try:
        return EndpointSettings.model_validate(raw)
    except ValidationError as err:
        raise config_error(problems_of(err, raw, EndpointSettings)) from None
