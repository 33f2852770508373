"""The synthesized template passes cfn-lint and cdk-nag (AwsSolutions) with nothing unexplained."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from stacks.xgboost_endpoint import XgboostEndpoint
from tests.cdk_support import Synthesized, synth

ACK_KEY = cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY


def test_cfn_lint_finds_no_error_and_no_warning(default_synth: Synthesized) -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), "--format", "json", str(default_synth.template_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    assert findings == [], json.dumps(findings, indent=2)
    assert result.returncode == 0, result.stderr


def _plugin_violations(outdir: Path) -> list[dict[str, Any]]:
    report = json.loads((outdir / "validation-report.json").read_text())
    return [v for plugin in report["pluginReports"] for v in plugin["violations"]]


def _acknowledged(synthesized: Synthesized) -> dict[str, str]:
    acks: dict[str, str] = {}
    for construct in synthesized.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == ACK_KEY:
                acks.update(entry.data)
    return acks


def test_cdk_nag_reports_no_unacknowledged_finding(default_synth: Synthesized) -> None:
    # Synth raises on any unacknowledged AwsSolutions finding; the report confirms none.
    assert _plugin_violations(default_synth.outdir) == []


def test_every_acknowledgement_answers_a_real_finding_with_a_reason(
    default_synth: Synthesized,
    built_model: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acknowledged = _acknowledged(default_synth)
    assert acknowledged, "expected the wildcard acknowledgements on the execution policy"
    for rule, reason in acknowledged.items():
        assert len(reason) > 40, f"{rule} needs a real reason, got {reason!r}"

    # Without the acknowledgements, synth must fail with exactly those findings: none is stale.
    monkeypatch.setattr(XgboostEndpoint, "_acknowledge_findings", lambda self, **_: None)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synth(artifact=built_model.tarball, outdir=tmp_path)
    found = {f"Annotation::{v['ruleName']}" for v in _plugin_violations(tmp_path)}
    assert found == set(acknowledged)
