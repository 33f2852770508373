"""Synthesize the app the way `cdk synth` does, for assertion, snapshot and lint tests.

`cdk.App()` in a test does not read cdk.json, so the context is loaded here and handed to
app.build(), the same entry point the CLI runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

import app as app_module
from stacks.endpoint_stack import XgbEndpointStack
from tests.support.paths import REPO


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


ACKNOWLEDGED = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY


def cfn_lint_findings(template_path: Path) -> list[dict[str, Any]]:
    """cfn-lint's findings (errors, warnings and informational) on one template, as JSON."""
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), "--format", "json", str(template_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings: list[dict[str, Any]] = json.loads(result.stdout or "[]")
    if not findings and result.returncode != 0:
        raise RuntimeError(f"cfn-lint failed without findings: {result.stderr}")
    return findings


def nag_violations(outdir: Path) -> list[dict[str, Any]]:
    """cdk-nag's unacknowledged findings, from the validation report synth writes."""
    report = json.loads((outdir / "validation-report.json").read_text())
    return [v for plugin in report["pluginReports"] for v in plugin["violations"]]


def acknowledged(synthesized: Synthesized) -> dict[str, str]:
    """Every cdk-nag acknowledgement in the stack: `Annotation::<rule>` -> reason."""
    acks: dict[str, str] = {}
    for construct in synthesized.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == ACKNOWLEDGED:
                acks.update(entry.data)
    return acks


class _IgnoreAcknowledgements:
    """Validations.of(scope) that drops acknowledgements and passes everything else on."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def acknowledge(self, *_args: Any, **_kwargs: Any) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def assert_every_acknowledgement_is_needed(
    synthesized: Synthesized,
    *,
    artifact: Path,
    outdir: Path,
    monkeypatch: Any,
    **overrides: Any,
) -> None:
    """Each cdk-nag acknowledgement has a real reason and answers a real finding.

    Synthesizes again with every acknowledgement dropped: synth must then fail with exactly the
    acknowledged findings, so none is stale and none hides more than it says.
    """
    acks = acknowledged(synthesized)
    assert acks, "expected at least one acknowledgement"
    for rule, reason in acks.items():
        assert len(reason) > 40, f"{rule} needs a real reason, got {reason!r}"
    real_of = cdk.Validations.of
    monkeypatch.setattr(
        cdk.Validations, "of", staticmethod(lambda scope: _IgnoreAcknowledgements(real_of(scope)))
    )
    try:
        synth(artifact=artifact, outdir=outdir, **overrides)
    except RuntimeError as err:
        assert "ValidationFailed" in str(err)
    else:
        raise AssertionError("synth passed with no acknowledgement: some are not needed")
    found = {f"Annotation::{v['ruleName']}" for v in nag_violations(outdir)}
    assert found == set(acks)
