"""Synthesize the app the way `cdk synth` does, for assertion, snapshot and lint tests.

`cdk.App()` in a test does not read cdk.json, so the context is loaded here and handed to
app.build(), the same entry point the CLI runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

import app as app_module
from stacks.endpoint_stack import XgbEndpointStack

REPO = Path(__file__).resolve().parent.parent


def cdk_json_context() -> dict[str, Any]:
    return dict(json.loads((REPO / "cdk.json").read_text())["context"])


@dataclass(frozen=True)
class Synthesized:
    stack: XgbEndpointStack
    template: Template
    template_path: Path
    outdir: Path

    @property
    def json(self) -> dict[str, Any]:
        return dict(self.template.to_json())


def synth(*, artifact: Path, outdir: Path, **overrides: Any) -> Synthesized:
    """Synthesize with cdk.json context plus `overrides` (like `-c key=value`)."""
    context = {**cdk_json_context(), "model_artifact": str(artifact), **overrides}
    app = cdk.App(context=context, outdir=str(outdir))
    stack = app_module.build(app)
    assembly = app.synth()
    artifact_ = assembly.get_stack_by_name(stack.stack_name)
    return Synthesized(
        stack=stack,
        template=Template.from_json(artifact_.template),
        template_path=Path(artifact_.template_full_path),
        outdir=outdir,
    )
