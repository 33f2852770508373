"""ConfigError, and the one message it carries: every problem, each naming the key path, what
is allowed and what was given, in the words users read (never pydantic's raw dump)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from stacks.settings.describe import allowed, field_at


class ConfigError(ValueError):
    """One or more settings are invalid; the message lists each."""


def quote(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(list(value) if isinstance(value, tuple) else value)
    except TypeError:
        return repr(value)


# A rule's finding: the key path it blames (from the top) and what is wrong there.
Problem = tuple[str, str]


def refuse(problems: list[Problem]) -> None:
    """Fail the validator that found `problems`: each becomes one line of the ConfigError."""
    if problems:
        context = {"count": len(problems), "problems": problems}
        raise PydanticCustomError("conflict", "{count} settings conflict", context)


def config_error(problems: list[str]) -> ConfigError:
    return ConfigError("Invalid configuration:\n  - " + "\n  - ".join(problems))


def problems_of(
    error: ValidationError, raw: Mapping[str, object], model: type[BaseModel]
) -> list[str]:
    """One line per problem (list items folded into their list), in the order found."""
    lines: list[str] = []
    for detail in error.errors(include_url=False):
        for line in _lines(detail, raw, model):
            if line not in lines:
                lines.append(line)
    return lines


def _lines(detail: ErrorDetails, raw: Mapping[str, object], model: type[BaseModel]) -> list[str]:
    context: dict[str, Any] = dict(detail.get("ctx") or {})
    if detail["type"] == "conflict":
        return [f"{key}: {message}" for key, message in context["problems"]]
    path: list[str] = []
    for part in detail["loc"]:
        if isinstance(part, int):
            break  # an item of a list: report the whole list
        path.append(str(part))
    if not path:
        return [f"settings: {detail['msg']}"]
    key = ".".join(path)
    field, parent = field_at(model, path)
    if detail["type"] == "extra_forbidden" or field is None:
        names = list(parent.model_fields)
        close = difflib.get_close_matches(path[-1], names, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return [f"{key}: unknown key{hint}; allowed only the keys {', '.join(names)}"]
    given = quote(_given(raw, path, detail["input"]))
    if detail["type"] == "malformed_json":
        return [f"{key}: {detail['msg']}; allowed {allowed(field)}; given {given}"]
    return [f"{key}: allowed {allowed(field)}{context.get('hint', '')}; given {given}"]


def _given(raw: Mapping[str, object], path: list[str], fallback: object) -> object:
    """The value as the user wrote it (a JSON string from `-c` is looked into)."""
    value: object = raw
    for key in path:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return fallback
        if not isinstance(value, Mapping) or key not in value:
            return fallback
        value = value[key]
    return value
