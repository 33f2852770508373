"""Words for a field, read from its declaration: what it allows.

Error messages and docs/configuration.md (docs_tools.settings_reference) both use these, so
they never disagree.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo


def leaves(annotation: Any) -> list[Any]:
    """The plain types inside Annotated/Optional/Union wrappers."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return leaves(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [leaf for arg in get_args(annotation) for leaf in leaves(arg)]
    return [annotation]


def group_of(field: FieldInfo) -> type[BaseModel] | None:
    """The option group's model, for a field that holds one."""
    for leaf in leaves(field.annotation):
        if isinstance(leaf, type) and issubclass(leaf, BaseModel):
            return leaf
    return None


def field_at(model: type[BaseModel], path: list[str]) -> tuple[FieldInfo | None, type[BaseModel]]:
    """The field a key path names, and the model that holds its last key."""
    field: FieldInfo | None = None
    for depth, key in enumerate(path):
        field = model.model_fields.get(key)
        if field is None:
            return None, model
        group = group_of(field)
        if group is not None and depth < len(path) - 1:
            model = group
    return field, model


def _extra(field: FieldInfo) -> dict[str, Any]:
    return field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}


def _constraint(field: FieldInfo, name: str) -> Any:
    return next((getattr(m, name) for m in field.metadata if hasattr(m, name)), None)


def plain_type(field: FieldInfo) -> Any:
    kinds = [leaf for leaf in leaves(field.annotation) if leaf is not type(None)]
    return kinds[0] if kinds else None


def allowed(field: FieldInfo) -> str:
    extra = _extra(field)
    text = extra.get("x-allowed") or _derived(field)
    unit = extra.get("x-unit")
    return f"{text} ({unit})" if unit else str(text)


def _derived(field: FieldInfo) -> str:
    group = group_of(field)
    if group is not None:
        return f"an object with keys {', '.join(group.model_fields)}, true or false"
    kind = plain_type(field)
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(_show(choice) for choice in get_args(kind))
    if kind is bool:
        return "true or false"
    lo, hi = _constraint(field, "ge"), _constraint(field, "le")
    if kind is int:
        step = _constraint(field, "multiple_of")
        what = f"a multiple of {step}" if step else "an integer"
        return f"{what} from {lo} to {hi}"
    if kind is float:
        return f"a number from {lo:g} to {hi:g}"
    return "a string"


def _show(choice: object) -> str:
    return repr(choice) if isinstance(choice, str) else str(choice)
