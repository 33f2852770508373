"""The Makefile's deploy never passes without outputs; up/env/down name `make` in messages."""

from __future__ import annotations

import subprocess

from local_cloud.runtime_process import REPO_ROOT


def _dry_run(*targets: str) -> list[str]:
    # -n prints the recipes without running them (nor the install prerequisite).
    out = subprocess.run(
        ["make", "-n", *targets], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.splitlines()


def test_deploy_removes_old_outputs_then_checks_the_new_ones() -> None:
    lines = _dry_run("deploy")
    deploy = next(i for i, line in enumerate(lines) if " cdk deploy " in line)
    assert "--method" not in lines[deploy]  # the CLI's default, a change set
    assert lines[deploy - 1] == "rm -f cdk-outputs.json"
    assert lines[deploy + 1].startswith("python -m clients.check_outputs")


def test_local_cloud_targets_pass_the_command_name() -> None:
    for target in ("up", "env", "down"):
        assert any(f"--invoked-as make {target}" in line for line in _dry_run(target)), target
