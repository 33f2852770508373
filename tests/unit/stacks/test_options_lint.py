"""cfn-lint on every config the suite synthesizes, in one cfn-lint run; cdk-nag on the options.

The configs (tests/support/assemblies.py) are synthesized once per run: the defaults, the shipped
examples, plus variants that reach the branches the examples do not (rolling, linear, VPC,
imported key and topic, retained captures, a topic without a key, IAM auth, idle teardown).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.assemblies import CONFIGS, Assemblies
from tests.support.cdk import Synthesized, acknowledged, assert_every_acknowledgement_is_needed

# --- lint and cdk-nag, for every configuration ------------------------------------------------


@pytest.mark.parametrize("config", CONFIGS)
def test_cfn_lint_finds_no_error_and_no_warning(config: str, assemblies: Assemblies) -> None:
    findings = assemblies.lint_findings(config)
    assert findings == [], json.dumps(findings, indent=2)


@pytest.mark.parametrize("config", ["production", "rolling_vpc"])
def test_every_acknowledgement_answers_a_real_finding_with_a_reason(
    config: str,
    assemblies: Assemblies,
    built_model: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert_every_acknowledgement_is_needed(
        assemblies.get(config),
        artifact=built_model.tarball,
        outdir=tmp_path,
        monkeypatch=monkeypatch,
        **assemblies.overrides(config),
    )


def test_option_acknowledgements_are_the_expected_ones(
    production: Synthesized, rolling_vpc: Synthesized
) -> None:
    def rules(synthesized: Synthesized) -> set[str]:
        return {r.split("[")[0].removeprefix("Annotation::") for r in acknowledged(synthesized)}

    # Wildcards (the default stack's, the capture prefix, the VPC's network interfaces) and the
    # capture bucket's missing server access logs: nothing else is waved through.
    assert rules(production) == {"AwsSolutions-IAM5", "AwsSolutions-S1"}
    assert rules(rolling_vpc) == {"AwsSolutions-IAM5", "AwsSolutions-S1"}
    vpc_wildcard = [r for r in acknowledged(rolling_vpc) if "network-interface/*" in r]
    assert len(vpc_wildcard) == 1
