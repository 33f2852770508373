"""One coercion policy for every setting, wherever the value comes from.

`-c key=value` hands the app strings; cdk.json and config files hand it JSON. Every field, at
any depth (`instance_count`, `autoscaling.max_capacity`, `public_api.rate_limit`), reads:

- an integer: a JSON integer or a string of one (`"4"`); never a boolean, `2.0` or `"2.5"`;
- a number: a JSON number or a string of one (`"2.5"`); never a boolean;
- a boolean: `true`/`false` or the strings `"true"`/`"false"` (any case); never `1`, `"yes"`;
- an option group (`serverless`, `autoscaling`, ...): an object, or a string holding a JSON
  object; `true` (or `"true"`) turns the option on with its defaults; `false`, `null`, `""`
  (or `"false"`, `"null"`) leave it off; a string that starts like JSON but does not parse
  is reported as malformed JSON;
- an optional value (`endpoint_name`, `alarms.sns_topic`, `serverless.provisioned_concurrency`):
  `null`, `"null"` or `""` mean none; `kms`, an option with a value, also takes `false`;
- `null` anywhere else means the default, as if the key were absent.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    Strict,
    model_validator,
)
from pydantic.json_schema import JsonDict, JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

T = TypeVar("T")

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_WORDS = {"true": True, "false": False, "null": None, "": None}


def whole_number(value: object) -> object:
    """`"4"` becomes 4; a boolean is refused even where 1 and 0 are allowed."""
    if isinstance(value, bool):
        raise PydanticCustomError("boolean_not_number", "a boolean is not a number")
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return value


def number(value: object) -> object:
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return float(value)
    return value


def flag(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and value.strip().lower() in ("", "null") else value


def off_or_value(value: object) -> object:
    """An on/off option with a value (`kms`): false, "false", null or "" leave it off."""
    if value is False or (isinstance(value, str) and value.strip().lower() == "false"):
        return None
    return blank_is_none(value)


def option_switch(value: object) -> object:
    """An option group: true/false/null switch it, an object (or its JSON text) configures it."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in _WORDS:
            value = _WORDS[text.lower()]
        elif text.startswith(("{", "[", '"')):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as err:
                raise PydanticCustomError(
                    "malformed_json",
                    "malformed JSON: {reason}",
                    {"reason": f"{err.msg} at line {err.lineno} column {err.colno}"},
                ) from None
    if value is True:
        return {}
    return None if value is False else value


class _AlsoBoolean:
    """The schema says what the switch accepts: the group's object, true/false or null."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        choices = json_schema.pop("anyOf", None) or [dict(json_schema)]
        return {"anyOf": [*choices, {"type": "boolean"}]}


Integer = Annotated[int, Strict(), BeforeValidator(whole_number)]
Number = Annotated[float, Strict(), BeforeValidator(number)]
Flag = Annotated[bool, Strict(), BeforeValidator(flag)]
# An integer from a fixed list (Literal[...]): strings read as above, booleans refused.
Choice = Annotated[T, BeforeValidator(whole_number)]
Blankable = Annotated[T | None, BeforeValidator(blank_is_none)]
Switchable = Annotated[T | None, BeforeValidator(off_or_value)]
OptionGroup = Annotated[T | None, BeforeValidator(option_switch), _AlsoBoolean()]


class SettingsModel(BaseModel):
    """A group of settings: frozen, unknown keys refused, `null` for a key means its default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _null_is_default(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


def setting(
    default: Any,
    description: str,
    *,
    unit: str = "",
    allowed: str = "",
    schema_pattern: str = "",
    **constraints: Any,
) -> Any:
    """`Field` with the words errors and docs use: a unit, and what is allowed where a pattern
    would not read well (`x-unit`, `x-allowed` in the JSON Schema). `schema_pattern` goes to the
    schema only, for a field whose validator checks it with a better message."""
    words = {"x-unit": unit, "x-allowed": allowed, "pattern": schema_pattern}
    extra: JsonDict = {key: text for key, text in words.items() if text}
    return Field(default, description=description, json_schema_extra=extra or None, **constraints)
