"""The real CDK CLI runs app.py: `cdk synth` prints a template cfn-lint passes, a typo'd setting
fails synth with the message, and jsii's Node end-of-life banner (b'!!...' lines) stays silent
without the Makefile's variable."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cdk import REPO, cfn_lint_findings

pytestmark = pytest.mark.e2e

APP_PARTS = ("app.py", "constants.py", "stacks")


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app without cdk.json's build step (no model build racing other tests)."""
    directory = tmp_path_factory.mktemp("app")
    for part in APP_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, directory / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, directory / part)
    cdk_json = json.loads((REPO / "cdk.json").read_text())
    cdk_json.pop("build", None)
    (directory / "cdk.json").write_text(json.dumps(cdk_json))
    return directory


def test_cli_synth_refuses_a_typo_with_the_key_meant_and_no_banner(app_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSII_SILENCE")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        [str(REPO / "node_modules" / ".bin" / "cdk"), "synth", "-q", "-c", "instance_cout=2",
         "-o", str(app_dir / "cdk.out")],
        cwd=app_dir, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "instance_cout: unknown key (did you mean 'instance_count'?)" in result.stderr
    assert "Traceback" not in result.stderr
    assert "b'!!" not in result.stderr


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
