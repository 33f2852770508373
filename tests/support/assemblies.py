"""Every config the tests synthesize, synthesized once per run and shared by all workers.

A test names a config (`assemblies.get("production")`); the first worker to ask synthesizes
it in process (cdk-nag included, as `cdk synth` does) into the run's shared folder, and every
other test of any worker reads that cloud assembly back. The stack, checkov, preflight, lint and
e2e tests all use these assemblies; cfn-lint runs once over all of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.cdk import Synthesized, cfn_lint_all, synth
from tests.support.paths import REPO
from tests.support.shared import file_lock, once

EXAMPLES = REPO / "examples"
IMPORTED_KEY = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
IMPORTED_TOPIC = "arn:aws:sns:eu-west-2:123456789012:on-call"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-89abcdef"]
SECURITY_GROUPS = ["sg-0123456789abcdef0"]
TEARDOWN = {"after_hours": 24, "notify": "ops@example.com"}

# Name -> the context a `cdk synth -c ...` would add to cdk.json's. Branches the examples leave
# out get a config of their own (rolling, linear, VPC, imported key and topic, IAM auth, ...).
CONFIGS: dict[str, dict[str, Any]] = {
    "default": {},
    **{path.stem: {"config": str(path)} for path in sorted(EXAMPLES.glob("*.json"))},
    "rolling_vpc": {
        "stack_name": "XgbRollingVpc",
        "instance_type": "ml.c5.xlarge",
        "instance_count": 4,
        "deployment": {"strategy": "rolling", "step_percent": 25, "wait_seconds": 120},
        "alarms": {"sns_topic": "create"},
        "data_capture": {"capture": "input", "retain": True, "expire_days": 0},
        "kms": IMPORTED_KEY,
        "vpc": {"subnet_ids": SUBNETS, "security_group_ids": SECURITY_GROUPS},
    },
    "linear": {
        "stack_name": "XgbLinear",
        "instance_count": 4,
        "deployment": {"strategy": "linear", "step_percent": 25},
        "alarms": {"sns_topic": IMPORTED_TOPIC},
    },
    "iam_api": {"public_api": json.dumps({"auth": "iam"})},
    "batch_retained": {"stack_name": "XgbBatchRetained", "batch_transform": {"retain": True}},
    "batch_local": {"stack_name": "XgbBatchLocal", "batch_transform": {}},
    "idle_teardown": {"idle_teardown": TEARDOWN},
}
# What the CDK CLI adds to an app's context: the deploy tests that check how the local cloud takes
# a template as `cdk synth` writes it (construct paths, the CDKMetadata resource) deploy this one.
CLI_CONTEXT = {"aws:cdk:version-reporting": True, "aws:cdk:enable-path-metadata": True}
CONFIGS["public-api-cli"] = {**CONFIGS["public-api"], **CLI_CONTEXT}
LINT = "cfn-lint"


class Assemblies:
    """The run's shared assemblies, in `root` (one folder per config)."""

    def __init__(self, *, root: Path, artifact: Path) -> None:
        self._root = root
        self._artifact = artifact
        self._loaded: dict[str, Synthesized] = {}

    def get(self, name: str) -> Synthesized:
        if name not in self._loaded:
            outdir = once(self._root, f"assembly-{name}", self._synthesizer(name))
            self._loaded[name] = Synthesized.load(outdir)
        return self._loaded[name]

    @property
    def build_dir(self) -> Path:
        """The build the assemblies ship (its tarball, model and card)."""
        return self._artifact.parent

    def overrides(self, name: str) -> dict[str, Any]:
        return dict(CONFIGS[name])

    def lint_findings(self, name: str) -> list[dict[str, Any]]:
        """cfn-lint's findings on one config's template; one cfn-lint run covers them all."""
        report = self._root / "cfn-lint.json"
        with file_lock(self._root / f"{LINT}.lock"):
            if not report.exists():
                paths = {n: self.get(n).template_path for n in CONFIGS}
                found = cfn_lint_all(list(paths.values()))
                report.write_text(json.dumps({n: found[p] for n, p in paths.items()}))
        findings: list[dict[str, Any]] = json.loads(report.read_text())[name]
        return findings

    def _synthesizer(self, name: str) -> Any:
        def make(outdir: Path) -> None:
            synth(artifact=self._artifact, outdir=outdir, **CONFIGS[name])

        return make
