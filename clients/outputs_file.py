"""The JSON `cdk deploy --outputs-file` writes, `{stack: {output key: value}}`: read here only.

A client that needs a deploy's output takes one stack from it: the one `--stack-name` names,
else the one stack that has the output the client needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clients.cli import UsageError, read_json
from constants import OUTPUTS_FILE

DEFAULT_OUTPUTS_FILE = Path(OUTPUTS_FILE)

StackOutputs = dict[str, Any]


def read_outputs(path: Path, *, missing: str | None = None) -> dict[str, StackOutputs]:
    """Every stack's outputs in the file; a UsageError if it is unreadable or not that shape,
    or says `missing` (which flag to pass instead) if there is no file."""
    if missing is not None and not path.is_file():
        raise UsageError(missing)
    outputs = read_json(path, what="outputs file")
    if not isinstance(outputs, dict) or not all(isinstance(v, dict) for v in outputs.values()):
        raise UsageError(f"{path} is not a CDK outputs file ({{stack: {{key: value}}}})")
    return outputs


def named_stack(outputs: dict[str, StackOutputs], path: Path, stack_name: str) -> StackOutputs:
    if stack_name not in outputs:
        known = ", ".join(sorted(outputs)) or "none"
        raise UsageError(f"stack {stack_name} not in {path} (stacks: {known})")
    return outputs[stack_name]


def stacks_with(outputs: dict[str, StackOutputs], key: str) -> list[str]:
    """The names of the stacks that have the output `key`, sorted."""
    return sorted(name for name, stack in outputs.items() if key in stack)


def select_stack(
    path: Path, *, stack_name: str | None, needs: str, missing: str | None = None
) -> tuple[str, StackOutputs] | None:
    """`stack_name`'s outputs, else those of the one stack that has `needs` (None if none)."""
    outputs = read_outputs(path, missing=missing)
    if stack_name is not None:
        return stack_name, named_stack(outputs, path, stack_name)
    candidates = stacks_with(outputs, needs)
    if len(candidates) > 1:
        raise UsageError(f"{path} has several stacks ({', '.join(candidates)}): pass --stack-name")
    return (candidates[0], outputs[candidates[0]]) if candidates else None


def outputs_with(
    path: Path, *, stack_name: str | None, needs: str, missing: str, hint: str = ""
) -> StackOutputs:
    """The outputs of the stack `select_stack` takes, which must have `needs`; else a UsageError
    that `hint` ends (where to read how to deploy it)."""
    chosen = select_stack(path, stack_name=stack_name, needs=needs, missing=missing)
    if chosen is None:
        article = "an" if needs[:1] in "AEIOU" else "a"
        raise UsageError(f"no stack in {path} has {article} {needs} output{hint}")
    name, outputs = chosen
    value = outputs.get(needs)
    if not (isinstance(value, str) and value):
        raise UsageError(f"stack {name} in {path} has no {needs} output{hint}")
    return outputs


def recorded_output(path: Path, *, stack_name: str, key: str) -> str | None:
    """A value a past deploy recorded, if its file is still around and readable; else None."""
    if not path.is_file():
        return None
    try:
        value = read_outputs(path).get(stack_name, {}).get(key)
    except UsageError:
        return None
    return value if isinstance(value, str) and value else None
