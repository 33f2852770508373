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
from tests.support.paths import REPO


def cdk_json_context() -> dict[str, Any]:
    return dict(json.loads((REPO / "cdk.json").read_text())["context"])


@dataclass(frozen=True)
class Synthesized:
    """One stack of a cloud assembly on disk: a shared assembly is read back from its files."""

    stack_name: str
    template: Template
    template_path: Path
    outdir: Path

    @property
    def json(self) -> dict[str, Any]:
        return dict(self.template.to_json())

    @classmethod
    def load(cls, outdir: Path) -> Synthesized:
        """The assembly's one stack, from its manifest (no CDK app needed)."""
        artifacts = json.loads((outdir / "manifest.json").read_text())["artifacts"]
        [(name, stack)] = [
            (name, a) for name, a in artifacts.items() if a["type"] == STACK_ARTIFACT
        ]
        template_path = outdir / stack["properties"]["templateFile"]
        return cls(
            stack_name=name,
            template=Template.from_json(json.loads(template_path.read_text())),
            template_path=template_path,
            outdir=outdir,
        )

    def metadata(self) -> dict[str, list[dict[str, Any]]]:
        """Construct path -> metadata entries, as the CLI reads them from the assembly."""
        artifacts = json.loads((self.outdir / "manifest.json").read_text())["artifacts"]
        stack = artifacts[self.stack_name]
        entries: dict[str, list[dict[str, Any]]] = dict(stack.get("metadata", {}))
        extra = stack.get("additionalMetadataFile")
        if extra:
            entries.update(json.loads((self.outdir / extra).read_text()))
        return entries


def synth(*, artifact: Path, outdir: Path, **overrides: Any) -> Synthesized:
    """Synthesize with cdk.json context plus `overrides` (like `-c key=value`)."""
    context = {**cdk_json_context(), "model_artifact": str(artifact), **overrides}
    app = cdk.App(context=context, outdir=str(outdir))
    stack = app_module.build(app)
    assembly = app.synth()
    artifact_ = assembly.get_stack_by_name(stack.stack_name)
    return Synthesized(
        stack_name=stack.stack_name,
        template=Template.from_json(artifact_.template),
        template_path=Path(artifact_.template_full_path),
        outdir=outdir,
    )


ACKNOWLEDGED = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
STACK_ARTIFACT = "aws:cloudformation:stack"


def cfn_lint_findings(template_path: Path) -> list[dict[str, Any]]:
    """cfn-lint's findings (errors, warnings and informational) on one template, as JSON."""
    return cfn_lint_all([template_path])[template_path]


def cfn_lint_all(template_paths: list[Path]) -> dict[Path, list[dict[str, Any]]]:
    """One cfn-lint process for many templates (its start-up is most of its cost): each
    template's findings, by path."""
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), "--format", "json", *map(str, template_paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings: list[dict[str, Any]] = json.loads(result.stdout or "[]")
    if not findings and result.returncode != 0:
        raise RuntimeError(f"cfn-lint failed without findings: {result.stderr}")
    by_path: dict[Path, list[dict[str, Any]]] = {path: [] for path in template_paths}
    resolved = {path.resolve(): path for path in template_paths}
    for finding in findings:
        by_path[resolved[Path(finding["Filename"]).resolve()]].append(finding)
    return by_path


def nag_violations(outdir: Path) -> list[dict[str, Any]]:
    """cdk-nag's unacknowledged findings, from the validation report synth writes."""
    report = json.loads((outdir / "validation-report.json").read_text())
    return [v for plugin in report["pluginReports"] for v in plugin["violations"]]


def acknowledged(synthesized: Synthesized) -> dict[str, str]:
    """Every cdk-nag acknowledgement in the stack: `Annotation::<rule>` -> reason."""
    acks: dict[str, str] = {}
    for entries in synthesized.metadata().values():
        for entry in entries:
            if entry["type"] == ACKNOWLEDGED:
                acks.update(entry["data"])
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
