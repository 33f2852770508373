"""The synthesized template passes cfn-lint and cdk-nag (AwsSolutions) with nothing unexplained."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.assemblies import Assemblies
from tests.support.cdk import (
    Synthesized,
    assert_every_acknowledgement_is_needed,
)


def test_cfn_lint_finds_no_error_and_no_warning(assemblies: Assemblies) -> None:
    findings = assemblies.lint_findings("default")
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
