"""The synthesized template passes cdk-nag (AwsSolutions) with nothing unexplained (cfn-lint, for
every config: test_options_lint.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.cdk import (
    Synthesized,
    assert_every_acknowledgement_is_needed,
)


def test_every_acknowledgement_answers_a_real_finding_with_a_reason(
    default_synth: Synthesized,
    built_model: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert_every_acknowledgement_is_needed(
        default_synth, artifact=built_model.tarball, outdir=tmp_path, monkeypatch=monkeypatch
    )
