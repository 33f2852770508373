"""The Makefile's deploy never passes without outputs; destroy takes down what deploy deployed;
up/env/down name `make` in messages."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

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


def _destroy(cwd: Path, *args: str) -> str:
    """`make destroy` in `cwd` with the CLI replaced by echo (and install taken as done)."""
    out = subprocess.run(
        ["make", "--no-print-directory", "-o", "install", "destroy", "CDK=echo cdk", *args],
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


@pytest.mark.parametrize(
    ("recorded", "args", "expected"),
    [
        (None, ["CONFIG=a.json"], "cdk destroy --force -c config=a.json"),
        ("-c config=a.json", ["CONFIG=a.json"], "cdk destroy --force --app build/deployed.out"),
        ("-c config=b.json", ["CONFIG=a.json"], "cdk destroy --force -c config=a.json"),
        ("", [], "cdk destroy --force --app build/deployed.out"),
    ],
)
def test_destroy_uses_the_deployed_assembly_only_for_the_same_config(
    tmp_path: Path, recorded: str | None, args: list[str], expected: str
) -> None:
    shutil.copy(REPO_ROOT / "Makefile", tmp_path / "Makefile")
    if recorded is not None:
        (tmp_path / "build" / "deployed.out").mkdir(parents=True)
        (tmp_path / "build" / "deployed.out" / "make-context").write_text(recorded + "\n")
    [destroy] = [line for line in _destroy(tmp_path, *args).splitlines() if "cdk destroy" in line]
    assert destroy.strip() == expected
