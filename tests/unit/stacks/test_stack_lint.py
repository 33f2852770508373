"""The synthesized template passes cfn-lint and cdk-nag (AwsSolutions) with nothing unexplained."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.cdk import (
    REPO,
    Synthesized,
    assert_every_acknowledgement_is_needed,
    cfn_lint_findings,
)


def test_cfn_lint_finds_no_error_and_no_warning(default_synth: Synthesized) -> None:
    findings = cfn_lint_findings(default_synth.template_path)
    assert findings == [], json.dumps(findings, indent=2)


def test_every_acknowledgement_answers_a_real_finding_with_a_reason(
    default_synth: Synthesized,
    built_model: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert_every_acknowledgement_is_needed(
        default_synth, artifact=built_model.tarball, outdir=tmp_path, monkeypatch=monkeypatch
    )


def test_cdk_synth_prints_a_template_that_cfn_lint_passes(tmp_path: Path) -> None:
    """What a user runs: the pinned CLI, cdk.json's build step first, the template on stdout."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    synth = subprocess.run(
        ["npx", "--no", "--", "cdk", "synth", "--output", str(tmp_path / "cdk.out")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert synth.returncode == 0, synth.stderr[-3000:]
    assert synth.stdout.startswith("Description: "), synth.stdout[:300]
    template = tmp_path / "template.yaml"
    template.write_text(synth.stdout)
    findings = cfn_lint_findings(template)
    assert findings == [], json.dumps(findings, indent=2)
